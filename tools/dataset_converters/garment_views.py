"""Front, back and three-quarter views of the garments of ``garment_shapes``.

Used by ``make_context_fashion_data.py``. A garment is built in the canonical
FRONT view (landmark "L" at x < 0), then given the details of the surface the
camera sees and turned about its vertical axis by a yaw angle:

* yaw 0: front view, "L" on the image left (as in the FLD annotations);
* yaw 180: back view: the garment is seen mirrored, so "L" (the same physical
  side) is on the image RIGHT;
* yaw +-(30..50) or 180 +-(30..50): three-quarter ("side") views, seen from
  the front or from the back; the far sleeve is drawn behind the body.

Each point gets a depth on an elliptic body section, ``z = s * DEPTH * W(y)
* sqrt(1 - (x / W(y)) ** 2)`` with ``W(y)`` the body's half-width at its
height and ``s`` +1 for the front surface, -1 for the back one; the view
maps ``x -> x cos(yaw) + z sin(yaw)``. In a front or back view this is
``x -> x`` or ``x -> -x``; in a three-quarter view the centre of the garment
(neckline, buttons, fly) moves towards the far side, as on a turned body.

Front and back differ only in details that are far from the sleeve cuffs
and the hems: the neckline depth (chosen by the caller), buttons, plackets,
prints, flies, front pockets on the front; a neck label, yoke seams, zips,
back pockets on the back. A patch around a cuff or a hem corner looks the
same in both views, so which side it is on can only be told from the rest of
the garment.
"""
import math

import numpy as np

#: depth of the body section, as a fraction of its half-width
DEPTH = 0.6
#: neckline depth ranges (fraction of the bodice height): deep at the front,
#: shallow at the back, as on most tops and dresses
FRONT_NECK_DEPTH = (0.12, 0.22)
BACK_NECK_DEPTH = (0.015, 0.05)


def _circle(centre, r, n=12):
    t = np.linspace(0.0, 2.0 * math.pi, n, endpoint=False)
    return np.stack([centre[0] + r * np.cos(t), centre[1] + r * np.sin(t)], 1)


def _rect(cx, cy, hw, hh):
    return np.array([(cx - hw, cy - hh), (cx + hw, cy - hh),
                     (cx + hw, cy + hh), (cx - hw, cy + hh)])


def _star(centre, r, n=5):
    t = np.arange(2 * n) * math.pi / n - math.pi / 2
    rad = np.where(np.arange(2 * n) % 2 == 0, r, 0.45 * r)
    return np.stack([centre[0] + rad * np.cos(t), centre[1] + rad * np.sin(t)],
                    1)


def _pocket(cx, top, hw, hh):
    """A patch pocket with a pointed bottom (jeans back pocket)."""
    return np.array([(cx - hw, top), (cx + hw, top), (cx + hw, top + hh),
                     (cx, top + 1.25 * hh), (cx - hw, top + hh)])


def half_width(poly, y):
    """Largest |x| where the horizontal line at ``y`` crosses ``poly``.

    Args:
        poly (np.ndarray): A closed polygon, (N, 2).
        y (float): The height.

    Returns:
        float: 0 when the line misses the polygon.
    """
    p = np.asarray(poly, float)
    q = np.roll(p, -1, axis=0)
    lo, hi = np.minimum(p[:, 1], q[:, 1]), np.maximum(p[:, 1], q[:, 1])
    hit = (lo <= y) & (y <= hi) & (hi > lo)
    if not hit.any():
        return 0.0
    t = (y - p[hit, 1]) / (q[hit, 1] - p[hit, 1])
    xs = p[hit, 0] + t * (q[hit, 0] - p[hit, 0])
    return float(np.abs(xs).max())


def densify(poly, closed=True, step=0.02):
    """Insert points along the edges of ``poly`` so that no edge is longer
    than ``step``; a non-linear map then bends edges instead of cutting
    corners (landmarks in the middle of an edge stay on it).

    Args:
        poly (np.ndarray): (N, 2) points.
        closed (bool): Whether the last point joins the first.
        step (float): Longest edge after densifying.

    Returns:
        np.ndarray: (M, 2), M >= N, the original points included.
    """
    p = np.asarray(poly, float)
    q = np.roll(p, -1, axis=0) if closed else p[1:]
    out = []
    for a, b in zip(p, q):
        n = max(1, int(math.ceil(np.linalg.norm(b - a) / step)))
        out.append(a + (b - a) * np.arange(n)[:, None] / n)
    if not closed:
        out.append(p[-1:])
    return np.concatenate(out) if out else p


#: button radius and label half-size (fractions of the garment height)
BUTTON_R = 0.035
LABEL = (0.08, 0.045)


def _buttons(x, y0, y1, r, n):
    return [(_circle((x, y), r, 10), 'accent') for y in np.linspace(y0, y1, n)]


def _yoke_band(half, y, h):
    """A band across the back (shoulders or hips), in the accent colour."""
    return _rect(0.0, y + 0.5 * h, half, 0.5 * h), 'accent'


def _top_details(rng, g, kind, front):
    """Front: a button placket down the chest (a tee may add a print);
    back: a neck label and a yoke band across the shoulder blades."""
    nd = g.anchors['neck_dip']
    ax, ay = g.anchors['armpit']
    out = []
    if front:
        y1 = rng.uniform(0.5, 0.6) if kind == 'blouse' else nd + 0.22
        out.append((_rect(0.0, 0.5 * (nd + y1), 0.035,
                          0.5 * (y1 - nd)), 'trim'))
        n = int(rng.integers(4, 6)) if kind == 'blouse' else 3
        out += _buttons(0.0, nd + 0.05, y1 - 0.04, BUTTON_R, n)
        if kind == 'tee' and rng.random() < 0.5:  # a chest print
            c = (0.45 * ax, nd + rng.uniform(0.1, 0.16))
            r = rng.uniform(0.06, 0.08)
            poly = _star(c, r) if rng.random() < 0.5 else _circle(c, r, 16)
            out.append((poly, 'accent'))
    else:
        out.append((_rect(0.0, nd + 0.055, *LABEL), 'accent'))
        y = max(nd + 0.13, ay * rng.uniform(0.5, 0.6))
        out.append(_yoke_band(0.85 * ax, y, rng.uniform(0.07, 0.09)))
        if kind == 'blouse' and rng.random() < 0.6:  # box pleat
            for x in (-0.05, 0.05):
                out.append((np.array([(x, y + 0.06), (x, y + 0.2)]), 'seam'))
    return out


def _bottom_details(rng, g, top, wb, ww, crotch, front, k=1.0, sides=True):
    """Details of trousers / skirts (and the lower part of a jumpsuit) below
    a waist at ``top`` of half-width ``ww``; ``k`` scales sizes; without
    ``sides`` no seam runs out to the hips (where a jumpsuit's long sleeves
    end).

    Front: a waist button and a fly (trousers) or a button row (skirts),
    slanted hip pockets; back: a waistband label and patch pockets with a
    yoke (trousers) or a zip (skirts)."""
    body = g.parts[0][0]
    out = []
    y_wb = top + wb
    if front:
        out.append((_circle((0.0, top + 0.5 * wb), BUTTON_R * k,
                            10), 'accent'))
        if crotch is not None:  # fly: a J-shaped stitch
            cy = crotch[1]
            x = 0.3 * ww
            out.append((np.array([(x, y_wb), (x, top + 0.75 * (cy - top)),
                                  (0.5 * x, top + 0.9 * (cy - top)),
                                  (0.0, top + 0.95 * (cy - top))]), 'seam'))
        else:  # button-front skirt
            out += _buttons(0.0, y_wb + 0.08, top + 0.45, BUTTON_R * k,
                            int(rng.integers(3, 5)))
        if sides:  # slanted front pockets at the hips
            y2 = y_wb + 0.12 * k
            for s in (-1, 1):
                x2 = half_width(body, y2)
                out.append(
                    (np.array([(s * 0.55 * ww, y_wb),
                               (s * (0.75 * ww + 0.25 * x2), y_wb + 0.08 * k),
                               (s * x2, y2)]), 'seam'))
    else:
        out.append((_rect(0.0, top + 0.5 * wb, LABEL[0] * k,
                          0.5 * wb), 'accent'))  # waistband label
        if crotch is not None:  # yoke and patch pockets (jeans)
            y1 = y_wb + 0.05 * k
            if sides:
                x1 = half_width(body, y1)
                out.append((np.array([(-x1, y1), (0.0, y1 + 0.05 * k),
                                      (x1, y1)]), 'seam'))
            hw = 0.3 * ww
            for s in (-1, 1):
                out.append((_pocket(s * 0.5 * ww, y1 + 0.06 * k, hw,
                                    0.9 * hw), 'trim'))
        else:  # centre-back zip with its pull
            y1 = top + rng.uniform(0.3, 0.4)
            out.append((np.array([(0.0, y_wb), (0.0, y1)]), 'seam'))
            out.append((_rect(0.0, y_wb + 0.04, 0.02, 0.035), 'accent'))
    return out


def _full_details(rng, g, kind, front):
    """Front: buttons down the bodice (a dress may add a bow at the waist);
    back: a neck label, a yoke band and a zip; the legs of a jumpsuit as
    trousers."""
    nd = g.anchors['neck_dip']
    ax, _ = g.anchors['armpit']
    ww, waist_y = g.anchors['waist']
    bt = g.anchors['waistband']
    k = g.anchors['scale']
    crotch = g.anchors['crotch']
    out = []
    if front:
        out += _buttons(0.0, nd + 0.04, waist_y - 0.04, BUTTON_R,
                        int(rng.integers(3, 5)))
        if kind == 'dress' and rng.random() < 0.5:  # a bow on the belt
            c = np.array((0.0, waist_y))
            r = 0.06 * k + 0.02
            out.append((np.array([c, c + (-r, -0.6 * r),
                                  c + (-r, 0.6 * r)]), 'accent'))
            out.append((np.array([c, c + (r, -0.6 * r),
                                  c + (r, 0.6 * r)]), 'accent'))
    else:
        out.append((_rect(0.0, nd + 0.045, *LABEL), 'accent'))
        y = nd + 0.5 * (waist_y - nd) * rng.uniform(0.3, 0.4)
        out.append(_yoke_band(0.6 * ax, y, 0.06))
        y1 = waist_y + (0.15 if crotch is None else 0.0)
        out.append((np.array([(0.0, y + 0.045), (0.0, y1)]), 'seam'))
    if crotch is not None:
        out += _bottom_details(
            rng, g, waist_y, bt, ww, crotch, front, k=0.6, sides=False)
    return out


def add_view_details(rng, g, kind, front):
    """Add the details of the surface the camera sees to ``g`` (canonical
    frame, before the pose warp), drawn over the garment.

    Args:
        rng (np.random.Generator): The random stream.
        g (Garment): From ``garment_shapes.make_garment``.
        kind (str): Its kind.
        front (bool): The camera sees the front (else the back).
    """
    ctype = {'tee': 1, 'blouse': 1, 'dress': 3, 'jumpsuit': 3}.get(kind, 2)
    if ctype == 1:
        details = _top_details(rng, g, kind, front)
    elif ctype == 3:
        details = _full_details(rng, g, kind, front)
    else:
        a = g.anchors
        details = _bottom_details(rng, g, 0.0, a['waistband'], a['waist'][0],
                                  a['crotch'], front)
    for poly, role in details:
        g.add(poly, role, tag='detail')


def turn(g, yaw_deg):
    """Turn ``g`` (canonical front view, after the pose warp) to
    ``yaw_deg`` about its vertical axis, seen by a fixed camera.

    The body's half-width ``W(y)`` comes from the first (body) polygon; the
    visible surface is the front for ``cos(yaw) > 0``, else the back. Edges
    are densified first (:func:`densify`), so they bend with the body. In a
    three-quarter view the far sleeve and its cuff band are moved to the
    start of the drawing order (behind the body).

    Args:
        g (Garment): The garment, changed in place.
        yaw_deg (float): 0 front view, 180 back view.
    """
    yaw = math.radians(yaw_deg)
    c, s = math.cos(yaw), math.sin(yaw)
    surface = 1.0 if c > 0 else -1.0
    body = g.parts[0][0].copy()

    def fn(p):
        p = np.array(p, dtype=np.float64).reshape(-1, 2).copy()
        w = np.array([half_width(body, y) for y in p[:, 1]])
        u = np.where(w > 0, p[:, 0] / np.maximum(w, 1e-6), 1.0)
        z = surface * DEPTH * w * np.sqrt(np.clip(1.0 - u * u, 0.0, 1.0))
        p[:, 0] = p[:, 0] * c + z * s
        return p

    g.parts = [(densify(p, closed=r != 'seam'), r) for p, r in g.parts]
    if g.neck is not None:
        g.neck = densify(g.neck, closed=False)
    g.map(fn)
    if abs(s) > 0.3:
        far = 'sleeve_1' if s > 0 else 'sleeve_0'
        order = sorted(range(len(g.parts)), key=lambda i: g.tags[i] != far)
        g.parts = [g.parts[i] for i in order]
        g.tags = [g.tags[i] for i in order]
