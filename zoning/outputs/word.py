"""The Word (.docx) report: the sections of :class:`zoning.outputs.report.Report`, for Word and WPS.

Written with python-docx (``pip install zoning[office]``). The document's styles name a
Chinese font in the East Asian font slot (``w:eastAsia``: 宋体 for text, 黑体 for headings)
and a Latin font for numbers and English, set the East Asian language to zh-CN, and list
the Chinese fonts in the font table with their English names and the GB2312 character set,
so Word and WPS substitute an installed Chinese font instead of showing boxes. Tables carry
human headers, repeat their header row on every page, fit the page width, and the widest go
on landscape pages, as in the printed HTML.

The layout lives in :func:`write_docx`, which walks the same model the HTML and Markdown
templates render, in the same order; python-docx has no template language, so this function
is the Word "template".
"""

from __future__ import annotations

import io
import os
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # pragma: no cover
    from zoning.outputs.report import Report, Table

__all__ = ["FONTS", "write_docx"]

#: style -> (Latin font, East Asian font)
FONTS = {"body": ("Arial", "宋体"), "heading": ("Arial", "黑体")}
#: Chinese fonts declared in the font table: name -> (English alternative name, panose)
_FONT_TABLE = {
    "宋体": ("SimSun", "02010600030101010101"),
    "黑体": ("SimHei", "02010609060101010101"),
    "微软雅黑": ("Microsoft YaHei", "020B0503020204020204"),
}


def _require_docx() -> None:
    try:
        import docx  # noqa: F401
    except ImportError as exc:
        from zoning.errors import InputError

        msg = "writing a Word report needs python-docx: pip install 'zoning[office]' (or python-docx)"
        raise InputError(msg) from exc


def _set_fonts(style_or_run: Any, latin: str, east_asian: str, *, size: float | None = None) -> None:
    """Set the Latin and East Asian fonts (and zh-CN language) on a style's or run's rPr."""
    from docx.oxml.ns import qn
    from docx.shared import Pt

    font = style_or_run.font
    font.name = latin
    if size is not None:
        font.size = Pt(size)
    rpr = style_or_run.element.get_or_add_rPr()
    fonts = rpr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = rpr.makeelement(qn("w:rFonts"), {})
        rpr.insert(0, fonts)
    for attr in ("w:ascii", "w:hAnsi", "w:cs"):
        fonts.set(qn(attr), latin)
    fonts.set(qn("w:eastAsia"), east_asian)
    fonts.set(qn("w:hint"), "eastAsia")
    for theme in ("w:asciiTheme", "w:hAnsiTheme", "w:eastAsiaTheme", "w:cstheme"):
        fonts.attrib.pop(qn(theme), None)
    lang = rpr.find(qn("w:lang"))
    if lang is None:
        lang = rpr.makeelement(qn("w:lang"), {})
        rpr.append(lang)
    lang.set(qn("w:eastAsia"), "zh-CN")


def _font_table(doc: Any) -> None:
    """Declare the Chinese fonts (with English names, GB2312 charset) so a missing one is substituted."""
    from docx.oxml.ns import qn

    part = next((p for p in doc.part.package.iter_parts() if str(p.partname) == "/word/fontTable.xml"), None)
    if part is None:  # pragma: no cover - python-docx's template has one
        return
    from lxml import etree

    root = etree.fromstring(part.blob)
    have = {f.get(qn("w:name")) for f in root.findall(qn("w:font"))}
    for name, (alt, panose) in _FONT_TABLE.items():
        if name in have:
            continue
        f = etree.SubElement(root, qn("w:font"), {qn("w:name"): name})
        etree.SubElement(f, qn("w:altName"), {qn("w:val"): alt})
        etree.SubElement(f, qn("w:panose1"), {qn("w:val"): panose})
        etree.SubElement(f, qn("w:charset"), {qn("w:val"): "86"})
        etree.SubElement(f, qn("w:family"), {qn("w:val"): "auto"})
        etree.SubElement(f, qn("w:pitch"), {qn("w:val"): "variable"})
    part._blob = etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)


def _styles(doc: Any) -> None:
    from docx.oxml.ns import qn

    body, head = FONTS["body"], FONTS["heading"]
    _set_fonts(doc.styles["Normal"], *body, size=10.5)
    for name in ("Title", "Heading 1", "Heading 2", "Heading 3", "Caption"):
        _set_fonts(doc.styles[name], *head)
    # the document defaults too, so text outside the named styles is covered
    rpr_default = doc.styles.element.find(qn("w:docDefaults"))
    if rpr_default is not None:
        rpr = rpr_default.find(qn("w:rPrDefault") + "/" + qn("w:rPr"))
        if rpr is not None:
            fonts = rpr.find(qn("w:rFonts"))
            if fonts is None:
                fonts = rpr.makeelement(qn("w:rFonts"), {})
                rpr.insert(0, fonts)
            for attr in ("w:asciiTheme", "w:hAnsiTheme", "w:eastAsiaTheme", "w:cstheme"):
                fonts.attrib.pop(qn(attr), None)
            fonts.set(qn("w:ascii"), body[0])
            fonts.set(qn("w:hAnsi"), body[0])
            fonts.set(qn("w:eastAsia"), body[1])
    _font_table(doc)


def _shade(cell: Any, fill: str) -> None:
    from docx.oxml.ns import qn

    tcpr = cell._tc.get_or_add_tcPr()
    shd = tcpr.makeelement(qn("w:shd"), {qn("w:val"): "clear", qn("w:color"): "auto", qn("w:fill"): fill})
    tcpr.append(shd)


def _display_width(text: str) -> int:
    import unicodedata

    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _column_widths(t: Table, usable: int, size: float) -> list[int]:
    """Column widths (EMU): numbers, ids and status words at their natural width (never wrapped),
    text columns sharing the rest in proportion to their text."""
    from docx.shared import Pt

    half = Pt(size) * 0.6  # one half-width character
    pad = Pt(14)
    natural, flexible = [], []
    for j, head in enumerate(t.columns):
        kind = t.kinds[j] if j < len(t.kinds) else ""
        cells = [_display_width(r[j].text) + (3 if r[j].swatch else 0) for r in t.rows] or [0]
        head_w = min(max([_display_width(w) for w in head.split()] + [0]), 8)  # headers wrap
        if kind in ("num", "short"):
            natural.append(int(max(max(cells), head_w, 3) * half + pad))
        else:
            natural.append(int(max(min(max(cells), 80), head_w, 6) * half + pad))
            flexible.append(j)
    fixed = sum(w for j, w in enumerate(natural) if j not in flexible)
    want = sum(natural[j] for j in flexible)
    rest = usable - fixed
    if flexible and rest >= min(want, len(flexible) * Pt(40)):
        share = min(1.0, rest / want)
        widths = [w if j not in flexible else int(w * share) for j, w in enumerate(natural)]
        spare = usable - sum(widths)
        for j in flexible:  # text columns take what is left
            widths[j] += spare // len(flexible)
        return widths
    scale = usable / sum(natural)
    return [int(w * scale) for w in natural]


def _set_widths(tbl: Any, widths: list[int]) -> None:
    """Fixed column widths (EMU)."""
    tbl.autofit = False
    for col, w in zip(tbl.columns, widths, strict=True):
        col.width = w
        for cell in col.cells:
            cell.width = w


def _table(doc: Any, t: Table) -> None:
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.oxml.ns import qn
    from docx.shared import Pt, RGBColor

    if t.caption:
        doc.add_paragraph(t.caption, style="Caption")
    tbl = doc.add_table(rows=1 + len(t.rows), cols=len(t.columns))
    tbl.style = doc.styles["Table Grid"]
    tblpr = tbl._tbl.tblPr
    width = tblpr.find(qn("w:tblW"))
    if width is None:
        width = tblpr.makeelement(qn("w:tblW"), {})
        tblpr.append(width)
    width.set(qn("w:w"), "5000")
    width.set(qn("w:type"), "pct")
    size = 7.5 if t.wide else 8.5
    head = tbl.rows[0]
    trpr = head._tr.get_or_add_trPr()
    trpr.append(trpr.makeelement(qn("w:tblHeader"), {qn("w:val"): "true"}))
    for cell, text, num in zip(head.cells, t.columns, t.numeric, strict=True):
        par = cell.paragraphs[0]
        run = par.add_run(text)
        run.bold = True
        run.font.size = Pt(size)
        if num:
            par.alignment = WD_ALIGN_PARAGRAPH.RIGHT
        _shade(cell, "EEF1F4")
    for row, cells in zip(tbl.rows[1:], t.rows, strict=True):
        for cell, c in zip(row.cells, cells, strict=True):
            par = cell.paragraphs[0]
            if c.swatch:
                sw = par.add_run("■ ")
                sw.font.size = Pt(size)
                sw.font.color.rgb = RGBColor.from_string(c.swatch.lstrip("#").upper())
            run = par.add_run(c.text)
            run.font.size = Pt(size)
            if c.css in ("fail", "error"):
                run.font.color.rgb = RGBColor(0xCF, 0x22, 0x2E)
                run.bold = True
            if c.num:
                par.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    _set_widths(tbl, _column_widths(t, _usable(doc.sections[-1]), size))
    if len(t.rows) <= 10:  # a short table stays on one page, as in the printed HTML
        for row in tbl.rows[:-1]:
            for cell in row.cells:
                for par in cell.paragraphs:
                    par.paragraph_format.keep_with_next = True


def _usable(sec: Any) -> int:
    """Text width of a section (EMU)."""
    return int(sec.page_width or 0) - int(sec.left_margin or 0) - int(sec.right_margin or 0)


def _orient(doc: Any, landscape: bool) -> None:
    """Start a new section in portrait or landscape (A4)."""
    from docx.enum.section import WD_ORIENT, WD_SECTION
    from docx.shared import Mm

    sec = doc.add_section(WD_SECTION.NEW_PAGE)
    sec.orientation = WD_ORIENT.LANDSCAPE if landscape else WD_ORIENT.PORTRAIT
    sec.page_width, sec.page_height = (Mm(297), Mm(210)) if landscape else (Mm(210), Mm(297))
    for side in ("left_margin", "right_margin"):
        setattr(sec, side, Mm(15))
    sec.top_margin = sec.bottom_margin = Mm(15)


def write_docx(model: Report, path: str | os.PathLike[str]) -> Path:
    """Write the report model as a Word document (atomically: a temporary file, then rename).

    Examples
    --------
    >>> import tempfile, pathlib, zoning
    >>> from zoning.outputs.report import build_report
    >>> result = zoning.run(zoning.datasets.get_path("parcels"), reference_year=2025)
    >>> out = write_docx(build_report(result, lang="zh", maps=False), pathlib.Path(tempfile.mkdtemp()) / "r.docx")
    >>> import docx
    >>> docx.Document(out).paragraphs[0].text
    '深圳市工业区分区：保留提升区、土地整备区、连片改造区（2020）'
    """
    _require_docx()
    import docx
    from docx.shared import Mm, Pt

    from zoning.io.write import atomic_write

    doc = docx.Document()
    _styles(doc)
    sec = doc.sections[0]
    sec.page_width, sec.page_height = Mm(210), Mm(297)
    for side in ("left_margin", "right_margin"):
        setattr(sec, side, Mm(18))
    sec.top_margin = sec.bottom_margin = Mm(18)
    doc.core_properties.title = model.title
    doc.core_properties.language = model.html_lang
    doc.core_properties.author = "zoning"

    doc.add_heading(model.title, level=0)
    meta = doc.add_table(rows=len(model.meta), cols=2)
    for row, (k, v) in zip(meta.rows, model.meta, strict=True):
        row.cells[0].paragraphs[0].add_run(k).bold = True
        row.cells[1].paragraphs[0].add_run(v)
    usable = _usable(sec)
    _set_widths(meta, [usable // 5, usable - usable // 5])
    landscape = False
    for s in model.sections:
        wide = any(t.wide for t in s.tables)
        if wide != landscape:
            _orient(doc, wide)
            landscape = wide
        doc.add_heading(s.title, level=1)
        for k, v in s.facts:
            par = doc.add_paragraph()
            par.add_run(f"{k}：" if model.lang == "zh" else f"{k}: ").bold = True
            par.add_run(v)
        for text in s.paragraphs:
            doc.add_paragraph(text)
        for text in s.preformatted:
            for line in text.splitlines():
                run = doc.add_paragraph().add_run(line)
                _set_fonts(run, "Consolas", FONTS["body"][1], size=8)
        usable = _usable(doc.sections[-1])
        for f in s.figures:
            doc.add_picture(io.BytesIO(f.png), width=min(usable, Mm(150 if not landscape else 200)))
            doc.add_paragraph(f.alt, style="Caption")
        for t in s.tables:
            _table(doc, t)
            doc.add_paragraph()
        for n in s.notes:
            run = doc.add_paragraph().add_run(n)
            run.italic = True
            run.font.size = Pt(9)
    run = doc.add_paragraph().add_run(model.footer)
    run.font.size = Pt(8)
    p = Path(path)
    atomic_write(p, lambda tmp: doc.save(str(tmp)))
    return p
