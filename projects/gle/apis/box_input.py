"""Boxes given by the user instead of a detector.

A box row is ``[x1, y1, x2, y2]``, optionally followed by the detection
score and the clothes type: ``[x1, y1, x2, y2, score]``,
``[x1, y1, x2, y2, score, clothes_type]``, ``[x1, y1, x2, y2, clothes_type]``
(no score); ``score`` may be ``null`` and ``clothes_type`` is ``'upper'``,
``'lower'``, ``'full'`` or ``null`` (unknown: all 8 landmarks reported).

A boxes file is a JSON object mapping an image (its path relative to the
input folder, or its file name; for a video, the video's file name: its
boxes are used for every frame) to a list of rows::

    {"img_00000128.jpg": [[24, 10, 270, 390, 0.98, "full"]],
     "shop/img_2.jpg": [[0, 0, 120, 200], [130, 0, 250, 180, null, "lower"]]}
"""
import json
import logging
import math
import numbers
from typing import Dict, List, Optional, Sequence

import numpy as np
from mmengine.logging import print_log

from ..datasets.fashion_layout import CLOTHES_TYPES
from .inputs import InputError

#: clothes type names, in label order (0 upper, 1 lower, 2 full)
CLOTHES_TYPE_NAMES = tuple(CLOTHES_TYPES[k] for k in sorted(CLOTHES_TYPES))

_ROW_FORMAT = ('[x1, y1, x2, y2], [x1, y1, x2, y2, score], '
               '[x1, y1, x2, y2, score, clothes_type] or '
               '[x1, y1, x2, y2, clothes_type]')


def _is_number(value) -> bool:
    return isinstance(value, numbers.Real) and not isinstance(value, bool)


def parse_box_rows(rows: Sequence, where: str = 'bboxes') -> List[dict]:
    """Validate box rows (see the module docstring).

    Args:
        rows (Sequence): A list of rows, or an array of shape (N, 4) or
            (N, 5) (the fifth column is the score); rows may also be this
            function's output dicts.
        where (str): Where the rows come from, used in messages.

    Returns:
        list[dict]: One ``dict(bbox=[x1, y1, x2, y2], det_score=float or
        None, clothes_type=str or None)`` per row.

    Raises:
        ValueError: A row is malformed (the message names it).
    """
    if isinstance(rows, np.ndarray):
        rows = rows.tolist()
    if not isinstance(rows, (list, tuple)):
        raise ValueError(f'{where}: expected a list of box rows, got '
                         f'{type(rows).__name__}')
    boxes = []
    for i, row in enumerate(rows):
        here = f'{where}[{i}]'
        if isinstance(row, np.ndarray):
            row = row.tolist()
        elif isinstance(row, dict) and 'bbox' in row:
            # an already parsed box (this function's output)
            row = list(
                row['bbox']) + [row.get('det_score'),
                                row.get('clothes_type')]
        if not isinstance(row, (list, tuple)) or not 4 <= len(row) <= 6:
            raise ValueError(f'{here}: expected {_ROW_FORMAT}, got {row!r}')
        coords, extra = list(row[:4]), list(row[4:])
        if not all(_is_number(v) and math.isfinite(v) for v in coords):
            raise ValueError(f'{here}: the first four values must be finite '
                             f'numbers x1, y1, x2, y2, got {row!r}')
        x1, y1, x2, y2 = (float(v) for v in coords)
        if x2 <= x1 or y2 <= y1:
            raise ValueError(f'{here}: degenerate box {row!r}: needs '
                             'x2 > x1 and y2 > y1 (xyxy, not xywh)')
        if len(extra) == 1 and isinstance(extra[0], str):
            extra = [None] + extra  # [x1, y1, x2, y2, clothes_type]
        score = extra[0] if extra else None
        ctype = extra[1] if len(extra) > 1 else None
        if score is not None and not _is_number(score):
            raise ValueError(f'{here}: the score must be a number or null, '
                             f'got {score!r}')
        if ctype is not None and ctype not in CLOTHES_TYPE_NAMES:
            raise ValueError(
                f'{here}: clothes_type must be one of '
                f'{", ".join(map(repr, CLOTHES_TYPE_NAMES))} or null, got '
                f'{ctype!r}')
        boxes.append(
            dict(
                bbox=[x1, y1, x2, y2],
                det_score=None if score is None else float(score),
                clothes_type=ctype))
    return boxes


def load_boxes_file(path: str) -> Dict[str, List[dict]]:
    """Read and validate a boxes JSON file (see the module docstring).

    Args:
        path (str): The JSON file.

    Returns:
        dict[str, list[dict]]: Image key -> parsed boxes
        (:func:`parse_box_rows`).

    Raises:
        FileNotFoundError: The file does not exist.
        ValueError: The file is not valid JSON or a row is malformed.
    """
    try:
        with open(path, encoding='utf-8') as f:
            data = json.load(f)
    except FileNotFoundError:
        raise FileNotFoundError(f'boxes file not found: {path}') from None
    except (json.JSONDecodeError, UnicodeDecodeError) as e:
        raise ValueError(f'{path}: not a valid JSON file ({e})') from None
    if not isinstance(data, dict):
        raise ValueError(
            f'{path}: expected a JSON object {{"<image file name>": '
            f'[[x1, y1, x2, y2, (score), (clothes_type)], ...]}}, got a '
            f'{type(data).__name__}')
    return {
        key: parse_box_rows(rows, where=f'{path}: {key!r}')
        for key, rows in data.items()
    }


def find_boxes(boxes: Dict[str, List[dict]],
               keys: Sequence[str]) -> Optional[List[dict]]:
    """The boxes of the first of ``keys`` listed in ``boxes``, else None."""
    for key in keys:
        if key in boxes:
            return boxes[key]
    return None


def check_given_boxes(bboxes,
                      keys_per_input: Sequence[Sequence[str]],
                      video: bool = False) -> None:
    """Check ``bboxes`` as the inferencer takes them against its inputs.

    Args:
        bboxes (dict | Sequence | None): A dict image key -> rows (a boxes
            file: keys matching no input, or several, are warned about), or
            one list of rows per input (per frame of a video).
        keys_per_input (Sequence[Sequence[str]]): The keys of each input.
        video (bool): The input is a video (a list may have any length).

    Raises:
        ValueError: A list whose length is not the number of inputs.
    """
    if isinstance(bboxes, dict):
        check_box_keys(bboxes, keys_per_input)
    elif bboxes is not None and not video and \
            len(bboxes) != len(keys_per_input):
        raise ValueError(
            f'bboxes: {len(bboxes)} entries for {len(keys_per_input)} '
            'inputs: give one list of box rows per input (for one image: '
            '[[[x1, y1, x2, y2], ...]]), or a dict image name -> rows')


def boxes_of_input(bboxes, index: int, keys: Sequence[str]):
    """The rows ``bboxes`` gives for input ``index`` (None: none given)."""
    if bboxes is None:
        return None
    if isinstance(bboxes, dict):
        return find_boxes(bboxes, keys)
    return bboxes[index] if index < len(bboxes) else None


def check_box_keys(boxes: Dict[str, List[dict]],
                   keys_per_input: Sequence[Sequence[str]]) -> None:
    """Warn about keys of ``boxes`` that match no input, or several.

    Args:
        boxes (dict): Image key -> boxes (:func:`load_boxes_file`).
        keys_per_input (Sequence[Sequence[str]]): The keys each input
            answers to (relative path, path, file name).
    """
    matches = {key: 0 for key in boxes}
    for keys in keys_per_input:
        for key in set(keys):
            if key in matches:
                matches[key] += 1
    unmatched = [key for key, n in matches.items() if n == 0]
    if unmatched:
        shown = ', '.join(map(repr, unmatched[:10]))
        more = f' and {len(unmatched) - 10} more' if len(unmatched) > 10 \
            else ''
        print_log(
            f'boxes given for {len(unmatched)} image(s) that are not among '
            f'the inputs, not used: {shown}{more}. Keys are the image path '
            'relative to the input folder (/ separated) or its file name',
            logger='current',
            level=logging.WARNING)
    for key, n in matches.items():
        if n > 1:
            print_log(
                f'the boxes of {key!r} are used for {n} images with that '
                'name: key them by their path relative to the input folder',
                logger='current',
                level=logging.WARNING)


def clip_boxes(boxes: List[dict],
               width: int,
               height: int,
               where: str,
               warn: bool = True) -> List[dict]:
    """Clip given boxes to the image, with a warning per clipped box.

    Args:
        boxes (list[dict]): From :func:`parse_box_rows`.
        width (int): Image width.
        height (int): Image height.
        where (str): The image, used in messages.
        warn (bool): Warn about clipped boxes. Default: True.

    Returns:
        list[dict]: The boxes, those reaching outside the image clipped to
        ``0 <= x <= width``, ``0 <= y <= height``.

    Raises:
        InputError: A box less than one pixel wide or high inside the image
            (entirely off the image, or a sliver of it).
    """
    clipped = []
    width, height = int(width), int(height)
    for i, box in enumerate(boxes):
        x1, y1, x2, y2 = box['bbox']
        inside = [
            min(max(x1, 0.), float(width)),
            min(max(y1, 0.), float(height)),
            min(max(x2, 0.), float(width)),
            min(max(y2, 0.), float(height))
        ]
        if inside[2] - inside[0] < 1 or inside[3] - inside[1] < 1:
            raise InputError(
                f'{where}: box {i} {box["bbox"]} lies outside the '
                f'{width}x{height} image (0 <= x <= {width}, 0 <= y <= '
                f'{height}). Fix: boxes are [x1, y1, x2, y2] in pixels of '
                'this image')
        if warn and inside != list(box['bbox']):
            print_log(
                f'{where}: box {i} {box["bbox"]} reaches outside the '
                f'{width}x{height} image: clipped to '
                f'{[round(v, 2) for v in inside]}',
                logger='current',
                level=logging.WARNING)
        clipped.append(dict(box, bbox=inside))
    return clipped
