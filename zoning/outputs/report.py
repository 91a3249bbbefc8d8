"""The report of a run: one model, three formats (HTML, Markdown, Word).

:func:`build_report` fills a :class:`Report` — title, run facts, and sections of paragraphs,
maps and tables with human headers (:mod:`zoning.outputs.labels`) — from a
:class:`~zoning.ZoningResult`. Each format renders that one model: HTML and Markdown through
the jinja2 templates in ``zoning/outputs/templates/`` (``report.html.j2``,
``report.md.j2``), Word through :mod:`zoning.outputs.word`. So the three always show the same
sections, headers and numbers.
"""

from __future__ import annotations

import datetime as _dt
import functools
import os
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from zoning.outputs.labels import fmt_of, format_value, label, table_title, value_label

__all__ = ["Cell", "Figure", "Report", "Section", "Table", "build_report", "table_from_frame", "to_report"]

#: report formats by file extension
FORMATS = {".html": "html", ".htm": "html", ".md": "md", ".markdown": "md", ".docx": "docx"}
#: a table with more columns than this and free-text columns is printed on a landscape page
WIDE_COLUMNS = 9
#: a table with more columns than this is printed on a landscape page whatever its columns hold
VERY_WIDE_COLUMNS = 12


@dataclass
class Cell:
    """One table cell as a person reads it."""

    text: str
    num: bool = False
    #: zone colour shown as a swatch before the text
    swatch: str | None = None
    #: css class (threshold status, pass / fail)
    css: str = ""


@dataclass
class Table:
    """A table with human headers; ``wide`` tables go on landscape pages in print."""

    name: str
    columns: list[str]
    numeric: list[bool]
    rows: list[list[Cell]]
    caption: str = ""
    #: per column: "num", "short" (ids, codes, status words: never wrapped), "long" (free text) or ""
    kinds: list[str] = field(default_factory=list)

    @property
    def wide(self) -> bool:
        """Too wide for a portrait page: many columns with free text, or very many columns."""
        n = len(self.columns)
        return n > VERY_WIDE_COLUMNS or (n > WIDE_COLUMNS and "long" in self.kinds)


@dataclass
class Figure:
    """A map as PNG bytes."""

    name: str
    alt: str
    png: bytes


@dataclass
class Section:
    """A heading with, in order: facts (a definition list), paragraphs, figures, tables, notes."""

    key: str
    title: str
    facts: list[tuple[str, str]] = field(default_factory=list)
    paragraphs: list[str] = field(default_factory=list)
    #: text kept as it is printed (a check's own summary, a formula), in a fixed-width font
    preformatted: list[str] = field(default_factory=list)
    figures: list[Figure] = field(default_factory=list)
    tables: list[Table] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


@dataclass
class Report:
    """Everything a report shows, independent of its format."""

    title: str
    lang: str
    meta: list[tuple[str, str]]
    sections: list[Section]
    footer: str

    @property
    def html_lang(self) -> str:
        return "zh-CN" if self.lang == "zh" else "en"


#: columns of short identifiers and status words, kept on one line
SHORT_COLUMNS = {"code", "level", "status", "district", "block_id", "cluster_id", "parcel_id", "missing", "severity",
                 "zone", "threshold_status", "passes", "balanced", "change", "park", "tier", "resolved_threshold"}
#: columns of free text, wrapped anywhere so a table never runs off the page
LONG_COLUMNS = {"note", "source", "fix", "drivers", "message", "reason", "reasons", "grounds", "parcel_ids",
                "criterion", "largest_outside", "gap"}

_STATUS_CSS = {"official": "status-official", "official-draft": "status-official-draft", "derived": "status-derived", "heuristic": "status-heuristic",
               "fail": "fail", "error": "error", "warning": "warning"}


def table_from_frame(df: pd.DataFrame, *, name: str, lang: str, pack: Any = None,
                     formats: dict[str, str] | None = None, caption: str = "") -> Table:
    """A :class:`Table` from a frame with canonical columns: human headers, formatted cells.

    Zone cells show the zone's label with its colour; status words are translated for
    ``lang="zh"``; numbers are formatted by :func:`zoning.outputs.labels.fmt_of` (or
    ``formats``, column -> format).
    """
    formats = formats or {}
    cols = [str(c) for c in df.columns]
    fmts = [formats.get(c, fmt_of(c)) for c in cols]
    colors = {z: s.color for z, s in getattr(pack, "zones", {}).items()} if pack is not None else {}
    rows: list[list[Cell]] = []
    numeric = [f != "text" for f in fmts]
    for rec in df.itertuples(index=False, name=None):
        cells = []
        for c, f, v in zip(cols, fmts, rec, strict=True):
            is_num = isinstance(v, (int, float, np.integer, np.floating)) and not isinstance(v, (bool, np.bool_))
            shown = value_label(v, c, lang, pack=pack)
            text = format_value(shown, f if is_num else "text")
            css = _STATUS_CSS.get(v, "") if isinstance(v, str) and c in ("status", "severity", "threshold_status") else ""
            cells.append(Cell(text=text, num=bool(is_num), swatch=colors.get(v) if c == "zone" and isinstance(v, str) else None, css=css))
        rows.append(cells)
    kinds = ["num" if n else "short" if c in SHORT_COLUMNS else "long" if c in LONG_COLUMNS else ""
             for c, n in zip(cols, numeric, strict=True)]
    return Table(name=name, columns=[label(c, lang, pack=pack) for c in cols], numeric=numeric, rows=rows,
                 caption=caption, kinds=kinds)


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


def _t(lang: str, zh: str, en: str) -> str:
    return zh if lang == "zh" else en


def build_report(result: Any, *, lang: str = "zh", blocks: Any = None, title: str | None = None,
                 max_areas: int = 40, maps: bool = True, firms: Any = None, robustness: Any = None) -> Report:
    """The report model of a run: the sections every format shows, with human headers.

    Parameters
    ----------
    result
        A :class:`zoning.ZoningResult`.
    lang
        ``"zh"`` or ``"en"``: headers, zone labels, status words and map text.
    blocks
        Optional :class:`zoning.BlockCheck` to include (block and district tables, map).
    title
        Report title (default: the rule pack's title).
    max_areas
        Largest contiguous zone areas listed individually.
    maps
        Draw the maps (False: no figures, e.g. for a quick look at the tables).
    firms
        Optional :class:`zoning.FirmEvaluation` (per-mu 亩均效益 classes): the formula, firms
        and land per class, and the class map.
    robustness
        Optional :class:`zoning.scenarios.Sensitivity` of the same parcels: a robustness
        section it builds itself (``report_section``) — the thresholds the zones are most
        sensitive to, the tornado chart and the stability map.

    Examples
    --------
    >>> import zoning
    >>> result = zoning.run(zoning.datasets.get_path("parcels"), reference_year=2025)
    >>> model = build_report(result, lang="zh", maps=False)
    >>> [s.title for s in model.sections]
    ['分区结果', '按行政区统计', '连片区域', '规则包', '数据校验']
    >>> model.sections[0].tables[0].columns[:4]
    ['分区', '地块数', '连片区域数', '面积（km²）']
    """
    from zoning.outputs.tables import check_tables, pack_citation, result_tables

    pack = result.rules
    zh = lang == "zh"
    tables = result_tables(result, lang=lang)
    title = title or (pack.pack.title_zh if zh else pack.pack.title_en)
    sections: list[Section] = []

    # zones against targets
    s = tables["summary"].drop(columns=["label_zh", "label_en"])
    zones = Section("zones", _t(lang, "分区结果", "Zones"))
    if maps:
        from zoning.outputs.plotting import plot_zones

        png = _figure_png(plot_zones, result=result, lang=lang)
        if png:
            zones.figures.append(Figure("zones", _t(lang, "分区图", "zone map"), png))
    zones.tables.append(table_from_frame(s, name="summary", lang=lang, pack=pack))
    zones.notes.append(_t(lang, "目标按政策面积占存量比例换算（深圳 100/260 km² = 38.5%）；完成率 = 面积 ÷ 目标。",
                          "Targets are the pack's shares of the stock (Shenzhen 100 of 260 km² = 38.5 %); achieved = area ÷ target."))
    sections.append(zones)

    # by district
    d = tables["by_district"]
    d = d[["district", "retain_upgrade", "land_consolidation", "contiguous_renewal", "unzoned", "stock_km2",
           "retain_upgrade_share", "land_consolidation_share", "contiguous_renewal_share"]]
    sections.append(Section("by_district", _t(lang, "按行政区统计", "By district"),
                            tables=[table_from_frame(d, name="by_district", lang=lang, pack=pack)],
                            notes=[_t(lang, "面积单位 km²；占比为占该区工业存量的比例。",
                                      "Areas in km²; shares are of the district's industrial stock.")]))

    # the largest zone areas
    z = result.zones.drop(columns="geometry").sort_values("area_ha", ascending=False)
    a_cols = [c for c in ["cluster_id", "zone", "district", "area_ha", "n_parcels", "legal_ratio", "far",
                          "output_wan_per_mu", "building_age", "note"] if c in z]
    shown = pd.DataFrame(z[a_cols].head(max_areas))
    areas = Section("areas", _t(lang, "连片区域", "Contiguous zone areas"),
                    tables=[table_from_frame(shown, name="areas", lang=lang, pack=pack)])
    if len(z) > max_areas:
        areas.paragraphs.append(_t(lang, f"按面积列出最大的 {max_areas} 个（共 {len(z)} 个）；全部区域见 Excel 工作簿。",
                                   f"The {max_areas} largest of {len(z)} zone areas; the workbook lists every area."))
    areas.paragraphs.append(_t(lang, "合法用地比例、容积率、亩均产值与建成年限均为区域内按面积加权的平均值。",
                          "Legal-land share, FAR, output per 亩 and building age are area-weighted over the area."))
    sections.append(areas)

    # the rule pack with its sources
    rules = Section("rules", _t(lang, "规则包", "Rule pack"), facts=pack_citation(pack, lang))
    rules.paragraphs.append(f"{pack.pack.name} — {pack.pack.title_zh if zh else pack.pack.title_en}")
    rules.tables.append(table_from_frame(tables["rules"], name="rules", lang=lang, pack=pack))
    rules.notes.append(_t(lang, "阈值状态：政策原文 = 数值见于已印发的政策文本；征求意见稿 = 见于征求意见稿或其报道，尚未生效；"
                                "推算 = 按研究区计算或校准；建议值 = 本规则包的建议。",
                          "Threshold status: official = the number is in an issued policy text; official-draft = in a "
                          "consultation draft or reports of one, not (yet) in force; derived = computed or calibrated "
                          "on the study area; heuristic = a proposal of the pack."))
    sections.append(rules)

    # validation
    v = tables["validation"]
    val = Section("validation", _t(lang, "数据校验", "Validation"), paragraphs=[result.validation.summary()])
    if len(v):
        val.tables.append(table_from_frame(v[["severity", "code", "column", "count", "message", "fix"]],
                                           name="validation", lang=lang, pack=pack))
    sections.append(val)

    # block checks
    if blocks is not None:
        ct = check_tables(blocks)
        sec = Section("blocks", _t(lang, "工业产业区块检查", "Industrial-block checks"))
        if hasattr(blocks, "summary"):
            sec.paragraphs.append(str(blocks.summary()).splitlines()[0])
        if maps:
            from zoning.outputs.plotting import plot_blocks

            png = _figure_png(plot_blocks, check=blocks, lang=lang)
            if png:
                sec.figures.append(Figure("blocks", _t(lang, "工业产业区块图", "block map"), png))
        bt = ct.get("blocks")
        if bt is not None:
            b_cols = [c for c in ["block_id", "district", "block_area_m2", "industrial_area_m2", "industrial_share",
                                  "threshold", "status", "shortfall_mu", "drivers", "fix"] if c in bt]
            sec.tables.append(table_from_frame(bt[b_cols], name="blocks", lang=lang, pack=blocks.rules,
                                               formats={"threshold": "pct"}, caption=table_title("blocks", lang)))
        dt = ct.get("districts")
        if dt is not None:
            d_cols = [c for c in ["district", "planned_industrial_m2", "inside_blocks_m2", "coverage", "threshold",
                                  "status", "shortfall_mu", "outside_parcels", "blocks", "blocks_failing", "fix"] if c in dt]
            sec.tables.append(table_from_frame(dt[d_cols], name="districts", lang=lang, pack=blocks.rules,
                                               formats={"threshold": "pct"}, caption=table_title("districts", lang)))
        sections.append(sec)

    if firms is not None:
        sec = Section("firms", _t(lang, "亩均效益评价", "Per-mu (亩均效益) evaluation"), preformatted=[str(firms.summary())])
        if maps:
            from zoning.outputs.firm_map import plot_firm_classes

            png = _figure_png(plot_firm_classes, evaluation=firms, lang=lang)
            if png:
                sec.figures.append(Figure("firms", _t(lang, "企业分类图", "firm classes"), png))
        fpack = getattr(firms, "rules", None)
        sec.tables.append(table_from_frame(firms.by_area.reset_index(), name="by_area", lang=lang, pack=fpack))
        sections.append(sec)
    # --- robustness section hook: the sensitivity result builds its own Section ---
    if robustness is not None:
        sections.append(robustness.report_section(lang=lang, maps=maps))

    stock = _stock_km2(result)
    crs = result.parcels.crs
    meta = [
        (_t(lang, "规则包", "Rule pack"), f"{pack.pack.name} — {pack.pack.policy}"),
        (_t(lang, "模式", "Mode"), {"threshold": _t(lang, "阈值（threshold）", "threshold"),
                                   "quota": _t(lang, "指标（quota）", "quota")}.get(result.settings["mode"], result.settings["mode"])),
        (_t(lang, "基准年份", "Reference year"), str(result.settings["reference_year"])),
        (_t(lang, "连片距离容差", "Contiguity tolerance"), f"{result.settings['gap_m']:g} m"),
        (_t(lang, "坐标系", "CRS"), str(crs.name if crs else "—")),
        (_t(lang, "地块数", "Parcels"), f"{len(result.parcels):,}"),
        (_t(lang, "工业存量", "Industrial stock"), f"{stock:.2f} km²"),
        (_t(lang, "生成时间", "Generated"), _dt.datetime.now().strftime("%Y-%m-%d %H:%M")),
    ]
    from zoning import __version__

    footer = f"zoning {__version__} · " + _t(lang, "数据文件（GeoPackage）保留英文字段名，便于脚本使用。",
                                             "Data files (GeoPackage) keep the snake_case field names for scripts.")
    return Report(title=title, lang=lang, meta=meta, sections=sections, footer=footer)


def _stock_km2(result: Any) -> float:
    """The industrial stock (km²) the shares and targets refer to."""
    stock = getattr(result, "stock_km2", None)
    return float(stock) if stock is not None else float(result.summary.attrs.get("stock_km2", float("nan")))


def _write_text(tmp: Path, text: str) -> None:
    tmp.write_text(text, encoding="utf-8")


def _write_bytes(tmp: Path, data: bytes) -> None:
    tmp.write_bytes(data)


def _environment() -> Any:
    import jinja2

    return jinja2.Environment(loader=jinja2.PackageLoader("zoning.outputs", "templates"),
                              autoescape=jinja2.select_autoescape(["html.j2"]), trim_blocks=True, lstrip_blocks=True,
                              keep_trailing_newline=True)


def render_html(model: Report) -> str:
    """The report as one self-contained HTML page (maps embedded, no network)."""
    import base64

    src = {f.name: "data:image/png;base64," + base64.b64encode(f.png).decode() for s in model.sections for f in s.figures}
    return _environment().get_template("report.html.j2").render(report=model, src=src)


def render_markdown(model: Report, image_names: dict[str, str]) -> str:
    """The report as Markdown; ``image_names`` maps a figure to the file it was written to."""

    def md_cell(text: str) -> str:
        return text.replace("|", "\\|").replace("\n", " ")

    env = _environment()
    env.filters["md"] = md_cell
    return env.get_template("report.md.j2").render(report=model, src=image_names)


def to_report(result: Any, path: str | os.PathLike[str], *, lang: str | None = None, blocks: Any = None,
              title: str | None = None, max_areas: int = 40, firms: Any = None, robustness: Any = None) -> Path:
    """Write the report of a run: HTML, Markdown or Word, chosen by the file extension.

    Parameters
    ----------
    result
        A :class:`zoning.ZoningResult`.
    path
        ``.html`` (self-contained: maps embedded, no network; print-ready), ``.md`` (maps
        written next to it as PNG files) or ``.docx`` (Word / WPS; needs ``zoning[office]``).
    lang
        ``"zh"`` or ``"en"`` for headers, labels and map text; default: the run's language.
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
        Optional :func:`zoning.sensitivity` result: adds the robustness section.

    Returns
    -------
    pathlib.Path
    """
    from zoning.io.write import atomic_write

    p = Path(path)
    fmt = FORMATS.get(p.suffix.lower())
    if fmt is None:
        from zoning.errors import InputError

        msg = f"report '{p.name}': use a .html, .md or .docx file name"
        raise InputError(msg)
    if fmt == "docx":
        from zoning.outputs.word import _require_docx

        _require_docx()
    if lang is None:
        lang = result.settings.get("lang", "zh")
    model = build_report(result, lang=lang, blocks=blocks, title=title, max_areas=max_areas, firms=firms,
                         robustness=robustness)
    if fmt == "html":
        text = render_html(model)
        atomic_write(p, lambda tmp: _write_text(tmp, text))
    elif fmt == "md":
        names: dict[str, str] = {}
        for s in model.sections:
            for f in s.figures:
                img = p.with_name(f"{p.stem}_{f.name}.png")
                atomic_write(img, functools.partial(_write_bytes, data=f.png))
                names[f.name] = img.name
        text = render_markdown(model, names)
        atomic_write(p, lambda tmp: _write_text(tmp, text))
    else:
        from zoning.outputs.word import write_docx

        write_docx(model, p)
    return p
