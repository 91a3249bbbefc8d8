"""Render a rule pack as a table (for the CLI, notebooks, reports and the docs)."""

from __future__ import annotations

import pandas as pd

from zoning.rules.schema import INDICATORS, Criterion, RulePack

__all__ = ["format_threshold", "render_rules", "rules_table"]


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
    return pd.DataFrame(rows).set_index("code")


def render_rules(pack: RulePack, *, lang: str = "en", fmt: str = "text") -> str:
    """Render a pack as plain text (``fmt="text"``) or Markdown (``fmt="markdown"``)."""
    info = pack.pack
    title = info.title_zh if lang == "zh" else info.title_en
    t = rules_table(pack, lang=lang)
    if fmt == "markdown":
        out = [f"## {info.name}: {title}", "", f"*Policy:* {info.policy}  ", f"*Source:* {info.source}  ",
               f"*Effective:* {info.effective}", ""]
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
        if pack.targets:
            out += ["", f"**Targets** ({pack.targets.source})", ""]
            for z, tg in pack.targets.zones.items():
                amount = f"{tg.km2:g} km²" if tg.km2 else f"{tg.share:.1%}"
                out.append(f"- {pack.zone_label(z, 'zh')} {z}: {amount} ({tg.status}; {tg.source})")
        return "\n".join(out) + "\n"
    lines = [f"{info.name} — {title}", f"  policy:    {info.policy}", f"  source:    {info.source}",
             f"  effective: {info.effective}"]
    if pack.stock:
        lines.append(f"  stock:     {pack.stock.use} in {', '.join(pack.stock.codes)}")
    lines.append("")
    width = {k: max(len(str(k)), *(len(str(v)) for v in t[k])) for k in ("name", "level", "test", "status")}
    head = f"{'code':<7} {'name':<{width['name']}}  {'level':<{width['level']}}  {'test':<{width['test']}}  status"
    lines += [head, "-" * len(head)]
    for code, r in t.iterrows():
        lines.append(f"{code:<7} {r['name']:<{width['name']}}  {r['level']:<{width['level']}}  "
                     f"{r['test']:<{width['test']}}  {r['status']}")
    lines += ["", "Sources:"] + [f"  {code}: {r['source']}" for code, r in t.iterrows()]
    return "\n".join(lines) + "\n"
