r"""Generate a small synthetic fashion-landmark dataset in the DeepFashion-C
raw format.

The demo of this plugin has to train on a laptop CPU in minutes and still show
that the model learns, so the landmarks here are defined by drawn garment
geometry rather than by hand:

* upper-body (clothes_type 1, 6 landmarks: L.collar R.collar L.sleeve R.sleeve
  L.hem R.hem) ``Demo_Tee``, ``Demo_Blouse``: collar = top corner of the
  neckline cut-out, sleeve = centre of the cuff opening, hem = bottom corner of
  the body.
* lower-body (clothes_type 2, 4 landmarks: L.waistline R.waistline L.hem R.hem)
  ``Demo_Trousers`` (incl. shorts): waistline = top corner of the waistband,
  hem = centre of the leg opening; ``Demo_Skirt``: waistline as above, hem =
  bottom corner of the skirt.
* full-body (clothes_type 3, 8 landmarks: collar, sleeve, waistline, hem pairs)
  ``Demo_Dress``: bodice as a top, waistline = outer corner where the belt seam
  meets the side, hem = bottom corner; ``Demo_Jumpsuit``: bodice as a dress,
  legs as trousers.

Left/right: "L" is the side that appears on the IMAGE LEFT for an upright,
front-facing garment (the viewer's left), as in the DeepFashion/FLD
annotations. Flipping an image horizontally therefore swaps every pair (0,1)
(2,3) (4,5) (6,7) of the unified 8 slots.

Visibility codes: 0 visible, 1 occluded (under a drawn occluder blob, or under
a sleeve drawn over it; coordinates kept), 2 truncated (outside the image
frame; written as ``0 0`` like much of the real data). Coordinates are integer
0-based pixel positions, written zero-padded to 3 digits as in the real
DeepFashion-C text files; boxes are inclusive pixel extents of the garment
clipped to the image, so a garment cut off at the top-left corner gives a box
starting at (0, 0).

Everything is deterministic for a given seed: image ``i`` draws from its own
random stream (seed, i), so changing the split sizes does not change the
earlier images. Usage::

    # into demo/data/fashion_demo
    python tools/dataset_converters/make_demo_fashion_data.py
    python tools/dataset_converters/make_demo_fashion_data.py \
        --out-dir /tmp/fd --num-train 20
"""
import argparse
import hashlib
import math
import os
import os.path as osp
import shutil
import sys
import time

import cv2
import numpy as np

from gle.datasets.raw_annotation import write_table

REPO_ROOT = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
DEFAULT_OUT_DIR = osp.join(REPO_ROOT, 'demo', 'data', 'fashion_demo')

# (folder, clothes_type). Images cycle through this list, so any run with >= 3
# images has all three clothes types and >= 6 images has every folder.
CATEGORIES = [
    ('Demo_Tee', 1),
    ('Demo_Trousers', 2),
    ('Demo_Dress', 3),
    ('Demo_Blouse', 1),
    ('Demo_Skirt', 2),
    ('Demo_Jumpsuit', 3),
]
NUM_LANDMARKS = {1: 6, 2: 4, 3: 8}
LANDMARK_NAMES = {
    1: ['L.collar', 'R.collar', 'L.sleeve', 'R.sleeve', 'L.hem', 'R.hem'],
    2: ['L.waistline', 'R.waistline', 'L.hem', 'R.hem'],
    3: [
        'L.collar', 'R.collar', 'L.sleeve', 'R.sleeve', 'L.waistline',
        'R.waistline', 'L.hem', 'R.hem'
    ],
}
NAME_WIDTH = 56  # the real files pad image_name to a fixed column with spaces
MAX_ROTATION_DEG = 20.0


# --------------------------------------------------------------------------------------------
# small geometry helpers (canonical garment frame: x right, y down, garment
# height 1)
# --------------------------------------------------------------------------------------------
def _lerp(a, b, t):
    return (1.0 - t) * np.asarray(a, float) + t * np.asarray(b, float)


def _arr(*pts):
    return np.array(pts, dtype=np.float64).reshape(-1, 2)


class Garment:
    """Polygons (canonical frame) with a paint role, and landmarks in
    DeepFashion order."""

    def __init__(self):
        self.parts = [
        ]  # (polygon Nx2, role) role in {'main', 'trim'}; drawn in order
        self.landmarks = None

    def add(self, poly, role='main'):
        self.parts.append((np.asarray(poly,
                                      dtype=np.float64).reshape(-1, 2), role))

    def map(self, fn):
        self.parts = [(fn(p), r) for p, r in self.parts]
        self.landmarks = fn(self.landmarks)


def _neckline(rng, nw, nd, n=9):
    """Neckline from the right collar corner (nw, 0) through the dip to (-nw,
    0)."""
    if rng.random() < 0.5:  # round
        t = np.linspace(0.0, math.pi, n)
        return np.stack([nw * np.cos(t), nd * np.sin(t)], axis=1)
    return _arr((nw, 0.0), (0.0, nd), (-nw, 0.0))  # V-neck


def _sleeve(side, shoulder, armpit, angle, length, cuff_scale):
    """A sleeve on ``side`` (-1 image left, +1 image right); returns polygon,
    cuff band, centre.

    ``angle`` is measured from straight down, opening outwards.
    """
    shoulder = np.asarray(shoulder, float)
    armpit = np.asarray(armpit, float)
    root_c = 0.5 * (shoulder + armpit)
    root_w = np.linalg.norm(shoulder - armpit)
    d = np.array([side * math.sin(angle), math.cos(angle)])
    n_out = np.array([side * math.cos(angle),
                      -math.sin(angle)])  # perpendicular, upwards-out
    centre = root_c + length * d
    half = 0.5 * root_w * cuff_scale
    outer = centre + half * n_out
    inner = centre - half * n_out
    poly = np.stack([shoulder, outer, inner, armpit])
    t = 1.0 - min(0.35, 0.045 / max(length, 1e-3))
    band = np.stack(
        [_lerp(shoulder, outer, t), outer, inner,
         _lerp(armpit, inner, t)])
    return poly, band, centre


def _bodice(rng, k, sleeve_kind):
    """Neckline, shoulders and sleeves of a top/dress/jumpsuit, all lengths
    scaled by ``k``.

    Returns a dict with the collar corners, the sleeve parts ``[(polygon, cuff
    band)] * 2`` and cuff centres, the armpits, the polygon chain from the left
    armpit over the shoulders and neckline to the right armpit, and the
    neckline itself (left corner to right corner).
    """
    nw = k * rng.uniform(0.085, 0.135)
    nd = k * rng.uniform(0.06, 0.2)
    sw = k * rng.uniform(0.27, 0.37)
    sy = k * rng.uniform(0.025, 0.07)
    ay = k * rng.uniform(0.25, 0.33)
    ax = sw - k * rng.uniform(0.01, 0.04)
    if sleeve_kind == 'short':
        lengths = k * rng.uniform(0.17, 0.3) * rng.uniform(0.9, 1.1, size=2)
        angles = np.radians(rng.uniform(38, 68, size=2))
        cuff = rng.uniform(0.75, 0.95)
    else:
        lengths = k * rng.uniform(0.5, 0.8) * rng.uniform(0.93, 1.07, size=2)
        angles = np.radians(rng.uniform(14, 38, size=2))
        cuff = rng.uniform(0.45, 0.65)
    sleeves, centres = [], []
    for i, side in enumerate((-1, 1)):
        poly, band, c = _sleeve(side, (side * sw, sy), (side * ax, ay),
                                angles[i], lengths[i], cuff)
        sleeves.append((poly, band))
        centres.append(c)
    neck = _neckline(rng, nw, nd)[::-1]  # left corner -> dip -> right corner
    chain = np.concatenate(
        [_arr((-ax, ay), (-sw, sy)), neck,
         _arr((sw, sy), (ax, ay))])
    return dict(
        collar=((-nw, 0.0), (nw, 0.0)),
        sleeves=sleeves,
        sleeve_centres=centres,
        armpit=((-ax, ay), (ax, ay)),
        chain=chain,
        neck=neck)


def _hem_band(hem_l, hem_r, curve, up_l, up_r, t):
    """Band along a (slightly curved) hem; ``up_*`` are points up the sides."""
    mid = (0.0, hem_l[1] + curve)
    return np.stack([
        _lerp(hem_l, up_l, t), hem_l, mid, hem_r,
        _lerp(hem_r, up_r, t), (0.0, mid[1] - t * abs(up_r[1] - hem_r[1]))
    ])


def _legs(rng, top_y, ww, shorts):
    """Trouser legs below a waist at ``top_y`` with half-width ``ww``.

    Returns the outline from the left hip round both legs to the right hip, the
    leg-opening bands and the hem landmarks (centres of the leg openings).
    """
    span = 1.0 - top_y
    hip_y = top_y + span * rng.uniform(0.15, 0.22)
    hp = ww * rng.uniform(1.03, 1.15)
    if shorts:
        crotch_y = top_y + span * rng.uniform(0.5, 0.66)
        lw = rng.uniform(0.75, 0.95) * hp
    else:
        crotch_y = top_y + span * rng.uniform(0.27, 0.36)
        lw = rng.uniform(0.55, 0.8) * hp
    crotch = (0.0, crotch_y)
    outline, bands, hems = [], [], []
    for side in (-1, 1):
        # splay differs per leg (pose)
        outer_x = hp + ww * rng.uniform(-0.08, 0.35)
        inner_x = max(outer_x - lw, 0.06 * ww)
        tilt = rng.uniform(-0.02, 0.02) * span
        hip = (side * hp, hip_y)
        outer = (side * outer_x, 1.0 + tilt)
        inner = (side * inner_x, 1.0 - tilt)
        hems.append(_lerp(outer, inner, 0.5))
        t = 0.035 / span
        bands.append(
            np.stack(
                [_lerp(outer, hip, t), outer, inner,
                 _lerp(inner, crotch, t)]))
        outline += [hip, outer, inner] if side < 0 else [inner, outer, hip]
    outline.insert(3, crotch)
    return np.array(outline, dtype=np.float64), bands, hems


def _make_upper(rng, category):
    g = Garment()
    if category == 'Demo_Tee':
        kind = 'short' if rng.random() < 0.8 else 'long'
        flare = rng.uniform(-0.02, 0.07)
    else:
        kind = 'long' if rng.random() < 0.75 else 'short'
        flare = rng.uniform(0.0, 0.1)
    body = _bodice(rng, 1.0, kind)
    arm_l, arm_r = body['armpit']
    hem_l, hem_r = (arm_l[0] - flare, 1.0), (arm_r[0] + flare, 1.0)
    curve = rng.uniform(0.0, 0.05)
    torso = np.concatenate(
        [body['chain'], _arr(hem_r, (0.0, 1.0 + curve), hem_l)])
    g.add(torso)
    for poly, _ in body[
            'sleeves']:  # sleeves in front, like arms; may hide a hem corner
        g.add(poly)
    for _, band in body['sleeves']:
        g.add(band, 'trim')
    g.add(
        _hem_band(hem_l, hem_r, curve, arm_l, arm_r, rng.uniform(0.035, 0.06)),
        'trim')
    g.neck = body['neck']
    g.landmarks = np.array(
        [*body['collar'], *body['sleeve_centres'], hem_l, hem_r])
    return g


def _make_lower(rng, category):
    g = Garment()
    wb = rng.uniform(0.04, 0.06)
    if category == 'Demo_Skirt':
        ww = rng.uniform(0.22, 0.4)
        hw = ww * rng.uniform(1.12, 1.75)
        curve = rng.uniform(0.0, 0.05)
        hem_l, hem_r = (-hw, 1.0), (hw, 1.0)
        g.add(_arr((-ww, 0.0), (ww, 0.0), hem_r, (0.0, 1.0 + curve), hem_l))
        g.add(
            _hem_band(hem_l, hem_r, curve, (-ww, 0.0), (ww, 0.0),
                      rng.uniform(0.03, 0.05)), 'trim')
        side_l, side_r = hem_l, hem_r
        hems = [hem_l, hem_r]
    else:
        shorts = rng.random() < 0.3
        ww = rng.uniform(0.3, 0.42) if shorts else rng.uniform(0.16, 0.24)
        outline, bands, hems = _legs(rng, 0.0, ww, shorts)
        g.add(np.concatenate([_arr((-ww, 0.0)), outline, _arr((ww, 0.0))]))
        for band in bands:
            g.add(band, 'trim')
        side_l, side_r = outline[0], outline[-1]
    g.add(
        np.stack([(-ww, 0.0), (ww, 0.0),
                  _lerp((ww, 0.0), side_r, wb),
                  _lerp((-ww, 0.0), side_l, wb)]), 'trim')  # waistband
    g.neck = None
    g.landmarks = np.array([(-ww, 0.0), (ww, 0.0), *hems], dtype=np.float64)
    return g


def _make_full(rng, category):
    g = Garment()
    jumpsuit = category == 'Demo_Jumpsuit'
    k = rng.uniform(0.36, 0.42) if jumpsuit else rng.uniform(0.4, 0.5)
    body = _bodice(rng, k, 'short' if rng.random() < 0.6 else 'long')
    arm_l, arm_r = body['armpit']
    waist_y = max(arm_r[1] + 0.06, k * rng.uniform(0.7, 0.85))
    ww = arm_r[0] * rng.uniform(0.72, 0.9)
    wl, wr = (-ww, waist_y), (ww, waist_y)
    if jumpsuit:
        outline, trims, hems = _legs(
            rng, waist_y, ww, shorts=rng.random() < 0.2)
        side_l, side_r = outline[0], outline[-1]
        lower = np.concatenate([_arr(wr), outline[::-1], _arr(wl)])
    else:
        hw = ww * rng.uniform(1.3, 2.4)
        curve = rng.uniform(0.0, 0.04)
        hem_l, hem_r = (-hw, 1.0), (hw, 1.0)
        hems = [hem_l, hem_r]
        side_l, side_r = hem_l, hem_r
        lower = _arr(wr, hem_r, (0.0, 1.0 + curve), hem_l, wl)
        trims = [
            _hem_band(hem_l, hem_r, curve, wl, wr, rng.uniform(0.025, 0.045))
        ]
    g.add(np.concatenate([body['chain'], lower]))
    for poly, _ in body['sleeves']:
        g.add(poly)
    for _, band in body['sleeves']:
        g.add(band, 'trim')
    for band in trims:
        g.add(band, 'trim')
    # belt seam: its outer corners on the sides are the waistline landmarks
    bt = rng.uniform(0.025, 0.04)

    def along(p, q):
        return _lerp(p, q,
                     bt / max(float(np.linalg.norm(np.subtract(q, p))), 1e-3))

    g.add(
        np.stack([
            along(wl, arm_l),
            along(wr, arm_r), wr,
            along(wr, side_r),
            along(wl, side_l), wl
        ]), 'trim')
    g.neck = body['neck']
    g.landmarks = np.array(
        [*body['collar'], *body['sleeve_centres'], wl, wr, *hems])
    return g


def make_garment(rng, category):
    ctype = dict(CATEGORIES)[category]
    return {
        1: _make_upper,
        2: _make_lower,
        3: _make_full
    }[ctype](rng, category)


# --------------------------------------------------------------------------------------------
# colours, textures, backgrounds
# --------------------------------------------------------------------------------------------
def _hsv(h, s, v):
    px = np.array([[[h % 180, s, v]]], dtype=np.uint8)
    return cv2.cvtColor(px, cv2.COLOR_HSV2BGR)[0, 0].astype(np.float32)


def _random_colour(rng, v_range=(40, 250), s_range=(0, 255)):
    return _hsv(
        int(rng.integers(0, 180)), int(rng.integers(*s_range)),
        int(rng.integers(*v_range)))


def _grid(h, w, rng):
    yy, xx = np.mgrid[0:h, 0:w].astype(np.float32)
    a = rng.uniform(0, math.pi)
    return xx * math.cos(a) + yy * math.sin(a), -xx * math.sin(
        a) + yy * math.cos(a)


def _smooth_noise(rng, h, w, cells):
    small = rng.random(
        (max(2, h // cells), max(2, w // cells))).astype(np.float32)
    return cv2.resize(small, (w, h), interpolation=cv2.INTER_CUBIC).clip(0, 1)


def _texture(rng, h, w, c1, c2, px_per_unit):
    """Garment fabric: solid, stripes, checks, dots or blotchy noise, with soft
    shading."""
    kind = rng.choice(['solid', 'solid', 'stripes', 'checks', 'dots', 'noise'])
    tex = np.empty((h, w, 3), np.float32)
    tex[:] = c1
    period = max(3.0, px_per_unit * rng.uniform(0.04, 0.1))
    if kind == 'stripes':
        u, _ = _grid(h, w, rng)
        m = (np.mod(u, period) < period * rng.uniform(0.25, 0.6))
        tex[m] = c2
    elif kind == 'checks':
        u, v = _grid(h, w, rng)
        m = (np.mod(u, period) < period / 2) ^ (np.mod(v, period) < period / 2)
        tex[m] = 0.5 * (c1 + c2) if rng.random() < 0.5 else c2
    elif kind == 'dots':
        u, v = _grid(h, w, rng)
        du = np.mod(u, period) - period / 2
        dv = np.mod(v, period) - period / 2
        tex[du * du + dv * dv < (period * rng.uniform(0.15, 0.3))**2] = c2
    elif kind == 'noise':
        n = _smooth_noise(rng, h, w, max(3, int(period)))[..., None]
        tex = c1 * (1 - 0.6 * n) + c2 * (0.6 * n)
    shade = _grid(h, w, rng)[0]
    shade = (shade - shade.min()) / max(float(np.ptp(shade)), 1.0)
    return tex * (0.85 + 0.25 * shade[..., None])


def _background(rng, h, w):
    kind = rng.choice(['studio', 'flat', 'gradient', 'noise', 'clutter'])
    if kind == 'studio':
        bg = np.empty((h, w, 3), np.float32)
        bg[:] = _hsv(
            int(rng.integers(0, 180)), int(rng.integers(0, 30)),
            int(rng.integers(215, 256)))
        return bg
    c1 = _random_colour(rng)
    c2 = _random_colour(rng)
    if kind == 'flat':
        bg = np.empty((h, w, 3), np.float32)
        bg[:] = c1
        return bg
    if kind == 'gradient':
        u = _grid(h, w, rng)[0]
        t = ((u - u.min()) / max(float(np.ptp(u)), 1.0))[..., None]
        return c1 * (1 - t) + c2 * t
    bg = _smooth_noise(rng, h, w, int(rng.integers(6, 24)))[..., None]
    bg = c1 * (1 - bg) + c2 * bg
    if kind == 'clutter':
        img = bg.astype(np.uint8)
        for _ in range(int(rng.integers(3, 9))):
            col = tuple(float(c) for c in _random_colour(rng))
            x, y = int(rng.integers(0, w)), int(rng.integers(0, h))
            r = int(rng.integers(3, max(4, min(h, w) // 5)))
            shape = rng.integers(0, 3)
            if shape == 0:
                cv2.circle(img, (x, y), r, col, -1, cv2.LINE_AA)
            elif shape == 1:
                cv2.rectangle(img, (x - r, y - r // 2), (x + r, y + r // 2),
                              col, -1)
            else:
                x2, y2 = int(rng.integers(0, w)), int(rng.integers(0, h))
                cv2.line(img, (x, y), (x2, y2), col, int(rng.integers(1, 4)),
                         cv2.LINE_AA)
        bg = img.astype(np.float32)
    return bg


def _contrasting(rng, ref, min_dist=90.0, **kw):
    best, best_d = None, -1.0
    for _ in range(12):
        c = _random_colour(rng, **kw)
        d = float(np.linalg.norm(c - ref))
        if d >= min_dist:
            return c
        if d > best_d:
            best, best_d = c, d
    return best


# --------------------------------------------------------------------------------------------
# rendering
# --------------------------------------------------------------------------------------------
def _mask(shape, polys, thickness=None, closed=True):
    m = np.zeros(shape[:2], np.uint8)
    pts = [
        np.round(np.asarray(p) * 16).astype(np.int32).reshape(-1, 1, 2)
        for p in polys
    ]
    if thickness is None:
        cv2.fillPoly(m, pts, 255, cv2.LINE_AA, shift=4)
    else:
        cv2.polylines(m, pts, closed, 255, thickness, cv2.LINE_AA, shift=4)
    return m


def _paint(img, mask, src):
    a = (mask.astype(np.float32) / 255.0)[..., None]
    img *= (1.0 - a)
    img += a * src


def _pose_warp(rng):
    """Left/right asymmetry from pose: per-side width scaling plus a small
    shear."""
    kl, kr = rng.uniform(0.85, 1.1, size=2)
    shear = rng.uniform(-0.08, 0.08)

    def fn(p):
        p = np.array(p, dtype=np.float64).reshape(-1, 2).copy()
        p[:, 0] *= np.where(p[:, 0] < 0, kl, kr)
        p[:, 0] += shear * (p[:, 1] - 0.5)
        return p

    return fn


def _occluder_polygon(rng, centre, r):
    kind = rng.integers(0, 3)
    if kind == 0:  # ellipse-like blob
        t = np.linspace(0, 2 * math.pi, 20, endpoint=False)
        rx, ry = r * rng.uniform(0.8, 1.3), r * rng.uniform(0.8, 1.3)
        rad = rng.uniform(0.85, 1.15, size=t.size)
        return np.stack([
            centre[0] + rx * rad * np.cos(t), centre[1] + ry * rad * np.sin(t)
        ], 1)
    if kind == 1:  # rotated rectangle (bag, card, phone)
        a = rng.uniform(0, math.pi)
        hx, hy = r * rng.uniform(0.9, 1.5), r * rng.uniform(0.8, 1.2)
        c, s = math.cos(a), math.sin(a)
        corners = np.array([(-hx, -hy), (hx, -hy), (hx, hy), (-hx, hy)])
        return centre + corners @ np.array([[c, s], [-s, c]])
    # irregular polygon (hair, hand)
    t = (np.arange(7) + rng.uniform(-0.3, 0.3, size=7)) * (2 * math.pi / 7)
    rad = r * rng.uniform(0.9, 1.5, size=7)
    return np.stack([centre[0] + rad * np.cos(t), centre[1] + rad * np.sin(t)],
                    1)


def render_sample(rng, index, size):
    """Draw one image; returns (jpeg-ready uint8 BGR image, record dict)."""
    category, ctype = CATEGORIES[index % len(CATEGORIES)]
    # image shape: longer side == size, mostly portrait like shop photos
    if rng.random() < 0.85:
        h, w = size, int(round(size * rng.uniform(0.66, 1.0)))
    else:
        w, h = size, int(round(size * rng.uniform(0.75, 1.0)))

    g = make_garment(rng, category)
    g.map(_pose_warp(rng))

    # similarity transform canonical -> image
    theta = math.radians(
        float(
            np.clip(rng.normal(0, 8.0), -MAX_ROTATION_DEG, MAX_ROTATION_DEG)))
    rot = np.array([[math.cos(theta), -math.sin(theta)],
                    [math.sin(theta), math.cos(theta)]])
    allpts = np.concatenate([p for p, _ in g.parts])
    c0 = 0.5 * (allpts.min(0) + allpts.max(0))
    rotated = (allpts - c0) @ rot.T
    ext = rotated.max(0) - rotated.min(0)
    scale = rng.uniform(0.6, 0.9) * min(w / ext[0], h / ext[1])
    ext_img = ext * scale
    centre = np.array([
        rng.uniform(ext_img[0] / 2 + 1, w - ext_img[0] / 2 - 1),
        rng.uniform(ext_img[1] / 2 + 1, h - ext_img[1] / 2 - 1)
    ])

    def to_img(p, t):
        return (np.asarray(p) - c0) @ rot.T * scale + t

    # truncation: push part of the garment out of the frame. Scheduled for some
    # indices so that tiny runs still contain code 2 and boxes starting at (0,
    # 0).
    lm_img = to_img(g.landmarks, centre)
    if index % 20 == 3 or (index % 20 != 1 and rng.random() < 0.03):
        mode = 'top-left'
    elif index % 10 == 1 or rng.random() < 0.15:
        mode = 'edge'
    else:
        mode = None
    if mode == 'top-left':
        lo = rotated.min(0) * scale + centre
        centre = centre - lo - ext_img * rng.uniform(0.03, 0.15, size=2)
        lm_img = to_img(g.landmarks, centre)
    elif mode == 'edge':
        # one of the two landmarks nearest to the border ends up outside,
        # beyond that border
        dists = np.stack([
            lm_img[:, 0], w - 1 - lm_img[:, 0], lm_img[:, 1],
            h - 1 - lm_img[:, 1]
        ],
                         axis=1)
        j = int(np.argsort(dists.min(1))[int(rng.integers(0, 2))])
        e = int(np.argmin(dists[j]))
        margin = rng.uniform(0.02, 0.12) * max(ext_img)
        shift = np.zeros(2)
        if e == 0:
            shift[0] = -(lm_img[j, 0] + margin)
        elif e == 1:
            shift[0] = (w - 1 - lm_img[j, 0]) + margin
        elif e == 2:
            shift[1] = -(lm_img[j, 1] + margin)
        else:
            shift[1] = (h - 1 - lm_img[j, 1]) + margin
        centre = centre + shift
        lm_img = to_img(g.landmarks, centre)
    parts = [(to_img(p, centre), r) for p, r in g.parts]

    # paint
    img = _background(rng, h, w)
    bg_mean = img.reshape(-1, 3).mean(0)
    c_main = _contrasting(rng, bg_mean, v_range=(30, 250))
    c_alt = _contrasting(rng, c_main, min_dist=70.0)
    if rng.random() < 0.5:
        c_trim = c_main * rng.uniform(0.55, 0.75)
    else:
        c_trim = _contrasting(rng, c_main, min_dist=80.0)
    tex = _texture(rng, h, w, c_main, c_alt, scale)
    outline = np.minimum(c_main, c_trim) * 0.5
    for poly, role in parts:
        _paint(img, _mask(img.shape, [poly]),
               tex if role == 'main' else c_trim)
        _paint(img, _mask(img.shape, [poly], thickness=1), outline)
    # a fine trim along the neckline makes the collar corners crisp
    if g.neck is not None:
        _paint(
            img,
            _mask(
                img.shape, [to_img(g.neck, centre)], thickness=1,
                closed=False), c_trim)

    # visibility before occluders: out of frame -> 2; under a garment part
    # drawn later than the part it sits on (a long sleeve over a hem corner) ->
    # 1
    xy = np.round(lm_img).astype(np.int64)
    inside = (xy[:, 0] >= 0) & (xy[:, 0] <= w - 1) & (xy[:, 1] >= 0) & (
        xy[:, 1] <= h - 1)
    vis = np.where(inside, 0, 2)
    mains = [
        p.astype(np.float32).reshape(-1, 1, 2) for p, r in parts if r == 'main'
    ]
    for j in np.flatnonzero(inside):
        pt = (float(lm_img[j, 0]), float(lm_img[j, 1]))
        for poly in reversed(mains):
            d = cv2.pointPolygonTest(poly, pt, True)
            # the top-most part containing (or bordering) the landmark
            if d >= -1.0:
                if d > 1.5:
                    vis[j] = 1
                break

    # occluders: each one is placed over a chosen in-frame landmark
    n_occ = 0
    if index % 3 == 0:
        n_occ = 1
    elif rng.random() < 0.4:
        n_occ = 1
    if n_occ and rng.random() < 0.2:
        n_occ = 2
    occ_mask = np.zeros((h, w), np.uint8)
    candidates = list(np.flatnonzero(inside))
    for _ in range(n_occ):
        if not candidates:
            break
        j = candidates.pop(int(rng.integers(0, len(candidates))))
        r = scale * rng.uniform(0.06, 0.11)
        off = rng.uniform(-0.35, 0.35, size=2) * r
        poly = _occluder_polygon(rng, lm_img[j] + off, r)
        m = _mask(img.shape, [poly])
        col = _contrasting(rng, c_main, min_dist=80.0)
        if rng.random() < 0.5:
            src = _texture(rng, h, w, col, _random_colour(rng), scale)
        else:
            src = col
        _paint(img, m, src)
        _paint(img, _mask(img.shape, [poly], thickness=1), col * 0.5)
        occ_mask = np.maximum(occ_mask, m)
    for j in np.flatnonzero(inside):
        if occ_mask[xy[j, 1], xy[j, 0]] >= 128:  # the pixel is mostly occluder
            vis[j] = 1

    # mild sensor noise then quantise
    img += rng.normal(0.0, 2.0, size=img.shape).astype(np.float32)
    img = np.clip(np.round(img), 0, 255).astype(np.uint8)

    allimg = np.concatenate([p for p, _ in parts])
    x1, y1 = np.floor(allimg.min(0)).astype(int)
    x2, y2 = np.ceil(allimg.max(0)).astype(int)
    box = [
        int(np.clip(x1, 0, w - 1)),
        int(np.clip(y1, 0, h - 1)),
        int(np.clip(x2, 0, w - 1)),
        int(np.clip(y2, 0, h - 1))
    ]
    lms = []
    for j in range(len(xy)):
        if vis[j] == 2:
            lms.append((2, 0, 0))
        else:
            lms.append((int(vis[j]), int(xy[j, 0]), int(xy[j, 1])))
    rec = dict(
        category=category,
        clothes_type=ctype,
        width=w,
        height=h,
        bbox=box,
        landmarks=lms)
    return img, rec


# --------------------------------------------------------------------------------------------
# writing
# --------------------------------------------------------------------------------------------
def _landmark_header():
    cols = ['image_name', 'clothes_type']
    for i in range(1, 9):
        cols += [
            f'landmark_visibility_{i}', f'landmark_location_x_{i}',
            f'landmark_location_y_{i}'
        ]
    return '  '.join(cols)


def _readme(num_train, num_val, num_test, seed, size, jpeg_quality, summary):
    cmd = (
        'python tools/dataset_converters/make_demo_fashion_data.py'
        f' --num-train {num_train} --num-val {num_val} --num-test {num_test}'
        f' --seed {seed} --size {size} --jpeg-quality {jpeg_quality}')
    vis = summary['visibility']
    types = summary['clothes_types']
    return f"""# Synthetic fashion-landmark demo data

This folder is **synthetic**: every image is a flat drawing of a garment made
with numpy and OpenCV by `tools/dataset_converters/make_demo_fashion_data.py`.
No photograph and nothing from DeepFashion is included. It only mimics the
DeepFashion-C *file layout*, so that the demo can exercise the real data reader
on a CPU in minutes.

Generated with (from the repository root):

    {cmd}

The same command and seed give byte-identical files with the same numpy/OpenCV
versions.

## Layout (DeepFashion-C raw format)
- `Anno/list_landmarks.txt`: `image_name clothes_type [visibility x y] * n`, no
  variation column; n = 6 (upper, type 1), 4 (lower, type 2), 8 (full, type 3).
- `Anno/list_bbox.txt`: `image_name x_1 y_1 x_2 y_2` (inclusive garment extent,
  clipped).
- `Eval/list_eval_partition.txt`: `image_name evaluation_status` (train / val /
  test).
- `img/<Category>/img_XXXXXXXX.jpg`, longer side {size} px.

First line of each list = number of rows, second line = column names; columns
are padded with runs of spaces and coordinates are zero-padded integers, as in
the real files.

## Landmark definitions
Landmarks sit on drawn geometry: collar = top corner of the neckline cut-out;
sleeve = centre of the cuff opening; waistline = top corner of the waistband
(trousers, skirts) or outer corner of the belt seam (dresses, jumpsuits); hem =
bottom corner of the body or skirt, or the centre of a trouser-leg opening.

"L" (left) is the side on the **image left** for an upright, front-facing
garment (the viewer's left, as in the DeepFashion/FLD annotations). A
horizontal flip swaps the pairs (0,1) (2,3) (4,5) (6,7) of the unified 8 slots.
Garments are rotated by at most {MAX_ROTATION_DEG:.0f} degrees.

Visibility: 0 visible, 1 occluded by a drawn blob or by a sleeve drawn over it
(coordinates kept), 2 outside the image frame (written as `0 0`). Coordinates
are 0-based pixels. Some garments are cut off at the top-left corner, so their
boxes start at (0, 0).

## Contents
- images: {summary['num_images']} (train {summary['splits']['train']}, val \
{summary['splits']['val']}, test {summary['splits']['test']})
- clothes types: upper {types[1]}, lower {types[2]}, full {types[3]}
- landmark visibility codes: 0: {vis[0]}, 1: {vis[1]}, 2: {vis[2]}

## Licence
Apache License 2.0, the same as the repository.
"""


def generate(out_dir=DEFAULT_OUT_DIR,
             num_train=300,
             num_val=50,
             num_test=51,
             seed=1234,
             size=160,
             jpeg_quality=90,
             verbose=False):
    """Write the synthetic dataset into ``out_dir`` and return a summary dict.

    Any previous ``Anno``, ``Eval`` and ``img/Demo_*`` contents of ``out_dir``
    are replaced.
    """
    if min(num_train, num_val, num_test) < 0:
        raise ValueError('split sizes must be >= 0')
    if seed < 0:
        raise ValueError('seed must be >= 0')
    if size < 48 or size > 999:
        raise ValueError('size must be in [48, 999]')
    t0 = time.time()
    n = num_train + num_val + num_test
    out_dir = osp.abspath(out_dir)
    for sub in ['Anno', 'Eval'] + [osp.join('img', c) for c, _ in CATEGORIES]:
        if osp.isdir(osp.join(out_dir, sub)):
            shutil.rmtree(osp.join(out_dir, sub))

    split_rng = np.random.default_rng(np.random.SeedSequence([seed, 1]))
    status = np.array(['train'] * num_train + ['val'] * num_val +
                      ['test'] * num_test)
    status = status[split_rng.permutation(n)] if n else status

    records = []
    counters = {c: 0 for c, _ in CATEGORIES}
    total_bytes = 0
    for i in range(n):
        rng = np.random.default_rng(np.random.SeedSequence([seed, 2, i]))
        img, rec = render_sample(rng, i, size)
        counters[rec['category']] += 1
        rel = f"img/{rec['category']}/img_{counters[rec['category']]:08d}.jpg"
        path = osp.join(out_dir, rel)
        os.makedirs(osp.dirname(path), exist_ok=True)
        ok, buf = cv2.imencode('.jpg', img,
                               [cv2.IMWRITE_JPEG_QUALITY,
                                int(jpeg_quality)])
        assert ok
        with open(path, 'wb') as f:
            f.write(buf.tobytes())
        total_bytes += len(buf)
        rec.update(image_name=rel, split=str(status[i]), index=i)
        records.append(rec)

    # rows grouped by category folder like the real lists; splits stay
    # interleaved
    order = {c: k for k, (c, _) in enumerate(CATEGORIES)}
    records.sort(key=lambda r: (order[r['category']], r['image_name']))

    lm_rows, box_rows, part_rows = [], [], []
    for r in records:
        name = r['image_name'].ljust(NAME_WIDTH - 1) + ' '
        lm = '  '.join(f'{v} {x:03d} {y:03d}' for v, x, y in r['landmarks'])
        lm_rows.append(f"{name}{r['clothes_type']}  {lm}")
        box_rows.append(name + ' '.join(f'{c:03d}' for c in r['bbox']))
        part_rows.append(name + r['split'])
    write_table(
        osp.join(out_dir, 'Anno', 'list_landmarks.txt'), _landmark_header(),
        lm_rows)
    write_table(
        osp.join(out_dir, 'Anno', 'list_bbox.txt'),
        'image_name  x_1  y_1  x_2  y_2', box_rows)
    write_table(
        osp.join(out_dir, 'Eval', 'list_eval_partition.txt'),
        'image_name  evaluation_status', part_rows)

    vis = {0: 0, 1: 0, 2: 0}
    for r in records:
        for v, _, _ in r['landmarks']:
            vis[v] += 1
    n_lm = sum(vis.values())
    summary = dict(
        out_dir=out_dir,
        num_images=n,
        splits={s: int((status == s).sum())
                for s in ('train', 'val', 'test')},
        clothes_types={
            t: sum(r['clothes_type'] == t for r in records)
            for t in (1, 2, 3)
        },
        categories={c: counters[c]
                    for c, _ in CATEGORIES},
        visibility=vis,
        visible_fraction=(vis[0] / n_lm) if n_lm else 0.0,
        boxes_at_origin=sum(r['bbox'][0] == 0 and r['bbox'][1] == 0
                            for r in records),
        image_bytes=total_bytes,
    )
    readme = _readme(num_train, num_val, num_test, seed, size, jpeg_quality,
                     summary)
    with open(osp.join(out_dir, 'README.md'), 'w', newline='\n') as f:
        f.write(readme)
    total = 0
    for root, _, files in os.walk(out_dir):
        total += sum(osp.getsize(osp.join(root, f)) for f in files)
    summary['total_bytes'] = total
    summary['seconds'] = time.time() - t0
    return summary


def dataset_digest(out_dir):
    """sha256 over every file (relative path + bytes) below ``out_dir``."""
    h = hashlib.sha256()
    for root, dirs, files in os.walk(out_dir):
        dirs.sort()
        for f in sorted(files):
            p = osp.join(root, f)
            h.update(osp.relpath(p, out_dir).encode())
            with open(p, 'rb') as fh:
                h.update(fh.read())
    return h.hexdigest()


def parse_args(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    p.add_argument(
        '--out-dir',
        default=DEFAULT_OUT_DIR,
        help='output dataset root (default: demo/data/fashion_demo in the '
        'repo)')
    p.add_argument('--num-train', type=int, default=300)
    p.add_argument('--num-val', type=int, default=50)
    p.add_argument('--num-test', type=int, default=51)
    p.add_argument('--seed', type=int, default=1234)
    p.add_argument(
        '--size', type=int, default=160, help='longer image side in pixels')
    p.add_argument('--jpeg-quality', type=int, default=90)
    return p.parse_args(argv)


def main(argv=None):
    args = parse_args(argv)
    s = generate(args.out_dir, args.num_train, args.num_val, args.num_test,
                 args.seed, args.size, args.jpeg_quality)
    print(f"wrote {s['num_images']} images to {s['out_dir']} in "
          f"{s['seconds']:.1f} s")
    print(f"splits: {s['splits']}")
    print(f"clothes types (1 upper, 2 lower, 3 full): {s['clothes_types']}")
    print(f"categories: {s['categories']}")
    print(f"visibility codes: {s['visibility']} (visible "
          f"{100 * s['visible_fraction']:.1f}%)")
    print(f"boxes starting at (0, 0): {s['boxes_at_origin']}")
    print(f"total size: {s['total_bytes'] / 1e6:.2f} MB ({s['total_bytes']} "
          "bytes)")
    return s


if __name__ == '__main__':
    main(sys.argv[1:])
