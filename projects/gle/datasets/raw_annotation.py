"""Parsing and validation rules of the raw DeepFashion-C / FLD text files.

The readers (:class:`DeepFashionCDataset`, :class:`FLDDataset`) and
``tools/misc/check_fashion_dataset.py`` both use these functions, so each
rule is written once. Every function takes ``errors``: ``None`` raises a
:class:`FashionAnnotationError` on the first problem (the datasets), a list
collects every problem and skips the offending rows (the checker).

File format (all three files): line 1 is the number of rows, line 2 the
column header (starting with ``image_name``), then one whitespace-separated
row per image. Blank lines are ignored. Integers may be zero-padded (``095``).

- ``Anno/list_landmarks.txt``: ``image_name clothes_type [variation_type]
  [visibility x y] * n``; ``variation_type`` only in FLD. ``n`` is the
  clothes type's landmark count (upper 6, lower 4, full 8). Rows padded with
  trailing ``0 0 0`` triples up to 8 are accepted (the padding is dropped);
  any other count, or padding that is not ``0 0 0``, is an error.
- ``Anno/list_bbox.txt``: ``image_name x_1 y_1 x_2 y_2``.
- ``Eval/list_eval_partition.txt``: ``image_name evaluation_status`` with the
  status in ``train`` / ``val`` / ``test``.
"""
import math
import os
import os.path as osp
import re
from typing import Dict, List, Optional, Sequence, Tuple, Union

import numpy as np
from mmengine.fileio import get_local_path

from .annotation_error import FashionAnnotationError
from .fashion_layout import (CLOTHES_TYPE_SLOTS, CLOTHES_TYPES, NUM_LANDMARKS,
                             SPLITS, VARIATION_TYPES, VISIBILITY_CODES,
                             to_unified_slots)

_NUMBER = re.compile(r'^[+-]?(\d+(\.\d*)?|\.\d+)$')
_CODE_TOKENS = frozenset(('0', '1', '2'))
_FIX_PADDING = ('rows list one "visibility x y" triple per landmark of their '
                'clothes type (upper 6, lower 4, full 8), optionally padded '
                'with "0 0 0" triples up to 8')


def _report(errors: Optional[list], error: FashionAnnotationError) -> None:
    """Raise ``error``, or append it to ``errors`` in collect-all mode."""
    if errors is None:
        raise error
    errors.append(error)


def _is_int(token: str) -> bool:
    return token.isascii() and token.isdigit()


_SMALL_INTS = {str(i): i for i in range(10)}


def _small_int(token: str) -> Optional[int]:
    """A non-negative integer token (zero padding allowed), else ``None``."""
    value = _SMALL_INTS.get(token)
    if value is None and _is_int(token):
        value = int(token)
    return value


def read_table(
    path: str,
    errors: Optional[list] = None
) -> Tuple[List[str], List[Tuple[int, List[str]]]]:
    """Read one annotation text file: row count, header, rows.

    Args:
        path (str): The file.
        errors (list, optional): Collect problems here instead of raising.

    Returns:
        tuple: ``(header_tokens, rows)`` with ``rows`` a list of
        ``(line_number, tokens)``, line numbers 1-based. Empty lists when the
        file cannot be read (collect mode).
    """
    try:
        with get_local_path(path) as local_path:
            with open(local_path, encoding='utf-8') as f:
                lines = f.read().splitlines()
    except (OSError, UnicodeDecodeError) as e:
        _report(
            errors,
            FashionAnnotationError(
                path, None, f'cannot read the file ({e})',
                'download the benchmark and check the path (see '
                'docs/data_preparation.md)'))
        return [], []

    if not lines or not lines[0].strip():
        _report(
            errors,
            FashionAnnotationError(
                path, 1, 'line 1 should hold the number of rows, the file '
                'is empty or starts with a blank line',
                're-download the file'))
        return [], []
    count_token = lines[0].strip()
    declared = int(count_token) if _is_int(count_token) else None
    if declared is None:
        _report(
            errors,
            FashionAnnotationError(
                path, 1, f'line 1 should hold the number of rows, got '
                f'{count_token!r}', 'put the row count on line 1'))

    header = lines[1].split() if len(lines) > 1 else []
    if not header or header[0] != 'image_name':
        _report(
            errors,
            FashionAnnotationError(
                path, 2, 'line 2 should be the column header starting with '
                f'"image_name", got {" ".join(header[:3])!r}',
                'restore the header line (the files are used as '
                'distributed)'))

    rows = []
    for line_no, line in enumerate(lines[2:], start=3):
        tokens = line.split()
        if tokens:
            rows.append((line_no, tokens))

    if declared is not None and declared != len(rows):
        _report(
            errors,
            FashionAnnotationError(
                path, 1, f'line 1 declares {declared} rows but the file has '
                f'{len(rows)}', 're-download the file (it may be truncated) '
                'or correct the count on line 1'))
    return header, rows


def write_table(path: str,
                header: str,
                rows: Sequence[Union[str, Sequence[str]]],
                count: Optional[int] = None) -> None:
    """Write one annotation text file as :func:`read_table` reads it.

    Line 1 is the row count, line 2 the column names, then one row per line
    (``\n`` line ends, parent folders created). Used by the dataset
    generators, the converters and the tests.

    Args:
        path (str): The file.
        header (str): The column-name line.
        rows (Sequence[str | Sequence[str]]): One line each: a ready string
            (e.g. padded like the real files) or tokens joined by one space.
        count (int, optional): The count to write instead of ``len(rows)``
            (tests write wrong counts on purpose).
    """
    os.makedirs(osp.dirname(osp.abspath(path)), exist_ok=True)
    with open(path, 'w', encoding='utf-8', newline='\n') as f:
        f.write(f'{len(rows) if count is None else count}\n{header}\n')
        for row in rows:
            f.write((row if isinstance(row, str) else ' '.join(row)) + '\n')


def _check_duplicate(path: str, line_no: int, name: str, seen: dict,
                     errors: Optional[list]) -> bool:
    if name in seen:
        _report(
            errors,
            FashionAnnotationError(
                path, line_no, f'duplicate image {name!r} (first listed on '
                f'line {seen[name]})', 'keep one row per image'))
        return True
    return False


def parse_landmark_file(path: str,
                        has_variation: bool,
                        errors: Optional[list] = None) -> Dict[str, dict]:
    """Parse and validate ``Anno/list_landmarks.txt``.

    Args:
        path (str): The file.
        has_variation (bool): Whether rows carry ``variation_type`` (FLD) or
            not (DeepFashion-C). The header must agree.
        errors (list, optional): Collect problems here instead of raising.

    Returns:
        dict: image name -> record with ``line``, ``row`` (1-based row
        index), ``clothes_type``, ``variation_type`` (0 without the column),
        ``raw_codes`` (n ints) and ``raw_coords`` (n (x, y) pairs), in the
        clothes type's own order (padding dropped).
        Malformed rows map to ``dict(line, malformed=True)`` (collect mode),
        so that cross-file checks do not report them a second time.
    """
    header, rows = read_table(path, errors)
    if header and header[0] == 'image_name':
        if has_variation and 'variation_type' not in header:
            _report(
                errors,
                FashionAnnotationError(
                    path, 2, 'the header has no "variation_type" column, so '
                    'this is a DeepFashion-C file, not FLD',
                    'use DeepFashionCDataset (checker: --format '
                    'deepfashion-c)'))
            return {}
        if not has_variation and 'variation_type' in header:
            _report(
                errors,
                FashionAnnotationError(
                    path, 2, 'the header has a "variation_type" column, so '
                    'this is an FLD file, not DeepFashion-C',
                    'use FLDDataset (checker: --format fld)'))
            return {}

    fixed = 3 if has_variation else 2
    records: Dict[str, Optional[dict]] = {}
    seen: Dict[str, int] = {}
    for row_idx, (line_no, tokens) in enumerate(rows, start=1):
        name = tokens[0]
        if _check_duplicate(path, line_no, name, seen, errors):
            continue
        seen[name] = line_no
        record = _parse_landmark_row(path, line_no, tokens, fixed, errors)
        if record is None:
            records[name] = dict(line=line_no, malformed=True)
        else:
            record['row'] = row_idx
            records[name] = record
    return records


def _parse_landmark_row(path: str, line_no: int, tokens: List[str], fixed: int,
                        errors: Optional[list]) -> Optional[dict]:
    columns = ('image_name clothes_type variation_type'
               if fixed == 3 else 'image_name clothes_type')
    if len(tokens) < fixed:
        _report(
            errors,
            FashionAnnotationError(
                path, line_no, f'expected at least {fixed} columns '
                f'({columns}) and the landmark triples, got {len(tokens)}',
                _FIX_PADDING))
        return None

    ctype_tok = tokens[1]
    ctype = _small_int(ctype_tok)
    if ctype not in CLOTHES_TYPES:
        _report(
            errors,
            FashionAnnotationError(
                path, line_no, f'clothes_type {ctype_tok!r} is not one of '
                '1 (upper), 2 (lower), 3 (full)',
                'correct the clothes_type column'))
        return None

    variation = 0
    if fixed == 3:
        var_tok = tokens[2]
        variation = _small_int(var_tok)
        if variation not in VARIATION_TYPES or variation == 0:
            _report(
                errors,
                FashionAnnotationError(
                    path, line_no, f'variation_type {var_tok!r} is not one '
                    'of 1-5', 'correct the variation_type column'))
            return None

    n = len(CLOTHES_TYPE_SLOTS[ctype])
    values = tokens[fixed:]
    n_triples, rest = divmod(len(values), 3)
    if rest or n_triples not in (n, NUM_LANDMARKS):
        _report(
            errors,
            FashionAnnotationError(
                path, line_no, f'expected {fixed + 3 * n} columns ({columns} '
                f'and {n} "visibility x y" triples for clothes type {ctype} '
                f'({CLOTHES_TYPES[ctype]})), got {len(tokens)}', _FIX_PADDING))
        return None

    nums = _numbers(values)
    if nums is None:
        _report_bad_values(path, line_no, values, errors)
        return None
    if n_triples > n:
        if any(nums[3 * n:]):
            _report(
                errors,
                FashionAnnotationError(
                    path, line_no, f'clothes type {ctype} '
                    f'({CLOTHES_TYPES[ctype]}) has {n} landmarks but the row '
                    f'has {n_triples} triples and the extra ones are not '
                    '"0 0 0" padding', _FIX_PADDING))
            return None
        nums = nums[:3 * n]
    # kept in the clothes type's own order; load_raw_annotations maps the
    # rows it returns into the 8 slots (cheaper than mapping every row)
    return dict(
        line=line_no,
        clothes_type=ctype,
        variation_type=variation,
        raw_codes=[int(c) for c in nums[0::3]],
        raw_coords=list(zip(nums[1::3], nums[2::3])))


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


def _report_bad_values(path: str, line_no: int, values: List[str],
                       errors: Optional[list]) -> None:
    """Find and report the first bad triple (slow path, errors only)."""
    for i in range(len(values) // 3):
        vis_tok, x_tok, y_tok = values[3 * i:3 * i + 3]
        if not (_is_int(vis_tok) and int(vis_tok) in VISIBILITY_CODES):
            _report(
                errors,
                FashionAnnotationError(
                    path, line_no, f'landmark {i + 1}: visibility '
                    f'{vis_tok!r} is not one of 0 (visible), 1 (occluded), '
                    '2 (truncated)', 'correct the visibility code'))
            return
        if not (_NUMBER.match(x_tok) and _NUMBER.match(y_tok)):
            _report(
                errors,
                FashionAnnotationError(
                    path, line_no, f'landmark {i + 1}: coordinates '
                    f'{x_tok!r} {y_tok!r} are not numbers',
                    'correct the coordinates'))
            return
    _report(
        errors,
        FashionAnnotationError(path, line_no,
                               f'unreadable landmark values {values}',
                               'correct the row'))


def parse_bbox_file(path: str,
                    errors: Optional[list] = None) -> Dict[str, dict]:
    """Parse ``Anno/list_bbox.txt``.

    Args:
        path (str): The file.
        errors (list, optional): Collect problems here instead of raising.

    Returns:
        dict: image name -> ``dict(line, bbox)``, ``bbox`` 4 floats xyxy
        as written (geometry is checked by ``geometry_policy``);
        malformed rows map to ``dict(line, malformed=True)``.
    """
    _, rows = read_table(path, errors)
    records: Dict[str, Optional[dict]] = {}
    seen: Dict[str, int] = {}
    for line_no, tokens in rows:
        name = tokens[0]
        if _check_duplicate(path, line_no, name, seen, errors):
            continue
        seen[name] = line_no
        records[name] = dict(line=line_no, malformed=True)
        if len(tokens) != 5:
            _report(
                errors,
                FashionAnnotationError(
                    path, line_no, 'expected 5 columns (image_name x_1 y_1 '
                    f'x_2 y_2), got {len(tokens)}', 'repair the row'))
            continue
        bbox = _floats(tokens[1:])
        if bbox is None:
            _report(
                errors,
                FashionAnnotationError(
                    path, line_no, f'box {" ".join(tokens[1:])!r} is not 4 '
                    'numbers', 'correct the box'))
            continue
        records[name] = dict(line=line_no, bbox=bbox)
    return records


def parse_partition_file(path: str,
                         errors: Optional[list] = None) -> Dict[str, dict]:
    """Parse ``Eval/list_eval_partition.txt``.

    Args:
        path (str): The file.
        errors (list, optional): Collect problems here instead of raising.

    Returns:
        dict: image name -> ``dict(line, split)``; malformed rows map to
        ``dict(line, malformed=True)``.
    """
    _, rows = read_table(path, errors)
    records: Dict[str, Optional[dict]] = {}
    seen: Dict[str, int] = {}
    for line_no, tokens in rows:
        name = tokens[0]
        if _check_duplicate(path, line_no, name, seen, errors):
            continue
        seen[name] = line_no
        records[name] = dict(line=line_no, malformed=True)
        if len(tokens) != 2:
            _report(
                errors,
                FashionAnnotationError(
                    path, line_no, 'expected 2 columns (image_name '
                    f'evaluation_status), got {len(tokens)}',
                    'repair the row'))
            continue
        if tokens[1] not in SPLITS:
            _report(
                errors,
                FashionAnnotationError(
                    path, line_no, f'unknown split name {tokens[1]!r}, '
                    f'expected one of {", ".join(SPLITS)}',
                    'correct the evaluation_status column'))
            continue
        records[name] = dict(line=line_no, split=tokens[1])
    return records


def load_raw_annotations(landmark_file: str,
                         bbox_file: str,
                         partition_file: str,
                         has_variation: bool,
                         errors: Optional[list] = None,
                         split: Optional[str] = None) -> List[dict]:
    """Parse and join the three files of a DeepFashion-C / FLD tree.

    Every image must be listed in all three files; an image missing from one
    of them is reported at its line in the file(s) that list it.

    Args:
        landmark_file (str): ``Anno/list_landmarks.txt``.
        bbox_file (str): ``Anno/list_bbox.txt``.
        partition_file (str): ``Eval/list_eval_partition.txt``.
        has_variation (bool): FLD (True) or DeepFashion-C (False) layout.
        errors (list, optional): Collect problems here instead of raising.
        split (str, optional): Return only this split's images (all three
            files are still parsed and cross-checked in full).

    Returns:
        list[dict]: One record per image, in landmark-file order, with
        ``image_name``, ``split``, ``line`` / ``bbox_line`` /
        ``partition_line`` (its lines in the three files), ``row`` (1-based
        row index in the landmark file), ``clothes_type``,
        ``variation_type``, ``keypoints`` (8, 2) float32 and ``codes`` (8,)
        int32 in the unified slots (absent: (0, 0) and -1) and ``bbox`` (4,)
        float32. Images with a problem are left out (collect mode).
    """
    landmarks = parse_landmark_file(landmark_file, has_variation, errors)
    bboxes = parse_bbox_file(bbox_file, errors)
    partition = parse_partition_file(partition_file, errors)

    tables = ((landmark_file, landmarks), (bbox_file, bboxes), (partition_file,
                                                                partition))
    # an image listed in one file (even on a malformed row) must be listed in
    # the others; files that failed to load as a whole are not cross-checked
    loaded = [(f, t) for f, t in tables if t]
    for file, table in loaded:
        for other_file, other in loaded:
            if other is table:
                continue
            for name, record in table.items():
                if name not in other:
                    _report(
                        errors,
                        FashionAnnotationError(
                            file, record['line'],
                            f'image {name!r} is missing from '
                            f'{other_file}', f'add its row to '
                            f'{osp.basename(other_file)} or remove it here'))

    records = []
    for name, lm in landmarks.items():
        box, part = bboxes.get(name), partition.get(name)
        if any(r is None or r.get('malformed') for r in (lm, box, part)):
            continue
        if split is not None and part['split'] != split:
            continue
        keypoints, codes = to_unified_slots(lm['clothes_type'],
                                            lm['raw_codes'], lm['raw_coords'])
        records.append(
            dict(
                image_name=name,
                split=part['split'],
                line=lm['line'],
                bbox_line=box['line'],
                partition_line=part['line'],
                row=lm['row'],
                clothes_type=lm['clothes_type'],
                variation_type=lm['variation_type'],
                keypoints=keypoints,
                codes=codes,
                bbox=np.array(box['bbox'], dtype=np.float32)))
    return records
