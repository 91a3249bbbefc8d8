"""Reading and writing: parcel and block layers, column aliases, land-use codes, CRS, encodings.

- :mod:`zoning.io.read` — :func:`read_parcels`, :func:`read_blocks`, :func:`standardise_parcels`
- :mod:`zoning.io.write` — :func:`write_layers` (GeoPackage / GeoParquet)
- :mod:`zoning.io.columns` — canonical columns and their Chinese / abbreviated aliases
- :mod:`zoning.io.landuse` — GB 50137-2011 and 2020-classification land-use codes
- :mod:`zoning.io.crs` — metric CRS choice, mis-declared CRSs, GCJ-02 / BD-09
"""

from __future__ import annotations

import importlib
from typing import Any

_API = {"read_blocks": "read", "read_parcels": "read", "read_table": "read", "standardise_parcels": "read", "write_layers": "write"}

__all__ = sorted(_API)


def __getattr__(name: str) -> Any:  # loaded on first use: reading needs geopandas, land-use codes do not
    if name in _API:
        return getattr(importlib.import_module(f"zoning.io.{_API[name]}"), name)
    msg = f"module 'zoning.io' has no attribute {name!r}"
    raise AttributeError(msg)
