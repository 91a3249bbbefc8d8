"""Explain every decision: per-criterion pass / fail / missing and one sentence per parcel.

:func:`explain` builds, aligned to the parcel index, a readable ``reason`` (Chinese or English)
and the codes of the criteria met, failed and missing. :func:`reasons_table` gives the long
form — one row per parcel and criterion with observed value, comparison and threshold — for
analysts who want to filter or pivot.

Sentences are assembled with Arrow string kernels (values are formatted once per distinct
rounded value), so a million parcels are explained in a few seconds.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from typing import Any, cast

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from zoning.rules.schema import INDICATORS, CandidateClass, Criterion, RulePack
from zoning.stages.classify import Classification, as_classification
from zoning.units import OP_SYMBOLS, STATUS

__all__ = ["STATUS", "explain", "reasons_table", "status_codes"]

#: Criterion status per parcel, as stored in the classification columns (categorical codes).
_GRADE = {1.0: "poor", 2.0: "fair", 3.0: "good"}
_GRADE_ZH = {1.0: "差", 2.0: "一般", 3.0: "好", "poor": "差", "fair": "一般", "good": "好"}
_OP = OP_SYMBOLS
_NULL = pa.scalar(None, pa.string())


def status_codes(col: pd.Series) -> np.ndarray:
    """Status column (categorical or strings) → int8 codes 0 '', 1 pass, 2 fail, 3 missing."""
    if isinstance(col.dtype, pd.CategoricalDtype) and list(col.cat.categories) == list(STATUS):
        return col.cat.codes.to_numpy(dtype=np.int8)
    return pd.Categorical(col.astype(object).fillna(""), categories=list(STATUS)).codes.astype(np.int8)


def _arrow(values: np.ndarray | list[str]) -> pa.Array:
    return pa.array(values, type=pa.string())


def _col_arrow(s: pd.Series, missing: str = "", mapping: Mapping[Any, str] | None = None) -> pa.Array:
    """A column as Arrow strings via its distinct values (missing → ``missing``)."""
    if isinstance(s.dtype, pd.CategoricalDtype):
        codes, uniq = s.cat.codes.to_numpy(), list(s.cat.categories)
    else:
        codes, uniq = pd.factorize(s.astype(object), use_na_sentinel=True)
        uniq = list(uniq)
    strings = [str(mapping.get(u, u)) if mapping else str(u) for u in uniq] + [missing]
    return pc.take(_arrow(strings), pa.array(np.where(codes < 0, len(uniq), codes).astype(np.int64)))


def _format_unique(v: np.ndarray, fmt: Callable[[Any], str]) -> pa.Array:
    """Format each distinct value once, then gather (fast for a million parcels)."""
    inv, uniq = pd.factorize(v, use_na_sentinel=True)
    strings = [fmt(u) for u in np.asarray(uniq).tolist()] + [fmt(float("nan"))]
    return pc.take(_arrow(strings), pa.array(np.where(inv < 0, len(uniq), inv).astype(np.int64)))


def _fmt_values(c: Criterion, obs: np.ndarray, lang: str) -> pa.Array:
    """Observed values as display strings ('?' when missing)."""
    ind = INDICATORS[c.indicator]
    if ind.kind == "class":
        s = pd.Series(obs, dtype=object)
        codes, uniq = pd.factorize(s, use_na_sentinel=True)
        strings = [str(u) for u in uniq] + ["?"]
        return pc.take(_arrow(strings), pa.array(np.where(codes < 0, len(uniq), codes).astype(np.int64)))
    v = np.asarray(obs, dtype="float64")
    if ind.kind == "grade":
        m = _GRADE_ZH if lang == "zh" else _GRADE
        return _format_unique(np.nan_to_num(v, nan=0.0), lambda u: m.get(u, "?"))
    if ind.unit == "share":
        r = np.round(v * 100)
        return _format_unique(r, lambda u: "?" if u != u else f"{u:.0f}%")
    digits = {"{:.0f}": 0, "{:.1f}": 1, "{:.3f}": 3}.get(ind.fmt, 2)
    r = np.round(v, digits)
    return _format_unique(r, lambda u: "?" if u != u else f"{u:.{digits}f}")


def _fmt_threshold(c: Criterion, thr: float | str | list[str], lang: str) -> str:
    ind = INDICATORS[c.indicator]
    if isinstance(thr, list):
        return ", ".join(thr)
    if ind.kind == "grade":
        return _GRADE_ZH[thr] if lang == "zh" else str(thr)
    t = float(thr)
    if ind.unit == "share":
        return f"{t:.0%}"
    unit = "" if ind.unit == "ratio" else (" 年" if lang == "zh" and ind.unit == "years" else f" {ind.unit}")
    return f"{ind.fmt.format(t)}{unit}"


class _Snippets:
    """Per criterion: formatted values and status codes for every parcel; texts built on subsets."""

    def __init__(self, pack: RulePack, indicators: pd.DataFrame, classification: Classification, lang: str) -> None:
        thresholds = classification.thresholds
        self.lang = lang
        self.parts: dict[str, tuple[pa.Array, np.ndarray, str, str, str]] = {}
        for c in pack.criteria:
            if c.level != "parcel" or c.code not in classification:
                continue
            col = "quality_rank" if c.indicator == "building_quality" else c.indicator
            vals = _fmt_values(c, indicators[col].to_numpy(), lang)
            thr = _fmt_threshold(c, cast("float | str | list[str]", thresholds.get(c.code, c.threshold)), lang)
            name = INDICATORS[c.indicator].name_zh if lang == "zh" else INDICATORS[c.indicator].name_en
            op = _OP[c.op]
            passed = f" {op} {thr}"
            failed = f"（需 {op} {thr}）" if lang == "zh" else f" (needs {op} {thr})"
            self.parts[c.code] = (vals, status_codes(classification[c.code]), name, passed, failed)

    @property
    def codes(self) -> list[str]:
        return list(self.parts)

    def status(self, code: str) -> np.ndarray:
        return self.parts[code][1]

    def text(self, code: str, idx: np.ndarray, *, only_unmet: bool = False) -> pa.Array:
        """'<name> <value> <op> <threshold>' for parcels ``idx`` (null where not evaluated)."""
        vals, st, name, passed, failed = self.parts[code]
        v = pc.take(vals, pa.array(idx))
        s = st[idx]
        missing = pa.scalar(f"{name}缺失" if self.lang == "zh" else f"{name} missing")
        out = pc.if_else(pa.array(s == 2), pc.binary_join_element_wise(f"{name} ", v, failed, ""),
                         pc.if_else(pa.array(s == 3), missing, _NULL))
        if not only_unmet:
            out = pc.if_else(pa.array(s == 1), pc.binary_join_element_wise(f"{name} ", v, passed, ""), out)
        return out

    def code_lists(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Space-separated codes met / failed / missing per parcel, built per distinct pattern."""
        codes = self.codes
        n = len(next(iter(self.parts.values()))[1]) if codes else 0
        if not codes:
            empty = np.full(n, "", dtype=object)
            return empty, empty, empty
        key = np.zeros(n, dtype=np.int64)
        for j, c in enumerate(codes):
            key += self.status(c).astype(np.int64) << (2 * j)
        uniq, inv = np.unique(key, return_inverse=True)
        lists = []
        for status in (1, 2, 3):
            strings = np.array([" ".join(c for j, c in enumerate(codes) if (u >> (2 * j)) & 3 == status) for u in uniq.tolist()], dtype=object)
            lists.append(strings[inv])
        return lists[0], lists[1], lists[2]


def _join(parts: list[pa.Array], sep: str, n: int) -> pa.Array:
    """Join per-parcel snippets with ``sep``, skipping nulls (all-null rows give null)."""
    if not parts:
        return pa.nulls(n, pa.string())
    if len(parts) == 1:
        return parts[0]
    if not any(p.null_count for p in parts):
        return pc.binary_join_element_wise(*parts, sep)
    # nulls → "" then collapse the separators they leave behind (null_handling="skip" is avoided:
    # some pyarrow versions drop all-null rows with it)
    joined = pc.binary_join_element_wise(*parts, sep, null_handling="replace", null_replacement="")
    esc = re.escape(sep)
    joined = pc.replace_substring_regex(joined, f"(?:{esc}){{2,}}", sep)
    joined = pc.replace_substring_regex(joined, f"^(?:{esc})|(?:{esc})$", "")
    return pc.if_else(pc.equal(joined, ""), _NULL, joined)


def _strings_series(values: np.ndarray | pa.Array, index: pd.Index) -> pd.Series:
    if isinstance(values, np.ndarray):
        values = pa.array(values, type=pa.string())
    if values.null_count:
        values = pc.if_else(pc.is_null(values), "", values)
    return pd.Series(pd.arrays.ArrowStringArray(values), index=index)


def _flag_texts(pack: RulePack, zones: pd.DataFrame, lang: str) -> pa.Array:
    """Per parcel: '' or the sentence flagging a parcel that contradicts its zone's area
    criteria, and a relocation (安置) candidate; one text per distinct pattern."""
    n = len(zones)
    if "contradicts" not in zones or "relocation" not in zones:
        return _arrow([""] * n)
    con = zones["contradicts"].astype(object).fillna("").astype(str).to_numpy()
    rel = zones["relocation"].to_numpy(dtype=bool)
    key = np.char.add(con.astype(str), np.where(rel, "|R", "|"))
    inv, uniq = pd.factorize(key)
    sep = "；" if lang == "zh" else "; "
    retain = pack.zone_label("retain_upgrade", lang) if "retain_upgrade" in pack.zones else "retain-upgrade"
    reloc = {c.name: c.relocation for c in pack.candidates if c.relocation}
    rcode = next(iter(reloc.values()), "")
    texts = []
    for u in uniq.tolist():
        codes, r = u.rsplit("|", 1)
        parts = []
        if codes:
            names = ", ".join(f"{k} {pack.criterion(k).name_zh if lang == 'zh' else pack.criterion(k).name_en}"
                              for k in codes.split())
            parts.append(f"本地块与所在区域不符：{names}（区域整体满足，本地块不满足）" if lang == "zh"
                         else f"this parcel contradicts its area on {names} (the area as a whole meets it, the parcel does not)")
        if r:
            parts.append(f"安置候选：高产出企业（{rcode}），宜安置至{retain}" if lang == "zh"
                         else f"relocation (安置) candidate: high output ({rcode}), for the {retain} areas")
        texts.append(sep + sep.join(parts) if parts else "")
    return pc.take(_arrow(texts), pa.array(inv.astype(np.int64)))


def explain(
    parcels: pd.DataFrame,
    indicators: pd.DataFrame,
    classification: Classification | pd.DataFrame,
    zones: pd.DataFrame,
    *,
    rules: str | RulePack = "shenzhen-2020",
    lang: str = "en",
    mode: str = "threshold",
) -> pd.DataFrame:
    """One readable reason per parcel, plus the criteria codes met / failed / missing.

    Parameters
    ----------
    parcels, indicators, classification
        Outputs of the earlier stages (aligned to the same index).
    zones
        ``Zones.parcels`` from :func:`zoning.form_zones`.
    rules
        The rule pack used.
    lang
        ``"en"`` or ``"zh"``.
    mode
        ``"threshold"`` or ``"quota"`` (changes how unzoned areas are described).

    Returns
    -------
    DataFrame
        ``reason``, ``criteria_met``, ``criteria_failed``, ``criteria_missing`` (space-separated
        codes) aligned to ``parcels.index``.
    """
    from zoning.rules import load_rules

    if lang not in ("en", "zh"):
        msg = f"lang must be 'en' or 'zh', got {lang!r}"
        raise ValueError(msg)
    pack = load_rules(rules)
    classification = as_classification(classification, indicators, pack)
    n = len(parcels)
    sn = _Snippets(pack, indicators, classification, lang)
    met, failed, missing = sn.code_lists()

    zone = zones["zone"].to_numpy(dtype=object)
    cid_a = _col_arrow(zones["cluster_id"])
    has_area = zones["cluster_id"].notna().to_numpy()
    note_a = _col_arrow(zones["area_note"])
    enclave = zones["enclave"].to_numpy(dtype=bool)
    cand_col = zones["candidate"] if "candidate" in zones else classification["candidate"]
    sep = "；" if lang == "zh" else "; "
    label = {z: pack.zone_label(z, lang) for z in pack.zones}
    cls_label = {c.name: " / ".join(pack.zone_label(z, lang) for z in c.zones) for c in pack.candidates}
    zone_label = _col_arrow(zones["zone"], mapping=label)
    order_parts: list[np.ndarray] = []
    text_parts: list[pa.Array] = []
    jobs: list[tuple[np.ndarray, Callable[[np.ndarray], pa.Array]]] = []

    def take(arr: pa.Array, idx: np.ndarray) -> pa.Array:
        return pc.take(arr, pa.array(idx))

    # not industrial
    def not_industrial(idx: np.ndarray) -> pa.Array:
        use_col = pack.stock.use if pack.stock else "current_use"
        raw_a = _col_arrow(parcels[use_col].iloc[idx], "?") if use_col in parcels else _arrow(["?"] * len(idx))
        klass_a = _col_arrow(indicators["current_class" if use_col == "current_use" else "planned_class"].iloc[idx], "?")
        stock = ", ".join(pack.stock.codes) if pack.stock else ""
        if lang == "zh":
            return pc.binary_join_element_wise(label["not_industrial"] + "：" + ("现状用途" if use_col == "current_use" else "规划用途") + " ",
                                               raw_a, "（", klass_a, f"）不属于工业用地存量（{stock}）", "")
        return pc.binary_join_element_wise(label["not_industrial"] + f": {use_col.replace('_', ' ')} '", raw_a, "' (",
                                           klass_a, f") is not in the industrial stock ({stock})", "")

    jobs.append((np.flatnonzero(zone == "not_industrial"), not_industrial))

    zoned = np.isin(zone, ["retain_upgrade", "land_consolidation", "contiguous_renewal"])
    flags = _flag_texts(pack, zones, lang)
    for c in pack.candidates:
        def zoned_parcels(idx: np.ndarray, c: CandidateClass = c) -> pa.Array:
            crit = _join([sn.text(k, idx) for k in [*c.gate, *c.criteria] if k in sn.parts], sep, len(idx))
            head = [take(zone_label, idx), "：连片区域 " if lang == "zh" else ": contiguous area ", take(cid_a, idx),
                    "（" if lang == "zh" else " (", take(note_a, idx), "）" if lang == "zh" else ")", sep,
                    "地块：" if lang == "zh" else "parcel: ", crit, take(flags, idx), ""]
            return pc.binary_join_element_wise(*head)

        jobs.append((np.flatnonzero(zoned & np.isin(zone, c.zones) & ~enclave), zoned_parcels))

    def enclaves(idx: np.ndarray) -> pa.Array:
        own = _join([sn.text(k, idx) for k in sn.codes], sep, len(idx))
        if lang == "zh":
            return pc.binary_join_element_wise(take(zone_label, idx), "：被连片区域 ", take(cid_a, idx), " 包围的小地块（飞地），随区域划入", sep, "本身：", own, "")
        return pc.binary_join_element_wise(take(zone_label, idx), ": small enclave surrounded by area ", take(cid_a, idx), ", included with it", sep, "own criteria: ", own, "")

    jobs.append((np.flatnonzero(zoned & enclave), enclaves))
    uz = zone == "unzoned"

    def area_not_zoned(idx: np.ndarray) -> pa.Array:
        cl = take(_col_arrow(cand_col, mapping=cls_label), idx)
        if lang == "zh":
            what = "按得分倾向" if mode == "quota" else "符合"
            return pc.binary_join_element_wise(label["unzoned"] + f"：{what}", cl, "地块标准，但所在连片区域 ", take(cid_a, idx), " 未划入（", take(note_a, idx), "）", "")
        what = "leans by score to" if mode == "quota" else "meets"
        return pc.binary_join_element_wise(label["unzoned"] + f": {what} the ", cl, " parcel criteria, but its area ", take(cid_a, idx), " is not zoned (", take(note_a, idx), ")", "")

    jobs.append((np.flatnonzero(uz & has_area), area_not_zoned))

    def no_area(idx: np.ndarray) -> pa.Array:
        parts = []
        for c in pack.candidates:
            unmet = _join([sn.text(k, idx, only_unmet=True) for k in [*c.gate, *c.criteria] if k in sn.parts], sep, len(idx))
            unmet = pc.if_else(pc.is_null(unmet), "—", unmet)
            if lang == "zh":
                gate = ("且满足 " + ", ".join(c.gate)) if c.gate else ""
                parts.append(pc.binary_join_element_wise("非" + cls_label[c.name] + f"（需满足 {len(c.criteria)} 项中 {c.min_met} 项{gate}；未满足：", unmet, "）", ""))
            else:
                gate = f" plus {', '.join(c.gate)}" if c.gate else ""
                parts.append(pc.binary_join_element_wise("not " + cls_label[c.name] + f" (needs {c.min_met} of {len(c.criteria)}{gate}; unmet: ", unmet, ")", ""))
        return pc.binary_join_element_wise(label["unzoned"] + ("：" if lang == "zh" else ": "), _join(parts, sep, len(idx)), "")

    # split the unzoned parcels without an area in two so both cores share the largest group
    loose = np.flatnonzero(uz & ~has_area)
    for half in np.array_split(loose, 2) if len(loose) > 50_000 else [loose]:
        jobs.append((half, no_area))

    jobs = [(idx, fn) for idx, fn in jobs if len(idx)]
    if n > 50_000 and len(jobs) > 1:
        from concurrent.futures import ThreadPoolExecutor

        with ThreadPoolExecutor(2) as ex:  # Arrow kernels release the GIL
            results = list(ex.map(lambda job: job[1](job[0]), sorted(jobs, key=lambda j: -len(j[0]))))
        jobs = sorted(jobs, key=lambda j: -len(j[0]))
    else:
        results = [fn(idx) for idx, fn in jobs]
    for (idx, _), text in zip(jobs, results, strict=True):
        order_parts.append(idx)
        text_parts.append(text)

    if order_parts:
        order = np.concatenate(order_parts)
        texts = pa.concat_arrays([t.cast(pa.string()) for t in text_parts])
        inverse = np.empty(len(order), dtype=np.int64)
        inverse[order] = np.arange(len(order))
        reason = pc.take(texts, pa.array(inverse))
    else:
        reason = pa.array([""] * n, type=pa.string())
    idx_ = parcels.index
    return pd.DataFrame({"reason": _strings_series(reason, idx_), "criteria_met": _strings_series(met, idx_),
                         "criteria_failed": _strings_series(failed, idx_), "criteria_missing": _strings_series(missing, idx_)},
                        index=idx_)


def reasons_table(
    parcels: pd.DataFrame,
    indicators: pd.DataFrame,
    classification: Classification | pd.DataFrame,
    *,
    rules: str | RulePack = "shenzhen-2020",
) -> pd.DataFrame:
    """Long table: one row per industrial parcel and parcel-level criterion.

    Columns: ``parcel_id``, ``code``, ``criterion``, ``indicator``, ``observed``, ``op``,
    ``threshold``, ``unit``, ``status`` (pass / fail / missing), ``threshold_status``
    (official / derived / heuristic).
    """
    from zoning.rules import load_rules

    pack = load_rules(rules)
    classification = as_classification(classification, indicators, pack)
    thresholds = classification.thresholds
    stock = classification["in_stock"].to_numpy()
    ids = (parcels["parcel_id"] if "parcel_id" in parcels else pd.Series(parcels.index.astype(str), index=parcels.index)).astype(str).to_numpy()[stock]
    frames = []
    for c in pack.criteria:
        if c.level != "parcel" or c.code not in classification:
            continue
        col = "quality_rank" if c.indicator == "building_quality" else c.indicator
        obs = indicators[col].to_numpy()[stock]
        if c.indicator == "building_quality":
            obs = pd.Series(obs).map(_GRADE).to_numpy(dtype=object)
        thr = thresholds.get(c.code, c.threshold)
        st = np.asarray(STATUS, dtype=object)[status_codes(classification[c.code])][stock]
        frames.append(pd.DataFrame({
            "parcel_id": ids, "code": c.code, "criterion": c.name_en, "indicator": c.indicator,
            "observed": pd.Series(obs, dtype=object).to_numpy(), "op": c.op,
            "threshold": ", ".join(thr) if isinstance(thr, list) else (thr if isinstance(thr, str) else float(cast("float", thr))),
            "unit": INDICATORS[c.indicator].unit, "status": st,
            "threshold_status": c.status,
        }))
    if not frames:
        return pd.DataFrame(columns=["parcel_id", "code", "criterion", "indicator", "observed", "op", "threshold", "unit", "status", "threshold_status"])
    return pd.concat(frames, ignore_index=True)
