"""Explain every decision: per-criterion pass / fail / missing and one sentence per parcel.

:func:`explain` builds, aligned to the parcel index, a readable ``reason`` (Chinese or English)
and the codes of the criteria met, failed and missing. :func:`reasons_table` gives the long
form — one row per parcel and criterion with observed value, comparison and threshold — for
analysts who want to filter or pivot.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from zoning.rules.schema import INDICATORS, Criterion, RulePack

__all__ = ["explain", "reasons_table"]

_GRADE = {1: "poor", 2: "fair", 3: "good"}
_GRADE_ZH = {1: "差", 2: "一般", 3: "好", "poor": "差", "fair": "一般", "good": "好"}
_OP = {"<": "<", "<=": "≤", ">": ">", ">=": "≥", "==": "=", "!=": "≠", "in": "∈", "not in": "∉"}


def _fmt_values(c: Criterion, obs: np.ndarray, lang: str) -> np.ndarray:
    """Observed values as strings (vectorised)."""
    ind = INDICATORS[c.indicator]
    if ind.kind == "class":
        return pd.Series(obs, dtype="string").fillna("?").to_numpy(dtype=object)
    v = obs.astype("float64")
    if ind.kind == "grade":
        m = _GRADE_ZH if lang == "zh" else _GRADE
        return pd.Series(v).map(m).fillna("?").to_numpy(dtype=object)
    if ind.unit == "share":
        s = pd.Series(np.round(v * 100)).astype("Int64").astype("string") + "%"
    else:
        digits = {"{:.0f}": 0, "{:.1f}": 1, "{:.3f}": 3}.get(ind.fmt, 2)
        r = np.round(v, digits)
        s = pd.Series(r).astype("Int64").astype("string") if digits == 0 else pd.Series(r).astype("string")
    return s.fillna("?").to_numpy(dtype=object)


def _fmt_threshold(c: Criterion, thr: object, lang: str) -> str:
    ind = INDICATORS[c.indicator]
    if isinstance(thr, list):
        return ", ".join(thr)
    if ind.kind == "grade":
        return _GRADE_ZH[thr] if lang == "zh" else str(thr)  # type: ignore[index]
    t = float(thr)  # type: ignore[arg-type]
    unit = "" if ind.unit in ("share", "ratio") else (" 年" if lang == "zh" and ind.unit == "years" else f" {ind.unit}")
    return (f"{t:.0%}" if ind.unit == "share" else f"{ind.fmt.format(t)}{unit}")


def _snippets(pack: RulePack, indicators: pd.DataFrame, classification: pd.DataFrame, lang: str) -> dict[str, np.ndarray]:
    """Per criterion, the text shown for each parcel: '<name> <value> <op> <threshold>'."""
    thresholds = classification.attrs.get("thresholds", {})
    out: dict[str, np.ndarray] = {}
    for c in pack.criteria:
        if c.level != "parcel" or c.code not in classification:
            continue
        col = "quality_rank" if c.indicator == "building_quality" else c.indicator
        obs = indicators[col].to_numpy()
        vals = _fmt_values(c, obs, lang)
        thr = _fmt_threshold(c, thresholds.get(c.code, c.threshold), lang)
        name = INDICATORS[c.indicator].name_zh if lang == "zh" else INDICATORS[c.indicator].name_en
        st = classification[c.code].to_numpy(dtype=object)
        op = _OP[c.op]
        if lang == "zh":
            passed = name + " " + vals + f" {op} {thr}"
            failed = name + " " + vals + f"（需 {op} {thr}）"
            missing = name + "缺失"
        else:
            passed = name + " " + vals + f" {op} {thr}"
            failed = name + " " + vals + f" (needs {op} {thr})"
            missing = name + " missing"
        out[c.code] = np.where(st == "pass", passed, np.where(st == "fail", failed, np.where(st == "missing", missing, "")))
    return out


def _join(parts: list[np.ndarray], sep: str) -> np.ndarray:
    """Join per-parcel snippets, skipping empty ones (vectorised over parcels)."""
    if not parts:
        return np.array([], dtype=object)
    acc = pd.Series(parts[0], dtype="string").fillna("")
    for p in parts[1:]:
        s = pd.Series(p, dtype="string").fillna("")
        both = (acc != "") & (s != "")
        acc = acc.where(~both, acc + sep) + s
    return acc.to_numpy(dtype=object)


def explain(
    parcels: pd.DataFrame,
    indicators: pd.DataFrame,
    classification: pd.DataFrame,
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
    n = len(parcels)
    snips = _snippets(pack, indicators, classification, lang)
    codes = list(snips)
    st = {c: classification[c].to_numpy(dtype=object) for c in codes}

    def code_list(status: str) -> np.ndarray:
        return _join([np.where(st[c] == status, c, "") for c in codes], " ")

    met, failed, missing = code_list("pass"), code_list("fail"), code_list("missing")
    zone = zones["zone"].to_numpy(dtype=object)
    cid = zones["cluster_id"].astype("string").fillna("").to_numpy(dtype=object)
    note = zones["area_note"].astype("string").fillna("").to_numpy(dtype=object)
    enclave = zones["enclave"].to_numpy(dtype=bool)
    cand = (zones["candidate"] if "candidate" in zones else classification["candidate"]).to_numpy(dtype=object)
    sep = "；" if lang == "zh" else "; "
    label = {z: pack.zone_label(z, lang) for z in pack.zones}
    cls_label = {c.name: " / ".join(pack.zone_label(z, lang) for z in c.zones) for c in pack.candidates}

    reason = np.full(n, "", dtype=object)
    # not industrial
    ni = zone == "not_industrial"
    if ni.any():
        use_col = pack.stock.use if pack.stock else "current_use"
        raw = parcels[use_col].astype("string").fillna("?").to_numpy(dtype=object) if use_col in parcels else np.full(n, "?", dtype=object)
        klass = indicators["current_class" if use_col == "current_use" else "planned_class"].astype("string").fillna("?").to_numpy(dtype=object)
        stock = ", ".join(pack.stock.codes) if pack.stock else ""
        if lang == "zh":
            reason[ni] = label["not_industrial"] + "：" + ("现状用途" if use_col == "current_use" else "规划用途") + " " + raw[ni] + "（" + klass[ni] + f"）不属于工业用地存量（{stock}）"
        else:
            reason[ni] = label["not_industrial"] + f": {use_col.replace('_', ' ')} '" + raw[ni] + "' (" + klass[ni] + f") is not in the industrial stock ({stock})"
    # per candidate class: the criteria of that class
    class_text: dict[str, np.ndarray] = {}
    for c in pack.candidates:
        class_text[c.name] = _join([snips[k] for k in [*c.gate, *c.criteria] if k in snips], sep)
    zoned = np.isin(zone, ["retain_upgrade", "land_consolidation", "contiguous_renewal"])
    for c in pack.candidates:
        m = zoned & np.isin(zone, c.zones) & ~enclave
        if not m.any():
            continue
        head = np.array([label[z] for z in zone[m]], dtype=object)
        if lang == "zh":
            reason[m] = head + "：连片区域 " + cid[m] + "（" + note[m] + "）" + sep + "地块：" + class_text[c.name][m]
        else:
            reason[m] = head + ": contiguous area " + cid[m] + " (" + note[m] + ")" + sep + "parcel: " + class_text[c.name][m]
    enc = zoned & enclave
    if enc.any():
        head = np.array([label[z] for z in zone[enc]], dtype=object)
        if lang == "zh":
            reason[enc] = head + "：被连片区域 " + cid[enc] + " 包围的小地块（飞地），随区域划入" + sep + "本身：" + _join([snips[k] for k in codes], sep)[enc]
        else:
            reason[enc] = head + ": small enclave surrounded by area " + cid[enc] + ", included with it" + sep + "own criteria: " + _join([snips[k] for k in codes], sep)[enc]
    # unzoned
    uz = zone == "unzoned"
    grouped = uz & (cid != "")
    if grouped.any():
        cl = np.array([cls_label.get(x, "") for x in cand[grouped]], dtype=object)
        if lang == "zh":
            what = "按得分倾向" if mode == "quota" else "符合"
            reason[grouped] = label["unzoned"] + f"：{what}" + cl + "地块标准，但所在连片区域 " + cid[grouped] + " 未划入（" + note[grouped] + "）"
        else:
            what = "leans by score to" if mode == "quota" else "meets"
            reason[grouped] = label["unzoned"] + f": {what} the " + cl + " parcel criteria, but its area " + cid[grouped] + " is not zoned (" + note[grouped] + ")"
    loose = uz & (cid == "")
    if loose.any():
        parts = []
        for c in pack.candidates:
            fails = _join([np.where(st[k] == "fail", snips[k], np.where(st[k] == "missing", snips[k], "")) for k in [*c.gate, *c.criteria] if k in snips], sep)
            need = f"至少满足 {c.min_met} 项" if lang == "zh" else f"needs {c.min_met} of {len(c.criteria)}"
            gate = ("且满足 " + ", ".join(c.gate)) if (c.gate and lang == "zh") else (f" plus {', '.join(c.gate)}" if c.gate else "")
            if lang == "zh":
                parts.append("非" + cls_label[c.name] + f"（{need}{gate}；未满足：" + fails + "）")
            else:
                parts.append("not " + cls_label[c.name] + f" ({need}{gate}; unmet: " + fails + ")")
        joined = _join([p[loose] if isinstance(p, np.ndarray) else np.full(loose.sum(), p, dtype=object) for p in parts], sep)
        reason[loose] = label["unzoned"] + ("：" if lang == "zh" else ": ") + joined
    return pd.DataFrame({"reason": reason, "criteria_met": met, "criteria_failed": failed,
                         "criteria_missing": missing}, index=parcels.index)


def reasons_table(
    parcels: pd.DataFrame,
    indicators: pd.DataFrame,
    classification: pd.DataFrame,
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
    thresholds = classification.attrs.get("thresholds", {})
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
        frames.append(pd.DataFrame({
            "parcel_id": ids, "code": c.code, "criterion": c.name_en, "indicator": c.indicator,
            "observed": pd.Series(obs, dtype=object).to_numpy(), "op": c.op,
            "threshold": ", ".join(thr) if isinstance(thr, list) else (thr if isinstance(thr, str) else float(thr)),  # type: ignore[arg-type]
            "unit": INDICATORS[c.indicator].unit, "status": classification[c.code].to_numpy(dtype=object)[stock],
            "threshold_status": c.status,
        }))
    if not frames:
        return pd.DataFrame(columns=["parcel_id", "code", "criterion", "indicator", "observed", "op", "threshold", "unit", "status", "threshold_status"])
    return pd.concat(frames, ignore_index=True)
