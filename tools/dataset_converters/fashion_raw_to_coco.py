r"""Convert a raw DeepFashion-C or FLD tree to MMPose's COCO keypoint json.

::

    python tools/dataset_converters/fashion_raw_to_coco.py DATA_ROOT \
        --format {deepfashion-c,fld} --out-dir OUT

The tree is read by the project's own readers (``DeepFashionCDataset`` /
``FLDDataset``: every malformed line raises with its file and line), the
image sizes are read from the image headers, and per split it writes

- ``OUT/<prefix>_{upper,lower,full}_<split>.json``: one file per clothes type
  in the layout of MMPose's FLD files, read by MMPose's
  ``DeepFashionDataset`` (``subset='upper' | 'lower' | 'full'``): the
  clothes type's own keypoint order (upper 6, lower 4, full 8 landmarks);
- ``OUT/<prefix>_unified_<split>.json``: every item of the split in one file
  for ``FLDCocoDataset`` (unified 8-slot layout): categories 1, 2, 3 are the
  upper, lower and full-body items (the raw ``clothes_type`` codes), each
  naming its keypoints by their unified slot names (in the per-type files
  the one category has id 1, as in MMPose's).

``<prefix>`` is ``deepfashion-c`` or ``fld`` (``--prefix`` to change it).
``file_name`` is relative to ``DATA_ROOT`` (``img/...``, as listed), or to
``DATA_ROOT/<img-prefix>`` with ``--img-prefix img/`` (MMPose's FLD files and
configs: ``data_prefix=dict(img='img/')``). ``v`` is 2 for visible, 1 for
occluded and 0 for truncated landmarks, whose coordinates are kept as
annotated (``0 0`` in the raw files gives MMPose's ``0, 0, 0``);
``num_keypoints`` counts ``v > 0`` (COCO's rule); ``bbox`` is the raw box as
xywh, not clipped; the ids are the raw readers' (1-based row of the landmark
file), and each annotation also carries ``clothes_type`` and
``variation_type`` (FLD 1-5, 0 for DeepFashion-C), which ``FLDCocoDataset``
reads back.
"""
import argparse
import os
import os.path as osp
import sys

import numpy as np
from mmengine.fileio import dump
from mmengine.utils import track_parallel_progress, track_progress

from gle.datasets import (CLOTHES_TYPE_SLOTS, CLOTHES_TYPES, LANDMARK_NAMES,
                          SPLITS, DeepFashionCDataset, FLDDataset)

DATASETS = {'deepfashion-c': DeepFashionCDataset, 'fld': FLDDataset}
#: raw visibility code -> COCO v (the inverse of FLDCocoDataset's mapping)
CODE_TO_V = {0: 2, 1: 1, 2: 0}
#: MMPose's keypoint names ('left collar'), in slot order
MMPOSE_NAMES = tuple(name.replace('_', ' ') for name in LANDMARK_NAMES)
#: EXIF orientations that swap width and height when the image is loaded
_TRANSPOSED = {5, 6, 7, 8}
#: from this many images on, headers are read with a progress bar (and
#: ``--workers`` processes)
PROGRESS_MIN_IMAGES = 1000


def image_size(path):
    """``(width, height)`` of an image as ``mmcv.imread`` loads it (EXIF
    rotation applied), from its header; ``(None, reason)`` if unreadable."""
    from PIL import Image
    try:
        with Image.open(path) as img:
            width, height = img.size
            if img.getexif().get(0x0112) in _TRANSPOSED:
                width, height = height, width
    except (OSError, ValueError, SyntaxError) as e:
        return None, f'{type(e).__name__}: {e}'
    return width, height


def _num(value, float32=True):
    """A json number: int when integral, else the shortest float that reads
    back as the same float32 (coordinates) or float64 (box sizes)."""
    value = np.float32(value) if float32 else float(value)
    if float(value).is_integer():
        return int(value)
    return float(str(value)) if float32 else value


def to_coco_annotation(info):
    """One unified ``data_list`` entry -> a COCO annotation in its clothes
    type's keypoint order.

    Args:
        info (dict): Entry of ``DeepFashionCDataset`` / ``FLDDataset``
            (``keypoints`` (1, 8, 2), ``visibility_codes`` (1, 8), ``bbox``
            (1, 4) xyxy, ``clothes_type``, ``variation_type``, ids).

    Returns:
        dict: The annotation, ``category_id`` = ``clothes_type`` (the
        unified file's categories).
    """
    ctype = int(info['clothes_type'])
    slots = CLOTHES_TYPE_SLOTS[ctype]
    coords = np.asarray(info['keypoints'], np.float32).reshape(-1, 2)
    codes = np.asarray(info['visibility_codes']).reshape(-1)
    keypoints = []
    for slot in slots:
        keypoints += [
            _num(coords[slot, 0]),
            _num(coords[slot, 1]), CODE_TO_V[int(codes[slot])]
        ]
    x1, y1, x2, y2 = np.asarray(info['bbox'], np.float32).reshape(4)
    w, h = float(x2) - float(x1), float(y2) - float(y1)
    return dict(
        id=int(info['id']),
        image_id=int(info['img_id']),
        category_id=ctype,
        keypoints=keypoints,
        num_keypoints=sum(v > 0 for v in keypoints[2::3]),
        bbox=[_num(x1), _num(y1),
              _num(w, False),
              _num(h, False)],
        area=_num(w * h, False),
        iscrowd=0,
        clothes_type=ctype,
        variation_type=int(info['variation_type']))


def category(ctype, cat_id=1, name='fashion'):
    """COCO category of one clothes type (MMPose's keypoint names)."""
    return dict(
        supercategory='person',
        id=cat_id,
        name=name,
        keypoints=[MMPOSE_NAMES[s] for s in CLOTHES_TYPE_SLOTS[ctype]],
        skeleton=[])


def coco_file(description, images, annotations, categories):
    return dict(
        info=dict(description=description, version='1.0'),
        images=images,
        annotations=annotations,
        categories=categories)


def read_split(dataset_cls, data_root, split, skip_invalid):
    """The ``data_list`` entries of one split, read by the project's raw
    reader."""
    dataset = dataset_cls(
        data_root=data_root,
        split=split,
        skip_invalid=skip_invalid,
        test_mode=True,
        serialize_data=False)
    return [dataset.get_data_info(i) for i in range(len(dataset))]


def read_image_sizes(paths, workers):
    """``{path: (width, height)}``; exits with every unreadable image."""
    paths = sorted(set(paths))
    if not paths:
        return {}
    if len(paths) < PROGRESS_MIN_IMAGES:  # seconds: no progress bar
        sizes = [image_size(p) for p in paths]
    elif workers > 1:
        sizes = track_parallel_progress(image_size, paths, workers)
    else:
        sizes = track_progress(image_size, paths)
    bad = [(p, s[1]) for p, s in zip(paths, sizes) if s[0] is None]
    if bad:
        lines = '\n'.join(f'  {p}: {why}' for p, why in bad[:20])
        more = f'\n  ... and {len(bad) - 20} more' if len(bad) > 20 else ''
        sys.exit(f'error: {len(bad)} listed image(s) are missing or '
                 f'unreadable:\n{lines}{more}\nFix: unpack img.zip under '
                 'DATA_ROOT so the listed names resolve (see '
                 'tools/misc/check_fashion_dataset.py)')
    return dict(zip(paths, sizes))


def convert(data_root,
            fmt,
            out_dir,
            prefix=None,
            splits=SPLITS,
            img_prefix='',
            skip_invalid=False,
            workers=1):
    """Convert one raw tree; returns ``{json path: number of items}``.

    Args:
        data_root (str): The tree (``Anno/``, ``Eval/``, ``img/``).
        fmt (str): ``'deepfashion-c'`` or ``'fld'``.
        out_dir (str): Where the json files go (created).
        prefix (str, optional): File name prefix. Default: ``fmt``.
        splits (Sequence[str]): Splits to convert. Default: all three.
        img_prefix (str): Folder under ``data_root`` that ``file_name`` is
            relative to; every listed image must lie in it. Default: ''.
        skip_invalid (bool): Drop items with a degenerate box (one warning)
            instead of failing. Default: False.
        workers (int): Processes reading image headers. Default: 1.

    Returns:
        dict[str, int]: Annotations written per file.
    """
    data_root = osp.abspath(data_root)
    prefix = prefix or fmt
    img_root = osp.normpath(osp.join(data_root, img_prefix))
    os.makedirs(out_dir, exist_ok=True)
    written = {}
    for split in splits:
        infos = read_split(DATASETS[fmt], data_root, split, skip_invalid)
        outside = [
            i['img_path'] for i in infos
            if osp.relpath(i['img_path'], img_root).startswith('..')
        ]
        if outside:
            sys.exit(f'error: {outside[0]} is not under --img-prefix '
                     f'{img_prefix!r} of {data_root} ({len(outside)} '
                     'image(s)). Fix: pass the folder the listed image '
                     "names start with, or '' (the default)")
        sizes = read_image_sizes([i['img_path'] for i in infos], workers)
        source = (f'{fmt} {split} split of {data_root}, converted by '
                  'tools/dataset_converters/fashion_raw_to_coco.py')
        items = []  # (clothes type, image, annotation), in reader order
        for info in infos:
            width, height = sizes[info['img_path']]
            items.append((int(info['clothes_type']),
                          dict(
                              id=int(info['img_id']),
                              file_name=osp.relpath(info['img_path'],
                                                    img_root),
                              height=height,
                              width=width), to_coco_annotation(info)))
        for ctype, name in CLOTHES_TYPES.items():
            mine = [item for item in items if item[0] == ctype]
            path = osp.join(out_dir, f'{prefix}_{name}_{split}.json')
            dump(
                coco_file(f'{name}-body items of the {source}',
                          [item[1] for item in mine],
                          [dict(item[2], category_id=1)
                           for item in mine], [category(ctype)]), path)
            written[path] = len(mine)
        path = osp.join(out_dir, f'{prefix}_unified_{split}.json')
        categories = [
            category(ctype, cat_id=ctype, name=name)
            for ctype, name in CLOTHES_TYPES.items()
        ]
        dump(
            coco_file(f'all items of the {source}',
                      [item[1] for item in items], [item[2] for item in items],
                      categories), path)
        written[path] = len(items)
    return written


def parse_args(argv=None):
    parser = argparse.ArgumentParser(
        description='Convert a raw DeepFashion-C / FLD tree to MMPose COCO '
        'json (per clothes type and unified 8-slot files).')
    parser.add_argument('data_root', help='tree with Anno/, Eval/, img/')
    parser.add_argument(
        '--format', required=True, choices=sorted(DATASETS), dest='fmt')
    parser.add_argument('--out-dir', required=True, help='output folder')
    parser.add_argument(
        '--prefix', help='file name prefix (default: the format name)')
    parser.add_argument(
        '--splits', nargs='+', choices=SPLITS, default=list(SPLITS))
    parser.add_argument(
        '--img-prefix',
        default='',
        help='make file_name relative to DATA_ROOT/IMG_PREFIX, e.g. "img/" '
        'for MMPose\'s data_prefix=dict(img="img/") (default: relative to '
        'DATA_ROOT)')
    parser.add_argument(
        '--skip-invalid',
        action='store_true',
        help='drop items with a degenerate box instead of failing')
    parser.add_argument(
        '--workers',
        type=int,
        default=min(4,
                    os.cpu_count() or 1),
        help='processes reading image headers')
    return parser.parse_args(argv)


def main(argv=None):
    args = parse_args(argv)
    written = convert(args.data_root, args.fmt, args.out_dir, args.prefix,
                      args.splits, args.img_prefix, args.skip_invalid,
                      args.workers)
    for path, count in written.items():
        print(f'{count:8d} items -> {path}')


if __name__ == '__main__':
    main()
