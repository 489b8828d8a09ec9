"""Plain-text tables for the terminal (no dependency; works in any console)."""

from __future__ import annotations

from typing import Collection, List, Sequence


def render_table(
    headers: Sequence[str],
    rows: Sequence[Sequence[object]],
    indent: int = 0,
    right_aligned: Collection[int] = (),
) -> str:
    """Columns padded to their widest cell; `right_aligned` are column indexes (numbers)."""
    cells: List[List[str]] = [[str(h) for h in headers]] + [[str(c) for c in row] for row in rows]
    widths = [max(len(row[i]) for row in cells) for i in range(len(headers))]

    def line(row: List[str]) -> str:
        padded = [
            cell.rjust(width) if index in right_aligned else cell.ljust(width)
            for index, (cell, width) in enumerate(zip(row, widths))
        ]
        return " " * indent + "  ".join(padded).rstrip()

    rule = " " * indent + "  ".join("-" * width for width in widths)
    return "\n".join([line(cells[0]), rule] + [line(row) for row in cells[1:]])
