"""The paper-style tables :class:`NormalizedError` logs: NE per landmark and
left/right outcome rates per pair, one row per subset, both rendered by
:func:`metric_table` (``gle.utils.format_table``)."""
from typing import Dict, List, Sequence, Tuple

import numpy as np

from ..utils.text_table import format_table
from .left_right import LR_OUTCOMES


def short_name(name: str) -> str:
    """``left_collar`` -> ``L.Collar`` (the paper's column names)."""
    side, _, part = name.partition('_')
    if side in ('left', 'right') and part:
        return f'{side[0].upper()}.{part.replace("_", " ").title()}'
    return name


def fmt(value: float) -> str:
    """Paper style: ``.0312``; ``-`` for a value with nothing behind it."""
    if not np.isfinite(value):
        return '-'
    text = f'{value:.4f}'
    return text[1:] if text.startswith('0.') else text


def metric_table(title: str, header: Sequence[str],
                 body: Sequence[Sequence]) -> str:
    """A title line, then the aligned table (every metric table's format).

    Args:
        title (str): First line.
        header (Sequence[str]): Column names.
        body (Sequence[Sequence]): Rows, cells already formatted.

    Returns:
        str: The table, without a trailing newline.
    """
    return f'{title}\n' + format_table([list(header)] +
                                       [list(r) for r in body])


def ne_table(names: Sequence[str], rows: Sequence[Tuple[str, np.ndarray, float,
                                                        np.ndarray]]) -> str:
    """NE table: one row per subset, then the visible counts.

    Args:
        names (Sequence[str]): Landmark names, K.
        rows (Sequence[tuple]): ``(label, ne (K,), mean, counts (K,))`` per
            subset.

    Returns:
        str: The table.
    """
    header = ['Subset'] + [short_name(n) for n in names] + ['Avg']
    body = [[label] + [fmt(v) for v in ne] + [fmt(mean)]
            for label, ne, mean, _ in rows]
    body += [[f'#visible {label}'] + [str(int(c)) for c in counts] +
             [str(int(counts.sum()))] for label, _, _, counts in rows]
    return metric_table(
        'Normalized error (visible landmarks only; "-": no visible '
        'instance, left out of Avg)', header, body)


def lr_table(pair_names: Sequence[str],
             rows: Sequence[Tuple[str, List[Dict[str, float]],
                                  Dict[str,
                                       float]]], collapse_ratio: float) -> str:
    """Left/right table: per subset, the rates of each pair and of all pairs.

    The first subset (all samples) gets every outcome, the others the
    wrong-side and collapsed rates; each subset ends with its pair counts.

    Args:
        pair_names (Sequence[str]): Pair names, P.
        rows (Sequence[tuple]): ``(label, per-pair rates (P dicts), rates
            of all pairs)`` per subset, the dicts of
            :func:`~gle.evaluation.left_right.left_right_rates`.
        collapse_ratio (float): The collapse fraction (named in the title).

    Returns:
        str: The table.
    """
    header = ['Subset', 'Rate'
              ] + [n.replace('_', ' ').title() for n in pair_names] + ['All']
    body = []
    for i, (label, per_pair, overall) in enumerate(rows):
        keys = (list(LR_OUTCOMES) +
                ['wrong_side']) if i == 0 else ['wrong_side', 'collapsed']
        for key in keys + ['num_pairs']:
            cells = [r[key] for r in per_pair] + [overall[key]]
            if key == 'num_pairs':
                body.append([label, '#pairs'] + [str(int(c)) for c in cells])
            else:
                body.append([label, key.replace('_', '-')] +
                            [fmt(c) for c in cells])
    return metric_table(
        'Left/right outcomes (pairs with both landmarks visible; wrong-side: '
        "not nearer its own ground truth than its partner's; collapsed: one "
        'on the wrong side and the two predictions closer than '
        f'{collapse_ratio:g} x the true separation; "-": no pair)', header,
        body)
