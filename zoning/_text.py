"""Plain-text tables for terminals whose columns line up Chinese (double-width) characters.

At the bottom of the import graph (like :mod:`zoning.units`), so checks, outputs and the CLI
share one implementation.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence
from typing import Any

__all__ = ["ljust", "rjust", "text_table", "width"]


def width(s: str) -> int:
    """Display width: Chinese (wide) characters count twice.

    >>> width("工业ab")
    6
    """
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in s)


def ljust(s: str, n: int) -> str:
    return s + " " * max(0, n - width(s))


def rjust(s: str, n: int) -> str:
    return " " * max(0, n - width(s)) + s


def text_table(rows: Sequence[Sequence[Any]], head: Sequence[str], right: set[int] | None = None, *, indent: str = "") -> list[str]:
    """Lines of a plain-text table; columns in ``right`` are right-aligned.

    >>> print("\\n".join(text_table([["宝安区", "72.4%"]], ["district", "coverage"], {1}, indent="  ")))
      district  coverage
      --------  --------
      宝安区       72.4%
    """
    right = right or set()
    cells = [[str(x) for x in r] for r in rows]
    widths = [max(width(x) for x in [h, *[r[k] for r in cells]]) for k, h in enumerate(head)]

    def line(r: Sequence[str]) -> str:
        return (indent + "  ".join((rjust if k in right else ljust)(x, widths[k]) for k, x in enumerate(r))).rstrip()

    return [line([str(h) for h in head]), line(["-" * w for w in widths]), *[line(r) for r in cells]]
