"""Garment outlines and landmarks of the synthetic fashion-landmark sets.

Shared by ``make_demo_fashion_data.py`` and ``make_context_fashion_data.py``.
Garments are built in a canonical frame: x to the image right, y down, the
garment 1 high from y = 0 (collar corners or waistband top) to y = 1 (hem or
leg openings), centred on x = 0, seen from the FRONT. Landmarks are listed in
DeepFashion order for the clothes type; "L" is at x < 0 (the image left of a
front view, as in the DeepFashion/FLD annotations).

Kinds (clothes type, landmarks):

* ``tee``, ``blouse`` (1, upper: L/R collar, sleeve, hem): collar = top corner
  of the neckline cut-out, sleeve = centre of the cuff opening, hem = bottom
  corner of the body.
* ``trousers`` (incl. shorts), ``skirt`` (2, lower: L/R waistline, hem):
  waistline = top corner of the waistband, hem = centre of the leg opening or
  bottom corner of the skirt.
* ``dress``, ``jumpsuit`` (3, full: all 8): bodice as a top, waistline = outer
  corner where the belt seam meets the side, hem as a skirt or trousers.

Every random draw goes through the ``rng`` passed in, in a fixed order, so a
given stream always gives the same garment.
"""
import math

import numpy as np

#: garment kind -> clothes type (1 upper, 2 lower, 3 full)
CLOTHES_TYPE = dict(tee=1, blouse=1, trousers=2, skirt=2, dress=3, jumpsuit=3)
#: default range of the neckline depth (fraction of the bodice height)
NECK_DEPTH = (0.06, 0.2)


def _lerp(a, b, t):
    return (1.0 - t) * np.asarray(a, float) + t * np.asarray(b, float)


def _arr(*pts):
    return np.array(pts, dtype=np.float64).reshape(-1, 2)


class Garment:
    """A garment as painted polygons plus its landmarks.

    Attributes:
        parts (list): ``(polygon (N, 2), role)`` in drawing order; ``role``
            is ``'main'`` (fabric; the only parts that hide landmarks),
            ``'trim'`` (bands, pockets: filled in the trim colour),
            ``'seam'`` (an open line) or ``'accent'`` (buttons, labels,
            prints: filled in a colour that stands out from the fabric).
        tags (list): One name per part, e.g. ``'sleeve_0'`` for the sleeve
            and cuff band on side 0 (x < 0), else ``None``.
        landmarks (np.ndarray): (n, 2) in DeepFashion order.
        neck (np.ndarray | None): The neckline (left corner to right
            corner), traced with a fine trim line; ``None`` for bottoms.
        anchors (dict): Canonical-frame reference values for details:
            ``scale`` (bodice size), ``neck_dip`` (y), ``armpit`` (right
            armpit), ``waist`` (right waist corner), ``waistband`` (its
            height), ``crotch``; ``None`` where the garment has none. Not
            changed by :meth:`map`.
    """

    def __init__(self):
        self.parts = []
        self.tags = []
        self.landmarks = None
        self.neck = None
        self.anchors = {}

    def add(self, poly, role='main', tag=None):
        self.parts.append((np.asarray(poly,
                                      dtype=np.float64).reshape(-1, 2), role))
        self.tags.append(tag)

    def map(self, fn, include_neck=True):
        """Apply ``fn`` ((N, 2) -> (N, 2)) to every polygon, the landmarks
        and (with ``include_neck``) the neckline trace.

        The demo set was generated with ``include_neck=False`` (its neckline
        trace is not pose-warped) and keeps it to stay byte-identical.
        """
        self.parts = [(fn(p), r) for p, r in self.parts]
        self.landmarks = fn(self.landmarks)
        if include_neck and self.neck is not None:
            self.neck = fn(self.neck)


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


def _bodice(rng, k, sleeve_kind, neck_depth=NECK_DEPTH):
    """Neckline, shoulders and sleeves of a top/dress/jumpsuit, all lengths
    scaled by ``k``; the neckline dips ``k * uniform(*neck_depth)``.

    Returns a dict with the collar corners, the sleeve parts ``[(polygon, cuff
    band)] * 2`` and cuff centres, the armpits, the polygon chain from the left
    armpit over the shoulders and neckline to the right armpit, and the
    neckline itself (left corner to right corner).
    """
    nw = k * rng.uniform(0.085, 0.135)
    nd = k * rng.uniform(*neck_depth)
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


def _make_upper(rng, kind, neck_depth):
    g = Garment()
    if kind == 'tee':
        sleeves = 'short' if rng.random() < 0.8 else 'long'
        flare = rng.uniform(-0.02, 0.07)
    else:
        sleeves = 'long' if rng.random() < 0.75 else 'short'
        flare = rng.uniform(0.0, 0.1)
    body = _bodice(rng, 1.0, sleeves, neck_depth)
    arm_l, arm_r = body['armpit']
    hem_l, hem_r = (arm_l[0] - flare, 1.0), (arm_r[0] + flare, 1.0)
    curve = rng.uniform(0.0, 0.05)
    torso = np.concatenate(
        [body['chain'], _arr(hem_r, (0.0, 1.0 + curve), hem_l)])
    g.add(torso)
    # sleeves in front, like arms; may hide a hem corner
    for i, (poly, _) in enumerate(body['sleeves']):
        g.add(poly, tag=f'sleeve_{i}')
    for i, (_, band) in enumerate(body['sleeves']):
        g.add(band, 'trim', tag=f'sleeve_{i}')
    g.add(
        _hem_band(hem_l, hem_r, curve, arm_l, arm_r, rng.uniform(0.035, 0.06)),
        'trim')
    g.neck = body['neck']
    g.anchors = dict(
        scale=1.0,
        neck_dip=float(body['neck'][:, 1].max()),
        armpit=np.array(arm_r),
        waist=None,
        crotch=None)
    g.landmarks = np.array(
        [*body['collar'], *body['sleeve_centres'], hem_l, hem_r])
    return g


def _make_lower(rng, kind, neck_depth):
    g = Garment()
    wb = rng.uniform(0.04, 0.06)
    if kind == 'skirt':
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
        crotch = None
    else:
        shorts = rng.random() < 0.3
        ww = rng.uniform(0.3, 0.42) if shorts else rng.uniform(0.16, 0.24)
        outline, bands, hems = _legs(rng, 0.0, ww, shorts)
        g.add(np.concatenate([_arr((-ww, 0.0)), outline, _arr((ww, 0.0))]))
        for band in bands:
            g.add(band, 'trim')
        side_l, side_r = outline[0], outline[-1]
        crotch = outline[3]
    g.add(
        np.stack([(-ww, 0.0), (ww, 0.0),
                  _lerp((ww, 0.0), side_r, wb),
                  _lerp((-ww, 0.0), side_l, wb)]), 'trim')  # waistband
    g.neck = None
    g.anchors = dict(
        scale=1.0,
        neck_dip=None,
        armpit=None,
        waist=np.array((ww, 0.0)),
        waistband=wb * float(side_r[1]),
        crotch=crotch)
    g.landmarks = np.array([(-ww, 0.0), (ww, 0.0), *hems], dtype=np.float64)
    return g


def _make_full(rng, kind, neck_depth):
    g = Garment()
    jumpsuit = kind == 'jumpsuit'
    k = rng.uniform(0.36, 0.42) if jumpsuit else rng.uniform(0.4, 0.5)
    body = _bodice(rng, k, 'short' if rng.random() < 0.6 else 'long',
                   neck_depth)
    arm_l, arm_r = body['armpit']
    waist_y = max(arm_r[1] + 0.06, k * rng.uniform(0.7, 0.85))
    ww = arm_r[0] * rng.uniform(0.72, 0.9)
    wl, wr = (-ww, waist_y), (ww, waist_y)
    if jumpsuit:
        outline, trims, hems = _legs(
            rng, waist_y, ww, shorts=rng.random() < 0.2)
        side_l, side_r = outline[0], outline[-1]
        crotch = outline[3]
        lower = np.concatenate([_arr(wr), outline[::-1], _arr(wl)])
    else:
        hw = ww * rng.uniform(1.3, 2.4)
        curve = rng.uniform(0.0, 0.04)
        hem_l, hem_r = (-hw, 1.0), (hw, 1.0)
        hems = [hem_l, hem_r]
        side_l, side_r = hem_l, hem_r
        crotch = None
        lower = _arr(wr, hem_r, (0.0, 1.0 + curve), hem_l, wl)
        trims = [
            _hem_band(hem_l, hem_r, curve, wl, wr, rng.uniform(0.025, 0.045))
        ]
    g.add(np.concatenate([body['chain'], lower]))
    for i, (poly, _) in enumerate(body['sleeves']):
        g.add(poly, tag=f'sleeve_{i}')
    for i, (_, band) in enumerate(body['sleeves']):
        g.add(band, 'trim', tag=f'sleeve_{i}')
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
    g.anchors = dict(
        scale=k,
        neck_dip=float(body['neck'][:, 1].max()),
        armpit=np.array(arm_r),
        waist=np.array(wr),
        waistband=bt,
        crotch=crotch)
    g.landmarks = np.array(
        [*body['collar'], *body['sleeve_centres'], wl, wr, *hems])
    return g


def make_garment(rng, kind, neck_depth=NECK_DEPTH):
    """Draw one garment of ``kind`` (a key of :data:`CLOTHES_TYPE`).

    Args:
        rng (np.random.Generator): The random stream.
        kind (str): ``'tee'``, ``'blouse'``, ``'trousers'``, ``'skirt'``,
            ``'dress'`` or ``'jumpsuit'``.
        neck_depth (tuple): Range of the neckline depth (tops, dresses and
            jumpsuits), a fraction of the bodice height.

    Returns:
        Garment: In the canonical front-view frame, before any pose warp.
    """
    if kind not in CLOTHES_TYPE:
        raise ValueError(f'unknown garment kind {kind!r}; choose from '
                         f'{", ".join(CLOTHES_TYPE)}')
    make = {1: _make_upper, 2: _make_lower, 3: _make_full}
    return make[CLOTHES_TYPE[kind]](rng, kind, neck_depth)


def pose_warp(rng):
    """Left/right asymmetry from pose: per-side width scaling plus a small
    shear.

    Returns:
        callable: (N, 2) canonical points -> (N, 2) warped points.
    """
    kl, kr = rng.uniform(0.85, 1.1, size=2)
    shear = rng.uniform(-0.08, 0.08)

    def fn(p):
        p = np.array(p, dtype=np.float64).reshape(-1, 2).copy()
        p[:, 0] *= np.where(p[:, 0] < 0, kl, kr)
        p[:, 0] += shear * (p[:, 1] - 0.5)
        return p

    return fn
