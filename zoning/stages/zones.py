"""Stage 6 — zones: contiguous areas become zones (minimum area, consolidation/renewal split, quotas).

``form_zones`` groups candidate parcels (stage 5), tests each area against the pack's
zone-level criteria (e.g. ``SZ-C6``: at least 10 ha), splits consolidation from renewal by
the area-weighted legal-land share (``SZ-S1``), absorbs small enclaves, and in quota mode
ranks areas by a documented score and fills the pack's area targets.

Quota mode score
----------------
For each criterion of a candidate class, a parcel's indicator is turned into its percentile
rank within the industrial stock, oriented so that 1 means "meets the criterion best"
(``>=`` criteria: higher is better; ``<`` criteria: lower is better; a missing value scores
0 when the criterion treats missing as a fail, 1 when as a pass). A parcel's class score is
the mean over the class's criteria; in quota mode a parcel leans to the class with the
higher score if that score is at least 0.5 and the class's gate criteria are met. An area's
score is the area-weighted mean of its parcels' scores. Areas that pass the zone-level
criteria are taken in score order until the target area is reached (the last area is taken
only if that brings the total closer to the target).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Literal, cast

import numpy as np
import pandas as pd
import shapely

from zoning.io.columns import QUALITY_LEVELS
from zoning.rules.schema import Criterion, RulePack
from zoning.stages.classify import NONE, NOT_INDUSTRIAL, Classification, as_classification
from zoning.stages.classify import evaluate as evaluate_criterion
from zoning.stages.cluster import cluster
from zoning.stages.sums import group_limbs, group_sum, to_float
from zoning.units import OP_NEGATED, OP_SYMBOLS, ZONES, evaluate, status_words

__all__ = ["ZONES", "Layout", "Zones", "form_zones", "quota_targets", "zone_threshold"]

#: Zone ids in display order.
_AREA_INDICATORS = ("legal_ratio", "far", "output_wan_per_mu", "tax_wan_per_mu", "building_age", "quality_rank")


@dataclass
class Zones:
    """Output of :func:`form_zones`.

    ``parcels`` is aligned to the parcel index: ``zone``, ``cluster_id`` (the contiguous area,
    ``<NA>`` when none), ``area_note`` (why the area is or is not a zone) and ``enclave``.
    ``areas`` has one row per contiguous area. ``targets`` are the pack's zone targets applied
    to this stock (``{zone: {"share", "km2", "policy_km2"}}``) and ``stock_km2`` the industrial
    stock they were applied to.
    """

    parcels: pd.DataFrame
    areas: pd.DataFrame
    mode: str
    settings: dict[str, float]
    targets: dict[str, dict[str, float]] = field(default_factory=dict)
    stock_km2: float = float("nan")


@dataclass(frozen=True)
class Layout:
    """Facts about the geometry that no scenario changes (computed once by scenario tools).

    ``bounds`` per parcel, ``order_key`` (areas are numbered west to east by it), ``valid``
    (not missing, not empty), ``centres`` (points at the bounding-box centres, for the enclave
    pre-filter) and the ``district`` column factorized (codes, names) when there is one.
    """

    bounds: np.ndarray
    order_key: np.ndarray
    valid: np.ndarray
    centres: np.ndarray | None = None
    district: tuple[np.ndarray, np.ndarray] | None = None

    @classmethod
    def of(cls, parcels: pd.DataFrame, *, centres: bool = True) -> Layout:
        geoms = parcels.geometry.to_numpy()
        bnd = shapely.bounds(geoms)
        order_key = order_keys(bnd, parcels["parcel_id"] if "parcel_id" in parcels else None)
        valid = ~shapely.is_missing(geoms) & ~shapely.is_empty(geoms)
        pts = shapely.points((bnd[:, 0] + bnd[:, 2]) / 2, (bnd[:, 1] + bnd[:, 3]) / 2) if centres else None
        district = None
        if "district" in parcels:
            codes, names = pd.factorize(parcels["district"].to_numpy(), use_na_sentinel=True)
            district = (codes, np.asarray(names, dtype=object))
        return cls(bnd, order_key, valid, pts, district)


def _param(pack: RulePack, key: str, given: float | None, default: float) -> float:
    if given is not None:
        return float(given)
    p = pack.parameter(key)
    return float(p.value) if p is not None else default


def _percentile(values: np.ndarray, in_stock: np.ndarray) -> np.ndarray:
    out = np.full(len(values), np.nan)
    v = values[in_stock]
    ok = np.isfinite(v)
    ranks = pd.Series(v[ok]).rank(pct=True, method="average").to_numpy()
    tmp = np.full(len(v), np.nan)
    tmp[ok] = ranks
    out[in_stock] = tmp
    return out


def class_scores(indicators: pd.DataFrame, classification: Classification | pd.DataFrame, pack: RulePack,
                 percentile: Callable[[str, np.ndarray, np.ndarray], np.ndarray] | None = None) -> pd.DataFrame:
    """Quota-mode score (0–1) per parcel and candidate class; see the module docstring.

    ``percentile(column, values, in_stock)`` ranks an indicator's values within the stock
    (default: within these rows; the dask engine ranks within the whole layer).
    """
    if percentile is None:
        def percentile(column: str, values: np.ndarray, in_stock: np.ndarray) -> np.ndarray:
            return _percentile(values, in_stock)
    in_stock = classification["in_stock"].to_numpy()
    scores = {}
    for cand in pack.candidates:
        parts = []
        for code in cand.criteria:
            c = pack.criterion(code)
            col = "quality_rank" if c.indicator == "building_quality" else c.indicator
            obs = indicators[col]
            if c.op in ("in", "not in"):
                met, _ = evaluate_criterion(c, indicators, cast("list[str]", c.threshold))  # class criteria list their classes
                s = met.astype(float)
            else:
                pct = percentile(col, obs.to_numpy(dtype="float64"), in_stock)
                s = pct if c.op in (">", ">=") else 1.0 - pct
                s = np.where(np.isnan(s), 1.0 if c.missing == "pass" else 0.0, s)
            parts.append(s)
        scores[cand.name] = np.mean(parts, axis=0) if parts else np.zeros(len(indicators))
    return pd.DataFrame(scores, index=indicators.index)


def quota_targets(pack: RulePack, stock_km2: float) -> dict[str, dict[str, float]]:
    """Targets per zone for a study stock of ``stock_km2``: share, km² here, km² in the policy.

    A target given in km² is turned into a share of the pack's ``stock_km2`` (Shenzhen: 100
    of 260 km² → 38.5 %), then applied to the study area's stock.
    """
    out: dict[str, dict[str, float]] = {}
    if pack.targets is None:
        return out
    for zone, t in pack.targets.zones.items():
        if t.share is not None:
            share = t.share
        elif pack.targets.stock_km2:
            share = float(cast("float", t.km2)) / pack.targets.stock_km2  # km2 is set when share is not
        else:
            share = float("nan")
        out[zone] = {"share": share, "km2": share * stock_km2, "policy_km2": float(t.km2) if t.km2 else float("nan")}
    return out


def zone_threshold(c: Criterion, thresholds: Mapping[str, Any]) -> float:
    """A zone-level criterion's threshold as a number: resolved quantile, grade rank or value."""
    thr = thresholds.get(c.code, c.threshold)
    if isinstance(thr, str):
        return float(QUALITY_LEVELS[thr])
    if thr is None:  # a quantile not resolved by classify (a hand-made Classification)
        return float("nan")
    return float(cast("float", thr))


def _zone_test_many(c: Criterion, values: np.ndarray, thr: float) -> tuple[np.ndarray, np.ndarray]:
    """Evaluate a zone-level criterion on every area: (met after missing policy, status)."""
    values = np.asarray(values, dtype="float64")
    raw, missing = evaluate(values, c.op, thr)
    missing |= np.isinf(values)
    raw &= ~missing
    return raw | (missing & (c.missing == "pass")), status_words(raw, missing)


def quota_lean(indicators: pd.DataFrame, classification: Classification, pack: RulePack,
               scores: pd.DataFrame) -> np.ndarray:
    """Quota mode: the class each parcel leans to (its best score of at least 0.5 among the
    classes whose gate it passes), or ``"none"``."""
    n = len(indicators)
    in_stock = classification["in_stock"].to_numpy()
    lean = np.full(n, NONE, dtype=object)
    best = np.full(n, -1.0)
    for cand in pack.candidates:
        ok = in_stock.copy()
        for g in cand.gate:
            c = pack.criterion(g)
            thr = classification.thresholds.get(g, c.threshold)  # quantile gates: resolved by classify
            met, missing = evaluate_criterion(c, indicators, cast("float | str | list[str]", thr))
            ok &= met | (missing & (c.missing == "pass"))
        s = scores[cand.name].to_numpy()
        take = ok & (s >= 0.5) & (s > best)
        lean[take] = cand.name
        best[take] = s[take]
    return lean


def apply_quotas(areas: pd.DataFrame, passed: np.ndarray, zcode: np.ndarray, area_notes: np.ndarray,
                 g_area: np.ndarray, targets: dict[str, dict[str, float]], pack: RulePack, lang: str) -> np.ndarray:
    """Quota mode: per zone, the passing areas in order of score are taken until the target is
    met (an area that would overshoot by more than it falls short stays out). Areas beyond the
    quota become unzoned in ``zcode``; ``area_notes`` say why. Returns each area's rank (-1: not ranked)."""
    sep = "；" if lang == "zh" else "; "
    ranks = np.full(len(zcode), -1, dtype=np.int64)
    for zname, t in targets.items():
        pool = np.flatnonzero(passed & (zcode == ZONES.index(zname)))
        cname = next(c.name for c in pack.candidates if zname in c.zones)
        score = areas[f"score_{cname}"].to_numpy()
        order = pool[np.argsort(-score[pool], kind="stable")]
        total, target = 0.0, t["km2"] * 1e6
        label = pack.zone_label(zname, lang)
        for r, k in enumerate(order, start=1):
            ranks[k] = r
            a, sc = g_area[k], score[k]
            if total >= target or (total + a > target and abs(total + a - target) > abs(total - target)):
                area_notes[k] += (f"{sep}得分 {sc:.2f}，排名 {r}/{len(order)}，超出{label}面积指标" if lang == "zh"
                                  else f"{sep}score {sc:.2f}, ranked {r} of {len(order)}: beyond the {label} quota")
                zcode[k] = ZONES.index("unzoned")
                continue
            total += a
            area_notes[k] += (f"{sep}得分 {sc:.2f}，排名 {r}/{len(order)}，在面积指标内" if lang == "zh"
                              else f"{sep}score {sc:.2f}, ranked {r} of {len(order)}: within the quota")
    return ranks


def form_zones(
    parcels,
    indicators: pd.DataFrame,
    classification: Classification | pd.DataFrame,
    *,
    rules: str | RulePack = "shenzhen-2020",
    mode: Literal["threshold", "quota"] = "threshold",
    gap_m: float | None = None,
    min_core_neighbours: int | None = None,
    enclave_max_ha: float | None = None,
    lang: Literal["en", "zh"] = "en",
    neighbours: tuple[np.ndarray, np.ndarray] | None = None,
    units: str | None = None,
    unit_gap_m: float | None = None,
    layout: Layout | None = None,
    notes: bool = True,
) -> Zones:
    """Turn candidate parcels into zones.

    Parameters
    ----------
    parcels
        Parcels (projected CRS); only the geometry and ``parcel_id`` are used.
    indicators, classification
        Outputs of :func:`zoning.compute_indicators` and :func:`zoning.classify`.
    rules
        Rule pack.
    mode
        ``"threshold"``: every area that passes the criteria becomes a zone. ``"quota"``:
        areas are ranked by score and taken until the pack's area targets are met.
    gap_m, min_core_neighbours, enclave_max_ha
        Override the pack's parameters (``SZ-P1``, ``SZ-P2``, ``SZ-P3`` in shenzhen-2020).
    lang
        Language of the area notes (``"en"`` or ``"zh"``).
    neighbours
        :func:`zoning.stages.cluster.neighbour_pairs` of the whole layer at the same gap
        (scenario tools compute them once); by default the neighbours are queried here.
    units, unit_gap_m
        Plan-unit contiguity: a column of ``parcels`` naming each parcel's plan unit (法定图则
        unit, industrial block); parcels in the same unit within ``unit_gap_m`` (pack
        parameter ``unit_gap_m``, SZ-P4) are neighbours too, across roads wider than ``gap_m``.
    layout
        :class:`Layout` of ``parcels`` computed once (scenario tools); by default computed here.
    notes
        Write the area notes (why each area is or is not a zone). Scenario tools that need only
        the zones pass False; the zones are the same.

    Returns
    -------
    Zones
    """
    from zoning.rules import load_rules

    pack = load_rules(rules)
    classification = as_classification(classification, indicators, pack)
    if mode not in ("threshold", "quota"):
        msg = f"mode must be 'threshold' or 'quota', got {mode!r}"
        raise ValueError(msg)
    gap = _param(pack, "gap_m", gap_m, 25.0)
    core = int(_param(pack, "min_core_neighbours", min_core_neighbours, 3))
    enclave = _param(pack, "enclave_max_ha", enclave_max_ha, 0.0)
    n = len(parcels)
    if units is not None and neighbours is None:
        if units not in parcels:
            from zoning.errors import InputError

            msg = f"units={units!r}: no such column; columns: {', '.join(map(str, parcels.columns))}"
            raise InputError(msg)
        from zoning.stages.cluster import neighbour_pairs

        neighbours = neighbour_pairs(parcels.geometry.to_numpy(), gap_m=gap, units=parcels[units].to_numpy(),
                                     unit_gap_m=_param(pack, "unit_gap_m", unit_gap_m, 50.0))
    geoms = parcels.geometry.to_numpy()
    area = indicators["land_area_m2"].to_numpy(dtype="float64")
    area0 = np.nan_to_num(area, nan=0.0)
    in_stock = classification["in_stock"].to_numpy()
    # areas are numbered west to east (then south to north) by their westernmost parcel:
    # independent of row order, and easy to find on a map
    if layout is None:
        layout = Layout.of(parcels, centres=False)
    order_key = layout.order_key

    cands = {c.name: c for c in pack.candidates}
    if mode == "quota":
        scores = class_scores(indicators, classification, pack)
        classes = quota_lean(indicators, classification, pack, scores)
    else:
        scores = None
        classes = classification["candidate"].to_numpy(dtype=object)
    classes = np.where(in_stock, classes, NOT_INDUSTRIAL)

    class_codes = candidate_codes(classes, pack)
    labels = cluster(geoms, class_codes, gap_m=gap, min_core_neighbours=core, area=area0, order_key=order_key,
                     pairs=neighbours)
    grouped = labels >= 0
    ng = int(labels.max()) + 1 if grouped.any() else 0

    # --- area statistics (exact sums: independent of row order and partitioning) -----
    lab = labels[grouped]
    sums = area_sums(lab, area0[grouped], {k: indicators[k].to_numpy(dtype="float64")[grouped] for k in _AREA_INDICATORS}, ng)
    stats = area_stats(sums)
    g_area = sums["area"]
    g_class = np.empty(ng, dtype=object)
    g_class[lab] = classes[grouped]
    areas = pd.DataFrame(stats)
    areas["candidate"] = g_class
    areas["cluster_id"] = cluster_ids(ng)
    if scores is not None:
        for cname in cands:
            s = scores[cname].to_numpy()[grouped]
            areas[f"score_{cname}"] = group_sum(lab, s * area0[grouped], ng) / np.where(g_area > 0, g_area, np.nan)
    if "district" in parcels and ng:
        land = district_land(lab, parcels["district"].to_numpy()[grouped], area0[grouped])
        areas["district"] = majority_district(land, ng)

    # --- zone-level criteria (vectorised over areas) ---------------------------------
    zcode, area_notes, passed = decide_areas(stats, g_class, pack, lang, classification.thresholds, notes=notes)
    areas["passes_area_criteria"] = passed

    # --- quotas ---------------------------------------------------------------------
    stock_km2 = float(group_sum(np.zeros(int(in_stock.sum()), dtype=np.int64), area0[in_stock], 1)[0] / 1e6)
    targets = quota_targets(pack, stock_km2)
    ranks = np.full(ng, -1, dtype=np.int64)
    if mode == "quota":
        ranks = apply_quotas(areas, passed, zcode, area_notes, g_area, targets, pack, lang)
    areas["rank"] = pd.array(np.where(ranks > 0, ranks, 0), dtype="Int64")
    areas.loc[ranks <= 0, "rank"] = pd.NA
    areas["zone"] = np.asarray(ZONES, dtype=object)[zcode]
    areas["note"] = area_notes

    # per parcel, as integer codes
    pz = np.where(in_stock, ZONES.index("unzoned"), ZONES.index(NOT_INDUSTRIAL)).astype(np.int8)
    pz[grouped] = zcode[lab]
    codes = np.full(n, -1, dtype=np.int64)
    codes[grouped] = lab
    enclave_flag = np.zeros(n, dtype=bool)

    # --- enclaves: small industrial parcels enclosed by one zone join it -----------
    if enclave > 0 and ng:
        enclave_flag = _enclaves(geoms, pz, codes, in_stock, area0, enclave * 1e4, gap, neighbours, layout)
        if enclave_flag.any():
            # _enclaves wrote the enclosing area into codes; take its zone
            pz[enclave_flag] = zcode[codes[enclave_flag]]
            areas["enclaves"] = np.bincount(codes[enclave_flag], minlength=ng)
            areas["enclave_ha"] = group_sum(codes[enclave_flag], area0[enclave_flag], ng) / 1e4

    contradicts, relocation = _contradictions(pack, indicators, classification, pz)
    out = parcel_frame(parcels.index, pz, codes, classes, enclave_flag, areas, contradicts, relocation)
    settings = {"gap_m": gap, "min_core_neighbours": float(core), "enclave_max_ha": enclave}
    return Zones(out, areas, mode, settings, targets, stock_km2)


def _contradictions(pack: RulePack, indicators: pd.DataFrame, classification: Classification,
                    pz: np.ndarray) -> tuple[pd.Categorical, np.ndarray]:
    """Per parcel: the area criteria its own values fail although its zone passed them, and
    whether it is a relocation (安置) candidate (meets the class's ``relocation`` criterion)."""
    n = len(pz)
    key = np.zeros(n, dtype=np.int64)
    codes: list[str] = []
    relocation = np.zeros(n, dtype=bool)
    for cand in pack.candidates:
        inside = np.isin(pz, [ZONES.index(z) for z in cand.zones])
        if not inside.any():
            continue
        for code in cand.area_criteria:
            c = pack.criterion(code)
            col = "quality_rank" if c.indicator == "building_quality" else c.indicator
            met, missing = evaluate(indicators[col].to_numpy(dtype="float64"), c.op, zone_threshold(c, classification.thresholds))
            key |= (inside & ~met & ~missing).astype(np.int64) << len(codes)
            codes.append(code)
        if cand.relocation and cand.relocation in classification:
            relocation |= inside & (classification[cand.relocation].to_numpy(dtype=object) == "pass")
    uniq, inv = np.unique(key, return_inverse=True)
    names = [" ".join(c for j, c in enumerate(codes) if (int(u) >> j) & 1) for u in uniq.tolist()]
    cats = list(dict.fromkeys(["", *names]))
    cat = pd.Categorical.from_codes(np.asarray([cats.index(x) for x in names], dtype=np.int64)[inv], categories=cats)
    return cat, relocation


def _enclaves(geoms: np.ndarray, pz: np.ndarray, codes: np.ndarray, in_stock: np.ndarray, area0: np.ndarray,
              max_m2: float, gap: float, pairs: tuple[np.ndarray, np.ndarray] | None = None,
              layout: Layout | None = None) -> np.ndarray:
    """Small stock parcels outside any zone whose every neighbour (within ``gap``) lies in one zone area.

    Writes the enclosing area's number into ``codes`` and returns the enclave mask. Only
    parcels inside some zone area's bounding box are queried (a parcel outside every zone's
    envelope cannot be enclosed by it).
    """
    n = len(geoms)
    zoned = pz <= 2
    flag = np.zeros(n, dtype=bool)
    if not zoned.any():
        return flag
    valid = layout.valid if layout is not None else ~shapely.is_missing(geoms) & ~shapely.is_empty(geoms)
    b = layout.bounds if layout is not None else shapely.bounds(geoms)
    ci = np.flatnonzero(enclave_candidates(b, valid, pz, in_stock, area0, max_m2, zone_envelopes(b, zoned, codes), gap,
                                           layout.centres if layout is not None else None))
    if len(ci) == 0:
        return flag
    if pairs is None:
        from zoning.stages.cluster import pairs_within

        qi, qj = pairs_within(geoms[ci], geoms, distance=gap)
        qi = ci[qi]
    else:  # both directions of the precomputed pairs that start at a queried parcel
        asked = np.zeros(n, dtype=bool)
        asked[ci] = True
        pi, pj = pairs
        a, b2 = asked[pi], asked[pj]
        qi, qj = np.concatenate([pi[a], pj[b2]]), np.concatenate([pj[a], pi[b2]])
    keep = qi != qj
    qi, qj = qi[keep], qj[keep]
    p, code = enclosed(qi, np.where(zoned[qj], codes[qj], -1))
    flag[p] = True
    codes[p] = code
    return flag


def _no_text(code: str, c: Criterion, values: np.ndarray, status: np.ndarray, lang: str, thr: float) -> np.ndarray:
    return np.full(len(values), "", dtype=object)


def _no_join(parts: list[np.ndarray], sep: str) -> np.ndarray:
    return np.full(len(parts[0]) if parts else 0, "", dtype=object)


def _join_str(parts: list[np.ndarray], sep: str) -> np.ndarray:
    """Element-wise join of string arrays, skipping empty strings."""
    if not parts:
        return np.array([], dtype=object)
    out = np.asarray(parts[0], dtype=object)
    for p in parts[1:]:
        p = np.asarray(p, dtype=object)
        both = (out != "") & (p != "")
        out = np.where(both, out + sep + p, np.where(out != "", out, p))
    return out


def _fmt_zone_many(code: str, c: Criterion, values: np.ndarray, status: np.ndarray, lang: str, thr: float) -> np.ndarray:
    """Vectorised :func:`_fmt_zone`: each distinct (rounded value, status) is formatted once."""
    from zoning.rules.schema import INDICATORS

    digits = 2 if INDICATORS[c.indicator].unit in ("share", "grade") else 1
    r = np.round(np.asarray(values, dtype="float64"), digits)
    st_codes, st_names = pd.factorize(np.asarray(status, dtype=object))
    scaled = np.where(np.isnan(r), -1, np.round(np.nan_to_num(r, nan=0.0) * 10**digits)).astype(np.int64)
    key = scaled * 4 + st_codes  # rounded value and status in one integer key
    codes, uniq = pd.factorize(key)
    first = np.zeros(len(uniq), dtype=np.int64)
    first[codes[::-1]] = np.arange(len(codes))[::-1]  # one representative row per key
    strings = np.array([_fmt_zone(code, c, r[i], st_names[st_codes[i]], lang, thr) for i in first], dtype=object)
    return strings[codes]


def _categorical(values: np.ndarray) -> pd.Categorical:
    """``pd.Categorical(values)`` (sorted categories) built from one factorize."""
    codes, uniq = pd.factorize(np.asarray(values, dtype=object), use_na_sentinel=True)
    order = np.argsort(np.asarray(uniq, dtype=object).astype(str), kind="stable")
    rank = np.empty(len(order), dtype=np.int64)
    rank[order] = np.arange(len(order))
    return pd.Categorical.from_codes(np.where(codes < 0, -1, rank[np.maximum(codes, 0)]),
                                     categories=list(np.asarray(uniq, dtype=object)[order]))


def _note_cat(codes: np.ndarray, notes: list[str]) -> pd.Categorical:
    """Per-parcel area note as a categorical (notes repeat per area)."""
    inv, uniq = pd.factorize(np.asarray([*notes, ""], dtype=object))
    return pd.Categorical.from_codes(inv[np.where(codes < 0, len(notes), codes)], categories=list(uniq))


def _fmt_zone(code: str, c: Criterion, value: float, status: str, lang: str = "en", thr: float | None = None) -> str:
    """'area 32.2 ha ≥ 10 ha (SZ-C6)' / '面积 32.2 公顷 ≥ 10 公顷（SZ-C6）'."""
    from zoning.rules.schema import INDICATORS

    ind = INDICATORS[c.indicator]
    name = {"zone_area_ha": ("面积", "area")}.get(c.indicator, (ind.name_zh, ind.name_en))[0 if lang == "zh" else 1]
    if lang == "en" and c.indicator != "zone_area_ha":
        name = "area-weighted " + name
    if status == "missing":
        return f"{name}缺失（{code}）" if lang == "zh" else f"{name} missing ({code})"
    op = OP_SYMBOLS[c.op] if c.op in ("<=", ">=") else c.op
    neg = OP_NEGATED[c.op]
    shown_op = op if status == "pass" else neg
    thr = float(cast("float", c.threshold)) if thr is None else thr
    if ind.kind == "grade":
        grades = {1: ("差", "poor"), 2: ("一般", "fair"), 3: ("好", "good")}
        t = grades.get(round(thr), ("?", "?"))[0 if lang == "zh" else 1]
        v = f"{value:.2f}"
        return f"{name} {v} {shown_op} {t}（{code}）" if lang == "zh" else f"{name} {v} {shown_op} {t} ({code})"
    if ind.unit == "share":
        v, t = f"{value:.0%}", f"{thr:.0%}"
    else:
        unit = {"ha": " 公顷" if lang == "zh" else " ha"}.get(ind.unit, "" if ind.unit == "ratio" else f" {ind.unit}")
        v, t = ind.fmt.format(value) + unit, (ind.fmt.format(thr) if c.quantile is not None else f"{thr:g}") + unit
    return f"{name} {v} {shown_op} {t}（{code}）" if lang == "zh" else f"{name} {v} {shown_op} {t} ({code})"


# --- the pieces of form_zones, shared with the distributed engine (zoning.distributed) ---

def order_keys(bounds: np.ndarray, parcel_ids: pd.Series | np.ndarray | None) -> np.ndarray:
    """Rank of each parcel west to east, then south to north, then by parcel id.

    Areas are numbered by their westernmost parcel, and equal-area ties are broken by it:
    this key depends on neither the row order nor the partitioning (the distributed engine
    compares the same ``(minx, miny, parcel_id)`` tuples).
    """
    ids = np.arange(len(bounds)) if parcel_ids is None else np.asarray(pd.Series(parcel_ids).astype(str), dtype=object)
    return np.lexsort((ids, bounds[:, 1], bounds[:, 0])).argsort()


def candidate_codes(classes: np.ndarray, pack: RulePack) -> np.ndarray:
    """Candidate classes → 0, 1, … in pack order; none / not industrial → -1."""
    names = [c.name for c in pack.candidates]
    codes_all, uniq = pd.factorize(np.asarray(classes, dtype=object))
    lookup = np.array([names.index(u) if u in names else -1 for u in uniq] + [-1], dtype=np.int64)
    return lookup[codes_all]


def cluster_ids(ng: int) -> list[str]:
    """``A0001``, ``A0002``, … for areas numbered 0, 1, …"""
    return [f"A{k + 1:04d}" for k in range(ng)]


def area_sums(lab: np.ndarray, w: np.ndarray, values: dict[str, np.ndarray], ng: int) -> dict[str, np.ndarray]:
    """Exact limb sums per area: land (``area_limbs``), parcel ``count``, and per indicator the
    area-weighted numerator and denominator over parcels where it is known.

    Partial results (e.g. of partitions) combine by adding arrays key by key; see
    :func:`area_stats`.
    """
    out = {"area_limbs": group_limbs(lab, w, ng), "count": np.bincount(lab, minlength=ng).astype(np.int64)}
    for name, v in values.items():
        ok = np.isfinite(v)
        out[f"{name}_num"] = group_limbs(lab[ok], (v * w)[ok], ng)
        out[f"{name}_den"] = group_limbs(lab[ok], w[ok], ng)
    out["area"] = to_float(out["area_limbs"])
    return out


def area_stats(sums: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    """``area_ha``, ``n_parcels`` and the area-weighted indicators from :func:`area_sums`."""
    g_area = to_float(sums["area_limbs"])
    stats: dict[str, np.ndarray] = {"area_ha": g_area / 1e4, "n_parcels": sums["count"]}
    for name in _AREA_INDICATORS:
        num, den = to_float(sums[f"{name}_num"]), to_float(sums[f"{name}_den"])
        with np.errstate(invalid="ignore", divide="ignore"):
            stats[name] = np.where(den > 0, num / den, np.nan)
    return stats


def district_land(lab: np.ndarray, district: np.ndarray, w: np.ndarray) -> pd.DataFrame:
    """Exact land (limbs) per (area, district) pair present: columns ``area``, ``district``, limbs."""
    d = pd.Series(district, dtype=object).where(pd.notna(district), None).map(lambda v: None if v is None else str(v))
    dcodes, dnames = pd.factorize(d, use_na_sentinel=True)
    nd = len(dnames) + 1
    dcodes = np.where(dcodes < 0, nd - 1, dcodes)
    ukey, inv = np.unique(lab * nd + dcodes, return_inverse=True)
    limbs = group_limbs(inv.ravel(), w, len(ukey))
    names = np.asarray([*dnames, None], dtype=object)
    out = pd.DataFrame(limbs, columns=[f"l{k}" for k in range(limbs.shape[1])])
    out.insert(0, "district", names[ukey % nd])
    out.insert(0, "area", ukey // nd)
    return out


def majority_district(land: pd.DataFrame, ng: int) -> np.ndarray:
    """The district holding most of each area's land (ties: the first name in sorted order).

    ``land`` as from :func:`district_land`, possibly concatenated from partitions.
    """
    limb_cols = [c for c in land.columns if c.startswith("l")]
    key = land["district"].fillna("\uffff")  # no district: after every name
    tot = land.assign(_d=key).groupby(["area", "_d"], sort=False)[limb_cols].sum().reset_index()
    tot["land"] = to_float(tot[limb_cols].to_numpy())
    tot = tot.sort_values(["area", "land", "_d"], ascending=[True, False, True], kind="stable")
    best = tot.drop_duplicates("area")
    out = np.full(ng, None, dtype=object)
    names = best["_d"].to_numpy(dtype=object)
    out[best["area"].to_numpy()] = np.where(names == "\uffff", None, names)
    return out


def decide_areas(stats: dict[str, np.ndarray], g_class: np.ndarray, pack: RulePack, lang: str,
                 thresholds: Mapping[str, Any], *, notes: bool = True) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Zone-level criteria on every area: ``(zone code, note, passed)`` per area.

    zone_criteria: every one must hold (e.g. the area's size); area_criteria: the area as a
    whole, area-weighted, at least area_min_met of them (default all); then the split.
    """
    # zone_criteria: every one must hold (e.g. the area's size); area_criteria: the area as a
    # whole, area-weighted, at least area_min_met of them (default all); then the split
    ng = len(g_class)
    values = {"zone_area_ha": stats["area_ha"], "building_quality": np.asarray(stats["quality_rank"], dtype="float64"),
              **{k: np.asarray(stats[k], dtype="float64") for k in _AREA_INDICATORS}}
    zcode = np.full(ng, ZONES.index("unzoned"), dtype=np.int8)
    area_notes = np.full(ng, "", dtype=object)
    passed = np.zeros(ng, dtype=bool)
    sep = "；" if lang == "zh" else "; "
    fmt = _fmt_zone_many if notes else _no_text
    join = _join_str if notes else _no_join
    for cand in pack.candidates:
        sel = g_class == cand.name
        if not sel.any():
            continue
        ok = sel.copy()
        texts, fails = [], []
        for code in cand.zone_criteria:
            c = pack.criterion(code)
            thr = zone_threshold(c, thresholds)
            met, st = _zone_test_many(c, values[c.indicator], thr)
            ok &= met
            txt = fmt(code, c, values[c.indicator], st, lang, thr)
            texts.append(txt)
            fails.append(np.where(met, "", txt) if notes else txt)
        if cand.area_criteria:
            need = cand.area_min_met or len(cand.area_criteria)
            count = np.zeros(ng, dtype=np.int64)
            area_texts = []
            for code in cand.area_criteria:
                c = pack.criterion(code)
                thr = zone_threshold(c, thresholds)
                met, st = _zone_test_many(c, values[c.indicator], thr)
                count += met
                txt = fmt(code, c, values[c.indicator], st, lang, thr)
                area_texts.append(txt)
                fails.append(np.where(met, "", txt) if notes else txt)
            ok &= count >= need
            if need < len(cand.area_criteria) and notes:
                head = (f"区域整体满足 {need}/{len(cand.area_criteria)} 项：" if lang == "zh"
                        else f"area as a whole, {need} of {len(cand.area_criteria)}: ")
                area_texts[0] = head + area_texts[0]
            texts += area_texts
        passed |= ok
        bad = sel & ~ok
        area_notes[bad] = join(fails, sep)[bad]
        if cand.split:
            c = pack.criterion(cand.split)
            thr = zone_threshold(c, thresholds)
            met, st = _zone_test_many(c, values[c.indicator], thr)
            zc = np.where(met, ZONES.index(cand.zones[0]), ZONES.index(cand.zones[1])).astype(np.int8)
            arrow = np.array([" → " + pack.zone_label(z, lang) for z in ZONES], dtype=object)[zc]
            texts.append(fmt(cand.split, c, values[c.indicator], st, lang, thr) + arrow if notes else arrow)
        else:
            zc = np.full(ng, ZONES.index(cand.zones[0]), dtype=np.int8)
        zcode[ok] = zc[ok]
        area_notes[ok] = join(texts, sep)[ok]
    return zcode, area_notes, passed


def parcel_frame(index: pd.Index, pz: np.ndarray, codes: np.ndarray, classes: np.ndarray, enclave_flag: np.ndarray,
                 areas: pd.DataFrame, contradicts: Any, relocation: np.ndarray) -> pd.DataFrame:
    """``Zones.parcels``: zone, cluster_id, candidate, area_note, enclave, contradicts, relocation."""
    n = len(index)
    ng = len(areas)
    return pd.DataFrame(
        {"zone": pd.Categorical.from_codes(pz, categories=list(ZONES)),
         "cluster_id": pd.Categorical.from_codes(codes, categories=areas["cluster_id"].tolist()) if ng else pd.Categorical([None] * n),
         "candidate": _categorical(classes),
         "area_note": _note_cat(codes, areas["note"].tolist()),
         "enclave": enclave_flag,
         "contradicts": contradicts,
         "relocation": relocation},
        index=index,
    )


def zone_envelopes(b: np.ndarray, zoned: np.ndarray, codes: np.ndarray) -> pd.DataFrame:
    """Bounding box (x0, y0, x1, y1) of each zone area, indexed by area number (partial
    envelopes combine by min / max)."""
    zi = np.flatnonzero(zoned)
    return pd.DataFrame(b[zi], columns=["x0", "y0", "x1", "y1"]).groupby(codes[zi]).agg({"x0": "min", "y0": "min", "x1": "max", "y1": "max"})


def enclave_candidates(b: np.ndarray, valid: np.ndarray, pz: np.ndarray, in_stock: np.ndarray, area0: np.ndarray,
                       max_m2: float, env: pd.DataFrame, gap: float, centres: np.ndarray | None = None) -> np.ndarray:
    """Parcels that may be enclaves: small stock parcels outside every zone whose box centre
    lies inside some zone area's envelope grown by ``gap`` (a parcel outside every zone's
    envelope cannot be enclosed by it)."""
    cand = in_stock & (pz > 2) & (area0 <= max_m2) & valid
    out = np.zeros(len(b), dtype=bool)
    if not cand.any() or len(env) == 0:
        return out
    boxes = shapely.box(env["x0"] - gap, env["y0"] - gap, env["x1"] + gap, env["y1"] + gap)
    ci = np.flatnonzero(cand)
    pts = centres[ci] if centres is not None else shapely.points((b[ci, 0] + b[ci, 2]) / 2, (b[ci, 1] + b[ci, 3]) / 2)
    hit = shapely.STRtree(boxes).query(pts)[0]
    out[ci[np.unique(hit)]] = True
    return out


def enclosed(qi: np.ndarray, nc: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Enclaves from (candidate, neighbour's zone area or -1) pairs: candidates with at least
    two neighbours, all in the same zone area. Returns ``(candidates, area)``."""
    nb = pd.DataFrame({"p": qi, "c": nc})
    agg = nb.groupby("p")["c"].agg(["size", "min", "max"])
    enc = agg[(agg["size"] >= 2) & (agg["min"] >= 0) & (agg["min"] == agg["max"])]
    return enc.index.to_numpy(), enc["min"].to_numpy()
