"""Neighbour pairs across partitions.

Two parcels in different partitions can be neighbours (within ``gap_m``) only if each lies
within ``gap_m`` of the other partition's box. For every pair of partitions whose boxes come
that close, partition *b* sends its parcels near *a*'s box (the halo: geometries, ids and
row numbers, nothing else) to *a*, which tests its own parcels near *b*'s box against them
with the same STRtree + ``dwithin`` query as one machine
(:func:`zoning.stages.cluster.pairs_within`). Pruning by boxes, never by convex hulls, so a
pair 20 m apart across a road on a partition boundary is never missed.

The pairs found here are used for contiguity (degrees, core links, thin parcels, areas of
thin parcels), for enclaves (every neighbour of a small parcel) and for the overlap check.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
import shapely

from zoning.distributed.partitions import _reach

__all__ = ["cross_pairs", "halo", "unique_pairs", "unit_pairs"]


def _near(bounds: np.ndarray, box: tuple[float, float, float, float], gap: float) -> np.ndarray:
    r = _reach(gap)
    ok = np.isfinite(bounds).all(axis=1)
    with np.errstate(invalid="ignore"):
        hit = ((bounds[:, 0] <= box[2] + r) & (bounds[:, 2] >= box[0] - r)
               & (bounds[:, 1] <= box[3] + r) & (bounds[:, 3] >= box[1] - r))
    return np.flatnonzero(ok & hit)


def halo(geoms: np.ndarray, bounds: np.ndarray, ids: np.ndarray, box: tuple[float, float, float, float], gap: float,
         units: np.ndarray | None = None) -> dict[str, Any]:
    """The parcels of one partition within ``gap`` of another partition's ``box`` (with
    their plan units when contiguity follows them)."""
    idx = _near(bounds, box, gap)
    out = {"idx": idx, "geoms": geoms[idx], "ids": ids[idx]}
    if units is not None:
        out["units"] = units[idx]
    return out


def unique_pairs(i: np.ndarray, j: np.ndarray, n: int) -> tuple[np.ndarray, np.ndarray]:
    """Pairs ``(i, j)`` (row positions, ``j < n``) once each, in (i, j) order."""
    key = np.unique(np.asarray(i, dtype=np.int64) * n + np.asarray(j, dtype=np.int64))
    return key // n, key % n


def unit_pairs(qgeoms: np.ndarray, qunits: np.ndarray, tgeoms: np.ndarray, tunits: np.ndarray,
               unit_gap: float) -> tuple[np.ndarray, np.ndarray]:
    """Pairs ``(q, t)`` in the same plan unit within ``unit_gap`` (parcels without a unit have none)."""
    from zoning.stages.cluster import pairs_within

    qh = np.flatnonzero(pd.notna(qunits))
    th = np.flatnonzero(pd.notna(tunits))
    qi, tj = pairs_within(qgeoms[qh], tgeoms[th], distance=unit_gap, threads=1)
    qi, tj = qh[qi], th[tj]
    same = np.asarray(qunits[qi] == tunits[tj], dtype=bool)  # element-wise on object arrays
    return qi[same], tj[same]


def cross_pairs(geoms: np.ndarray, bounds: np.ndarray, ids: np.ndarray, other: dict[str, Any],
                box: tuple[float, float, float, float], gap: float, *, overlaps: bool, tolerance_m2: float,
                units: np.ndarray | None = None, unit_gap: float | None = None) -> dict[str, Any]:
    """Pairs (row here, row there) within ``gap`` between this partition and a halo, and with
    ``units``, also the pairs in the same plan unit within ``unit_gap`` (each pair once).

    With ``overlaps``, also the overlapping pairs (interiors intersect by more than the
    tolerance) as a :func:`zoning.stages.validate.overlap_pairs` table.
    """
    from zoning.stages.cluster import pairs_within
    from zoning.stages.validate import overlap_pairs

    idx = _near(bounds, box, max(gap, unit_gap or 0.0))
    qi, tj = pairs_within(geoms[idx], other["geoms"], distance=gap, threads=1)
    ia, ib = idx[qi], other["idx"][tj]
    out: dict[str, Any] = {"ia": ia, "ib": ib}
    if units is not None and unit_gap is not None and unit_gap > gap:
        ui, uj = unit_pairs(geoms[idx], units[idx], other["geoms"], other["units"], unit_gap)
        m = max(len(other["geoms"]), 1)
        qa, ta = unique_pairs(np.concatenate([qi, ui]), np.concatenate([tj, uj]), m)
        out = {"ia": idx[qa], "ib": other["idx"][ta]}
    if overlaps:
        a, b = geoms[ia], other["geoms"][tj]
        ok = (np.isin(shapely.get_type_id(a), [3, 6]) & np.isin(shapely.get_type_id(b), [3, 6])
              & shapely.is_valid(a) & shapely.is_valid(b))
        a, b = a[ok], b[ok]
        inter = shapely.relate_pattern(a, b, "2********") if len(a) else np.zeros(0, dtype=bool)
        out["overlaps"] = overlap_pairs(a[inter], b[inter], ids[ia][ok][inter], other["ids"][tj][ok][inter], tolerance_m2)
    else:
        out["overlaps"] = pd.DataFrame({c: [] for c in ("a", "b", "m2", "identical")})
    return out
