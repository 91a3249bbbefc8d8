"""Stage 5 — cluster: group candidate parcels into contiguous areas.

Parcels of the same candidate class are neighbours when they lie within ``gap_m`` of each
other, so an area split by a sliver or a local road stays one area. Neighbours come from
one bulk STRtree ``dwithin`` query (run on both cores), groups from scipy's connected
components on a sparse graph — never a dense n × n matrix.

**Chain guard.** Plain connected components would join two large areas through a thin line
of middling parcels and produce areas that run across a city. Grouping is therefore
density-based: a parcel is a *core* parcel when it has at least ``min_core_neighbours``
same-class neighbours; only core parcels link parts of an area. A thinner parcel next to a
core joins that core's area (the largest, if it touches several; between equal areas, the
one whose westernmost parcel comes first, never the row order) but never bridges two, and
candidates touching no core form groups of their own.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor

import numpy as np
import pandas as pd
import shapely
from scipy import sparse
from scipy.sparse.csgraph import connected_components

from zoning.stages.sums import group_sum

__all__ = ["adjacency", "cluster", "neighbour_pairs", "pick_core_area"]


def _threads(n: int, threads: int | None) -> int:
    return 1 if n < 20_000 else (threads or min(4, os.cpu_count() or 1))


def _map(fn: Callable[[np.ndarray], np.ndarray], chunks: list[np.ndarray], workers: int) -> list[np.ndarray]:
    if workers > 1 and len(chunks) > 1:
        with ThreadPoolExecutor(workers) as ex:  # shapely releases the GIL
            return list(ex.map(fn, chunks))
    return [fn(c) for c in chunks]


def pairs_within(query: np.ndarray, target: np.ndarray, *, distance: float, tree: shapely.STRtree | None = None,
                 threads: int | None = None, upper: bool = False,
                 exact: Callable[[np.ndarray, np.ndarray], np.ndarray] | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Pairs ``(q, t)`` with ``query[q]`` within ``distance`` of ``target[t]``.

    Two steps, both vectorised and split over threads: an STRtree query of the query
    envelopes grown by ``distance`` (candidate pairs), then an exact ``dwithin`` on those
    pairs only (or ``exact(a, b)``, a vectorised predicate). ``upper=True`` (query and target
    are the same array) keeps ``q < t``.
    """
    n = len(query)
    if n == 0 or len(target) == 0:
        return np.empty(0, dtype=np.intp), np.empty(0, dtype=np.intp)
    tree = tree if tree is not None else shapely.STRtree(target)
    b = shapely.bounds(query)
    boxes = shapely.box(b[:, 0] - distance, b[:, 1] - distance, b[:, 2] + distance, b[:, 3] + distance)
    workers = _threads(n, threads)
    chunks = np.array_split(np.arange(n), workers * 4) if workers > 1 else [np.arange(n)]

    def candidates(idx: np.ndarray) -> np.ndarray:
        qi, tj = tree.query(boxes[idx])
        qi = idx[qi]
        if upper:
            keep = qi < tj
            qi, tj = qi[keep], tj[keep]
        return np.vstack([qi, tj])

    pairs = np.hstack(_map(candidates, chunks, workers))
    qi, tj = pairs[0], pairs[1]
    if len(qi) == 0:
        return qi, tj
    pchunks = np.array_split(np.arange(len(qi)), workers * 4) if workers > 1 else [np.arange(len(qi))]

    def check(idx: np.ndarray) -> np.ndarray:
        a, b2 = query[qi[idx]], target[tj[idx]]
        if exact is not None:
            return exact(a, b2)
        return shapely.dwithin(a, b2, distance) if distance > 0 else shapely.intersects(a, b2)

    ok = np.concatenate(_map(check, pchunks, workers))
    return qi[ok], tj[ok]


def adjacency(geoms: np.ndarray, *, distance: float, threads: int | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Pairs ``(i, j)``, ``i < j``, of geometries within ``distance`` of each other.

    Envelope candidates from one STRtree bulk query, then an exact ``dwithin`` (``intersects``
    when distance is 0) on the candidate pairs, split over threads.

    >>> from shapely import box
    >>> g = np.array([box(0, 0, 1, 1), box(1.5, 0, 2.5, 1), box(10, 0, 11, 1)])
    >>> adjacency(g, distance=1.0)
    (array([0]), array([1]))
    """
    if len(geoms) < 2:
        return np.empty(0, dtype=np.intp), np.empty(0, dtype=np.intp)
    return pairs_within(geoms, geoms, distance=distance, threads=threads, upper=True)


def neighbour_pairs(geoms: np.ndarray | pd.Series, *, gap_m: float, threads: int | None = None,
                    units: np.ndarray | pd.Series | None = None,
                    unit_gap_m: float | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Every pair ``(i, j)``, ``i < j``, of parcels within ``gap_m`` of each other (row positions).

    The neighbour graph of the whole layer: it depends only on the geometry and ``gap_m``, so
    scenario tools compute it once and pass it to :func:`cluster` and
    :func:`zoning.form_zones` (``neighbours=``) for every scenario; a distributed engine can
    build the same pairs per partition with a halo of ``gap_m``. Missing and empty geometries
    have no neighbours.

    ``units`` (one label per parcel, e.g. the 法定图则 unit or industrial block it lies in) with
    ``unit_gap_m`` adds the pairs of parcels *in the same unit* within ``unit_gap_m``: an estate
    cut by a 30–40 m secondary road stays one area when its plan unit says it is one.

    >>> from shapely import box
    >>> g = np.array([box(0, 0, 1, 1), None, box(1.5, 0, 2.5, 1), box(5, 0, 6, 1)])
    >>> neighbour_pairs(g, gap_m=1.0)
    (array([0]), array([2]))
    >>> neighbour_pairs(g, gap_m=1.0, units=np.array(["U1", "U1", "U2", "U2"]), unit_gap_m=3.0)
    (array([0, 2]), array([2, 3]))
    """
    geoms = np.asarray(geoms, dtype=object)
    ok = np.flatnonzero(~shapely.is_missing(geoms) & ~shapely.is_empty(geoms))
    i, j = adjacency(geoms[ok], distance=gap_m, threads=threads)
    i, j = ok[i], ok[j]
    if units is None or unit_gap_m is None or unit_gap_m <= gap_m:
        return i, j
    codes, _ = pd.factorize(pd.Series(np.asarray(units, dtype=object)), use_na_sentinel=True)
    has = ok[codes[ok] >= 0]
    ui, uj = adjacency(geoms[has], distance=unit_gap_m, threads=threads)
    ui, uj = has[ui], has[uj]
    same = codes[ui] == codes[uj]
    key = np.unique(np.concatenate([np.minimum(i, j) * len(geoms) + np.maximum(i, j),
                                    np.minimum(ui[same], uj[same]) * len(geoms) + np.maximum(ui[same], uj[same])]))
    return key // len(geoms), key % len(geoms)


def _components(n: int, i: np.ndarray, j: np.ndarray) -> np.ndarray:
    g = sparse.coo_matrix((np.ones(len(i), dtype=np.int8), (i, j)), shape=(n, n)).tocsr()
    return connected_components(g, directed=False)[1]


def pick_core_area(parcel: np.ndarray, area: np.ndarray, key: np.ndarray, label: np.ndarray) -> np.ndarray:
    """For each thin parcel, the neighbouring core area it joins: the largest, ties to the smallest key.

    One row per (thin parcel, neighbouring core area) pair: ``parcel`` and, of the core area,
    its exact ``area``, its smallest ``key`` (the order key of its westernmost parcel, which
    does not depend on row order or partitioning) and the ``label`` to return. Returns, per
    row, the label chosen for that row's parcel.

    >>> pick_core_area(np.array([0, 0]), np.array([5.0, 5.0]), np.array([7, 3]), np.array([10, 20])).tolist()
    [20, 20]
    """
    order = np.lexsort((key, -area, parcel))
    p = parcel[order]
    first = np.r_[True, p[1:] != p[:-1]]
    chosen = pd.Series(label[order][first], index=p[first])
    return chosen.reindex(parcel).to_numpy()


def cluster(
    geoms: np.ndarray | pd.Series,
    classes: np.ndarray | pd.Series,
    *,
    gap_m: float = 25.0,
    min_core_neighbours: int = 3,
    area: np.ndarray | None = None,
    order_key: np.ndarray | None = None,
    pairs: tuple[np.ndarray, np.ndarray] | None = None,
) -> np.ndarray:
    """Group parcels of the same class into contiguous areas.

    Parameters
    ----------
    geoms
        Parcel geometries (projected, metres).
    classes
        Candidate class per parcel; parcels with ``""``, ``"none"``, ``"not_industrial"`` or
        missing are not grouped. Integer class codes work too (negative: not grouped).
    gap_m
        Distance tolerance: parcels closer than this are neighbours.
    min_core_neighbours
        Same-class neighbours a parcel needs to link parts of an area (chain guard; 0 or 1
        gives plain connected components).
    area
        Parcel areas, used to attach a thin parcel to the largest neighbouring area.
    order_key
        Sortable key per parcel (e.g. parcel ids) used to number groups independently of
        row order, and to break ties between equal-area core areas. Defaults to the row
        position.
    pairs
        Precomputed :func:`neighbour_pairs` of ``geoms`` at ``gap_m`` (row positions). Given,
        no spatial query runs: the candidates' pairs are selected from them (same result).

    Returns
    -------
    ndarray of int
        Group number per parcel (``-1`` where not grouped), numbered 0, 1, … in the order
        of each group's smallest ``order_key``.

    Examples
    --------
    >>> from shapely import box
    >>> g = np.array([box(x, 0, x + 10, 10) for x in (0, 10, 100)])
    >>> cluster(g, np.array(["retain", "retain", "retain"]), gap_m=5, min_core_neighbours=0).tolist()
    [0, 0, 1]
    """
    geoms = np.asarray(geoms, dtype=object)
    n = len(geoms)
    labels = np.full(n, -1, dtype=np.int64)
    raw = np.asarray(classes)
    if np.issubdtype(raw.dtype, np.integer):  # class codes: negative = not grouped
        cls = raw
        member = cls >= 0
    else:
        cls = pd.Series(raw.astype(object)).fillna("").astype(str).to_numpy()
        member = ~np.isin(cls, ["", "none", "not_industrial"])
    member &= ~shapely.is_missing(geoms) & ~shapely.is_empty(geoms)
    idx = np.flatnonzero(member)
    if len(idx) == 0:
        return labels
    if pairs is None:
        i, j = adjacency(geoms[idx], distance=gap_m)
    else:
        pi, pj = pairs
        keep = member[pi] & member[pj]
        pos = np.full(n, -1, dtype=np.intp)
        pos[idx] = np.arange(len(idx))
        i, j = pos[pi[keep]], pos[pj[keep]]
    same = cls[idx[i]] == cls[idx[j]]
    i, j = i[same], j[same]
    m = len(idx)
    key = np.unique(np.asarray(order_key)[idx], return_inverse=True)[1].ravel() if order_key is not None else idx
    deg = np.bincount(i, minlength=m) + np.bincount(j, minlength=m)
    core = deg >= max(min_core_neighbours, 0)
    # 1. cores linked to cores
    cc = core[i] & core[j]
    comp = _components(m, i[cc], j[cc])
    local = np.where(core, comp, -1)
    # 2. a thin parcel next to cores joins the largest neighbouring core area
    w = np.ones(m) if area is None else np.nan_to_num(np.asarray(area, dtype="float64")[idx], nan=0.0)
    # exact sums: the comparison below must not depend on the order the areas were added in
    comp_area = group_sum(comp[core], w[core], m) if core.any() else np.zeros(m)
    comp_key = np.zeros(m, dtype=np.int64)
    if core.any():
        comp_key = pd.Series(key[core]).groupby(comp[core]).min().reindex(range(m), fill_value=0).to_numpy()
    ii = np.concatenate([i, j])
    jj = np.concatenate([j, i])
    border = ~core[ii] & core[jj]
    if border.any():
        b, c = ii[border], comp[jj[border]]
        local[b] = pick_core_area(b, comp_area[c], comp_key[c], c)
    # 3. candidates touching no core group among themselves
    rest = local < 0
    if rest.any():
        rr = rest[i] & rest[j]
        comp2 = _components(m, i[rr], j[rr])
        local[rest] = m + comp2[rest]
    # number groups by their smallest order key, independent of row order
    uniq, inv = np.unique(local, return_inverse=True)
    first_key = pd.Series(key).groupby(inv).min().to_numpy()
    rank = np.empty(len(uniq), dtype=np.int64)
    rank[np.argsort(first_key, kind="stable")] = np.arange(len(uniq))
    labels[idx] = rank[inv]
    return labels
