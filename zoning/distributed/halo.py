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

__all__ = ["cross_pairs", "halo"]


def _near(bounds: np.ndarray, box: tuple[float, float, float, float], gap: float) -> np.ndarray:
    r = _reach(gap)
    ok = np.isfinite(bounds).all(axis=1)
    with np.errstate(invalid="ignore"):
        hit = ((bounds[:, 0] <= box[2] + r) & (bounds[:, 2] >= box[0] - r)
               & (bounds[:, 1] <= box[3] + r) & (bounds[:, 3] >= box[1] - r))
    return np.flatnonzero(ok & hit)


def halo(geoms: np.ndarray, bounds: np.ndarray, ids: np.ndarray, box: tuple[float, float, float, float], gap: float) -> dict[str, Any]:
    """The parcels of one partition within ``gap`` of another partition's ``box``."""
    idx = _near(bounds, box, gap)
    return {"idx": idx, "geoms": geoms[idx], "ids": ids[idx]}


def cross_pairs(geoms: np.ndarray, bounds: np.ndarray, ids: np.ndarray, other: dict[str, Any],
                box: tuple[float, float, float, float], gap: float, *, overlaps: bool, tolerance_m2: float) -> dict[str, Any]:
    """Pairs (row here, row there) within ``gap`` between this partition and a halo.

    With ``overlaps``, also the overlapping pairs (interiors intersect by more than the
    tolerance) as a :func:`zoning.stages.validate.overlap_pairs` table.
    """
    from zoning.stages.cluster import pairs_within
    from zoning.stages.validate import overlap_pairs

    idx = _near(bounds, box, gap)
    qi, tj = pairs_within(geoms[idx], other["geoms"], distance=gap, threads=1)
    ia, ib = idx[qi], other["idx"][tj]
    out: dict[str, Any] = {"ia": ia, "ib": ib}
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
