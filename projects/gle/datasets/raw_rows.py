"""One row of each raw DeepFashion-C / FLD list file -> a typed record.

Each ``parse_*_row(path, row_index, line, tokens)`` returns the row's record
or, when the row is malformed, the :class:`FashionAnnotationError` that says
why (it never raises: ``raw_annotation`` collects the problems and the
caller applies the error policy). ``tokens`` are the row split on
whitespace, ``tokens[0]`` the image name.
"""
import math
import re
from typing import List, NamedTuple, Optional, Tuple, Union

from .annotation_error import FashionAnnotationError
from .fashion_layout import (CLOTHES_TYPE_SLOTS, CLOTHES_TYPES, NUM_LANDMARKS,
                             SPLITS, VARIATION_TYPES, VISIBILITY_CODES)

_NUMBER = re.compile(r'^[+-]?(\d+(\.\d*)?|\.\d+)$')
_CODE_TOKENS = frozenset(('0', '1', '2'))
_SMALL_INTS = {str(i): i for i in range(10)}
_FIX_PADDING = ('rows list one "visibility x y" triple per landmark of their '
                'clothes type (upper 6, lower 4, full 8), optionally padded '
                'with "0 0 0" triples up to 8')


class LandmarkRow(NamedTuple):
    """A well-formed row of ``Anno/list_landmarks.txt``.

    Attributes:
        line (int): 1-based line number.
        row (int): 1-based row index (the item id).
        clothes_type (int): 1 upper, 2 lower, 3 full.
        variation_type (int): FLD 1-5; 0 without the column.
        codes (list[int]): n visibility codes in {0, 1, 2}, in the clothes
            type's own order (n = 6, 4, 8; padding dropped).
        coords (list[tuple[float, float]]): n (x, y) pairs, same order.
    """
    line: int
    row: int
    clothes_type: int
    variation_type: int
    codes: List[int]
    coords: List[Tuple[float, float]]


class BoxRow(NamedTuple):
    """A well-formed row of ``Anno/list_bbox.txt``.

    Attributes:
        line (int): 1-based line number.
        bbox (list[float]): x_1, y_1, x_2, y_2 as written (finite).
    """
    line: int
    bbox: List[float]


class PartitionRow(NamedTuple):
    """A well-formed row of ``Eval/list_eval_partition.txt``.

    Attributes:
        line (int): 1-based line number.
        split (str): ``'train'``, ``'val'`` or ``'test'``.
    """
    line: int
    split: str


def _is_int(token: str) -> bool:
    return token.isascii() and token.isdigit()


def _small_int(token: str) -> Optional[int]:
    """A non-negative integer token (zero padding allowed), else ``None``."""
    value = _SMALL_INTS.get(token)
    if value is None and _is_int(token):
        value = int(token)
    return value


def parse_landmark_row(path: str, row_index: int, line: int, tokens: List[str],
                       has_variation: bool
                       ) -> Union[LandmarkRow, FashionAnnotationError]:
    """Parse one landmark row.

    Args:
        path (str): The landmark file (for messages).
        row_index (int): 1-based row index.
        line (int): 1-based line number.
        tokens (list[str]): The row's tokens.
        has_variation (bool): Whether the row has a ``variation_type``
            column (FLD).

    Returns:
        LandmarkRow | FashionAnnotationError: The record, or the problem.
    """
    fixed = 3 if has_variation else 2
    columns = ('image_name clothes_type variation_type'
               if has_variation else 'image_name clothes_type')
    if len(tokens) < fixed:
        return FashionAnnotationError(
            path, line, f'expected at least {fixed} columns ({columns}) and '
            f'the landmark triples, got {len(tokens)}', _FIX_PADDING)

    ctype_tok = tokens[1]
    ctype = _small_int(ctype_tok)
    if ctype not in CLOTHES_TYPES:
        return FashionAnnotationError(
            path, line, f'clothes_type {ctype_tok!r} is not one of 1 '
            '(upper), 2 (lower), 3 (full)', 'correct the clothes_type column')

    variation = 0
    if has_variation:
        var_tok = tokens[2]
        variation = _small_int(var_tok)
        if variation not in VARIATION_TYPES or variation == 0:
            return FashionAnnotationError(
                path, line, f'variation_type {var_tok!r} is not one of 1-5',
                'correct the variation_type column')

    n = len(CLOTHES_TYPE_SLOTS[ctype])
    values = tokens[fixed:]
    n_triples, rest = divmod(len(values), 3)
    if rest or n_triples not in (n, NUM_LANDMARKS):
        return FashionAnnotationError(
            path, line, f'expected {fixed + 3 * n} columns ({columns} and '
            f'{n} "visibility x y" triples for clothes type {ctype} '
            f'({CLOTHES_TYPES[ctype]})), got {len(tokens)}', _FIX_PADDING)

    nums = _numbers(values)
    if nums is None:
        return _bad_values_problem(path, line, values)
    if n_triples > n:
        if any(nums[3 * n:]):
            return FashionAnnotationError(
                path, line, f'clothes type {ctype} ({CLOTHES_TYPES[ctype]}) '
                f'has {n} landmarks but the row has {n_triples} triples and '
                'the extra ones are not "0 0 0" padding', _FIX_PADDING)
        nums = nums[:3 * n]
    return LandmarkRow(
        line=line,
        row=row_index,
        clothes_type=ctype,
        variation_type=variation,
        codes=[int(c) for c in nums[0::3]],
        coords=list(zip(nums[1::3], nums[2::3])))


def parse_box_row(path: str, row_index: int, line: int,
                  tokens: List[str]) -> Union[BoxRow, FashionAnnotationError]:
    """Parse one box row (arguments as :func:`parse_landmark_row`).

    Returns:
        BoxRow | FashionAnnotationError: The record, or the problem.
    """
    if len(tokens) != 5:
        return FashionAnnotationError(
            path, line, 'expected 5 columns (image_name x_1 y_1 x_2 y_2), '
            f'got {len(tokens)}', 'repair the row')
    bbox = _floats(tokens[1:])
    if bbox is None:
        return FashionAnnotationError(
            path, line, f'box {" ".join(tokens[1:])!r} is not 4 numbers',
            'correct the box')
    return BoxRow(line=line, bbox=bbox)


def parse_partition_row(path: str, row_index: int, line: int, tokens: List[str]
                        ) -> Union[PartitionRow, FashionAnnotationError]:
    """Parse one partition row (arguments as :func:`parse_landmark_row`).

    Returns:
        PartitionRow | FashionAnnotationError: The record, or the problem.
    """
    if len(tokens) != 2:
        return FashionAnnotationError(
            path, line, 'expected 2 columns (image_name evaluation_status), '
            f'got {len(tokens)}', 'repair the row')
    if tokens[1] not in SPLITS:
        return FashionAnnotationError(
            path, line, f'unknown split name {tokens[1]!r}, expected one of '
            f'{", ".join(SPLITS)}', 'correct the evaluation_status column')
    return PartitionRow(line=line, split=tokens[1])


def _numbers(values: List[str]) -> Optional[List[float]]:
    """Fast path: the triples as floats, or ``None`` when any value is not
    a plain finite number or a visibility code is not 0, 1, 2."""
    nums = _floats(values)
    if nums is None:
        return None
    if not _CODE_TOKENS.issuperset(values[0::3]):
        return _numbers_slow(values)
    return nums


def _floats(values: List[str]) -> Optional[List[float]]:
    """``values`` as floats, or ``None`` unless all are finite numbers."""
    try:
        nums = [float(t) for t in values]
    except ValueError:
        return None
    # float() also accepts 'nan', 'inf' and '1_0'
    if not math.isfinite(sum(nums)) or '_' in ''.join(values):
        return None
    return nums


def _numbers_slow(values: List[str]) -> Optional[List[float]]:
    """Codes written unusually (zero-padded, e.g. ``00``) but valid."""
    codes = values[0::3]
    if all(_is_int(c) and int(c) in VISIBILITY_CODES for c in codes):
        return [float(t) for t in values]
    return None


def _bad_values_problem(path: str, line: int,
                        values: List[str]) -> FashionAnnotationError:
    """Describe the first bad triple (slow path, errors only)."""
    for i in range(len(values) // 3):
        vis_tok, x_tok, y_tok = values[3 * i:3 * i + 3]
        if not (_is_int(vis_tok) and int(vis_tok) in VISIBILITY_CODES):
            return FashionAnnotationError(
                path, line, f'landmark {i + 1}: visibility {vis_tok!r} is '
                'not one of 0 (visible), 1 (occluded), 2 (truncated)',
                'correct the visibility code')
        if not (_NUMBER.match(x_tok) and _NUMBER.match(y_tok)):
            return FashionAnnotationError(
                path, line, f'landmark {i + 1}: coordinates {x_tok!r} '
                f'{y_tok!r} are not numbers', 'correct the coordinates')
    return FashionAnnotationError(path, line,
                                  f'unreadable landmark values {values}',
                                  'correct the row')
