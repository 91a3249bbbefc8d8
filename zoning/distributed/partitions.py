"""Partitions: GeoParquet parts in, Hilbert or random assignment, partition boxes.

Parts are read with ``dask_geopandas.read_parquet`` (each file keeps its bounding box as its
spatial partition). A layer held in memory is cut by the Hilbert distance of its parcels'
box centres into partitions of equal counts (neighbouring parcels mostly share a partition),
or at random (most neighbour pairs then cross a boundary — a stress test of the exact merge,
not a way to run). Within a partition, rows keep their input order.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any, Literal

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

__all__ = ["assign", "boxes_within", "list_parts", "plan_parts", "read_rows", "split"]

#: A file larger than this is cut at row-group boundaries into partitions of about this many rows.
PART_ROWS = 250_000


def assign(gdf: gpd.GeoDataFrame, n: int, how: Literal["hilbert", "random"] = "hilbert", *, seed: int = 0) -> np.ndarray:
    """Partition number (0..n-1) of every row.

    >>> from shapely import box
    >>> g = gpd.GeoDataFrame(geometry=[box(x, 0, x + 1, 1) for x in range(4)])
    >>> assign(g, 2).tolist()
    [0, 0, 1, 1]
    """
    m = len(gdf)
    if n <= 1 or m == 0:
        return np.zeros(m, dtype=np.int64)
    if how == "random":
        return np.random.default_rng(seed).integers(0, n, m)
    if how != "hilbert":
        msg = f"partitioning must be 'hilbert' or 'random', got {how!r}"
        raise ValueError(msg)
    import dask_geopandas

    b = shapely.bounds(gdf.geometry.to_numpy())
    ok = np.isfinite(b).all(axis=1)
    pts = gpd.GeoSeries(shapely.points(np.where(ok, (b[:, 0] + b[:, 2]) / 2, 0), np.where(ok, (b[:, 1] + b[:, 3]) / 2, 0)))
    total = pts[ok].total_bounds if ok.any() else np.array([0.0, 0.0, 1.0, 1.0])
    total[2:] = np.maximum(total[2:], total[:2] + 1.0)  # a layer one parcel wide still has an extent
    dist = dask_geopandas.from_geopandas(gpd.GeoDataFrame(geometry=pts), npartitions=1).hilbert_distance(total_bounds=total).compute().to_numpy()
    order = np.lexsort((np.arange(m), dist))
    part = np.empty(m, dtype=np.int64)
    part[order] = np.arange(m) * n // m
    return part


def split(gdf: gpd.GeoDataFrame, part: np.ndarray, n: int) -> list[gpd.GeoDataFrame]:
    """The rows of each partition, in input order (empty partitions allowed)."""
    return [gdf.iloc[np.flatnonzero(part == k)] for k in range(n)]


def list_parts(path: str | os.PathLike[str]) -> list[Path]:
    """A GeoParquet file, or the ``*.parquet`` files of a folder in name order."""
    p = Path(path)
    if p.is_dir():
        files = sorted(q for q in p.rglob("*.parquet") if q.is_file())
        if not files:
            from zoning.errors import InputError

            msg = f"{p} holds no .parquet files; give a GeoParquet file or a folder of GeoParquet parts"
            raise InputError(msg)
        return files
    return [p]


def plan_parts(files: list[Path], part_rows: int = PART_ROWS) -> list[tuple[str, list[int] | None, int]]:
    """The partitions of GeoParquet files, each ``(path, row groups or None for all, first row)``.

    One partition per file; a file of several row groups and more than ``2 * part_rows`` rows
    is cut at row-group boundaries into partitions of at least ``part_rows`` rows. The first
    row is the partition's first row number in the whole layer (files in name order), which
    becomes its index, so rows keep one number however the layer is cut. Only the files'
    footers are read here.
    """
    import pyarrow.parquet as pq

    out: list[tuple[str, list[int] | None, int]] = []
    row = 0
    for f in files:
        try:
            meta = pq.ParquetFile(f).metadata
        except Exception as exc:  # pyarrow raises several types for a file that is not Parquet
            from zoning.errors import InputError

            msg = f"{f} is not a readable GeoParquet file ({exc}); give GeoParquet parts (geopandas' to_parquet)"
            raise InputError(msg) from exc
        sizes = [meta.row_group(i).num_rows for i in range(meta.num_row_groups)]
        if len(sizes) <= 1 or sum(sizes) <= 2 * part_rows:
            out.append((str(f), None, row))
            row += sum(sizes)
            continue
        group: list[int] = []
        rows = 0
        for i, m in enumerate(sizes):
            group.append(i)
            rows += m
            if rows >= part_rows:
                out.append((str(f), group, row))
                row += rows
                group, rows = [], 0
        if group:
            out.append((str(f), group, row))
            row += rows
    return out


def read_rows(path: str, row_groups: list[int] | None, first_row: int) -> gpd.GeoDataFrame:
    """Rows of a GeoParquet file (all, or some row groups), indexed by their row number in the layer."""
    if row_groups is None:
        g = gpd.read_parquet(path)
    else:
        import pyarrow.parquet as pq
        from geopandas.io.arrow import _arrow_to_geopandas

        g = _arrow_to_geopandas(pq.ParquetFile(path).read_row_groups(row_groups))
    g.index = pd.RangeIndex(first_row, first_row + len(g))
    return g


def boxes_within(boxes: list[Any], gap: float) -> list[tuple[int, int]]:
    """Pairs ``(a, b)``, ``a < b``, of partitions whose boxes ``(x0, y0, x1, y1)`` come within ``gap``.

    ``None`` stands for an empty partition.

    >>> boxes_within([(0, 0, 1, 1), (1.5, 0, 2, 1), None, (9, 9, 10, 10)], 1.0)
    [(0, 1)]
    """
    out = []
    reach = _reach(gap)
    for a in range(len(boxes)):
        for b in range(a + 1, len(boxes)):
            ba, bb = boxes[a], boxes[b]
            if ba is None or bb is None:
                continue
            dx = max(bb[0] - ba[2], ba[0] - bb[2], 0.0)
            dy = max(bb[1] - ba[3], ba[1] - bb[3], 0.0)
            if dx <= reach and dy <= reach and (dx * dx + dy * dy) <= reach * reach:
                out.append((a, b))
    return out


def _reach(gap: float) -> float:
    """``gap`` grown by a hair: boxes only prune; the exact test is shapely's ``dwithin``."""
    return gap * (1 + 1e-9) + 1e-6
