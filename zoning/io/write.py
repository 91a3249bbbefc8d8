"""Writing layers: GeoPackage (several layers) or GeoParquet (first layer, side tables)."""

from __future__ import annotations

import os
from pathlib import Path

import geopandas as gpd
import pandas as pd

from zoning.errors import InputError

__all__ = ["write_layers"]


def write_layers(layers: dict[str, pd.DataFrame], path: str | os.PathLike[str], *, overwrite: bool = True) -> Path:
    """Write named layers to a GeoPackage (several layers) or GeoParquet (first layer).

    Non-spatial tables are written as attribute-only GeoPackage layers (or, for GeoParquet,
    as ``<stem>.<layer>.parquet`` next to the main file).
    """
    p = Path(path)
    suffix = p.suffix.lower()
    if suffix not in (".gpkg", ".parquet", ".geoparquet"):
        msg = f"cannot write '{p.name}': use a .gpkg (GeoPackage) or .parquet (GeoParquet) file name"
        raise InputError(msg)
    if p.exists():
        if not overwrite:
            msg = f"{p} exists; pass overwrite=True (CLI: --overwrite) or choose another name"
            raise InputError(msg)
        p.unlink()
    p.parent.mkdir(parents=True, exist_ok=True)
    for i, (name, df) in enumerate(layers.items()):
        df = _writable(df)
        if suffix == ".gpkg":
            if isinstance(df, gpd.GeoDataFrame):
                df.to_file(p, layer=name, driver="GPKG", engine="pyogrio")
            else:
                import pyogrio

                pyogrio.write_dataframe(df.reset_index(drop=True), p, layer=name, driver="GPKG")
        elif i == 0:
            df.to_parquet(p, index=False) if isinstance(df, gpd.GeoDataFrame) else df.to_parquet(p)
        else:
            side = p.with_name(f"{p.stem}.{name}.parquet")
            pd.DataFrame(df.drop(columns=[c for c in df.columns if c == "geometry"], errors="ignore")).to_parquet(side)
    return p


def _writable(df: pd.DataFrame) -> pd.DataFrame:
    """Make a frame writable by GDAL / Arrow: no object columns with mixed types, no lists."""
    out = df.copy()
    out.attrs = {}
    for c in out.columns:
        if c == getattr(out, "_geometry_column_name", None):
            continue
        s = out[c]
        if s.dtype == object:
            out[c] = s.map(lambda v: v if v is None or isinstance(v, str) else str(v)).astype("string")
        elif isinstance(s.dtype, pd.CategoricalDtype):
            out[c] = s.astype("string")
    return out
