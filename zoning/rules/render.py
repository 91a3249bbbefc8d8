"""Render a rule pack as a table (for the CLI, notebooks, reports and the docs)."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from zoning.rules.schema import INDICATORS, Criterion, RulePack

__all__ = ["effective_text", "format_threshold", "pack_line", "pack_status_line", "policy_text", "render_rules", "rules_table",
           "section_lines"]


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
        if pack.candidates:
            out += ["", "**How parcels become zones**", ""]
            for cand in pack.candidates:
                gate = f"gate {', '.join(cand.gate)}; " if cand.gate else ""
                split = f"; split by {cand.split}: pass → {cand.zones[0]}, fail → {cand.zones[-1]}" if cand.split else ""
                out.append(f"- *{cand.name}*: {gate}at least {cand.min_met} of {', '.join(cand.criteria)}; "
                           f"area must pass {', '.join(cand.zone_criteria) or '—'}{split}")
        sections = section_lines(pack, markdown=True)
        if sections:
            out += [""]
            for line in sections:
                out += (["", line, ""] if line.startswith("**") else [line])
        if pack.firms is not None:
            out += ["", *firm_lines(pack, markdown=True)]
        if pack.targets:
            out += ["", f"**Targets** ({pack.targets.source})", ""]
            for z, tg in pack.targets.zones.items():
                amount = f"{tg.km2:g} km²" if tg.km2 else f"{tg.share:.1%}"
                out.append(f"- {pack.zone_label(z, 'zh')} {z}: {amount} ({tg.status}; {tg.source})")
        return "\n".join(out) + "\n"
    text = policy_text(pack)
    lines = [f"{info.name} — {title}", f"  policy:    {info.policy}", f"  source:    {info.source}",
             f"  effective: {effective_text(pack)}"]
    if info.document:
        lines.append(f"  document:  {info.document}")
    lines.append(f"  text:      {text if text is not None else '(not shipped: find it by the document number above)'}")
    if info.notes:
        lines.append(f"  notes:     {info.notes}")
    if pack.stock:
        lines.append(f"  stock:     {pack.stock.use} in {', '.join(pack.stock.codes)}")
    lines.append("")
    width = {k: max(_width(str(k)), *(_width(str(v)) for v in t[k])) for k in ("name", "level", "test", "status")}
    cw = max(7, *(len(str(c)) for c in t.index))
    head = f"{'code':<{cw}} {_pad('name', width['name'])}  {_pad('level', width['level'])}  {_pad('test', width['test'])}  status"
    lines += [head, "-" * _width(head)]
    for code, r in t.iterrows():
        lines.append(f"{code:<{cw}} {_pad(str(r['name']), width['name'])}  {_pad(str(r['level']), width['level'])}  "
                     f"{_pad(str(r['test']), width['test'])}  {r['status']}")
    sections = section_lines(pack)
    if sections:
        lines += ["", *sections]
    if pack.firms is not None:
        lines += ["", *firm_lines(pack)]
    from zoning.rules.schema import STATUSES

    lines += ["", "Sources:"] + [f"  {code}: {r['source']}" for code, r in t.iterrows()]
    lines += ["", "Status: " + "; ".join(f"{k} — {v}" for k, v in STATUSES.items())]
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
