"""The HTML / Markdown report of a run (see :func:`to_report`)."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

if TYPE_CHECKING:  # pragma: no cover
    pass

__all__ = ["to_report"]



_CSS = """
body{font-family:"Noto Sans CJK SC","Noto Sans SC","Microsoft YaHei","PingFang SC",sans-serif;margin:2em auto;max-width:1100px;color:#222;line-height:1.45}
h1{font-size:1.6em;margin-bottom:.2em}h2{border-bottom:2px solid #ddd;padding-bottom:.2em;margin-top:1.6em}
table{border-collapse:collapse;margin:.6em 0;font-size:.9em;display:block;overflow-x:auto;max-width:100%}th,td{border:1px solid #ccc;padding:.25em .55em;text-align:left;vertical-align:top}
th{background:#f2f2f2}td.num{text-align:right;font-variant-numeric:tabular-nums}.meta{color:#555;font-size:.9em}
.swatch{display:inline-block;width:.9em;height:.9em;border:1px solid #888;margin-right:.35em;vertical-align:-.1em}
.status-official{color:#1a7f37}.status-official-draft{color:#4d7f1a}.status-derived{color:#9a6700}.status-heuristic{color:#cf222e}.error{color:#cf222e;font-weight:bold}.warning{color:#9a6700}
img{max-width:100%;border:1px solid #ddd}
"""


def _fmt(v: object, digits: int = 2) -> str:
    if isinstance(v, (float, np.floating)):
        if not np.isfinite(v):
            return "—"
        return f"{v:,.{digits}f}"
    if isinstance(v, (int, np.integer)):
        return f"{v:,}"
    return "" if v is None else str(v)


def _table(df: pd.DataFrame, *, html: bool, pct: tuple[str, ...] = (), digits: int = 2, colors: dict[str, str] | None = None) -> str:
    import html as _html

    cols = list(df.columns)
    rows = []
    for _, r in df.iterrows():
        cells = []
        for c in cols:
            v = r[c]
            txt = (f"{v:.1%}" if isinstance(v, (float, np.floating)) and np.isfinite(v) else "—") if c in pct else _fmt(v, digits)
            if html:
                sw = f'<span class="swatch" style="background:{colors[v]}"></span>' if colors and c == "zone" and v in colors else ""
                num = isinstance(v, (int, float, np.number)) and not isinstance(v, bool)
                cells.append(f'<td{" class=num" if num else ""}>{sw}{_html.escape(txt)}</td>')
            else:
                cells.append(txt.replace("|", "\\|"))
        rows.append(cells)
    if html:
        head = "".join(f"<th>{_html.escape(str(c))}</th>" for c in cols)
        body = "".join("<tr>" + "".join(r) + "</tr>" for r in rows)
        return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"
    out = ["| " + " | ".join(map(str, cols)) + " |", "|" + "---|" * len(cols)]
    out += ["| " + " | ".join(r) + " |" for r in rows]
    return "\n".join(out)


def _figure_png(draw: Callable[..., Any], **kw: Any) -> bytes | None:
    """Render a map to PNG bytes (None when plotting is unavailable)."""
    import io

    try:
        import matplotlib.pyplot as plt

        ax = draw(**kw)
    except ImportError:  # pragma: no cover - plotting is a core dependency
        return None
    buf = io.BytesIO()
    ax.figure.savefig(buf, format="png", dpi=150, bbox_inches="tight")
    plt.close(ax.figure)
    return buf.getvalue()


def to_report(result, path, *, lang: str | None = None, blocks=None, title: str | None = None, max_areas: int = 40,
              firms=None, robustness=None):
    """Write a self-contained report of a run: HTML (maps embedded, no network) or Markdown.

    Parameters
    ----------
    result
        A :class:`zoning.ZoningResult`.
    path
        ``.html`` or ``.md``. For Markdown the maps are written next to it as PNG files.
    lang
        ``"zh"`` or ``"en"`` for labels and map text; default: the run's language.
    blocks
        Optional :class:`zoning.BlockCheck` to include (block and district tables, map).
    title
        Report title (default: the rule pack's title).
    max_areas
        Largest contiguous zone areas listed individually.
    firms
        Optional :class:`zoning.FirmEvaluation` (per-mu 亩均效益 classes) to include: the
        formula, firms per class, land per class and the class map.
    robustness
        Optional :class:`zoning.scenarios.Sensitivity` of the same parcels: adds a robustness
        section (the thresholds the zones are most sensitive to, tornado chart, stability map).

    Returns
    -------
    pathlib.Path
    """
    import base64
    import datetime as _dt
    import html as _html
    from pathlib import Path

    from zoning.rules.render import rules_table

    p = Path(path)
    fmt = {".html": "html", ".htm": "html", ".md": "md", ".markdown": "md"}.get(p.suffix.lower())
    if fmt is None:
        from zoning.errors import InputError

        msg = f"report '{p.name}': use a .html or .md file name"
        raise InputError(msg)
    html = fmt == "html"
    pack = result.rules
    if lang is None:
        lang = result.settings.get("lang", "zh")
    zh = lang == "zh"
    title = title or (pack.pack.title_zh if zh else pack.pack.title_en)
    images: dict[str, bytes | None] = {}
    from zoning.outputs.plotting import plot_zones

    images["zones"] = _figure_png(plot_zones, result=result, lang=lang)
    if blocks is not None:
        from zoning.outputs.plotting import plot_blocks

        images["blocks"] = _figure_png(plot_blocks, check=blocks, lang=lang)
    if firms is not None:
        from zoning.outputs.firm_map import plot_firm_classes

        images["firms"] = _figure_png(plot_firm_classes, evaluation=firms, lang=lang)

    def img(name: str, alt: str) -> str:
        data = images.get(name)
        if data is None:
            return ""
        if html:
            return f'<p><img alt="{_html.escape(alt)}" src="data:image/png;base64,{base64.b64encode(data).decode()}"></p>'
        f = p.with_name(f"{p.stem}_{name}.png")
        f.write_bytes(data)
        return f"![{alt}]({f.name})"

    colors = {z: pack.zones[z].color for z in pack.zones}
    s = result.summary.reset_index()
    s_cols = ["zone", "label_zh" if zh else "label_en", "parcels", "areas", "area_km2", "area_mu", "share_of_stock",
              "target_share", "target_km2", "policy_target_km2", "achieved"]
    d = result.by_district.reset_index()
    d = d[["district", "retain_upgrade", "land_consolidation", "contiguous_renewal", "unzoned", "stock_km2",
           "retain_upgrade_share", "land_consolidation_share", "contiguous_renewal_share"]]
    thr = result.thresholds
    rt = rules_table(pack, lang=lang).reset_index()
    rt["resolved threshold"] = [_fmt(thr.get(c)) if isinstance(thr.get(c), float) else ("" if thr.get(c) is None else str(thr.get(c)))
                                for c in rt["code"]]
    rt = rt[["code", "name", "level", "test", "resolved threshold", "missing", "status", "source"]]
    areas = result.zones.drop(columns="geometry").sort_values("area_ha", ascending=False).head(max_areas)
    a_cols = [c for c in ["cluster_id", "zone", "district", "area_ha", "n_parcels", "legal_ratio", "far",
                          "output_wan_per_mu", "building_age", "note"] if c in areas]
    v = result.validation.to_frame()
    meta = [
        ("rule pack", f"{pack.pack.name} — {pack.pack.policy}"),
        ("mode", result.settings["mode"]),
        ("reference year", str(result.settings["reference_year"])),
        ("contiguity tolerance", f"{result.settings['gap_m']:g} m"),
        ("CRS", str(result.parcels.crs.name if result.parcels.crs else "—")),
        ("parcels", f"{len(result.parcels):,}"),
        ("industrial stock", f"{result.stock_km2:.2f} km²"),
        ("generated", _dt.datetime.now().strftime("%Y-%m-%d %H:%M")),
    ]
    sections: list[tuple[str, str]] = []
    sections.append(("分区结果 Zones" if zh else "Zones", img("zones", "zone map") +
                     _table(s[s_cols], html=html, pct=("share_of_stock", "target_share", "achieved"), colors=colors)
                     + ("<p class=meta>" if html else "\n\n") + ("目标按政策面积占存量比例换算（深圳 100/260 km² = 38.5 %）。" if zh else
                        "Targets are the pack's shares of the stock (Shenzhen 100 of 260 km² = 38.5 %).") + ("</p>" if html else "")))
    sections.append(("分区统计（按行政区, km²）" if zh else "By district (km²)",
                     _table(d, html=html, pct=("retain_upgrade_share", "land_consolidation_share", "contiguous_renewal_share"))))
    sections.append(("连片区域 Contiguous zone areas" if zh else f"Largest zone areas (top {max_areas})",
                     _table(areas[a_cols], html=html, pct=("legal_ratio",), colors=colors)))
    sections.append(("规则包 Rule pack" if zh else "Rule pack", (f"<p>{_html.escape(pack.pack.source)}</p>" if html else pack.pack.source + "\n\n")
                     + _table(rt, html=html)))
    sections.append(("数据校验 Validation" if zh else "Validation", (f"<p>{_html.escape(result.validation.summary())}</p>" if html else result.validation.summary() + "\n\n")
                     + (_table(v[["severity", "code", "column", "count", "message", "fix"]], html=html) if len(v) else "")))
    if blocks is not None:
        bt = blocks.blocks.drop(columns="geometry")
        b_cols = [c for c in ["block_id", "block_area_m2", "industrial_area_m2", "industrial_share", "threshold", "passes",
                              "shortfall_m2", "shortfall_mu", "drivers", "fix"] if c in bt]
        dt = blocks.districts.reset_index()
        sections.append(("工业产业区块检查 Industrial blocks" if zh else "Industrial-block checks",
                         img("blocks", "block map") + _table(bt[b_cols], html=html, pct=("industrial_share", "threshold"))
                         + _table(dt, html=html, pct=("coverage", "threshold"))))
    if firms is not None:
        text = firms.summary()
        sections.append(("亩均效益评价 Per-mu evaluation" if zh else "Per-mu (亩均效益) evaluation",
                         img("firms", "firm classes") + (f"<pre>{_html.escape(text)}</pre>" if html else f"```\n{text}\n```\n\n")
                         + _table(firms.by_area.reset_index(), html=html,
                                  pct=tuple(c for c in firms.by_area.columns if c.endswith("_share")))))
    # --- robustness section hook (sensitivity renders its own section) ---
    if robustness is not None:
        sections.append(robustness.report_section(lang=lang, html=html))
    if html:
        meta_html = "".join(f"<tr><th>{_html.escape(k)}</th><td>{_html.escape(v_)}</td></tr>" for k, v_ in meta)
        body = "".join(f"<h2>{_html.escape(h)}</h2>{c}" for h, c in sections)
        doc = (f'<!DOCTYPE html><html lang="{"zh-CN" if zh else "en"}"><head><meta charset="utf-8">'
               f"<title>{_html.escape(title)}</title><style>{_CSS}</style></head><body><h1>{_html.escape(title)}</h1>"
               f"<table class=meta>{meta_html}</table>{body}"
               f"<p class=meta>zoning · {('阈值状态：official 政策原文，official-draft 征求意见稿，derived 按研究区计算，heuristic 本规则包建议' if zh else 'threshold status: official = in the policy text, official-draft = in a consultation draft (not in force), derived = computed on the study area, heuristic = a proposal of the pack')}</p>"
               "</body></html>")
        p.write_text(doc, encoding="utf-8")
    else:
        md = [f"# {title}", ""] + [f"- **{k}**: {v_}" for k, v_ in meta] + [""]
        for h, c in sections:
            md += [f"## {h}", "", c, ""]
        p.write_text("\n".join(md), encoding="utf-8")
    return p
