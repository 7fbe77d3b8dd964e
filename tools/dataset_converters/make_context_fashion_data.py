r"""Generate a synthetic fashion-landmark set where left/right depends on the
view, in the FLD raw format.

GLE's claim is that global context lets the network tell left from right
"even in back-view and side-view images". In the demo set every garment is
seen from the front, so "left" is always the landmark on the image left and
a local patch decides it. Here tops, bottoms and dresses are seen from the
FRONT, from the BACK and in three-quarter (SIDE) views, labelled as FLD
labels them: "left" is the same physical side of the garment, on the image
left in a front view and on the image RIGHT in a back view. Front and back
differ only in details far from the cuffs and hems (neckline depth, buttons,
prints, flies, pockets, labels, yokes, zips; see ``garment_views.py``), so a
cuff or hem landmark can only be named by looking at the whole garment.

Same garments, fabrics, backgrounds, clutter, rotation (up to 20 degrees),
scale, occluders and truncation as the demo set (``garment_shapes.py``,
``garment_drawing.py``). FLD layout: ``Anno/list_landmarks.txt`` with the
``variation_type`` column, ``Anno/list_bbox.txt``,
``Eval/list_eval_partition.txt``, ``img/img_XXXXXXXX.jpg``, plus
``Anno/list_view.txt`` (``image_name view yaw``, view front / back / side),
which the FLD readers ignore and ``tools/analysis/ablation.py`` uses for
per-view results.

Image ``i`` draws from its own random stream (seed, i) and its view is
scheduled: blocks of 6 images (one garment of each kind) cycle through
front, front, front, back, side, so 60% of the images are front views (front
views dominate in FLD too) and any run of 30 images has every kind in every
view. Usage::

    # into demo/data/fashion_context
    python tools/dataset_converters/make_context_fashion_data.py
    python tools/dataset_converters/make_context_fashion_data.py \
        --out-dir /tmp/fc --num-train 20 --contact-sheet /tmp/fc.png
"""
import argparse
import math
import os
import os.path as osp
import sys
import time

import cv2
import numpy as np

from gle.datasets import FLDDataset

# the shared garment modules live next to this script
sys.path.insert(0, osp.dirname(osp.abspath(__file__)))
import garment_drawing as drawing  # noqa: E402
import garment_lists as lists  # noqa: E402
import garment_shapes as shapes  # noqa: E402
import garment_views as views  # noqa: E402

REPO_ROOT = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
DEFAULT_OUT_DIR = osp.join(REPO_ROOT, 'demo', 'data', 'fashion_context')

#: images cycle through the kinds; every 6 images the view changes, in the
#: order of VIEW_CYCLE (60% front views, 20% back, 20% side)
KINDS = ('tee', 'trousers', 'dress', 'blouse', 'skirt', 'jumpsuit')
VIEWS = lists.VIEWS
VIEW_CYCLE = ('front', 'front', 'front', 'back', 'side')
MAX_ROTATION_DEG = 20.0
#: yaw jitter (std, clip) of front and back views; three-quarter turn range
YAW_JITTER_DEG = (5.0, 12.0)
SIDE_YAW_DEG = (30.0, 50.0)
#: in-plane rotation and yaw jitter above which a pose counts as "medium"
TILT_DEG = 10.0


def sample_view(rng, index):
    """The view of image ``index`` and its yaw in degrees, in (-180, 180].

    Front: yaw ~ 0, back: ~ 180 (normal jitter), side: 30-50 degrees off
    the front or the back, either way, facing front or back with equal odds.
    """
    view = VIEW_CYCLE[(index // len(KINDS)) % len(VIEW_CYCLE)]
    if view == 'side':
        facing_front = rng.random() < 0.5
        yaw = rng.uniform(*SIDE_YAW_DEG) * (1 if rng.random() < 0.5 else -1)
        if not facing_front:
            yaw += 180.0
    else:
        std, lim = YAW_JITTER_DEG
        yaw = float(np.clip(rng.normal(0.0, std), -lim, lim))
        if view == 'back':
            yaw += 180.0
    yaw = (yaw + 180.0) % 360.0 - 180.0
    return view, 180.0 if yaw == -180.0 else yaw


def variation_type(view, yaw, info):
    """FLD variation type of a rendered sample.

    5 large zoom-in: cut off at a corner or >= 2 landmarks out of frame; 4
    medium zoom-in: one landmark out of frame; 3 large pose: a
    three-quarter view tilted > 10 degrees; 2 medium pose: a three-quarter
    view, or a front/back view tilted or turned > 10 degrees; 1 normal pose.
    """
    n_out = sum(v == 2 for v, _, _ in info['landmarks'])
    if info['truncation'] == 'top-left' or n_out >= 2:
        return 5
    if info['truncation'] == 'edge' or n_out == 1:
        return 4
    tilted = abs(info['rotation_deg']) > TILT_DEG
    if view == 'side':
        return 3 if tilted else 2
    off_axis = min(abs(yaw), abs(180.0 - abs(yaw))) > TILT_DEG
    return 2 if tilted or off_axis else 1


def render_sample(rng, index, size):
    """Draw one image; returns (jpeg-ready uint8 BGR image, record dict)."""
    kind = KINDS[index % len(KINDS)]
    view, yaw = sample_view(rng, index)
    front = math.cos(math.radians(yaw)) > 0
    h, w = drawing.sample_image_shape(rng, size)
    neck = views.FRONT_NECK_DEPTH if front else views.BACK_NECK_DEPTH
    g = shapes.make_garment(rng, kind, neck)
    views.add_view_details(rng, g, kind, front)
    g.map(shapes.pose_warp(rng))
    views.turn(g, yaw)
    img, info = drawing.render_garment(rng, g, index, h, w, MAX_ROTATION_DEG)
    rec = dict(
        kind=kind,
        clothes_type=shapes.CLOTHES_TYPE[kind],
        variation_type=variation_type(view, yaw, info),
        view=view,
        yaw=yaw,
        width=w,
        height=h,
        bbox=info['bbox'],
        landmarks=info['landmarks'])
    return img, rec


def _summary_lines(summary):
    s = summary
    var = s['variation_types']
    return '\n'.join([
        f"- images: {s['num_images']} (train {s['splits']['train']}, val "
        f"{s['splits']['val']}, test {s['splits']['test']})",
        '- views: ' + ', '.join(f'{v} {s["views"][v]}' for v in VIEWS) +
        f" (side views facing front {s['side_facing_front']}, facing back "
        f"{s['views']['side'] - s['side_facing_front']})",
        '- test split views: ' + ', '.join(f'{v} {s["test_views"][v]}'
                                           for v in VIEWS),
        f"- clothes types: upper {s['clothes_types'][1]}, lower "
        f"{s['clothes_types'][2]}, full {s['clothes_types'][3]}",
        '- variation types: ' + ', '.join(f'{k}: {var[k]}'
                                          for k in range(1, 6)),
        '- landmark visibility codes: ' +
        ', '.join(f'{k}: {v}' for k, v in s['visibility'].items()),
    ])


def _readme(cmd, size, summary):
    return f"""# Synthetic view-dependent fashion-landmark data (FLD format)

This folder is **synthetic**: every image is a flat drawing of a garment made
with numpy and OpenCV by
`tools/dataset_converters/make_context_fashion_data.py`. No photograph and
nothing from DeepFashion is included. It mimics the FLD *file layout* and,
unlike `demo/data/fashion_demo`, its left/right convention in back and side
views: a benchmark for the global context that GLE adds.

Generated with (from the repository root):

    {cmd}

The same command and seed give byte-identical files with the same numpy/OpenCV
versions.

## How it differs from the demo set
- Garments are seen from the **front** (60% of the images), from the
  **back** (20%) and in three-quarter (**side**) views (20%; yaw 30-50
  degrees off the front or the back, either way). The demo set has front
  views only. Front views dominate, as in FLD (why: see
  docs/context_benchmark.md).
- Labels follow FLD: "left" is the same physical side of the garment, on the
  **image left in a front view and on the image right in a back view** (and
  in a side view facing back). A horizontal flip still swaps the pairs
  (0,1) (2,3) (4,5) (6,7): a mirrored back view is a back view.
- Front and back differ only in details far from the sleeve cuffs and the
  hems: a deep neckline, buttons, plackets, chest prints or pockets, flies,
  front hip pockets on the front; a shallow neckline, a neck label, yoke
  seams, zips, back patch pockets on the back. A patch around a cuff or a
  hem corner looks the same in both views, so naming it needs the rest of
  the garment. In side views the far sleeve is behind the body.
- FLD layout: a `variation_type` column, one flat `img/` folder, and
  `Anno/list_view.txt` with each image's view.

## Layout (FLD raw format)
- `Anno/list_landmarks.txt`: `image_name clothes_type variation_type
  [visibility x y] * n`; n = 6 (upper, type 1), 4 (lower, type 2), 8 (full,
  type 3). Variation types as FLD names them, assigned from the rendering:
  5 large zoom-in (cut off at a corner, or >= 2 landmarks out of frame), 4
  medium zoom-in (one landmark out of frame), 3 large pose (side view tilted
  more than {TILT_DEG:.0f} degrees), 2 medium pose (side view, or a front/back
  view tilted or turned more than {TILT_DEG:.0f} degrees), 1 normal pose.
- `Anno/list_bbox.txt`: `image_name x_1 y_1 x_2 y_2` (inclusive garment
  extent, clipped).
- `Anno/list_view.txt`: `image_name view yaw` (view front / back / side; yaw
  in degrees, 0 front, 180 back). Not an FLD file; the readers ignore it and
  `tools/analysis/ablation.py` reports results per view from it.
- `Eval/list_eval_partition.txt`: `image_name evaluation_status` (train /
  val / test).
- `img/img_XXXXXXXX.jpg`, longer side {size} px.

Landmarks sit on drawn geometry as in the demo set (collar = top corner of
the neckline, sleeve = centre of the cuff, waistline = top corner of the
waistband or outer corner of the belt seam, hem = bottom corner or centre of
the leg opening). Visibility: 0 visible, 1 occluded (by a drawn blob, or by a
body part drawn over it, e.g. the far sleeve in a side view; coordinates
kept), 2 outside the image frame (written as `0 0`). Coordinates are 0-based
pixels.

## Contents
{_summary_lines(summary)}

## Licence
Apache License 2.0, the same as the repository.
"""


def generate(out_dir=DEFAULT_OUT_DIR,
             num_train=600,
             num_val=100,
             num_test=300,
             seed=2019,
             size=160,
             jpeg_quality=90):
    """Write the set into ``out_dir`` and return a summary dict.

    Any previous ``Anno``, ``Eval`` and ``img`` contents of ``out_dir`` are
    replaced.
    """
    t0 = time.time()
    if not 1 <= jpeg_quality <= 100:
        raise ValueError('jpeg quality must be in [1, 100]')
    out_dir, status = lists.start_set(out_dir, ('Anno', 'Eval', 'img'),
                                      num_train, num_val, num_test, seed, size)
    n = len(status)

    records = []
    os.makedirs(osp.join(out_dir, 'img'), exist_ok=True)
    for i in range(n):
        rng = np.random.default_rng(np.random.SeedSequence([seed, 3, i]))
        img, rec = render_sample(rng, i, size)
        rel = f'img/img_{i + 1:08d}.jpg'
        lists.write_jpeg(osp.join(out_dir, rel), img, jpeg_quality)
        rec.update(image_name=rel, split=str(status[i]), index=i)
        records.append(rec)

    lists.write_lists(out_dir, records, with_variation=True)
    lists.write_views(out_dir, records)

    summary = dict(
        lists.split_summary(out_dir, status),
        views={v: sum(r['view'] == v for r in records)
               for v in VIEWS},
        test_views={
            v: sum(r['view'] == v and r['split'] == 'test' for r in records)
            for v in VIEWS
        },
        side_facing_front=sum(r['view'] == 'side' and abs(r['yaw']) < 90
                              for r in records),
        clothes_types=lists.clothes_type_counts(records),
        variation_types={
            t: sum(r['variation_type'] == t for r in records)
            for t in range(1, 6)
        },
        visibility=lists.visibility_counts(records))
    cmd = ('python tools/dataset_converters/make_context_fashion_data.py'
           f' --num-train {num_train} --num-val {num_val} --num-test '
           f'{num_test} --seed {seed} --size {size} --jpeg-quality '
           f'{jpeg_quality}')
    return lists.finish_set(out_dir, _readme(cmd, size, summary), summary, t0)


def contact_sheet(root,
                  out_file,
                  split='train',
                  per_view=6,
                  zoom=2,
                  views_shown=VIEWS):
    """Draw ``per_view`` samples of each view, read back from the written
    lists, with their landmarks: left (even slots) yellow, right red;
    visible filled, occluded as rings; one row per view.

    Args:
        root (str): The dataset root.
        out_file (str): The PNG to write.
        split (str): The split to show.
        per_view (int): Samples per view (row).
        zoom (int): Upscaling of the images.
        views_shown (Sequence[str]): The rows.

    Returns:
        str: ``out_file``.
    """
    # read back through the FLD reader the configs use
    dataset = FLDDataset(data_root=root, split=split)
    records = [dataset.get_data_info(i) for i in range(len(dataset))]
    view_of = lists.read_views(osp.join(root, lists.VIEW_FILE))
    cell_h = cell_w = 0
    rows = []
    for view in views_shown:
        chosen = [
            r for r in records
            if view_of[r['raw_ann_info']['image_name']][0] == view
        ][:per_view]
        cells = []
        for r in chosen:
            name = r['raw_ann_info']['image_name']
            img = cv2.imread(r['img_path'])
            img = cv2.resize(img, None, fx=zoom, fy=zoom)
            x1, y1, x2, y2 = (r['bbox'][0] * zoom).astype(int)
            cv2.rectangle(img, (x1, y1), (x2, y2), (0, 200, 0), 1)
            for slot, (code, (x, y)) in enumerate(
                    zip(r['visibility_codes'][0], r['keypoints'][0])):
                if code not in (0, 1):
                    continue
                colour = (0, 255, 255) if slot % 2 == 0 else (0, 0, 255)
                centre = (int(round(x * zoom)), int(round(y * zoom)))
                radius = 2 + zoom
                cv2.circle(img, centre, radius + 1, (0, 0, 0),
                           -1 if code == 0 else 3, cv2.LINE_AA)
                cv2.circle(img, centre, radius, colour, -1 if code == 0 else 2,
                           cv2.LINE_AA)
            yaw = view_of[name][1]
            label = f"{view} {yaw:+.0f} v{r['variation_type']}"
            for colour, width in (((0, 0, 0), 3), ((255, 255, 255), 1)):
                cv2.putText(img, label, (3, 6 + 4 * zoom),
                            cv2.FONT_HERSHEY_SIMPLEX, 0.2 + 0.125 * zoom,
                            colour, width, cv2.LINE_AA)
            cells.append(img)
            cell_h, cell_w = max(cell_h,
                                 img.shape[0]), max(cell_w, img.shape[1])
        rows.append(cells)
    if not cell_h:
        raise ValueError(f'{root}: no {split} images to draw')
    pad = 4
    sheet = np.full(
        (len(rows) * (cell_h + pad) + pad, per_view * (cell_w + pad) + pad, 3),
        255,
        dtype=np.uint8)
    for i, cells in enumerate(rows):
        for j, img in enumerate(cells):
            y, x = pad + i * (cell_h + pad), pad + j * (cell_w + pad)
            sheet[y:y + img.shape[0], x:x + img.shape[1]] = img
    os.makedirs(osp.dirname(osp.abspath(out_file)), exist_ok=True)
    cv2.imwrite(out_file, sheet, [cv2.IMWRITE_PNG_COMPRESSION, 9])
    return out_file


def parse_args(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    lists.add_set_arguments(
        p,
        DEFAULT_OUT_DIR,
        num_train=600,
        num_val=100,
        num_test=300,
        seed=2019)
    p.add_argument(
        '--contact-sheet',
        help='also draw samples of every view with their landmarks (left '
        'yellow, right red) into this PNG')
    p.add_argument(
        '--sheet-per-view',
        type=int,
        default=6,
        help='samples per view on the contact sheet')
    p.add_argument(
        '--sheet-zoom',
        type=int,
        default=2,
        help='upscaling of the images on the contact sheet')
    return p.parse_args(argv)


def main(argv=None):
    args = parse_args(argv)
    s = generate(**lists.set_arguments(args))
    lists.print_summary(s, _summary_lines(s))
    if args.contact_sheet:
        split = 'train' if s['splits']['train'] else 'test'
        print('contact sheet: ' +
              contact_sheet(s['out_dir'], args.contact_sheet, split,
                            args.sheet_per_view, args.sheet_zoom))
    return s


if __name__ == '__main__':
    main(sys.argv[1:])
