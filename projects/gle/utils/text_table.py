"""Plain-text tables for logs and tool output (NE table, dataset counts,
benchmark report)."""
from typing import List, Sequence


def format_table(rows: Sequence[Sequence], header_rule: bool = False) -> str:
    """Align ``rows`` in columns: the first left-aligned, the others
    right-aligned, two spaces apart.

    Args:
        rows (Sequence[Sequence]): The header row first, then the body rows;
            cells are converted with ``str``. All rows have the same length.
        header_rule (bool): Put a line of dashes under the header row.
            Default: ``False``.

    Returns:
        str: The table, one line per row, without a trailing newline.
    """
    cells: List[List[str]] = [[str(c) for c in row] for row in rows]
    widths = [max(len(row[i]) for row in cells) for i in range(len(cells[0]))]
    lines = [
        '  '.join(
            cell.rjust(w) if i else cell.ljust(w)
            for i, (cell, w) in enumerate(zip(row, widths))) for row in cells
    ]
    if header_rule:
        lines.insert(1, '  '.join('-' * w for w in widths))
    return '\n'.join(lines)
