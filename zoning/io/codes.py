"""The land-use code tables (``zoning/data/landuse_codes.toml``), read once; no pandas needed."""

from __future__ import annotations

import sys
from functools import lru_cache
from importlib import resources
from typing import Any

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

__all__ = ["class_codes", "code_tables"]


@lru_cache(maxsize=1)
def code_tables() -> dict[str, Any]:
    """The parsed code tables: ``classes`` and the code systems that map onto them."""
    text = resources.files("zoning").joinpath("data/landuse_codes.toml").read_text("utf-8")
    return tomllib.loads(text)


def class_codes() -> list[str]:
    """The canonical land-use classes, in table order.

    >>> class_codes()[:3]
    ['R', 'R1', 'R2']
    """
    return list(code_tables()["classes"])
