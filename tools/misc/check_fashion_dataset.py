"""Check a raw DeepFashion-C or FLD tree and report every problem.

Usage::

    python tools/misc/check_fashion_dataset.py data/fld [--format fld]
        [--check-images | --no-check-images] [--workers 4]

It parses ``Anno/list_landmarks.txt``, ``Anno/list_bbox.txt`` and
``Eval/list_eval_partition.txt`` with the datasets' own parser
(``gle.datasets.raw_annotation``, which collects every problem; the datasets
raise the first), so the rules are the ones the dataset classes apply,
decodes every listed image as the training pipeline does (mmpose's
``LoadImage``: ``mmcv.imfrombytes``), and prints:

- counts per split, clothes type, variation type and visibility code;
- every ERROR (exit code 1): malformed line, image missing from one of the
  three files, missing, empty (0 bytes) or undecodable (truncated, corrupt)
  image file, degenerate box, box off the image, visible landmark outside
  the image;
- every WARNING (exit code unchanged; the datasets keep these items as
  annotated): box extending beyond the image, visible landmark outside its
  box;
- INFO lines for grayscale images (mmcv/cv2 load them as 3 channels).

Exit code 0 when there is no ERROR.
"""
import argparse
import os.path as osp
import sys
from collections import Counter
from multiprocessing import Pool
from typing import List, Optional

import numpy as np

from gle.datasets.annotation_error import FashionAnnotationError
from gle.datasets.fashion_layout import (ABSENT, CLOTHES_TYPES, LANDMARK_NAMES,
                                         SPLITS, VARIATION_TYPES,
                                         VISIBILITY_CODES, VISIBLE)
from gle.datasets.geometry_policy import find_geometry_problems
from gle.datasets.image_check import IMAGE_FIXES, IMAGE_PROBLEMS, probe_image
from gle.datasets.raw_annotation import (RawFashionItem, load_raw_annotations,
                                         read_table)
from gle.utils import format_table

FORMATS = ('deepfashion-c', 'fld')


def parse_args(argv: Optional[List[str]] = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description='Check a raw DeepFashion-C / FLD annotation tree.')
    parser.add_argument(
        'data_root', help='folder holding Anno/, Eval/ and img/')
    parser.add_argument(
        '--format',
        choices=FORMATS,
        default=None,
        help='annotation layout; default: detected from the landmark file '
        'header (a variation_type column means FLD)')
    parser.add_argument(
        '--check-images',
        action=argparse.BooleanOptionalAction,
        default=True,
        help='decode every listed image as training does (mmpose '
        'LoadImage / mmcv): missing, empty, truncated or corrupt files, '
        'grayscale, size for the box / landmark checks')
    parser.add_argument('--landmark-file', default='Anno/list_landmarks.txt')
    parser.add_argument('--bbox-file', default='Anno/list_bbox.txt')
    parser.add_argument(
        '--partition-file', default='Eval/list_eval_partition.txt')
    parser.add_argument(
        '--workers', type=int, default=1, help='processes reading images')
    return parser.parse_args(argv)


def detect_format(landmark_file: str) -> str:
    """``fld`` when the header has a variation_type column, else
    ``deepfashion-c`` (also when the header cannot be read: the parser then
    reports the file itself)."""
    try:
        header, _ = read_table(landmark_file, errors=[])
    except OSError:
        header = []
    return 'fld' if 'variation_type' in header else 'deepfashion-c'


def _counts_table(title: str,
                  rows: list,
                  cols: list,
                  counts: Counter,
                  col_labels: Optional[List[str]] = None) -> str:
    """A plain text table of ``counts[(row, col)]`` with totals."""
    lines = [[title] + [str(c) for c in (col_labels or cols)] + ['total']]
    for r in rows:
        values = [counts[(r, c)] for c in cols]
        lines.append([r] + [str(v) for v in values] + [str(sum(values))])
    totals = [sum(counts[(r, c)] for r in rows) for c in cols]
    lines.append(['total'] + [str(v) for v in totals] + [str(sum(totals))])
    return format_table(lines)


def main(argv: Optional[List[str]] = None) -> int:
    args = parse_args(argv)
    root = args.data_root
    files = [
        p if osp.isabs(p) else osp.join(root, p)
        for p in (args.landmark_file, args.bbox_file, args.partition_file)
    ]
    landmark_file, bbox_file, _ = files
    fmt = args.format or detect_format(landmark_file)
    print(f'Checking {root} as {fmt} '
          f'({"with" if args.check_images else "without"} image checks)')

    errors: List[FashionAnnotationError] = []
    warnings: List[FashionAnnotationError] = []
    infos: List[str] = []
    raw = load_raw_annotations(*files, has_variation=(fmt == 'fld'))
    errors.extend(raw.problems)
    records = raw.items

    img_sizes = None
    if args.check_images and records:
        paths = [osp.join(root, r.image_name) for r in records]
        if args.workers > 1:
            with Pool(args.workers) as pool:
                probes = pool.map(probe_image, paths, chunksize=256)
        else:
            probes = [probe_image(p) for p in paths]
        sizes = np.full((len(records), 2), np.inf)
        for i, (rec, path, probe) in enumerate(zip(records, paths, probes)):
            if probe.status in IMAGE_PROBLEMS:
                detail = f' ({probe.detail})' if probe.detail else ''
                errors.append(
                    FashionAnnotationError(
                        landmark_file, rec.landmark_line,
                        f'image file {path} {IMAGE_PROBLEMS[probe.status]}'
                        f'{detail}', IMAGE_FIXES[probe.status]))
                continue
            if probe.status == 'gray':
                infos.append(f'{path}: grayscale image (loaded as 3 '
                             'channels by the pipeline)')
            sizes[i] = (probe.width, probe.height)
        img_sizes = sizes

    if records:
        bboxes = np.stack([r.bbox for r in records])
        keypoints = np.stack([r.keypoints for r in records])
        visible = np.stack([r.codes for r in records]) == VISIBLE
        problems = find_geometry_problems(bboxes, keypoints, visible,
                                          img_sizes)
        _report_geometry(records, problems, bboxes, keypoints, img_sizes,
                         landmark_file, bbox_file, errors, warnings)

    _print_counts(records, fmt)
    for info in infos:
        print(f'INFO {info}')
    for warning in warnings:
        print(f'WARNING {warning}')
    for error in errors:
        print(f'ERROR {error}')
    print(f'{len(records)} items parsed; {len(errors)} error(s), '
          f'{len(warnings)} warning(s), {len(infos)} info')
    return 1 if errors else 0


def _report_geometry(records, problems, bboxes, keypoints, img_sizes,
                     landmark_file, bbox_file, errors, warnings) -> None:
    """Turn the geometry masks into located messages."""
    for i, rec in enumerate(records):
        box = ' '.join(f'{v:g}' for v in bboxes[i])
        name = rec.image_name
        if problems['degenerate_box'][i]:
            errors.append(
                FashionAnnotationError(
                    bbox_file, rec.bbox_line,
                    f'degenerate box ({box}) of {name}: needs x2 > x1 and '
                    'y2 > y1', 'correct the box (datasets raise on it '
                    'unless skip_invalid=True)'))
            continue
        size = None
        if img_sizes is not None and np.isfinite(img_sizes[i]).all():
            size = f'{img_sizes[i][0]:g}x{img_sizes[i][1]:g}'
            if problems['box_off_image'][i]:
                errors.append(
                    FashionAnnotationError(
                        bbox_file, rec.bbox_line,
                        f'box ({box}) of {name} lies outside the {size} '
                        'image', 'correct the box'))
                continue
            if problems['box_exceeds_image'][i]:
                warnings.append(
                    FashionAnnotationError(
                        bbox_file, rec.bbox_line,
                        f'box ({box}) of {name} extends beyond the {size} '
                        'image',
                        'check it (the datasets keep it as annotated)'))
            errors.extend(
                _landmarks_outside(
                    landmark_file, rec, keypoints[i],
                    problems['landmark_outside_image'][i],
                    f'the {size} image {name}',
                    'correct the coordinates or mark it truncated (2)'))
        warnings.extend(
            _landmarks_outside(landmark_file, rec, keypoints[i],
                               problems['landmark_outside_box'][i],
                               f'its box ({box})',
                               'check it (the datasets keep it as annotated)'))


def _landmarks_outside(landmark_file, rec, keypoints, outside, where,
                       fix) -> List[FashionAnnotationError]:
    """One located message per landmark of ``rec`` flagged in ``outside``.

    Args:
        landmark_file (str): The landmark list.
        rec (RawFashionItem): The item (its ``landmark_line``).
        keypoints (np.ndarray): Its landmarks, shape (8, 2).
        outside (np.ndarray): Bool, shape (8, ): the flagged landmarks.
        where (str): What they lie outside, e.g. ``'its box (1 2 3 4)'``.
        fix (str): The fix the message suggests.

    Returns:
        list[FashionAnnotationError]: In landmark order.
    """
    return [
        FashionAnnotationError(
            landmark_file, rec.landmark_line,
            f'visible landmark {LANDMARK_NAMES[k]} at '
            f'({keypoints[k][0]:g}, {keypoints[k][1]:g}) lies outside '
            f'{where}', fix) for k in np.flatnonzero(outside)
    ]


def _print_counts(records: List[RawFashionItem], fmt: str) -> None:
    clothes = Counter(
        (r.split, CLOTHES_TYPES[r.clothes_type]) for r in records)
    print('\nItems per split and clothes type')
    print(
        _counts_table('split', list(SPLITS), list(CLOTHES_TYPES.values()),
                      clothes))
    if fmt == 'fld':
        variation = Counter((r.split, str(r.variation_type)) for r in records)
        print('\nItems per split and variation type (' +
              ', '.join(f'{k} {v}'
                        for k, v in VARIATION_TYPES.items() if k) + ')')
        print(
            _counts_table('split', list(SPLITS),
                          [str(k) for k in VARIATION_TYPES if k], variation))
    codes = Counter()
    for r in records:
        for k, code in enumerate(r.codes):
            codes[(LANDMARK_NAMES[k], int(code))] += 1
    code_names = {**VISIBILITY_CODES, ABSENT: 'absent'}
    print('\nLandmarks per visibility code (absent: slot the clothes type '
          'does not have)')
    print(
        _counts_table('landmark', list(LANDMARK_NAMES), list(code_names),
                      codes, [f'{n}({c})' for c, n in code_names.items()]))
    print()


if __name__ == '__main__':
    sys.exit(main())
