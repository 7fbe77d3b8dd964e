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
import os
import os.path as osp
import sys
import time

import numpy as np

# the shared garment modules live next to this script
sys.path.insert(0, osp.dirname(osp.abspath(__file__)))
import garment_drawing as drawing  # noqa: E402
import garment_lists as lists  # noqa: E402
import garment_shapes as shapes  # noqa: E402

dataset_digest = lists.dataset_digest

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
MAX_ROTATION_DEG = 20.0

# demo category folder -> garment kind of garment_shapes
KINDS = {
    'Demo_Tee': 'tee',
    'Demo_Trousers': 'trousers',
    'Demo_Dress': 'dress',
    'Demo_Blouse': 'blouse',
    'Demo_Skirt': 'skirt',
    'Demo_Jumpsuit': 'jumpsuit',
}


def render_sample(rng, index, size):
    """Draw one image; returns (jpeg-ready uint8 BGR image, record dict)."""
    category, ctype = CATEGORIES[index % len(CATEGORIES)]
    h, w = drawing.sample_image_shape(rng, size)
    g = shapes.make_garment(rng, KINDS[category])
    # the demo set was made without warping the neckline trace; kept so that
    # it regenerates byte-identically
    g.map(shapes.pose_warp(rng), include_neck=False)
    img, info = drawing.render_garment(rng, g, index, h, w, MAX_ROTATION_DEG)
    rec = dict(
        category=category,
        clothes_type=ctype,
        width=w,
        height=h,
        bbox=info['bbox'],
        landmarks=info['landmarks'])
    return img, rec


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
    t0 = time.time()
    out_dir, status = lists.start_set(
        out_dir,
        ['Anno', 'Eval'] + [osp.join('img', c) for c, _ in CATEGORIES],
        num_train, num_val, num_test, seed, size)
    n = len(status)

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
        total_bytes += lists.write_jpeg(path, img, jpeg_quality)
        rec.update(image_name=rel, split=str(status[i]), index=i)
        records.append(rec)

    # rows grouped by category folder like the real lists; splits stay
    # interleaved
    order = {c: k for k, (c, _) in enumerate(CATEGORIES)}
    records.sort(key=lambda r: (order[r['category']], r['image_name']))

    lists.write_lists(out_dir, records, with_variation=False)

    vis = lists.visibility_counts(records)
    n_lm = sum(vis.values())
    summary = dict(
        lists.split_summary(out_dir, status),
        clothes_types=lists.clothes_type_counts(records),
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
    return lists.finish_set(out_dir, readme, summary, t0)


def parse_args(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    lists.add_set_arguments(
        p, DEFAULT_OUT_DIR, num_train=300, num_val=50, num_test=51, seed=1234)
    return p.parse_args(argv)


def main(argv=None):
    args = parse_args(argv)
    s = generate(**lists.set_arguments(args))
    lists.print_summary(
        s, '\n'.join([
            f"splits: {s['splits']}",
            f"clothes types (1 upper, 2 lower, 3 full): {s['clothes_types']}",
            f"categories: {s['categories']}",
            f"visibility codes: {s['visibility']} (visible "
            f"{100 * s['visible_fraction']:.1f}%)",
            f"boxes starting at (0, 0): {s['boxes_at_origin']}",
        ]))
    return s


if __name__ == '__main__':
    main(sys.argv[1:])
