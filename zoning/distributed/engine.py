"""The phases of a distributed run, and what crosses partitions between them.

Every phase runs one task per partition on the workers (``dask.distributed`` futures; the
partition stays on its worker from phase to phase); between phases the client reduces small
tables. Nothing in a phase depends on how the layer was cut:

1. **standardise** each partition; the client decides which share columns are in percent
   (over the whole layer) and hashes the parcel ids to find duplicates across partitions.
2. **validate + indicators** per partition (the per-row checks); the findings are merged by
   code and the global ones (duplicate ids, overlaps across partitions) added.
3. **quantiles**: the stock's (value, land area) pairs of each quantile criterion are
   gathered and the threshold taken over the whole layer (:func:`weighted_quantile`).
4. **classify** each partition with those thresholds; neighbour pairs inside it.
5. **halo pairs** between partitions whose boxes come within ``gap_m`` (:mod:`.halo`).
6. **chain guard**: degrees count neighbours on both sides of a boundary; per-partition core
   components are joined by union-find over core–core cross pairs (:mod:`.unionfind`); each
   thin parcel joins the largest neighbouring core area (exact areas, ties to the area whose
   westernmost parcel comes first); candidates touching no core are joined likewise.
7. **areas**: numbered west to east by their westernmost parcel over the whole layer; exact
   limb sums (:mod:`zoning.stages.sums`) of land and area-weighted indicators add up across
   partitions, so the zone tests (``decide_areas``) see the one-machine numbers bit for bit.
8. **enclaves** with the neighbours on both sides of a boundary.
9. **reasons, outputs, dissolve** per partition; zone outlines spanning partitions are the
   union of the partial outlines; summaries from exact per-partition totals.
"""

from __future__ import annotations

import contextlib
import os
import re
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from zoning.distributed.store import PartState, call
from zoning.errors import InputError, Problem, ValidationError
from zoning.rules import load_rules
from zoning.rules.schema import RulePack
from zoning.stages.sums import group_limbs, to_float
from zoning.stages.validate import OVERLAP_AUTO_LIMIT, ValidationReport
from zoning.units import ZONES

__all__ = ["DistributedRun", "check_output_folder", "cluster_client", "run_distributed"]

_LIMBS = ["l0", "l1", "l2", "l3"]
PHASES = ("read", "validate", "halo pairs", "classify", "core areas", "thin parcels", "areas", "enclaves", "outputs")


# --- worker side: one function per phase, on one partition's store ----------------------
#
# Each ``_w_*`` function takes a partition's state (a :class:`~zoning.distributed.store.PartState`
# that reads its fields from the partition's folder on first use) and either sets fields and
# returns the state, or returns a small value for the client. They run through
# :func:`zoning.distributed.store.call`, which writes the fields back; between tasks a worker
# holds nothing of its partitions.

def _nthreads() -> int:
    """Threads a task may use: the worker's own (dask runs one task per worker thread)."""
    try:
        from distributed import get_worker

        return max(1, int(get_worker().state.nthreads))
    except (ImportError, ValueError, AttributeError):
        return 1


def on_home(client: Any, home: list[str], k: int, shared: bool, fn: Any, *args: Any) -> Any:
    """Submit a task of partition ``k`` to the worker that holds its store (``home[k]``), or to
    any worker when the stores are on a folder every worker reaches (``shared``)."""
    return client.submit(fn, *args, pure=False, workers=[home[k]] if home else None, allow_other_workers=shared)


def _w_put(part: gpd.GeoDataFrame | None, run_id: str, k: int, scratch: str | None,
           source: tuple[str, list[int] | None, int] | None, columns: dict[str, str] | None) -> str:
    """Open partition ``k``'s store with its rows standardised (:func:`zoning.io.read.standardise_parcels`):
    a frame, or row groups of a GeoParquet file read here (``source`` = path, row groups or
    None for all, number of the first row). Also the share-column evidence and the id hashes
    the client decides over the whole layer."""
    from zoning.distributed.partitions import read_rows
    from zoning.distributed.store import PartState, open_store
    from zoning.io.read import standardise_parcels
    from zoning.stages.validate import percent_evidence

    root = open_store(run_id, k, scratch)
    if source is not None:
        part = read_rows(*source)
    assert part is not None
    st = PartState(root)
    if len(part) == 0:
        st.update(n=0, std=part, evidence={}, id_hash=np.empty(0, dtype=np.uint64))
    else:
        std = standardise_parcels(part, columns=columns)
        del part
        ids = std["parcel_id"].astype(str) if "parcel_id" in std else pd.Series([str(i) for i in std.index])
        st.update(n=len(std), std=std, evidence=percent_evidence(std),
                  id_hash=pd.util.hash_pandas_object(pd.Series(ids.to_numpy(dtype=object)), index=False).to_numpy())
    st.flush()
    return root


def _w_crs_info(st: PartState) -> tuple[Any, tuple[float, ...] | None, int]:
    g = st["std"]
    return g.crs, (tuple(g.total_bounds) if len(g) else None), len(g)


def _w_dup_rows(st: PartState, hashes: np.ndarray) -> pd.Series:
    if st["n"] == 0:
        return pd.Series([], dtype=object)
    std = st["std"]
    if "parcel_id" not in std:
        return pd.Series([], dtype=object)
    hit = np.isin(st["id_hash"], hashes)
    return std["parcel_id"][hit].astype(object)


def _w_validate(st: PartState, pack: RulePack, year: int, percent: dict[str, float],
                overlaps: bool, tolerance_m2: float, units: str | None = None, target_crs: Any = None) -> PartState:
    """Per-row checks and indicators; geometry, boxes and ids for the halo; overlaps inside."""
    from zoning.stages.classify import quantile_inputs, stock_mask
    from zoning.stages.indicators import compute_indicators
    from zoning.stages.validate import local_overlap_pairs, validate_parcels

    if st["n"] == 0:
        st.update(problems=[], problem_rows=[], quoted=None, quantiles={}, box=None, overlaps=None, crs=None)
        st.discard("std")
        return st
    std = st["std"]
    if target_crs is not None:  # one metric CRS, chosen from the whole layer
        from zoning.io.crs import ensure_metric_crs

        std = ensure_metric_crs(std, target_crs=target_crs)
    report = validate_parcels(std, rules=pack, reference_year=year, check_overlaps=False, percent_columns=percent)
    st.discard("std")
    clean = report.parcels
    problems = [p for p in report.problems if p.code != "duplicate_id"]  # decided over the whole layer
    pid = pd.Index(clean["parcel_id"].astype(str).to_numpy(dtype=object))
    rows = []
    for p in problems:  # the row labels of the parcels each finding names (None: not parcel ids here)
        ids = [str(i) for i in p.ids]
        pos = pid.get_indexer(ids) if pid.is_unique else np.full(len(ids), -1, dtype=np.int64)
        rows.append(np.asarray(clean.index)[pos] if len(ids) and (pos >= 0).all() else None)
    # the input rows of the first parcels each finding names: the client validates them again
    # to word the merged messages with the whole layer's first examples
    quoted = list(dict.fromkeys(r for p, rr in zip(problems, rows, strict=True) if p.code in REWORDED and rr is not None
                                for r in rr[:_QUOTED]))
    st["quoted"] = std.loc[quoted] if quoted else None
    del std
    if units is not None:
        if units not in clean:
            msg = f"units={units!r}: no such column; columns: {', '.join(map(str, clean.columns))}"
            raise InputError(msg)
        u = clean[units].astype(object).to_numpy()
        st["units"] = np.where(pd.isna(u), None, u)
    st.update(problems=problems, problem_rows=rows,
              clean=clean, landuse=report.landuse, crs=clean.crs,
              district=clean["district"].to_numpy() if "district" in clean else None)
    if report.ok:
        ind = compute_indicators(clean, reference_year=year, landuse=report.landuse)
        in_stock = stock_mask(ind, pack)
        q = {}
        for c in pack.criteria:
            if c.level in ("parcel", "zone") and c.quantile is not None and (c.indicator, c.quantile) not in q:
                q[(c.indicator, c.quantile)] = quantile_inputs(c, ind, in_stock)
        st.update(ind=ind, in_stock=in_stock, quantiles=q)
    else:
        st.update(quantiles={})
    geoms = clean.geometry.to_numpy()
    present = ~shapely.is_missing(geoms) & ~shapely.is_empty(geoms)
    b = shapely.bounds(geoms)
    box = (float(np.nanmin(b[present, 0])), float(np.nanmin(b[present, 1])), float(np.nanmax(b[present, 2])),
           float(np.nanmax(b[present, 3]))) if present.any() else None
    st.update(geoms=geoms, bounds=b, present=present, box=box, ids=np.asarray(clean["parcel_id"].astype(str), dtype=object),
              overlaps=local_overlap_pairs(clean, tolerance_m2, threads=_nthreads()) if overlaps else None)
    return st


def _w_percentiles(st: PartState, indicators: list[str]) -> dict[str, tuple[np.ndarray, np.ndarray]]:
    """Quota mode: the distinct finite values of each scored indicator in the stock, with counts."""
    if st["n"] == 0 or "ind" not in st:
        return {}
    ind, in_stock = st["ind"], st["in_stock"]
    out = {}
    for name in indicators:
        v = ind[name].to_numpy(dtype="float64")[in_stock]
        out[name] = np.unique(v[np.isfinite(v)], return_counts=True)
    return out


def _w_classify(st: PartState, pack: RulePack, thresholds: dict[str, Any], gap: float,
                ranks: dict[str, Any] | None = None, unit_gap: float | None = None) -> PartState:
    from zoning.stages.classify import NOT_INDUSTRIAL, classify
    from zoning.stages.cluster import adjacency
    from zoning.stages.zones import candidate_codes, class_scores, quota_lean

    if st["n"] == 0:
        return st
    ind = st["ind"]
    cls = classify(ind, rules=pack, thresholds=thresholds)
    in_stock = cls["in_stock"].to_numpy()
    if ranks is not None:  # quota mode: lean by score, percentiles over the whole layer's stock
        scores = class_scores(ind, cls, pack, percentile=lambda col, v, m: _global_percentile(v, m, ranks[col]))
        lean = quota_lean(ind, cls, pack, scores)
        st["scores"] = scores
    else:
        lean = cls["candidate"].to_numpy(dtype=object)
    classes = np.where(in_stock, lean, NOT_INDUSTRIAL)
    codes = candidate_codes(classes, pack)
    member = (codes >= 0) & st["present"]
    idx = np.flatnonzero(member)  # same-class neighbour pairs, as cluster() finds them
    i, j = adjacency(st["geoms"][idx], distance=gap, threads=_nthreads())
    if unit_gap is not None and "units" in st:  # plan units: same-unit pairs within unit_gap too, each pair once
        from zoning.distributed.halo import unique_pairs, unit_pairs

        g, u = st["geoms"][idx], st["units"][idx]
        ui, uj = unit_pairs(g, u, g, u, unit_gap)
        keep = ui < uj
        i, j = unique_pairs(np.concatenate([i, ui[keep]]), np.concatenate([j, uj[keep]]), max(len(idx), 1))
    same = codes[idx[i]] == codes[idx[j]]
    i, j = idx[i[same]], idx[j[same]]
    st.update(cls=cls, classes=classes, class_codes=codes, member=member,
              area0=np.nan_to_num(ind["land_area_m2"].to_numpy(dtype="float64"), nan=0.0), pi=i, pj=j)
    return st


def rank_table(parts: list[tuple[np.ndarray, np.ndarray]]) -> dict[str, Any]:
    """Merge the partitions' (distinct values, counts) of one indicator into the table
    :func:`_global_percentile` ranks with: distinct values, their counts, how many values are
    smaller, and the total."""
    vs = [v for v, _ in parts]
    cs = [c for _, c in parts]
    uniq, inv = np.unique(np.concatenate(vs) if vs else np.empty(0), return_inverse=True)
    count = np.bincount(inv, weights=np.concatenate(cs).astype("float64") if cs else None, minlength=len(uniq)).astype(np.int64)
    less = np.concatenate([[0], np.cumsum(count)[:-1]]).astype(np.int64) if len(count) else np.empty(0, dtype=np.int64)
    return {"uniq": uniq, "count": count, "less": less, "total": int(count.sum())}


def _global_percentile(values: np.ndarray, in_stock: np.ndarray, ranks: dict[str, Any]) -> np.ndarray:
    """``pandas.Series.rank(pct=True, method="average")`` over the whole layer's stock, from
    the merged table of distinct values: (less + (1 + … + equal) / equal) / count, computed
    as pandas does (the sum of the tied ranks divided by their number, then by the count)."""
    uniq, less, count, total = ranks["uniq"], ranks["less"], ranks["count"], ranks["total"]
    out = np.full(len(values), np.nan)
    v = values[in_stock]
    ok = np.isfinite(v)
    pos = np.searchsorted(uniq, v[ok])
    d = count[pos].astype("float64")
    lo = less[pos].astype("float64")
    avg = (lo * d + d * (d + 1) / 2) / d
    tmp = np.full(len(v), np.nan)
    tmp[ok] = avg / float(total)
    out[in_stock] = tmp
    return out


def _w_small(st: PartState) -> tuple[int, dict[str, Any], np.ndarray]:
    return st["n"], st["evidence"], st["id_hash"]


def _w_get(st: PartState, name: str) -> Any:
    return st.get(name)


def _w_halo(st: PartState, box: tuple[float, float, float, float], reach: float) -> dict[str, Any]:
    from zoning.distributed.halo import halo

    return halo(st["geoms"], st["bounds"], st["ids"], box, reach, st.get("units"))


def _w_cross(st: PartState, other: dict[str, Any], box: tuple[float, float, float, float], gap: float,
             overlaps: bool, tolerance_m2: float, unit_gap: float | None) -> dict[str, Any]:
    from zoning.distributed.halo import cross_pairs

    return cross_pairs(st["geoms"], st["bounds"], st["ids"], other, box, gap, overlaps=overlaps, tolerance_m2=tolerance_m2,
                       units=st.get("units"), unit_gap=unit_gap)


def _w_take(st: PartState, idx: np.ndarray, names: list[str]) -> dict[str, np.ndarray] | None:
    if st["n"] == 0:
        return None
    return {k: np.asarray(st[k])[idx] for k in names}


def _min_keys(st: PartState, rows: np.ndarray, groups: np.ndarray) -> pd.DataFrame:
    """Per group, the (minx, miny, parcel id) of its westernmost parcel."""
    b, ids = st["bounds"], st["ids"]
    t = pd.DataFrame({"g": groups, "kx": b[rows, 0], "ky": b[rows, 1], "pid": ids[rows]})
    return t.sort_values(["g", "kx", "ky", "pid"], kind="stable").drop_duplicates("g").reset_index(drop=True)


def _w_core(st: PartState, xi: np.ndarray, xcount: np.ndarray, min_core: int) -> PartState:
    from zoning.stages.cluster import _components

    if st["n"] == 0:
        st.update(ncomp=0)
        return st
    n, i, j, member = st["n"], st["pi"], st["pj"], st["member"]
    deg = np.bincount(i, minlength=n) + np.bincount(j, minlength=n)
    np.add.at(deg, xi, xcount)
    core = member & (deg >= max(min_core, 0))
    cc = core[i] & core[j]
    comp_all = _components(n, i[cc], j[cc])
    comp = np.full(n, -1, dtype=np.int64)
    if core.any():
        _, comp[core] = np.unique(comp_all[core], return_inverse=True)
    ncomp = int(comp.max()) + 1 if core.any() else 0
    rows = np.flatnonzero(core)
    keys = _min_keys(st, rows, comp[rows])
    st.update(core=core, comp=comp, ncomp=ncomp, comp_limbs=group_limbs(comp[rows], st["area0"][rows], ncomp),
              comp_keys=keys)
    return st


def _w_comp_info(st: PartState, comps: np.ndarray) -> pd.DataFrame:
    t = st["comp_keys"].set_index("g").loc[comps].reset_index()
    lim = st["comp_limbs"][comps]
    for k, c in enumerate(_LIMBS):
        t[c] = lim[:, k]
    return t


def _w_assign(st: PartState, core_label: np.ndarray, merged: pd.DataFrame, thin_cross: pd.DataFrame) -> PartState:
    """Thin parcels join the largest neighbouring core area; the rest form components."""
    from zoning.stages.cluster import _components, pick_core_area

    if st["n"] == 0:
        st.update(nrest=0)
        return st
    n, i, j, member, core, comp = st["n"], st["pi"], st["pj"], st["member"], st["core"], st["comp"]
    label = np.full(n, -1, dtype=np.int64)
    label[core] = core_label[comp[core]]
    # each core component's area: its own, or the whole area's when it spans partitions
    info = st["comp_keys"].set_index("g").reindex(range(st["ncomp"]))
    c_area = to_float(st["comp_limbs"]).copy()
    c_kx = info["kx"].to_numpy(dtype="float64", copy=True)
    c_ky = info["ky"].to_numpy(dtype="float64", copy=True)
    c_pid = info["pid"].to_numpy(dtype=object, copy=True)
    if len(merged):
        g = merged["comp"].to_numpy()
        c_area[g] = merged["area"].to_numpy()
        c_kx[g], c_ky[g] = merged["kx"].to_numpy(), merged["ky"].to_numpy()
        c_pid[g] = merged["pid"].to_numpy(dtype=object)
    ii, jj = np.concatenate([i, j]), np.concatenate([j, i])
    border = member[ii] & ~core[ii] & core[jj]
    b, c = ii[border], comp[jj[border]]
    cand = pd.DataFrame({"b": b, "label": core_label[c], "area": c_area[c], "kx": c_kx[c], "ky": c_ky[c], "pid": c_pid[c]})
    if len(thin_cross):
        cand = pd.concat([cand, thin_cross.rename(columns={"idx": "b"})[cand.columns]], ignore_index=True)
    if len(cand):
        rank = np.lexsort((cand["pid"].to_numpy(dtype=object), cand["ky"].to_numpy(), cand["kx"].to_numpy())).argsort()
        bb = cand["b"].to_numpy(dtype=np.int64)
        label[bb] = pick_core_area(bb, cand["area"].to_numpy(dtype="float64"), rank, cand["label"].to_numpy(dtype=np.int64))
    rest = member & (label < 0)
    rr = rest[i] & rest[j]
    rcomp = np.full(n, -1, dtype=np.int64)
    if rest.any():
        comp2 = _components(n, i[rr], j[rr])
        _, rcomp[rest] = np.unique(comp2[rest], return_inverse=True)
    st.update(label=label, rest=rest, rcomp=rcomp, nrest=int(rcomp.max()) + 1 if rest.any() else 0)
    return st


def _w_group_keys(st: PartState, rest_label: np.ndarray) -> PartState:
    if st["n"] == 0:
        st.update(group_keys=pd.DataFrame({"g": [], "kx": [], "ky": [], "pid": []}))
        return st
    label = st["label"].copy()
    rest = st["rest"]
    label[rest] = rest_label[st["rcomp"][rest]]
    rows = np.flatnonzero(label >= 0)
    st.update(label=label, group_keys=_min_keys(st, rows, label[rows]))
    return st


def _w_areas(st: PartState, numbers: pd.Series) -> PartState:
    """Global area numbers; exact per-area sums of this partition."""
    from zoning.stages.zones import _AREA_INDICATORS, area_sums, district_land

    if st["n"] == 0:
        st.update(area_part=None)
        return st
    label = st["label"]
    codes = np.full(st["n"], -1, dtype=np.int64)
    grouped = label >= 0
    codes[grouped] = numbers.reindex(label[grouped]).to_numpy(dtype=np.int64)
    uniq, inv = np.unique(codes[grouped], return_inverse=True)
    ind = st["ind"]
    w = st["area0"][grouped]
    sums = area_sums(inv, w, {k: ind[k].to_numpy(dtype="float64")[grouped] for k in _AREA_INDICATORS}, len(uniq))
    g_class = np.empty(len(uniq), dtype=object)
    g_class[inv] = st["classes"][grouped]
    b = st["bounds"][grouped]
    env = pd.DataFrame(b, columns=["x0", "y0", "x1", "y1"]).groupby(inv).agg({"x0": "min", "y0": "min", "x1": "max", "y1": "max"})
    part = {"areas": uniq, "sums": sums, "class": g_class, "env": env.to_numpy(),
            "stock": group_limbs(np.zeros(int(st["in_stock"].sum()), dtype=np.int64), st["area0"][st["in_stock"]], 1)}
    if "scores" in st:  # quota mode: area-weighted class scores, exact sums
        sc = st["scores"]
        part["score_limbs"] = {c: group_limbs(inv, sc[c].to_numpy()[grouped] * w, len(uniq)) for c in sc.columns}
    if st["district"] is not None:
        land = district_land(inv, st["district"][grouped], w)
        land["area"] = uniq[land["area"].to_numpy()]
        part["land"] = land
    st.update(codes=codes, area_part=part)
    return st


def _w_enclave_prep(st: PartState, zcode: np.ndarray, env: pd.DataFrame, max_m2: float, gap: float,
                    unit_gap: float | None = None) -> PartState:
    from zoning.stages.cluster import pairs_within
    from zoning.stages.zones import enclave_candidates

    if st["n"] == 0:
        return st
    in_stock, codes = st["in_stock"], st["codes"]
    pz = np.where(in_stock, ZONES.index("unzoned"), ZONES.index("not_industrial")).astype(np.int8)
    g = codes >= 0
    pz[g] = zcode[codes[g]]
    zoned = pz <= 2
    st.update(pz=pz, zoned=zoned, enc_cand=np.zeros(st["n"], dtype=bool), enc_qi=np.empty(0, np.int64), enc_nc=np.empty(0, np.int64))
    if max_m2 <= 0 or len(env) == 0:
        return st
    cand = enclave_candidates(st["bounds"], st["present"], pz, in_stock, st["area0"], max_m2, env, gap)
    ci = np.flatnonzero(cand)
    if len(ci):
        qi, qj = pairs_within(st["geoms"][ci], st["geoms"], distance=gap, threads=_nthreads())
        if unit_gap is not None and "units" in st:
            from zoning.distributed.halo import unique_pairs, unit_pairs

            ui, uj = unit_pairs(st["geoms"][ci], st["units"][ci], st["geoms"], st["units"], unit_gap)
            qi, qj = unique_pairs(np.concatenate([qi, ui]), np.concatenate([qj, uj]), st["n"])
        qi = ci[qi]
        keep = qi != qj
        qi, qj = qi[keep], qj[keep]
        st.update(enc_qi=qi, enc_nc=np.where(zoned[qj], codes[qj], -1))
    st.update(enc_cand=cand)
    return st


def _w_enclave_finish(st: PartState, xq: np.ndarray, xnc: np.ndarray, zcode: np.ndarray) -> PartState:
    from zoning.stages.zones import enclosed

    if st["n"] == 0:
        st.update(enc_part=None)
        return st
    flag = np.zeros(st["n"], dtype=bool)
    pz, codes = st["pz"].copy(), st["codes"].copy()
    qi = np.concatenate([st["enc_qi"], xq]).astype(np.int64)
    nc = np.concatenate([st["enc_nc"], xnc]).astype(np.int64)
    part = None
    if len(qi):
        p, code = enclosed(qi, nc)
        flag[p] = True
        codes[p] = code
        pz[p] = zcode[code]
        if len(p):
            uniq, inv = np.unique(code, return_inverse=True)
            part = {"areas": uniq, "count": np.bincount(inv, minlength=len(uniq)),
                    "limbs": group_limbs(inv, st["area0"][p], len(uniq))}
    st.update(pz=pz, codes=codes, enclave=flag, enc_part=part)
    return st


def _w_outputs(st: PartState, pack: RulePack, lang: str, mode: str, area_cols: pd.DataFrame,
               coverage: bool | None) -> PartState:
    from zoning.stages.reasons import explain
    from zoning.stages.run import _dissolve, assemble_parcels
    from zoning.stages.summary import district_totals, zone_totals
    from zoning.stages.zones import _contradictions, parcel_frame

    if st["n"] == 0:
        st.update(out=None, dissolved=None, ztot=None, dtot=None)
        return st
    clean = st["clean"]
    contradicts, relocation = _contradictions(pack, st["ind"], st["cls"], st["pz"])
    zp = parcel_frame(clean.index, st["pz"], st["codes"], st["classes"], st["enclave"], area_cols, contradicts, relocation)
    why = explain(clean, st["ind"], st["cls"], zp, rules=pack, lang=lang, mode=mode)
    out = assemble_parcels(clean, st["ind"], st["cls"], zp, why, pack, lang)
    zoned = st["pz"] <= 2
    dissolved = None
    if zoned.any():
        uniq = np.unique(st["codes"][zoned])
        dissolved = (uniq, _dissolve(clean.geometry.to_numpy()[zoned], np.searchsorted(uniq, st["codes"][zoned]), coverage))
    st.update(out=out, dissolved=dissolved, ztot=zone_totals(out["zone"], out["land_area_m2"], out["cluster_id"]),
              dtot=district_totals(out["zone"], out["land_area_m2"], out["district"] if "district" in out else None))
    return st


def _w_frames(st: PartState) -> tuple[Any, Any, Any]:
    if st["n"] == 0:
        return None, None, None
    return st["out"], st["ind"], st["cls"].table


def _w_examples(st: PartState) -> pd.DataFrame | None:
    if st["n"] == 0 or st.get("out") is None:
        return None
    out = st["out"]
    return pd.DataFrame({"parcel_id": out["parcel_id"].astype(str).to_numpy(), "zone": out["zone"].astype(str).to_numpy(),
                         "reason": out["reason"].astype(str).to_numpy()}).drop_duplicates("zone")


def _w_write(st: PartState, path: str) -> int:
    if st["n"] == 0 or st.get("out") is None:
        return 0
    out = st["out"].copy()
    for c in out.columns:
        if isinstance(out[c].dtype, pd.CategoricalDtype):
            out[c] = out[c].astype(object).where(out[c].notna(), None)
    target = Path(path)
    tmp = target.with_name(target.name + ".tmp")
    out.to_parquet(tmp)
    os.replace(tmp, target)
    return len(out)


# --- client side -------------------------------------------------------------------------

_COUNT = re.compile(r"^\d+")


#: The order in which :func:`zoning.validate_parcels` reports its findings (codes it can give
#: per partition, and the ones the engine adds over the whole layer: ``duplicate_id``,
#: ``reprojected``, ``overlaps_not_checked``, ``overlap``). Merged findings follow it.
CHECK_ORDER = (
    "decimal_comma", "ambiguous_number", "unparsed_number", "unparsed_year", "unknown_flag", "unknown_quality",
    "stripped_id", "no_parcels", "duplicate_index", "no_parcel_id", "blank_parcel_id", "duplicate_id", "reprojected",
    "no_crs", "bad_crs", "empty_geometry", "collection_repaired", "not_polygon", "z_dropped",
    "invalid_geometry_repaired", "invalid_geometry", "multipart", "overlaps_not_checked", "overlap",
    "negative_value", "negative_tax", "percent_converted", "negative_share", "implausible_share",
    "implausible_legal_area", "area_mismatch", "implausible_far", "future_year", "implausible_year", "missing_column",
    "unknown_landuse", "landuse_guessed", "mixed_landuse", "missing_value",
)
_RANK = {c: r for r, c in enumerate(CHECK_ORDER)}


def _check_rank(code: str, column: str | None) -> int:
    """Where a finding comes in :data:`CHECK_ORDER` (share columns and the legal-area share
    are checked at their own steps)."""
    if code == "negative_value" and column in ("legal_ratio", "green_ratio"):
        code = "negative_share"
    elif code == "implausible_share" and column == "legal_area_m2":
        code = "implausible_legal_area"
    return _RANK.get(code, len(_RANK))


def merge_problems(lists: list[list[Problem]], positions: list[list[np.ndarray]] | None = None) -> list[Problem]:
    """Findings of the partitions as one list: one entry per (severity, code, column), ids
    merged, the leading count of the message made the total.

    Findings come in the order the partitions first give them (:func:`_in_check_order` then
    orders them as :func:`zoning.validate_parcels` does). ``positions[k][i]`` are the positions in the whole
    layer of the parcels partition ``k``'s finding ``i`` names (``inf``: unknown): the merged
    ids are then in layer order, as on one machine, and the examples a merged message quotes
    come from the partition holding the earliest parcel flagged (without positions: the first
    partition that has the finding). They are the one-machine examples whenever that
    partition holds the first few parcels flagged.
    """
    merged: dict[tuple[Any, ...], list[Any]] = {}
    for k, lst in enumerate(lists):
        for i, p in enumerate(lst):
            key = (p.severity, p.code, p.column)
            pos = np.asarray(positions[k][i], dtype="float64") if positions is not None else np.full(len(p.ids), float(k))
            first = float(pos.min()) if len(pos) else np.inf
            if key not in merged:
                merged[key] = [p, [list(p.ids)], [pos], first]
            else:
                merged[key][1].append(list(p.ids))
                merged[key][2].append(pos)
                if first < merged[key][3]:
                    merged[key][0], merged[key][3] = p, first
    out = []
    for key in merged:  # first-seen order; _in_check_order puts the whole list in check order
        p, id_lists, pos_lists, _ = merged[key]
        ids = [i for lst in id_lists for i in lst]
        pos = np.concatenate(pos_lists)
        if len(id_lists) > 1 and len(pos) == len(ids):
            ids = [ids[j] for j in np.argsort(pos, kind="stable")]
        msg = p.message
        m = _COUNT.match(msg)
        if ids and m is not None and int(m.group()) == len(p.ids):
            msg = _COUNT.sub(str(len(ids)), msg, count=1)
        out.append(Problem(p.severity, p.code, msg, p.column, ids, p.fix))
    return out


#: Findings whose message is a count and the first few parcels flagged (with their values):
#: validating just the first few parcels flagged over the whole layer words them exactly as
#: one machine does (the count is then made the total).
REWORDED = frozenset({"blank_parcel_id", "empty_geometry", "collection_repaired", "z_dropped", "multipart", "negative_value",
                      "negative_tax", "implausible_share", "area_mismatch", "implausible_far", "future_year",
                      "implausible_year", "missing_value"})
_QUOTED = 6  # one more than a message shows, so that its "…" is right


def reword(merged: list[Problem], plists: list[list[Problem]], positions: list[list[np.ndarray]],
           rows: list[list[np.ndarray | None]], quoted: list[gpd.GeoDataFrame | None], validate: Any) -> list[Problem]:
    """Merged findings (:func:`merge_problems`) worded as on one machine.

    For every finding in :data:`REWORDED`, the first few parcels it names over the whole
    layer (by ``positions``) are taken from the partitions' ``quoted`` input rows;
    ``validate`` (:func:`zoning.validate_parcels` with the run's settings) checks them again,
    in layer order, and its message for the same finding — the count made the total —
    replaces the merged one. Those parcels are flagged on one machine too and the layer's
    first few flagged are all among them, so the message quotes the one-machine examples.
    """
    first: dict[tuple[Any, ...], list[tuple[float, int, int, Any]]] = {}
    for k, (ps, poss, rs) in enumerate(zip(plists, positions, rows, strict=True)):
        for p, pos, r in zip(ps, poss, rs, strict=True):
            if p.code in REWORDED and r is not None and quoted[k] is not None:
                first.setdefault((p.severity, p.code, p.column), []).extend(
                    (float(pos[j]), k, j, r[j]) for j in range(min(len(r), _QUOTED)))
    if not first:
        return merged
    picked: dict[tuple[int, Any], float] = {}
    for lst in first.values():
        for at, kk, _, lab in sorted(lst, key=lambda t: (t[0], t[1], t[2]))[:_QUOTED]:
            picked[(kk, lab)] = at
    parts = []
    for k in sorted({k for k, _ in picked}):
        q = quoted[k]
        assert q is not None
        labels = [lab for kk, lab in picked if kk == k]
        parts.append(q.loc[labels].assign(_pos=[picked[(k, lab)] for lab in labels]))
    sub = pd.concat(parts).sort_values("_pos", kind="stable").drop(columns="_pos")
    first_q = next(q for q in quoted if q is not None)
    sub = gpd.GeoDataFrame(sub, geometry=first_q.geometry.name, crs=first_q.crs)
    try:
        found = {(q.severity, q.code, q.column): q for q in validate(sub).problems}
    except Exception:  # wording only: keep the partitions' words
        return merged
    out = []
    for p in merged:
        q = found.get((p.severity, p.code, p.column))
        if p.code in REWORDED and q is not None:
            m = _COUNT.match(q.message)
            if m is not None and int(m.group()) == len(q.ids):
                p = Problem(p.severity, p.code, _COUNT.sub(str(len(p.ids)), q.message, count=1), p.column, p.ids, p.fix)
        out.append(p)
    return out


def _in_check_order(problems: list[Problem]) -> list[Problem]:
    """``problems`` (a merged list plus the whole-layer findings) in :data:`CHECK_ORDER`."""
    return [p for _, p in sorted(enumerate(problems), key=lambda t: (_check_rank(t[1].code, t[1].column), t[0]))]


class PartitionedReport(ValidationReport):
    """A validation report whose parcels stay on the workers (``n_parcels`` counts them)."""

    def __init__(self, problems: list[Problem], parcels: gpd.GeoDataFrame, rules: str, n_parcels: int) -> None:
        super().__init__(problems, parcels, rules)
        self.n_parcels = n_parcels

    def summary(self) -> str:
        return (f"{self.n_parcels} parcels checked against '{self.rules}': "
                f"{len(self.errors)} error(s), {len(self.warnings)} warning(s)")


@dataclass
class DistributedRun:
    """A finished distributed run: the per-parcel outputs stay on the workers.

    ``zones``, ``areas``, ``summary``, ``by_district`` and ``validation`` are on the client;
    :meth:`to_result` gathers the parcels into a :class:`~zoning.ZoningResult` (when they fit
    in memory), :meth:`write` writes them from the workers as GeoParquet parts.
    """

    client: Any
    states: list[Any]
    index_order: pd.Index | None
    zones: gpd.GeoDataFrame
    areas: pd.DataFrame
    summary: pd.DataFrame
    by_district: pd.DataFrame
    validation: ValidationReport
    rules: RulePack
    thresholds: dict[str, Any]
    settings: Any
    stock_km2: float
    n_parcels: int
    timings: dict[str, float] = field(default_factory=dict)
    cross_pairs: int = 0
    home: list[str] = field(default_factory=list)
    run_id: str = ""
    scratch: str | None = None
    client_gb: dict[str, float] = field(default_factory=dict)

    def _each(self, fn: Any, *args: Any) -> list[Any]:
        self._check_open()
        shared = self.scratch is not None
        return self.client.gather([on_home(self.client, self.home, k, shared, call, fn, s, *args)
                                   for k, s in enumerate(self.states)])

    def _check_open(self) -> None:
        if not self.states and self.n_parcels:
            msg = "this distributed run was closed: its parcels are gone from the workers; run it again"
            raise InputError(msg)

    def close(self) -> None:
        """Remove the partition stores from the workers (the client's tables stay)."""
        if self.run_id:
            with contextlib.suppress(Exception):  # a cluster already shut down took its folders with it
                self.client.run(_drop_run, self.run_id, self.scratch)
        self.states = []

    def __enter__(self) -> DistributedRun:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def to_result(self) -> Any:
        """Gather every partition into one :class:`~zoning.ZoningResult`."""
        from zoning.stages.classify import Classification
        from zoning.stages.result import ZoningResult

        frames = [f for f in self._each(_w_frames) if f[0] is not None]
        out = pd.concat([f[0] for f in frames])
        ind = pd.concat([f[1] for f in frames])
        cls = pd.concat([f[2] for f in frames])
        order = self.index_order if self.index_order is not None else out.index.sort_values()
        out, ind, cls = out.loc[order], ind.loc[order], cls.loc[order]
        cats = self.areas["cluster_id"].tolist()
        out["cluster_id"] = pd.Categorical(out["cluster_id"].astype(object), categories=cats)
        out["zone"] = pd.Categorical(out["zone"].astype(object), categories=list(ZONES))
        for c in ("candidate", "zone_label"):
            out[c] = out[c].astype(object).astype("category")
        out = gpd.GeoDataFrame(out, geometry=out.geometry.name, crs=self.zones.crs)
        if "candidate" in cls:
            cls["candidate"] = pd.Categorical(cls["candidate"].astype(object),
                                              categories=[c.name for c in self.rules.candidates] + ["none", "not_industrial"])
        report = ValidationReport(self.validation.problems, out[[c for c in out.columns if c in frames[0][0].columns]],
                                  self.validation.rules)
        return ZoningResult(parcels=out, zones=self.zones, areas=self.areas, summary=self.summary,
                            by_district=self.by_district, stock_km2=self.stock_km2, validation=report, rules=self.rules,
                            thresholds=dict(self.thresholds), settings=self.settings, indicators=ind,
                            classification=Classification(cls, dict(self.thresholds), self.rules.pack.name),
                            timings=self.timings)

    def summary_text(self, *, lang: Literal["zh", "en"] | None = None) -> str:
        """The run as ``zoning classify`` prints it (see :meth:`zoning.ZoningResult.summary_text`)."""
        from zoning.outputs.text import result_text

        return result_text(self, lang)

    def examples(self) -> pd.DataFrame:
        """The first parcel of each zone (in partition order): ``parcel_id``, ``zone``, ``reason``."""
        rows = [r for r in self._each(_w_examples) if r is not None]
        if not rows:
            return pd.DataFrame({"parcel_id": [], "zone": [], "reason": []})
        return pd.concat(rows, ignore_index=True).drop_duplicates("zone")

    def write(self, folder: str | os.PathLike[str]) -> Path:
        """Write ``parcels/part-NNNNN.parquet`` from the workers, and the zones, areas,
        summary, by-district and validation tables beside them.

        Everything is written into a temporary folder next to ``folder`` which then takes its
        place, so a failure or Ctrl-C leaves a previous output folder whole.
        """
        from zoning.io.write import write_layers

        self._check_open()
        folder = check_output_folder(folder)
        folder.parent.mkdir(parents=True, exist_ok=True)
        import shutil
        import tempfile

        tmp = Path(tempfile.mkdtemp(dir=folder.parent, prefix=f".{folder.name}.", suffix=".tmp"))
        try:
            (tmp / "parcels").mkdir()
            futs = [on_home(self.client, self.home, k, self.scratch is not None, call, _w_write, s,
                            str(tmp / "parcels" / f"part-{k:05d}.parquet")) for k, s in enumerate(self.states)]
            self.client.gather(futs)
            write_layers({"zones": self.zones}, tmp / "zones.parquet")
            areas = self.areas.copy()
            areas["rank"] = areas["rank"].astype("Int64")
            areas.to_parquet(tmp / "areas.parquet")
            self.summary.reset_index().to_csv(tmp / "summary.csv", index=False)
            self.by_district.reset_index().to_csv(tmp / "by_district.csv", index=False)
            self.validation.to_frame().to_csv(tmp / "validation.csv", index=False)
            old = None
            if folder.exists():
                old = folder.with_name(f".{folder.name}.{os.getpid()}.old")
                os.replace(folder, old)
            os.replace(tmp, folder)
            if old is not None:
                shutil.rmtree(old, ignore_errors=True)
        except BaseException:
            shutil.rmtree(tmp, ignore_errors=True)
            raise
        return folder


#: What :meth:`DistributedRun.write` puts in its folder: the only things it writes over.
OUTPUT_FILES = frozenset({"parcels", "zones.parquet", "areas.parquet", "summary.csv", "by_district.csv", "validation.csv"})


def check_output_folder(folder: str | os.PathLike[str], inputs: tuple[str | os.PathLike[str], ...] = ()) -> Path:
    """The output folder, resolved, if :meth:`DistributedRun.write` may replace it.

    The folder is replaced whole, so it must be new, empty, or hold a previous output of this
    engine and nothing else; it must not be, hold or lie inside one of ``inputs``.
    """
    out = Path(folder).resolve()
    for i in inputs:
        src = Path(i).resolve()
        if out == src or out in src.parents or src in out.parents:
            msg = (f"-o/--output {folder} {'is' if out == src else 'holds' if out in src.parents else 'is inside'} the input "
                   f"{i}: zoning never writes over or into an input; choose another folder, e.g. {out.parent / (out.name + '_zoned')}")
            raise InputError(msg)
    if out.exists() and not out.is_dir():
        msg = f"{folder} is a file; the dask engine writes a folder of GeoParquet parts (or name a .gpkg/.parquet file)"
        raise InputError(msg)
    if out.is_dir():
        other = sorted(p.name for p in out.iterdir() if p.name not in OUTPUT_FILES)
        if other:
            shown = ", ".join(other[:5]) + (" …" if len(other) > 5 else "")
            msg = (f"{folder} already holds files zoning did not write ({shown}); an output folder is replaced whole, so "
                   "zoning writes only into a new or empty folder or over its own previous output. Choose another folder")
            raise InputError(msg)
    return out


def _drop_run(run_id: str, scratch: str | None, dask_worker: Any = None) -> None:
    """On a worker (``Client.run``): remove run ``run_id``'s partition stores."""
    import shutil

    if scratch is None:
        base = Path(dask_worker.local_directory)
    else:
        base = Path(scratch)
    shutil.rmtree(base / f"zoning-{run_id}", ignore_errors=True)


@contextlib.contextmanager
def cluster_client(client: Any = None, *, scheduler: str | None = None, workers: int | None = None,
                   memory_limit: str | float | None = "auto") -> Iterator[Any]:
    """A ``dask.distributed`` client: the one given, one connected to ``scheduler``, the
    current one, or a ``LocalCluster`` of ``workers`` processes (default 2, one thread each)
    started here and closed on exit."""
    from distributed import Client, LocalCluster

    if client is not None:
        yield client
        return
    if scheduler:
        with Client(scheduler) as c:
            yield c
        return
    if workers is None:
        try:
            from distributed import get_client

            yield get_client()
            return
        except ValueError:
            pass
    import dask

    # a worker over its memory limit spills partitions to disk; it is not killed (it holds partitions)
    with dask.config.set({"distributed.worker.memory.terminate": False}), \
            LocalCluster(n_workers=workers or 2, threads_per_worker=1, processes=True, memory_limit=memory_limit) as lc, \
            Client(lc) as c:
        yield c


def _peak_rss_gb() -> float:
    """This process's peak resident memory so far, GB (NaN where the OS does not say)."""
    try:
        import resource
        import sys

        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        return peak / (1e9 if sys.platform == "darwin" else 1e6)
    except (ImportError, OSError):
        return float("nan")


def _progress(total: int, enabled: bool) -> Any:
    from tqdm.auto import tqdm

    return tqdm(total=total, desc="zoning (dask)", unit="task", disable=not enabled, leave=False)


def _wait(futs: list[Any], bar: Any, phase: str) -> list[Any]:
    from distributed import wait

    bar.set_postfix_str(phase)
    if bar.disable:
        wait(futs)
        return futs
    from distributed import as_completed

    for _ in as_completed(futs):
        bar.update(1)
    return futs


def _target_crs(infos: list[tuple[Any, tuple[float, ...] | None, int]], name: str) -> tuple[Any, str | None]:
    """The metric CRS for a layer in degrees (or Web Mercator, feet), chosen once from the
    whole layer's extent as :func:`zoning.io.crs.ensure_metric_crs` chooses it for one
    frame, and the warning it gives (``None``, ``None`` for a layer already in metres)."""
    import warnings

    from zoning.io.crs import ensure_metric_crs, is_metric

    crs = next((c for c, _, _ in infos if c is not None), None)
    if crs is None or is_metric(crs):
        return None, None
    bnds = np.array([b for _, b, _ in infos if b is not None])
    if not len(bnds):
        return None, None
    box = shapely.box(bnds[:, 0].min(), bnds[:, 1].min(), bnds[:, 2].max(), bnds[:, 3].max())
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        target = ensure_metric_crs(gpd.GeoDataFrame(geometry=[box], crs=crs), name=name).crs
    return target, "; ".join(str(w.message) for w in caught) or None


def _is_parquet(path: Any) -> bool:
    p = Path(path)
    return p.is_dir() or p.suffix.lower() in (".parquet", ".geoparquet", ".pq")


def _load(client: Any, parcels: Any, npartitions: int | None, partitioning: Any, seed: int, run_id: str,
          scratch: str | None, workers: list[str], columns: dict[str, str] | None) -> tuple[list[Any], pd.Index | None, list[str]]:
    """Put every partition in its store on its home worker: futures of the stores' paths,
    the input's row order (a GeoDataFrame's index) and each partition's worker."""
    from zoning.distributed.partitions import assign, list_parts, plan_parts, split

    def home_of(n: int) -> list[str]:
        return [workers[k % len(workers)] for k in range(n)]

    def put(items: list[Any], specs: list[Any], home: list[str]) -> list[Any]:
        return [on_home(client, home, k, scratch is not None, _w_put, item, run_id, k, scratch, spec, columns)
                for k, (item, spec) in enumerate(zip(items, specs, strict=True))]

    if isinstance(parcels, gpd.GeoDataFrame):
        if not parcels.index.is_unique:
            msg = ("the GeoDataFrame index is not unique; every stage aligns results to the index. "
                   "Call parcels.reset_index(drop=True) first")
            raise ValidationError(msg)
        if not isinstance(partitioning, str):  # an explicit partition number per row
            part = np.asarray(partitioning, dtype=np.int64)
            n = max(int(npartitions or 0), int(part.max()) + 1 if len(part) else 1)
        else:
            n = npartitions or max(1, len(workers))
            part = assign(parcels, n, partitioning, seed=seed)  # type: ignore[arg-type]
        home = home_of(n)
        frames = split(parcels, part, n)
        futs = [client.scatter(f, workers=[home[k]], hash=False) for k, f in enumerate(frames)]
        del frames
        return put(futs, [None] * n, home), parcels.index, home
    files = list_parts(parcels)
    plan = plan_parts(files)
    if not npartitions or npartitions == len(plan):
        # the workers read their own parts: a part is in memory only while it is being stored
        home = home_of(len(plan))
        return put([None] * len(plan), plan, home), None, home
    # re-cut into npartitions: a dask shuffle of the whole layer (the parts' own cut is cheaper)
    import dask_geopandas

    ddf = dask_geopandas.read_parquet([str(f) for f in files])
    lengths = ddf.map_partitions(len).compute()
    offsets = np.concatenate([[0], np.cumsum(lengths)])

    def number(g: gpd.GeoDataFrame, partition_info: dict[str, Any] | None = None) -> gpd.GeoDataFrame:
        k = partition_info["number"] if partition_info else 0
        g = g.copy()
        g.index = pd.RangeIndex(offsets[k], offsets[k] + len(g))  # the row number in the whole layer
        return g

    ddf = ddf.map_partitions(number, meta=ddf._meta)
    ddf = ddf.map_partitions(lambda g: g.assign(_row=g.index.to_numpy()), meta=ddf._meta.assign(_row=np.int64(0)))
    if partitioning == "random":
        ddf = ddf.map_partitions(lambda g: g.assign(_part=np.random.default_rng(seed + int(g["_row"].min()) if len(g) else seed).integers(0, npartitions, len(g))),
                                 meta=ddf._meta.assign(_part=np.int64(0)))
        ddf = ddf.shuffle("_part", npartitions=npartitions).map_partitions(lambda g: g.drop(columns="_part"))
    else:
        ddf = ddf.spatial_shuffle(by="hilbert", npartitions=npartitions)

    def restore(g: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
        g = g.set_index("_row")
        g.index.name = None
        return g.sort_index()

    ddf = ddf.map_partitions(restore)
    parts = client.compute(ddf.to_delayed())
    home = home_of(len(parts))
    return put(parts, [None] * len(parts), home), None, home


def run_distributed(
    parcels: gpd.GeoDataFrame | str | os.PathLike[str],
    rules: str | os.PathLike[str] | RulePack = "shenzhen-2020",
    *,
    client: Any = None,
    npartitions: int | None = None,
    partitioning: Literal["hilbert", "random"] | np.ndarray = "hilbert",
    seed: int = 0,
    overrides: dict[str, Any] | None = None,
    mode: Literal["threshold", "quota"] = "threshold",
    reference_year: int | None = None,
    gap_m: float | None = None,
    min_zone_ha: float | None = None,
    lang: Literal["en", "zh"] = "en",
    columns: dict[str, str] | None = None,
    check_overlaps: bool | str = "auto",
    units: str | None = None,
    unit_gap_m: float | None = None,
    progress: bool = False,
    scratch: str | os.PathLike[str] | None = None,
    drop_cross_pairs: bool = False,
) -> DistributedRun:
    """:func:`zoning.run` on a dask cluster: the same results for any partitioning.

    Parameters
    ----------
    parcels
        A GeoDataFrame (cut into ``npartitions`` here), or a GeoParquet file or folder of
        GeoParquet parts (one partition per file or row group, or ``npartitions`` in
        Hilbert order when given). Other file formats are read here and cut.
    rules
        Rule pack name, path or object, as for :func:`zoning.run`.
    client
        A ``dask.distributed.Client``; by default the current one.
    npartitions
        Partitions to cut the layer into.
    partitioning
        ``"hilbert"`` (default), ``"random"`` (a stress test of the merge), or a partition
        number per row of a GeoDataFrame.
    seed
        Seed of the random partitioning.
    overrides, mode, reference_year, gap_m, min_zone_ha, lang, columns, check_overlaps
        As for :func:`zoning.run` (both modes).
    units, unit_gap_m
        Plan-unit contiguity, as for :func:`zoning.form_zones`: parcels in the same unit
        within ``unit_gap_m`` (pack parameter ``unit_gap_m``) are neighbours too, across
        partitions as well (the halo then reaches ``unit_gap_m``).
    progress
        A progress bar over partitions and phases.
    scratch
        Folder for the partition stores (each partition's state between phases). By default
        each worker keeps its partitions under its own ``local_directory`` and every task of a
        partition runs on that worker; a folder every worker can reach (a shared file system)
        lets the scheduler move tasks. :meth:`DistributedRun.close` removes the stores.
    drop_cross_pairs
        Ignore neighbours across partitions: **wrong results**, only to show that the
        equivalence tests notice.

    Returns
    -------
    DistributedRun
        Zones, areas, summaries and validation on the client; the parcels on the workers
        (:meth:`DistributedRun.to_result`, :meth:`DistributedRun.write`).
    """
    from zoning.stages.classify import weighted_quantile
    from zoning.stages.result import RunSettings
    from zoning.stages.summary import combine_zone_totals, summarise_by_district, summarise_zones
    from zoning.stages.validate import duplicate_id_problem, overlap_problem, percent_decision
    from zoning.stages.zones import (
        _param,
        apply_quotas,
        cluster_ids,
        decide_areas,
        majority_district,
        quota_targets,
    )
    from zoning.stages.zones import area_stats as _area_stats

    if mode not in ("threshold", "quota"):
        msg = f"mode must be 'threshold' or 'quota', got {mode!r}"
        raise ValueError(msg)
    if client is None:
        from distributed import get_client

        client = get_client()
    t0 = time.perf_counter()
    timings: dict[str, float] = {}
    client_gb: dict[str, float] = {}  # this process's peak resident memory at the end of each phase
    from zoning.stages.run import reference_year_for, run_overrides

    pack = load_rules(rules)
    pack = load_rules(pack, overrides=run_overrides(pack, overrides, gap_m=gap_m, min_zone_ha=min_zone_ha))
    year = reference_year_for(pack, reference_year)  # the pack's base year by default, as on one machine
    gap = _param(pack, "gap_m", None, 25.0)
    min_core = int(_param(pack, "min_core_neighbours", None, 3))
    enclave_ha = _param(pack, "enclave_max_ha", None, 0.0)
    tolerance = 1.0
    unit_gap: float | None = None
    if units is not None:
        unit_gap = _param(pack, "unit_gap_m", unit_gap_m, 50.0)
        if unit_gap <= gap:
            unit_gap = None  # as on one machine: plan units add nothing within gap_m

    if not isinstance(parcels, gpd.GeoDataFrame) and not _is_parquet(parcels):
        from zoning.io.read import read_parcels  # GeoPackage, shapefile, …: read here, then cut

        parcels = read_parcels(parcels, columns=columns)
        columns = None
    import uuid

    run_id = uuid.uuid4().hex[:12]
    scratch_s = None if scratch is None else str(Path(scratch).resolve())
    workers = sorted(client.scheduler_info()["workers"])
    shared = scratch_s is not None
    name = "parcels" if isinstance(parcels, gpd.GeoDataFrame) else Path(parcels).name
    try:
        sts, index_order, home = _load(client, parcels, npartitions, partitioning, seed, run_id, scratch_s, workers, columns)
        P = len(sts)
        bar = _progress(P * len(PHASES), progress)
        [pack_f] = client.scatter([pack], broadcast=True, hash=False)

        def sub(k: int, fn: Any, *args: Any) -> Any:
            return on_home(client, home, k, shared, call, fn, sts[k], *args)

        def each(fn: Any, *args: Any, phase: str = "") -> list[Any]:
            return _wait([sub(k, fn, *args) for k in range(P)], bar, phase)

        def gather(fn: Any, *args: Any) -> list[Any]:
            return client.gather([sub(k, fn, *args) for k in range(P)])

        # 1. standardise; the metric CRS, share columns in percent and duplicate ids over the whole layer
        t = time.perf_counter()
        sts = _wait(sts, bar, "read")
        target, crs_note = _target_crs(gather(_w_crs_info), name)
        small = gather(_w_small)
        n_total = sum(x[0] for x in small)
        evidence: dict[str, list[float]] = {}
        for _, ev, _ in small:
            for col, (k, over, mx) in ev.items():
                e = evidence.setdefault(col, [0, 0, float("nan")])
                e[0] += k
                e[1] += over
                e[2] = mx if not np.isfinite(e[2]) else (max(e[2], mx) if np.isfinite(mx) else e[2])
        percent = percent_decision({c: (int(v[0]), int(v[1]), float(v[2])) for c, v in evidence.items()})
        hashes = np.concatenate([x[2] for x in small]) if small else np.empty(0, dtype=np.uint64)
        u, cnt = np.unique(hashes, return_counts=True)
        dup_hashes = u[cnt > 1]
        dup_problem = None
        if len(dup_hashes):
            rows = pd.concat(gather(_w_dup_rows, dup_hashes))
            dup_problem = duplicate_id_problem(rows.sort_index(kind="stable") if index_order is None else rows)
        if check_overlaps == "auto":
            check_ov = n_total <= OVERLAP_AUTO_LIMIT
            auto_skip = not check_ov
        else:
            check_ov, auto_skip = bool(check_overlaps), False
        timings["standardise"] = time.perf_counter() - t
        client_gb["standardise"] = _peak_rss_gb()

        # 2. validate + indicators; geometry, boxes and overlaps inside each partition
        t = time.perf_counter()
        sts = each(_w_validate, pack_f, year, percent, check_ov, tolerance, units, target, phase="validate")
        def where(rows: np.ndarray | None, n: int) -> np.ndarray:  # row labels -> positions in the layer (inf: unknown)
            if rows is None:
                return np.full(n, np.inf)
            return (index_order.get_indexer(rows) if index_order is not None else np.asarray(rows)).astype("float64")

        plists = gather(_w_get, "problems")
        rlists = gather(_w_get, "problem_rows")
        positions = [[where(r, len(p.ids)) for r, p in zip(rs, ps, strict=True)] for rs, ps in zip(rlists, plists, strict=True)]
        problems = merge_problems(plists, positions)
        if P > 1:
            from zoning.stages.validate import validate_parcels

            problems = reword(problems, plists, positions, rlists, gather(_w_get, "quoted"),
                              lambda sub: validate_parcels(sub, rules=pack, reference_year=year, check_overlaps=False,
                                                           percent_columns=percent))
        if crs_note is not None and isinstance(parcels, gpd.GeoDataFrame):  # as validate_parcels reports it
            problems.insert(0, Problem("warning", "reprojected", crs_note, "geometry", [], "to choose the CRS yourself, re-project first (parcels.to_crs('EPSG:4547')) or read with zoning.read_parcels(path, target_crs=...)"))
        elif crs_note is not None:  # as read_parcels warns
            import warnings

            from zoning.errors import CRSWarning

            warnings.warn(crs_note, CRSWarning, stacklevel=2)
        if n_total == 0:
            problems.append(Problem("error", "no_parcels", "the layer has no parcels", None, [], "check the file and layer"))
        if dup_problem is not None:
            problems.insert(0, dup_problem)
        if auto_skip:
            problems.append(Problem("info", "overlaps_not_checked", f"overlapping parcels were not checked ({n_total:,} parcels > {OVERLAP_AUTO_LIMIT:,}); the zone outlines fall back to a full union if the parcels overlap", "geometry", [], "run `zoning validate` (or validate_parcels(..., check_overlaps=True)) once on this layer"))
        timings["validate"] = time.perf_counter() - t
        client_gb["validate"] = _peak_rss_gb()

        # 3. halo pairs between partitions whose boxes come within gap_m (and overlaps across them)
        t = time.perf_counter()
        from zoning.distributed.partitions import boxes_within

        boxes = gather(_w_get, "box")
        reach = max(gap, unit_gap or 0.0)
        pairs = [] if drop_cross_pairs else boxes_within(boxes, reach)
        cross_f = []
        for a, b in pairs:
            h = sub(b, _w_halo, boxes[a], reach)
            cross_f.append(sub(a, _w_cross, h, boxes[b], gap, check_ov, tolerance, unit_gap))
        cross = client.gather(cross_f)
        bar.update(P)
        E = pd.DataFrame({"pa": np.concatenate([np.full(len(x["ia"]), a) for (a, _), x in zip(pairs, cross, strict=True)] or [np.empty(0, np.int64)]),
                          "ia": np.concatenate([x["ia"] for x in cross] or [np.empty(0, np.int64)]),
                          "pb": np.concatenate([np.full(len(x["ib"]), b) for (_, b), x in zip(pairs, cross, strict=True)] or [np.empty(0, np.int64)]),
                          "ib": np.concatenate([x["ib"] for x in cross] or [np.empty(0, np.int64)])}).astype(np.int64)
        if check_ov:
            ovs = [o for o in gather(_w_get, "overlaps") if o is not None] + [x["overlaps"] for x in cross]
            p = overlap_problem(pd.concat(ovs, ignore_index=True) if ovs else pd.DataFrame(), tolerance) if ovs else None
            if p is not None:
                problems.append(p)
        timings["halo"] = time.perf_counter() - t
        client_gb["halo"] = _peak_rss_gb()

        problems = _in_check_order(problems)
        report = PartitionedReport(problems, gpd.GeoDataFrame(), pack.pack.name, n_total)
        if report.errors:
            bar.close()
            raise ValidationError(str(report), report=report)

        # 4. quantile thresholds over the whole layer
        t = time.perf_counter()
        qparts = gather(_w_get, "quantiles")
        thresholds: dict[str, Any] = {}
        resolved: dict[tuple[str, float], float] = {}
        for c in pack.criteria:
            if c.level not in ("parcel", "zone"):
                continue
            if c.quantile is None:
                thresholds[c.code] = c.threshold
                continue
            key = (c.indicator, c.quantile)
            if key not in resolved:
                vs = [q[key][0] for q in qparts if q]
                ws = [q[key][1] for q in qparts if q]
                resolved[key] = weighted_quantile(np.concatenate(vs) if vs else np.empty(0), np.concatenate(ws) if ws else np.empty(0), c.quantile)
            thresholds[c.code] = resolved[key]

        # quota mode: percentile ranks within the whole layer's stock, from merged value counts
        ranks_f = None
        if mode == "quota":
            scored = sorted({"quality_rank" if pack.criterion(code).indicator == "building_quality" else pack.criterion(code).indicator
                             for cand in pack.candidates for code in cand.criteria
                             if pack.criterion(code).op not in ("in", "not in")})
            tables = gather(_w_percentiles, scored)
            ranks = {name_: rank_table([t_[name_] for t_ in tables if name_ in t_]) for name_ in scored}
            [ranks_f] = client.scatter([ranks], broadcast=True, hash=False)

        # 5. classify; neighbour pairs inside partitions
        sts = each(_w_classify, pack_f, thresholds, gap, ranks_f, unit_gap, phase="classify")
        timings["classify"] = time.perf_counter() - t
        client_gb["classify"] = _peak_rss_gb()

        def take(names: list[str]) -> tuple[dict[str, np.ndarray], dict[str, np.ndarray]]:
            """Fields of both ends of every cross pair."""
            futs_a, futs_b = [], []
            for k in range(P):
                futs_a.append(sub(k, _w_take, E["ia"].to_numpy()[E["pa"].to_numpy() == k], names))
                futs_b.append(sub(k, _w_take, E["ib"].to_numpy()[E["pb"].to_numpy() == k], names))
            ra, rb = client.gather(futs_a), client.gather(futs_b)
            first = next(r for r in ra if r is not None)
            A = {f: np.empty(len(E), dtype=first[f].dtype) for f in names}
            B = {f: np.empty(len(E), dtype=first[f].dtype) for f in names}
            for k in range(P):
                ma, mb = E["pa"].to_numpy() == k, E["pb"].to_numpy() == k
                for f in names:
                    if ra[k] is not None:
                        A[f][ma] = ra[k][f]
                    if rb[k] is not None:
                        B[f][mb] = rb[k][f]
            return A, B

        # 6. chain guard across partitions
        t = time.perf_counter()
        A, B = take(["member", "class_codes"])
        same = A["member"] & B["member"] & (A["class_codes"] == B["class_codes"])
        Ec = E[same].reset_index(drop=True)
        deg_f = []
        for k in range(P):
            xi = np.concatenate([Ec["ia"].to_numpy()[Ec["pa"].to_numpy() == k], Ec["ib"].to_numpy()[Ec["pb"].to_numpy() == k]])
            deg_f.append(sub(k, _w_core, xi, np.ones(len(xi), dtype=np.int64), min_core))
        sts = _wait(deg_f, bar, "core areas")
        E_all = E
        E = Ec
        A, B = take(["core", "comp"])
        ncomp = gather(_w_get, "ncomp")
        from zoning.distributed.unionfind import join, offsets

        off = offsets(ncomp)
        cc = A["core"] & B["core"]
        na = off[E["pa"].to_numpy()[cc]] + A["comp"][cc]
        nb = off[E["pb"].to_numpy()[cc]] + B["comp"][cc]
        core_label = join(int(off[-1]), na, nb)
        # areas of core components that span partitions: exact sums and westernmost parcel
        spanning = np.unique(np.concatenate([na, nb]))
        merged_info = pd.DataFrame()
        if len(spanning):
            node_part = np.searchsorted(off, spanning, side="right") - 1
            infos = client.gather([sub(k, _w_comp_info, spanning[node_part == k] - off[k])
                                   for k in range(P) if (node_part == k).any()])
            parts_k = [k for k in range(P) if (node_part == k).any()]
            mi = pd.concat([i.assign(part=k) for i, k in zip(infos, parts_k, strict=True)], ignore_index=True)
            mi["node"] = off[mi["part"].to_numpy()] + mi["g"].to_numpy()
            mi["label"] = core_label[mi["node"].to_numpy()]
            tot = mi.groupby("label")[_LIMBS].sum()
            keys = mi.sort_values(["label", "kx", "ky", "pid"], kind="stable").drop_duplicates("label").set_index("label")
            mi["area"] = to_float(tot.loc[mi["label"]].to_numpy())
            mi[["kx", "ky", "pid"]] = keys.loc[mi["label"], ["kx", "ky", "pid"]].to_numpy()
            merged_info = mi
        # thin parcels on one side, core on the other
        thin_rows = []
        for side, other in (("a", "b"), ("b", "a")):
            here, there = (A, B) if side == "a" else (B, A)
            sel = ~here["core"] & there["core"]
            if not sel.any():
                continue
            op = E[f"p{other}"].to_numpy()[sel]
            ocomp = there["comp"][sel]
            node = off[op] + ocomp
            thin_rows.append(pd.DataFrame({"part": E[f"p{side}"].to_numpy()[sel], "idx": E[f"i{side}"].to_numpy()[sel],
                                           "label": core_label[node], "op": op, "ocomp": ocomp}))
        thin = pd.concat(thin_rows, ignore_index=True) if thin_rows else pd.DataFrame(columns=["part", "idx", "label", "op", "ocomp"])
        if len(thin):
            # the other side's core component: its area and key (whole-area values when it spans)
            need = thin[["op", "ocomp"]].drop_duplicates()
            info_f = {k: sub(k, _w_comp_info, need["ocomp"].to_numpy()[need["op"].to_numpy() == k])
                      for k in np.unique(need["op"])}
            got = pd.concat([v.assign(op=k) for k, v in zip(info_f, client.gather(list(info_f.values())), strict=True)], ignore_index=True)
            got["area"] = to_float(got[_LIMBS].to_numpy())
            got = got.rename(columns={"g": "ocomp"}).set_index(["op", "ocomp"])
            if len(merged_info):
                mm = merged_info.rename(columns={"part": "op", "g": "ocomp"}).set_index(["op", "ocomp"])
                common = got.index.intersection(mm.index)
                got.loc[common, ["area", "kx", "ky", "pid"]] = mm.loc[common, ["area", "kx", "ky", "pid"]].to_numpy()
            vals_ = got.loc[list(zip(thin["op"], thin["ocomp"], strict=True)), ["area", "kx", "ky", "pid"]].to_numpy()
            thin[["area", "kx", "ky", "pid"]] = vals_
        asg = []
        for k in range(P):
            lab_k = core_label[off[k]:off[k + 1]]
            m = merged_info[merged_info["part"] == k] if len(merged_info) else pd.DataFrame()  # spanning components here
            merged_k = (m.rename(columns={"g": "comp"})[["comp", "area", "kx", "ky", "pid"]] if len(m)
                        else pd.DataFrame(columns=["comp", "area", "kx", "ky", "pid"]))
            tk = thin[thin["part"] == k] if len(thin) else pd.DataFrame(columns=["idx", "label", "area", "kx", "ky", "pid"])
            asg.append(sub(k, _w_assign, lab_k, merged_k, tk))
        sts = _wait(asg, bar, "thin parcels")
        # candidates touching no core: components joined across partitions the same way
        A, B = take(["rest", "rcomp"])
        nrest = gather(_w_get, "nrest")
        roff = offsets(nrest)
        rr = A["rest"] & B["rest"]
        rest_label = join(int(roff[-1]), roff[E["pa"].to_numpy()[rr]] + A["rcomp"][rr], roff[E["pb"].to_numpy()[rr]] + B["rcomp"][rr])
        n_core = int(core_label.max()) + 1 if len(core_label) else 0
        sts = [sub(k, _w_group_keys, n_core + rest_label[roff[k]:roff[k + 1]]) for k in range(P)]
        timings["cluster"] = time.perf_counter() - t
        client_gb["cluster"] = _peak_rss_gb()

        # 7. areas: global numbering west to east, exact sums, zone tests
        t = time.perf_counter()
        keys_k = gather(_w_get, "group_keys")
        present = [np.unique(g["g"].to_numpy(dtype=np.int64)) if g is not None and len(g) else np.empty(0, np.int64)
                   for g in keys_k]  # the groups each partition has parcels of
        gk = pd.concat([g for g in keys_k if g is not None and len(g)], ignore_index=True) \
            if any(g is not None and len(g) for g in keys_k) else pd.DataFrame({"g": [], "kx": [], "ky": [], "pid": []})
        del keys_k
        gk = gk.sort_values(["g", "kx", "ky", "pid"], kind="stable").drop_duplicates("g")
        gk = gk.sort_values(["kx", "ky", "pid"], kind="stable")
        numbers = pd.Series(np.arange(len(gk), dtype=np.int64), index=gk["g"].to_numpy(dtype=np.int64))
        del gk
        ng = len(numbers)
        # each partition gets the numbers of its own groups only (not the whole table per task)
        sts = _wait([sub(k, _w_areas, numbers.reindex(present[k])) for k in range(P)], bar, "areas")
        del present
        from zoning.stages.zones import _AREA_INDICATORS

        sums: dict[str, np.ndarray] = {"area_limbs": np.zeros((ng, 4)), "count": np.zeros(ng, dtype=np.int64)}
        for name in _AREA_INDICATORS:
            sums[f"{name}_num"] = np.zeros((ng, 4))
            sums[f"{name}_den"] = np.zeros((ng, 4))
        g_class = np.empty(ng, dtype=object)
        env = np.full((ng, 4), np.nan)
        env[:, :2], env[:, 2:] = np.inf, -np.inf
        stock_limbs = np.zeros((1, 4))
        score_limbs = {cand.name: np.zeros((ng, 4)) for cand in pack.candidates} if mode == "quota" else {}
        lands = []
        from distributed import as_completed

        # the partitions' partial sums are added as they arrive and then dropped (limb sums:
        # the order of addition does not matter)
        for fut in as_completed([sub(k, _w_get, "area_part") for k in range(P)]):
            a = fut.result()
            fut.release()
            if a is None:
                continue
            ids = a["areas"]
            for key_ in sums:
                np.add.at(sums[key_], ids, a["sums"][key_])
            g_class[ids] = a["class"]
            env[ids, :2] = np.minimum(env[ids, :2], a["env"][:, :2])
            env[ids, 2:] = np.maximum(env[ids, 2:], a["env"][:, 2:])
            stock_limbs += a["stock"]
            for cname, lim in score_limbs.items():
                np.add.at(lim, ids, a["score_limbs"][cname])
            if "land" in a:
                lands.append(a["land"])
            del a
        stats = _area_stats(sums)
        areas = pd.DataFrame(stats)
        areas["candidate"] = g_class
        areas["cluster_id"] = cluster_ids(ng)
        g_area = to_float(sums["area_limbs"])
        del sums
        for cname, lim in score_limbs.items():
            areas[f"score_{cname}"] = to_float(lim) / np.where(g_area > 0, g_area, np.nan)
        if lands and ng:
            areas["district"] = majority_district(pd.concat(lands, ignore_index=True), ng)
        zcode, notes, passed = decide_areas(stats, g_class, pack, lang, thresholds)
        areas["passes_area_criteria"] = passed
        stock_km2 = float(to_float(stock_limbs)[0] / 1e6)
        targets = quota_targets(pack, stock_km2)
        qranks = apply_quotas(areas, passed, zcode, notes, g_area, targets, pack, lang) if mode == "quota" \
            else np.full(ng, -1, dtype=np.int64)
        areas["rank"] = pd.array(np.where(qranks > 0, qranks, 0), dtype="Int64")
        areas.loc[qranks <= 0, "rank"] = pd.NA
        areas["zone"] = np.asarray(ZONES, dtype=object)[zcode]
        areas["note"] = notes
        timings["areas"] = time.perf_counter() - t
        client_gb["areas"] = _peak_rss_gb()

        # 8. enclaves, with neighbours on both sides of a boundary
        t = time.perf_counter()
        zoned_area = zcode <= 2
        envs = pd.DataFrame(env[zoned_area], columns=["x0", "y0", "x1", "y1"], index=np.flatnonzero(zoned_area))
        max_m2 = enclave_ha * 1e4 if (enclave_ha > 0 and ng) else 0.0
        E = E_all
        [zcode_f] = client.scatter([zcode], broadcast=True, hash=False)  # once, not with every task
        sts = each(_w_enclave_prep, zcode_f, envs, max_m2, gap, unit_gap, phase="enclaves")
        xq: list[list[np.ndarray]] = [[] for _ in range(P)]
        xn: list[list[np.ndarray]] = [[] for _ in range(P)]
        if max_m2 > 0 and len(E):
            A, B = take(["enc_cand", "zoned", "codes"])
            for here, there, side in ((A, B, "a"), (B, A, "b")):
                sel = here["enc_cand"]
                parts_s = E[f"p{side}"].to_numpy()[sel]
                idx_s = E[f"i{side}"].to_numpy()[sel]
                nc = np.where(there["zoned"][sel], there["codes"][sel], -1)
                for k in np.unique(parts_s):
                    xq[k].append(idx_s[parts_s == k])
                    xn[k].append(nc[parts_s == k])
        fin = [sub(k, _w_enclave_finish, np.concatenate(xq[k] or [np.empty(0, np.int64)]),
                             np.concatenate(xn[k] or [np.empty(0, np.int64)]), zcode_f) for k in range(P)]
        sts = fin
        eparts = [e for e in gather(_w_get, "enc_part") if e is not None]
        if eparts:
            cnt = np.zeros(ng, dtype=np.int64)
            lim = np.zeros((ng, 4))
            for e in eparts:
                np.add.at(cnt, e["areas"], e["count"])
                np.add.at(lim, e["areas"], e["limbs"])
            areas["enclaves"] = cnt
            areas["enclave_ha"] = to_float(lim) / 1e4
        timings["enclaves"] = time.perf_counter() - t
        client_gb["enclaves"] = _peak_rss_gb()

        # 9. reasons, outputs, dissolve, summaries
        t = time.perf_counter()
        codes_found = {p.code for p in report.problems}
        coverage = False if "overlap" in codes_found else (None if "overlaps_not_checked" in codes_found else True)
        [area_cols] = client.scatter([areas[["cluster_id", "note"]]], broadcast=True, hash=False)
        sts = each(_w_outputs, pack_f, lang, mode, area_cols, coverage, phase="outputs")
        diss = [d for d in gather(_w_get, "dissolved") if d is not None]
        from zoning.stages.run import _dissolve

        if diss:
            nums = np.concatenate([d[0] for d in diss])
            polys = np.array([g for d in diss for g in d[1]], dtype=object)
            zone_nums = np.unique(nums)
            outlines = _dissolve(polys, np.searchsorted(zone_nums, nums), coverage)
        else:
            zone_nums, outlines = np.empty(0, dtype=np.int64), []
        zone_rows = areas.iloc[zone_nums].copy()
        zone_rows["zone_label_zh"] = zone_rows["zone"].map({z: pack.zone_label(z, "zh") for z in ZONES})
        zone_rows["zone_label_en"] = zone_rows["zone"].map({z: pack.zone_label(z, "en") for z in ZONES})
        crs = next((c for c in gather(_w_get, "crs") if c is not None), None)
        zones_gdf = gpd.GeoDataFrame(zone_rows.reset_index(drop=True), geometry=list(outlines), crs=crs)
        ztots = [z for z in gather(_w_get, "ztot") if z is not None]
        dtots = [d for d in gather(_w_get, "dtot") if d is not None]
        summary = summarise_zones(pd.Series([], dtype=object), pd.Series([], dtype=float), pd.Series([], dtype=object), pack,
                                  targets, totals=combine_zone_totals(ztots))
        by_district = summarise_by_district(pd.Series([], dtype=object), pd.Series([], dtype=float), None,
                                            totals=pd.concat(dtots, ignore_index=True))
        timings["outputs"] = time.perf_counter() - t
        client_gb["outputs"] = _peak_rss_gb()
        bar.close()
        timings["total"] = time.perf_counter() - t0
        settings = RunSettings(mode=mode, reference_year=year, lang=lang, gap_m=gap, min_core_neighbours=float(min_core),
                               enclave_max_ha=enclave_ha)
        return DistributedRun(client=client, states=sts, index_order=index_order, zones=zones_gdf, areas=areas,
                              summary=summary, by_district=by_district, validation=report, rules=pack,
                              thresholds=thresholds, settings=settings, stock_km2=stock_km2, n_parcels=n_total,
                              timings=timings, cross_pairs=len(E_all), home=home, run_id=run_id, scratch=scratch_s,
                              client_gb=client_gb)
    except BaseException:
        with contextlib.suppress(Exception):
            client.run(_drop_run, run_id, scratch_s)
        raise
