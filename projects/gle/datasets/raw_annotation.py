"""Parsing and validation rules of the raw DeepFashion-C / FLD text files.

The readers (:class:`DeepFashionCDataset`, :class:`FLDDataset`,
:class:`FashionDetDataset`) and ``tools/misc/check_fashion_dataset.py`` all
call :func:`load_raw_annotations`, so each rule is written once.

Error policy: the parsers never raise and never skip silently. Each returns
what it could parse *and* the list of problems it found
(:class:`FashionAnnotationError`, each naming file, line, problem and fix).
The caller decides once: the datasets raise the first problem
(:func:`raise_first_problem`), the checker prints them all. A malformed row
is left out of the results but stays "listed", so that the cross-file check
does not report it a second time as missing.

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
import os
import os.path as osp
from collections import Counter
from functools import partial
from typing import (Callable, Dict, List, NamedTuple, Optional, Sequence,
                    Tuple, Union)

import numpy as np
from mmengine.fileio import get_local_path

from .annotation_error import FashionAnnotationError, raise_first_problem
from .fashion_layout import SPLITS, to_unified_slots
from .raw_rows import (BoxRow, LandmarkRow, PartitionRow, parse_box_row,
                       parse_landmark_row, parse_partition_row)

#: byte-order marks: name, and whether the rest still decodes as UTF-8
_BOMS = ((b'\xef\xbb\xbf', 'UTF-8', True), (b'\xff\xfe', 'UTF-16 LE', False),
         (b'\xfe\xff', 'UTF-16 BE', False))

Row = Union[LandmarkRow, BoxRow, PartitionRow]


class ListFile(NamedTuple):
    """One parsed list file.

    Attributes:
        path (str): The file.
        rows (dict[str, Row]): Image name -> its parsed row, for the rows
            without a problem.
        lines (dict[str, int]): Image name -> line, for every listed image
            (also those on a malformed row). Empty when the file could not
            be read as a whole.
        problems (list[FashionAnnotationError]): In file order.
    """
    path: str
    rows: Dict[str, Row]
    lines: Dict[str, int]
    problems: List[FashionAnnotationError]


class RawFashionItem(NamedTuple):
    """One image of a raw tree: its three rows joined, landmarks placed in
    the 8 unified slots.

    Attributes:
        image_name (str): As listed (``img/...``).
        split (str): ``'train'``, ``'val'`` or ``'test'``.
        row (int): 1-based row index in the landmark file (the item id).
        landmark_line (int): Its line in ``list_landmarks.txt``.
        bbox_line (int): Its line in ``list_bbox.txt``.
        partition_line (int): Its line in ``list_eval_partition.txt``.
        clothes_type (int): 1 upper, 2 lower, 3 full.
        variation_type (int): FLD 1-5, 0 without the column.
        keypoints (np.ndarray): float32, shape (8, 2); absent slots (0, 0).
        codes (np.ndarray): int32 visibility codes, shape (8,); absent -1.
        bbox (np.ndarray): float32 (x1, y1, x2, y2), shape (4,), as written.
    """
    image_name: str
    split: str
    row: int
    landmark_line: int
    bbox_line: int
    partition_line: int
    clothes_type: int
    variation_type: int
    keypoints: np.ndarray
    codes: np.ndarray
    bbox: np.ndarray


class RawAnnotations(NamedTuple):
    """What :func:`load_raw_annotations` read from the three files.

    Attributes:
        items (list[RawFashionItem]): The images without any problem, in
            landmark-file order (one split's, if asked).
        problems (list[FashionAnnotationError]): Every problem, landmark
            file first, then box file, partition file, cross-file checks.
        split_sizes (dict[str, int]): Images per split in the partition
            file (well-formed rows).
    """
    items: List[RawFashionItem]
    problems: List[FashionAnnotationError]
    split_sizes: Dict[str, int]


def _read_lines(path: str) -> Tuple[List[str], List[FashionAnnotationError]]:
    """The file's lines, and the problems of the file as a whole."""
    try:
        with get_local_path(path) as local_path:
            with open(local_path, 'rb') as f:
                data = f.read()
    except OSError as e:
        return [], [
            FashionAnnotationError(
                path, None, f'cannot read the file ({e})',
                'download the benchmark and check the path (see '
                'docs/data_preparation.md)')
        ]
    problems = []
    for bom, encoding, decodable in _BOMS:
        if data.startswith(bom):
            problems.append(
                FashionAnnotationError(
                    path, 1, f'the file starts with a {encoding} byte-order '
                    f'mark (BOM, bytes {bom.hex(" ").upper()}); the '
                    'benchmark files are plain UTF-8 without one (an editor '
                    'added it)', 'save the file as UTF-8 without BOM (e.g. '
                    f'iconv -f {encoding.replace(" ", "")} -t UTF-8, or '
                    "sed -i '1s/^\\xEF\\xBB\\xBF//' for UTF-8)"))
            if not decodable:
                return [], problems
            data = data[len(bom):]
            break
    try:
        return data.decode('utf-8').splitlines(), problems
    except UnicodeDecodeError as e:
        line = data[:e.start].count(b'\n') + 1
        return [], problems + [
            FashionAnnotationError(
                path, line, f'the file is not UTF-8 text ({e.reason} at '
                f'byte {e.start})', 're-download the file')
        ]


def _read_table(
    path: str
) -> Tuple[List[str], List[Tuple[int, List[str]]],
           List[FashionAnnotationError]]:
    """:func:`read_table` returning its problems instead of raising."""
    lines, problems = _read_lines(path)
    if problems and not lines:
        return [], [], problems
    if not lines or not lines[0].strip():
        return [], [], problems + [
            FashionAnnotationError(
                path, 1, 'line 1 should hold the number of rows, the file '
                'is empty or starts with a blank line', 're-download the file')
        ]
    count_token = lines[0].strip()
    declared = (
        int(count_token)
        if count_token.isascii() and count_token.isdigit() else None)
    if declared is None:
        problems.append(
            FashionAnnotationError(
                path, 1, f'line 1 should hold the number of rows, got '
                f'{count_token!r}', 'put the row count on line 1'))

    header = lines[1].split() if len(lines) > 1 else []
    if not header or header[0] != 'image_name':
        problems.append(
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
        problems.append(
            FashionAnnotationError(
                path, 1, f'line 1 declares {declared} rows but the file has '
                f'{len(rows)}', 're-download the file (it may be truncated) '
                'or correct the count on line 1'))
    return header, rows, problems


def read_table(
    path: str,
    errors: Optional[list] = None
) -> Tuple[List[str], List[Tuple[int, List[str]]]]:
    """Read one annotation text file: row count, header, rows.

    Args:
        path (str): The file.
        errors (list, optional): Append the file's problems here; without
            it the first problem is raised.

    Returns:
        tuple: ``(header_tokens, rows)`` with ``rows`` a list of
        ``(line_number, tokens)``, line numbers 1-based. Empty lists when the
        file cannot be read (with ``errors``).
    """
    header, rows, problems = _read_table(path)
    if errors is None:
        raise_first_problem(problems)
    else:
        errors.extend(problems)
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


def _parse_list_file(
    path: str,
    parse_row: Callable[[str, int, int, List[str]],
                        Union[Row, FashionAnnotationError]],
    check_header: Optional[Callable[[str, List[str]],
                                    Optional[FashionAnnotationError]]] = None
) -> ListFile:
    """Read a list file and parse each row with ``parse_row(path, row_index,
    line, tokens)``, which returns the row or its problem."""
    header, table, problems = _read_table(path)
    if check_header is not None:
        problem = check_header(path, header)
        if problem is not None:
            return ListFile(path, {}, {}, problems + [problem])
    rows: Dict[str, Row] = {}
    lines: Dict[str, int] = {}
    for row_index, (line_no, tokens) in enumerate(table, start=1):
        name = tokens[0]
        if name in lines:
            problems.append(
                FashionAnnotationError(
                    path, line_no, f'duplicate image {name!r} (first listed '
                    f'on line {lines[name]})', 'keep one row per image'))
            continue
        lines[name] = line_no
        parsed = parse_row(path, row_index, line_no, tokens)
        if isinstance(parsed, FashionAnnotationError):
            problems.append(parsed)
        else:
            rows[name] = parsed
    return ListFile(path, rows, lines, problems)


def _landmark_header_problem(path: str, header: List[str], has_variation: bool
                             ) -> Optional[FashionAnnotationError]:
    """Whether the landmark header is of the other benchmark."""
    if not header or header[0] != 'image_name':
        return None  # reported by _read_table
    if has_variation and 'variation_type' not in header:
        return FashionAnnotationError(
            path, 2, 'the header has no "variation_type" column, so this is '
            'a DeepFashion-C file, not FLD',
            'use DeepFashionCDataset (checker: --format deepfashion-c)')
    if not has_variation and 'variation_type' in header:
        return FashionAnnotationError(
            path, 2, 'the header has a "variation_type" column, so this is '
            'an FLD file, not DeepFashion-C',
            'use FLDDataset (checker: --format fld)')
    return None


def parse_landmark_file(path: str, has_variation: bool) -> ListFile:
    """Parse and validate ``Anno/list_landmarks.txt``.

    Args:
        path (str): The file.
        has_variation (bool): Whether rows carry ``variation_type`` (FLD) or
            not (DeepFashion-C). The header must agree.

    Returns:
        ListFile: ``rows`` are :class:`LandmarkRow`, landmarks in the
        clothes type's own order (padding dropped).
    """
    return _parse_list_file(
        path, partial(parse_landmark_row, has_variation=has_variation),
        partial(_landmark_header_problem, has_variation=has_variation))


def parse_bbox_file(path: str) -> ListFile:
    """Parse ``Anno/list_bbox.txt``.

    Args:
        path (str): The file.

    Returns:
        ListFile: ``rows`` are :class:`BoxRow` (the box as written; its
        geometry is checked by ``geometry_policy``).
    """
    return _parse_list_file(path, parse_box_row)


def parse_partition_file(path: str) -> ListFile:
    """Parse ``Eval/list_eval_partition.txt``.

    Args:
        path (str): The file.

    Returns:
        ListFile: ``rows`` are :class:`PartitionRow`.
    """
    return _parse_list_file(path, parse_partition_row)


def _cross_check(files: Sequence[ListFile]) -> List[FashionAnnotationError]:
    """Every image listed in one file (even on a malformed row) must be
    listed in the others; files that could not be read as a whole are not
    cross-checked."""
    problems = []
    loaded = [f for f in files if f.lines]
    for table in loaded:
        for other in loaded:
            if other is table:
                continue
            for name, line in table.lines.items():
                if name not in other.lines:
                    problems.append(
                        FashionAnnotationError(
                            table.path, line, f'image {name!r} is missing '
                            f'from {other.path}', f'add its row to '
                            f'{osp.basename(other.path)} or remove it here'))
    return problems


def load_raw_annotations(landmark_file: str,
                         bbox_file: str,
                         partition_file: str,
                         has_variation: bool,
                         split: Optional[str] = None) -> RawAnnotations:
    """Parse, validate and join the three files of a DeepFashion-C / FLD
    tree.

    Every image must be listed in all three files; an image missing from one
    of them is reported at its line in the file(s) that list it.

    Args:
        landmark_file (str): ``Anno/list_landmarks.txt``.
        bbox_file (str): ``Anno/list_bbox.txt``.
        partition_file (str): ``Eval/list_eval_partition.txt``.
        has_variation (bool): FLD (True) or DeepFashion-C (False) layout.
        split (str, optional): Return only this split's items (all three
            files are still parsed and cross-checked in full).

    Returns:
        RawAnnotations: The items without a problem, every problem, and the
        split sizes of the partition file.
    """
    landmarks = parse_landmark_file(landmark_file, has_variation)
    boxes = parse_bbox_file(bbox_file)
    partition = parse_partition_file(partition_file)
    files = (landmarks, boxes, partition)
    problems = [p for f in files for p in f.problems] + _cross_check(files)

    items = []
    for name, lm in landmarks.rows.items():
        box, part = boxes.rows.get(name), partition.rows.get(name)
        if box is None or part is None:
            continue  # reported: malformed there or missing from that file
        if split is not None and part.split != split:
            continue
        keypoints, codes = to_unified_slots(lm.clothes_type, lm.codes,
                                            lm.coords)
        items.append(
            RawFashionItem(
                image_name=name,
                split=part.split,
                row=lm.row,
                landmark_line=lm.line,
                bbox_line=box.line,
                partition_line=part.line,
                clothes_type=lm.clothes_type,
                variation_type=lm.variation_type,
                keypoints=keypoints,
                codes=codes,
                bbox=np.array(box.bbox, dtype=np.float32)))
    sizes = Counter(row.split for row in partition.rows.values())
    return RawAnnotations(items, problems, {s: sizes[s] for s in SPLITS})


def raw_data_root(owner: str, data_root: Optional[str]) -> str:
    """The ``data_root`` of a dataset read from a raw tree, made absolute
    when local.

    Args:
        owner (str): The dataset class name.
        data_root (str, optional): The folder holding Anno/, Eval/ and img/.

    Returns:
        str: ``data_root``, absolute unless it is a URL.

    Raises:
        ValueError: ``data_root`` is empty.
    """
    if not data_root:
        raise ValueError(f'{owner}: "data_root" is required (the folder '
                         'holding Anno/, Eval/ and img/)')
    return data_root if '://' in data_root else osp.abspath(data_root)


def empty_split_error(owner: str, partition_file: str, split: str,
                      split_sizes: Dict[str, int],
                      skipped: int) -> FashionAnnotationError:
    """The error that says why a dataset's split has no items.

    Args:
        owner (str): The dataset class name.
        partition_file (str): ``Eval/list_eval_partition.txt``.
        split (str): The split asked for.
        split_sizes (dict[str, int]): Images per split in the partition file.
        skipped (int): Items of the split dropped with ``skip_invalid``.

    Returns:
        FashionAnnotationError: Naming the split and the file.
    """
    if skipped:
        problem = (f'split {split!r} has no item left: all {skipped} have '
                   'an unusable box and skip_invalid=True drops them')
        fix = 'correct the boxes (the warning above names the first)'
    else:
        listed = ', '.join(f'{s} {n}' for s, n in split_sizes.items())
        problem = (f'split {split!r} is empty: no image of this file is '
                   f'assigned to {split!r} (it lists {listed})')
        fix = ('check the split name and the evaluation_status column of '
               'this file')
    return FashionAnnotationError(partition_file, None, f'{owner}: {problem}',
                                  fix)
