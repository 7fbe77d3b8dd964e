"""Painting the synthetic garments of ``garment_shapes`` into photos.

Shared by ``make_demo_fashion_data.py`` and ``make_context_fashion_data.py``:
image shapes, backgrounds (studio, flat, gradient, noise, clutter), fabrics
(solid, stripes, checks, dots, noise), placement (rotation, scale,
truncation at the image border), occluders, landmark visibility and boxes.
Every random draw goes through the ``rng`` passed in, in a fixed order: the
demo set regenerates byte-identically from its seed.
"""
import math

import cv2
import numpy as np

#: width of a ``'seam'`` line, as a fraction of the garment height
SEAM_WIDTH = 0.022


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


def _accent(c_main, c_trim, dark):
    """The colour of buttons, labels and prints: of a dark, a light and the
    complementary colour, the one farthest from both fabric and trim."""
    candidates = [dark, np.full(3, 235.0, np.float32), 255.0 - c_main]
    return max(
        candidates,
        key=lambda c: min(
            float(np.linalg.norm(c - c_main)), float(
                np.linalg.norm(c - c_trim))))


def sample_image_shape(rng, size):
    """Image (height, width): longer side ``size``, mostly portrait like
    shop photos."""
    if rng.random() < 0.85:
        return size, int(round(size * rng.uniform(0.66, 1.0)))
    return int(round(size * rng.uniform(0.75, 1.0))), size


def render_garment(rng, g, index, h, w, max_rotation_deg=20.0):
    """Place ``g`` in an h x w photo and paint it.

    The garment is rotated (normal, 8 degrees std, clipped to
    ``max_rotation_deg``), scaled to 60-90% of the frame and moved; some are
    pushed partly out of the frame (always for ``index % 20 == 3``: cut off
    at the top-left corner, box at (0, 0); ``index % 10 == 1``: one landmark
    beyond the nearest border; else at random). Then background, fabric,
    trims, occluders (at least one for ``index % 3 == 0``) and sensor noise.

    Visibility codes: 0 visible, 1 occluded (under an occluder, or under a
    ``'main'`` part drawn after the one it lies on), 2 outside the frame
    (written as ``0 0``).

    Args:
        rng (np.random.Generator): The random stream.
        g (Garment): In garment units (1 = garment height), any position.
        index (int): The image index (schedules truncation and occluders).
        h (int): Image height.
        w (int): Image width.
        max_rotation_deg (float): Largest in-plane rotation.

    Returns:
        tuple: ``(image, info)``: image (h, w, 3) uint8 BGR; ``info`` with
        ``bbox`` [x1, y1, x2, y2] (inclusive garment extent, clipped),
        ``landmarks`` [(code, x, y)] in ``g.landmarks`` order (integer
        pixels), ``rotation_deg`` and ``truncation`` (``'top-left'``,
        ``'edge'`` or ``None``).
    """
    # similarity transform canonical -> image
    theta = math.radians(
        float(
            np.clip(rng.normal(0, 8.0), -max_rotation_deg, max_rotation_deg)))
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
    fills = dict(
        main=tex, trim=c_trim, accent=_accent(c_main, c_trim, outline))
    seam_width = max(1, int(round(scale * SEAM_WIDTH)))
    for poly, role in parts:
        if role == 'seam':
            _paint(
                img,
                _mask(img.shape, [poly], thickness=seam_width, closed=False),
                outline)
            continue
        _paint(img, _mask(img.shape, [poly]), fills[role])
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
    landmarks = []
    for j in range(len(xy)):
        if vis[j] == 2:
            landmarks.append((2, 0, 0))
        else:
            landmarks.append((int(vis[j]), int(xy[j, 0]), int(xy[j, 1])))
    return img, dict(
        bbox=box,
        landmarks=landmarks,
        rotation_deg=math.degrees(theta),
        truncation=mode)
