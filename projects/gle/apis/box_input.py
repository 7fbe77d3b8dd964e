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
import math
import numbers
from typing import Dict, List, Optional, Sequence

import numpy as np

from ..datasets.fashion_layout import CLOTHES_TYPES

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
