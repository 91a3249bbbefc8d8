"""Render a rule pack as a table (for the CLI, notebooks, reports and the docs)."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from zoning.rules.schema import INDICATORS, Criterion, RulePack

__all__ = ["composition_lines", "effective_text", "format_threshold", "pack_line", "pack_status_line", "policy_text",
           "render_rules", "rules_table", "section_lines"]


def _width(text: str) -> int:
    """Display width: Chinese characters take two columns."""
    import unicodedata

    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _pad(text: str, n: int) -> str:
    return text + " " * max(0, n - _width(text))


def effective_text(pack: RulePack) -> str:
    """The pack's effective date as it should be shown: placeholders say so.

    >>> from zoning.rules import load_rules
    >>> effective_text(load_rules("shenzhen-2020"))
    '2020-06-04'
    """
    info = pack.pack
    if getattr(info, "effective_placeholder", False):
        return f"{info.effective} (placeholder: only the year {info.effective.year} is known)"
    return str(info.effective)


def policy_text(pack: RulePack | str) -> Path | None:
    """The shipped policy text a pack cites (``zoning/rules/texts/…``), or None if it has none.

    >>> from zoning.rules import load_rules
    >>> policy_text(load_rules("jiaxing-2024")).name
    'jiaxing-2024.txt'
    """
    if isinstance(pack, str):
        from zoning.rules import load_rules

        pack = load_rules(pack)
    name = pack.pack.text
    if not name:
        return None
    path = Path(__file__).resolve().parent / "texts" / name
    return path if path.exists() else None


def pack_status_line(pack: RulePack) -> str:
    """How many numbers of each status a pack holds, for listings.

    >>> from zoning.rules import load_rules
    >>> pack_status_line(load_rules("shenzhen-htp-2012"))
    'effective 2012-07-24; 6 numbers: 6 official; every one with its source'
    """
    from zoning.rules.schema import STATUSES

    statuses = [c.status for c in pack.criteria] + [p.status for p in pack.parameters]
    if pack.firms is not None:
        statuses += [i.status for t in pack.firms.tracks for i in t.indicators] + [pack.firms.class_status]
    counts = ", ".join(f"{statuses.count(k)} {k}" for k in STATUSES if k in statuses)
    cited = all(c.source for c in pack.criteria) and all(p.source for p in pack.parameters)
    return f"effective {effective_text(pack)}; {len(statuses)} numbers: {counts}" + ("; every one with its source" if cited else "")


def pack_line(pack: RulePack) -> str:
    """One line naming a pack for result summaries: name, title, effective date.

    >>> from zoning.rules import load_rules
    >>> pack_line(load_rules("shenzhen-2020")).split(" — ")[0]
    'shenzhen-2020'
    """
    info = pack.pack
    return f"{info.name} — {info.title_en}; effective {effective_text(pack)}"


def section_lines(pack: RulePack, *, markdown: bool = False) -> list[str]:
    """How the pack's check sections use its criteria, one line per role.

    >>> from zoning.rules import load_rules
    >>> section_lines(load_rules("guangzhou-2024"))[1]
    '- industrial land: GZ-I1 (on planned_use)'
    """
    code = (lambda c: f"`{c}`") if markdown else (lambda c: c)
    out: list[str] = []
    if pack.blocks:
        b = pack.blocks
        out += ["**Industrial blocks** (zoning.check_blocks)" if markdown else "Industrial blocks (zoning.check_blocks):",
                f"- industrial land: {code(b.industrial)} (on {b.use})",
                f"- each block: {code(b.min_block_share)}; each district: {code(b.min_district_coverage)}"]
        if b.balance:
            out.append(f"- 占补平衡 per district (zoning.check_balance): {code(b.balance)}")
    if pack.mixed_use:
        m = pack.mixed_use
        out += ["**Mixed industrial land** (zoning.check_mixed_use)" if markdown else "Mixed industrial land (zoning.check_mixed_use):",
                f"- mixed parcels: {code(m.min_industrial_floor_share)}; industrial parcels ({code(m.industrial)}, on {m.use}): "
                + ", ".join(code(c) for c in (m.min_far, m.min_green_ratio) if c)]
        if m.balance:
            out.append(f"- may be met through the {m.balance_over} (统筹平衡): {', '.join(code(c) for c in m.balance)}")
        if m.max_land_term:
            out.append(f"- flexible land terms: {code(m.max_land_term)}")
    if pack.projects:
        out.append("**Project tiers** (zoning.check_projects), first that fits" if markdown else "Project tiers (zoning.check_projects), first that fits:")
        for t in pack.projects.tiers:
            excl = f", and not {', '.join(code(c) for c in t.excluding)}" if t.excluding else ""
            out.append(f"- {t.name} {t.label_zh} ({t.label_en}): all of {', '.join(code(c) for c in t.criteria)}{excl}")
    if pack.screening:
        s = pack.screening
        out += ["**Enterprise screening** (zoning.check_enterprises)" if markdown else "Enterprise screening (zoning.check_enterprises):",
                f"- low-end if any of {', '.join(code(c) for c in s.flags)}"]
        if s.targets:
            out.append(f"- freed floor space against {', '.join(code(c) for c in s.targets)}")
    if pack.benchmarks:
        out += ["**Benchmarks** (zoning.check_benchmarks)" if markdown else "Benchmarks (zoning.check_benchmarks):",
                f"- per park, zone or district: {', '.join(code(c) for c in pack.benchmarks.criteria)}"]
    if pack.tenants:
        out += ["**Tenants** (zoning.check_leases)" if markdown else "Tenants (zoning.check_leases):",
                f"- in {', '.join(pack.tenants.zones)}: {code(pack.tenants.min_lease)}"]
    return out


_ZH = {"official": "官方", "official-draft": "征求意见稿", "derived": "推导", "heuristic": "经验", "fail": "视为不满足", "pass": "视为满足",
       "parcel": "地块", "zone": "区域", "block": "区块", "district": "行政区", "park": "园区", "project": "项目",
       "enterprise": "企业", "area": "片区", "city": "全市", "parameter": "参数", "extent": "分区规模",
       "completion": "期内完成量"}
_RULE_NAMES = {
    "gate": ("门槛条件（全部满足）", "gate (all must hold)"),
    "min_met": ("地块标准组合", "parcel criteria combined"),
    "zone_criteria": ("区域规模条件（全部满足）", "area size (all must hold)"),
    "area_criteria": ("区域整体标准（面积加权）", "the area as a whole (area-weighted)"),
    "split": ("整备/改造划分", "consolidation / renewal split"),
    "relocation": ("安置候选", "relocation (安置) candidates"),
}


def _w(word: str, lang: str) -> str:
    return _ZH.get(word, word) if lang == "zh" else word


def composition_lines(pack: RulePack, *, lang: str = "en", markdown: bool = False) -> list[str]:
    """How the criteria combine into zones, the targets and the calibration — each with status and source.

    >>> from zoning.rules import load_rules
    >>> lines = composition_lines(load_rules("shenzhen-2020"))
    >>> any("4 of 4" in line for line in lines)
    True
    """
    zh = lang == "zh"
    code = (lambda c: f"`{c}`") if markdown else (lambda c: c)
    out: list[str] = []
    if pack.candidates:
        out.append("**地块如何成为分区**" if markdown and zh else "**How parcels become zones**" if markdown
                   else "地块如何成为分区：" if zh else "How parcels become zones:")
        for cand in pack.candidates:
            zones = " / ".join(pack.zone_label(z, lang) for z in cand.zones)
            out.append(f"- {cand.name}（{zones}）：" if zh else f"- {cand.name} ({zones}):")
            rules: list[tuple[str, str]] = []
            if cand.gate:
                rules.append(("gate", ", ".join(code(c) for c in cand.gate)))
            rules.append(("min_met", (f"{len(cand.criteria)} 项中至少 {cand.min_met} 项：" if zh
                                      else f"at least {cand.min_met} of {len(cand.criteria)}: ")
                          + ", ".join(code(c) for c in cand.criteria)))
            if cand.zone_criteria:
                rules.append(("zone_criteria", ", ".join(code(c) for c in cand.zone_criteria)))
            if cand.area_criteria:
                need = cand.area_min_met or len(cand.area_criteria)
                rules.append(("area_criteria", (f"{len(cand.area_criteria)} 项中至少 {need} 项：" if zh
                                                else f"{need} of {len(cand.area_criteria)}: ")
                              + ", ".join(code(c) for c in cand.area_criteria)))
            if cand.split:
                rules.append(("split", (f"{code(cand.split)} 满足 → {pack.zone_label(cand.zones[0], lang)}，不满足 → "
                                        f"{pack.zone_label(cand.zones[1], lang)}") if zh else
                              (f"{code(cand.split)} passes → {pack.zone_label(cand.zones[0], lang)}, fails → "
                               f"{pack.zone_label(cand.zones[1], lang)}")))
            if cand.relocation:
                rules.append(("relocation", (f"区内满足 {code(cand.relocation)} 的地块" if zh
                                             else f"zone parcels meeting {code(cand.relocation)}")))
            for key, text in rules:
                name = _RULE_NAMES[key][0 if zh else 1]
                prov = cand.provenance.get(key)
                tail = (f" [{_w(prov.status, lang)}] {prov.source}" if prov else
                        (" [未注明依据]" if zh else " [no provenance given]"))
                out.append(f"    {name}: {text}{tail}")
    if pack.targets:
        tg = pack.targets
        stock = f"{tg.stock_km2:g} km²" if tg.stock_km2 else "—"
        out += ["", ("**面积目标**" if zh else "**Targets**") if markdown else ("面积目标：" if zh else "Targets:"),
                (f"- 存量 {stock} [{_w(tg.status, lang)}] {tg.source}" if zh else f"- stock {stock} [{tg.status}] {tg.source}")]
        for z, t in tg.zones.items():
            amount = f"{t.km2:g} km²" if t.km2 else f"{t.share:.1%}"
            share = (t.km2 / tg.stock_km2) if (t.km2 and tg.stock_km2) else t.share
            kind = _w(t.kind, lang) + (f" {t.period[0]}–{t.period[1]}" if t.period else "")
            out.append(f"- {pack.zone_label(z, lang)}: {amount}" + (f" = {share:.1%}" if share else "")
                       + f" ({kind}) [{_w(t.status, lang)}] {t.source}")
            if t.note:
                out.append(f"    {t.note}")
    if pack.calibration:
        out += ["", ("**校准（zoning calibrate）**" if zh else "**Calibration** (zoning calibrate)") if markdown
                else ("校准（zoning calibrate）：" if zh else "Calibration (zoning calibrate):")]
        for st in pack.calibration:
            zones = " + ".join(pack.zone_label(z, lang) for z in st.zones)
            lo, hi = st.bounds
            out.append(f"- {code(st.criterion)} → {zones}（范围 {lo:g}–{hi:g}）：{st.source}" if zh
                       else f"- {code(st.criterion)} → {zones} (bounds {lo:g}–{hi:g}): {st.source}")
    return out


def format_threshold(c: Criterion, resolved: float | None = None) -> str:
    """Human-readable comparison, e.g. ``"< 1.5"``, ``"≥ median (q0.50)"``, ``"in M, M1"``."""
    op = {"<=": "≤", ">=": "≥", "!=": "≠", "==": "="}.get(c.op, c.op)
    if c.quantile is not None:
        q = "median" if c.quantile == 0.5 else f"q{c.quantile:.2f}"
        txt = f"{op} {q} of stock"
        if resolved is not None:
            txt += f" (= {INDICATORS[c.indicator].fmt.format(resolved)} {INDICATORS[c.indicator].unit})"
        return txt
    if isinstance(c.value, list):
        return f"{op} {', '.join(c.value)}"
    if c.unit == "share" and isinstance(c.value, float):
        return f"{op} {c.value:.0%}"
    unit = "" if c.unit in ("grade", "class", "ratio") else f" {c.unit}"
    return f"{op} {c.value:g}{unit}" if isinstance(c.value, float) else f"{op} {c.value}{unit}"


def rules_table(pack: RulePack, *, lang: str = "en") -> pd.DataFrame:
    """One row per criterion and parameter: code, name, level, test, status, source.

    >>> from zoning.rules import load_rules
    >>> t = rules_table(load_rules("shenzhen-2020"))
    >>> t.loc["SZ-C5", "test"]
    'far < 1.5'
    """
    rows = []
    for c in pack.criteria:
        rows.append({
            "code": c.code,
            "name": c.name_zh if lang == "zh" else c.name_en,
            "name_zh": c.name_zh,
            "level": c.level,
            "test": f"{c.indicator} {format_threshold(c)}",
            "missing": c.missing,
            "status": c.status,
            "source": c.source,
        })
    if pack.firms is not None:
        for t in pack.firms.tracks:
            for i in t.indicators:
                bench = f"{i.benchmark:g} {i.unit}" if i.benchmark is not None else "mean of the track"
                rows.append({"code": i.code, "name": i.name_zh if lang == "zh" else i.name_en, "name_zh": i.name_zh,
                             "level": f"firm ({t.name})", "test": f"{i.weight:g} × {i.measure} ÷ {bench}", "missing": "0 points",
                             "status": i.status, "source": i.source})
    for p in pack.parameters:
        rows.append({
            "code": p.code,
            "name": p.name_zh if lang == "zh" else p.name_en,
            "name_zh": p.name_zh,
            "level": "parameter",
            "test": f"{p.key} = {p.value:g} {p.unit}",
            "missing": "",
            "status": p.status,
            "source": p.source,
        })
    cols = ["code", "name", "name_zh", "level", "test", "missing", "status", "source"]
    return pd.DataFrame(rows, columns=cols).set_index("code")


def render_rules(pack: RulePack, *, lang: str = "en", fmt: str = "text") -> str:
    """Render a pack as plain text (``fmt="text"``) or Markdown (``fmt="markdown"``)."""
    info = pack.pack
    title = info.title_zh if lang == "zh" else info.title_en
    t = rules_table(pack, lang=lang)
    if fmt == "markdown":
        text = policy_text(pack)
        out = [f"## {info.name}: {title}", "", f"*Policy:* {info.policy}  ", f"*Source:* {info.source}  ",
               f"*Effective:* {effective_text(pack)}  "]
        if info.document:
            out.append(f"*Document:* {info.document}  ")
        out += [f"*Text:* `zoning/rules/texts/{text.name}` (shipped with the package)" if text is not None
                else "*Text:* not shipped; find it by the document number", ""]
        if info.notes:
            out += [info.notes, ""]
        if pack.stock:
            out += [f"*Industrial stock:* `{pack.stock.use}` in {', '.join(pack.stock.codes)} "
                    f"({pack.stock.status}; {pack.stock.source})", ""]
        out += ["| code | name | 名称 | level | test | if missing | status | source |",
                "|---|---|---|---|---|---|---|---|"]
        for code, r in t.iterrows():
            out.append(f"| {code} | {r['name']} | {r['name_zh']} | {r['level']} | `{r['test']}` | "
                       f"{r['missing']} | {r['status']} | {r['source']} |")
        comp = composition_lines(pack, lang=lang, markdown=True)
        if comp:
            out += ["", *comp]
        sections = section_lines(pack, markdown=True)
        if sections:
            out += [""]
            for line in sections:
                out += (["", line, ""] if line.startswith("**") else [line])
        if pack.firms is not None:
            out += ["", *firm_lines(pack, markdown=True)]
        return "\n".join(out) + "\n"
    zh = lang == "zh"
    lab = (dict(policy="政策", source="来源", effective="生效日期", base_year="基准年份", stock="工业存量", code="代码",
                name="名称", level="层级", test="判定", missing="缺失值", status="依据", sources="各项来源：",
                document="文号", text="政策原文", notes="说明")
           if zh else dict(policy="policy", source="source", effective="effective", base_year="base year",
                           stock="stock", code="code", name="name", level="level", test="test", missing="if missing",
                           status="status", sources="Sources:", document="document", text="text", notes="notes"))
    text = policy_text(pack)
    lines = [f"{info.name} — {title}", f"  {lab['policy']}: {info.policy}", f"  {lab['source']}: {info.source}",
             f"  {lab['effective']}: {effective_text(pack)}"]
    if info.document:
        lines.append(f"  {lab['document']}: {info.document}")
    lines.append(f"  {lab['text']}: " + (str(text) if text is not None else
                 ("（未随包提供：按上述文号查找）" if zh else "(not shipped: find it by the document number above)")))
    if info.notes:
        lines.append(f"  {lab['notes']}: {info.notes}")
    if info.base_year:
        lines.append(f"  {lab['base_year']}: {info.base_year}" + ("（建成年限计至该年）" if zh else " (building ages counted to it)"))
    if pack.stock:
        lines.append(f"  {lab['stock']}: {pack.stock.use} ∈ {', '.join(pack.stock.codes)}")
    lines.append("")
    t = t.assign(level=[_w(v, lang) for v in t["level"]], status=[_w(v, lang) for v in t["status"]],
                 missing=[_w(v, lang) if v else "" for v in t["missing"]])
    cols = ("name", "level", "test", "missing", "status")
    width = {k: max(_width(lab[k]), *(_width(str(v)) for v in t[k])) for k in cols}
    cw = max(7, *(len(str(c)) for c in t.index))
    head = f"{_pad(lab['code'], cw)} " + "  ".join(_pad(lab[k], width[k]) for k in cols)
    lines += [head.rstrip(), "-" * _width(head)]
    for code, r in t.iterrows():
        lines.append((f"{code:<{cw}} " + "  ".join(_pad(str(r[k]), width[k]) for k in cols)).rstrip())
    comp = composition_lines(pack, lang=lang)
    if comp:
        lines += ["", *comp]
    sections = section_lines(pack)
    if sections:
        lines += ["", *sections]
    if pack.firms is not None:
        lines += ["", *firm_lines(pack)]
    from zoning.rules.schema import STATUSES

    lines += ["", lab["sources"]] + [f"  {code}: {r['source']}" for code, r in t.iterrows()]
    lines += ["", ("依据：" + "；".join(f"{k} {_ZH.get(k, k)}" for k in STATUSES)) if zh
              else "Status: " + "; ".join(f"{k} — {v}" for k, v in STATUSES.items())]
    return "\n".join(lines) + "\n"


def firm_lines(pack: RulePack, *, markdown: bool = False) -> list[str]:
    """The per-mu (亩均效益) tracks of a pack: every weight and benchmark with its source."""
    f = pack.firms
    if f is None:
        return []
    out = ["**Per-mu evaluation** (zoning.evaluate_firms)" if markdown else "Per-mu evaluation (zoning.evaluate_firms):"]
    cuts = [0.0, *f.class_cuts, 1.0]
    classes = ", ".join(f"{c} {cuts[i]:.0%}–{cuts[i + 1]:.0%}" for i, c in enumerate(f.classes))
    out.append(f"- classes by rank within a track (best first): {classes} ({f.class_status}; {f.class_source})")
    for t in f.tracks:
        out.append(f"- track {t.name} ({t.label_zh} {t.label_en}; firms: {t.firms}; {t.source}):")
        for i in t.indicators:
            bench = f"{i.benchmark:g} {i.unit}" if i.benchmark is not None else "mean of the track's firms (derived)"
            out.append(f"  - {i.code} {i.name_zh} {i.name_en}: weight {i.weight:g}, ÷ {bench} ({i.status}; {i.source})")
    return out
