"""Excel workbooks of a run or a check, as planning bureaus exchange tables (needs ``zoning[office]``).

One sheet per named table (:mod:`zoning.outputs.tables`), in display order, with human
headers in Chinese or English (:mod:`zoning.outputs.labels`), zone labels in the zone
column, a frozen header row with filters, number formats (percentages, two decimals for
areas) and column widths that fit the text. The numbers are the very floats of the
GeoPackage layers — formats change only how Excel shows them — so a sum in Excel equals a
sum in the GeoPackage. A last sheet says what was run, with the rule pack's source.
"""

from __future__ import annotations

import contextlib
import datetime as _dt
import math
import os
import threading
import unicodedata
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from zoning.outputs.labels import fmt_of, format_value, label, table_title, value_label

__all__ = ["NUMBER_FORMATS", "check_to_excel", "result_to_excel", "write_workbook"]

#: label format -> Excel number format
NUMBER_FORMATS = {"pct": "0.0%", "area": "#,##0.00", "num": "#,##0.00", "num1": "#,##0.0", "num0": "#,##0",
                  "int": "#,##0", "year": "0"}
_FORBIDDEN = str.maketrans({c: "_" for c in "[]:*?/\\"})
_PATCH_LOCK = threading.Lock()
#: data rows per sheet (Excel's limit is 1,048,576 rows including the header); longer tables continue
MAX_ROWS = 1_048_575


def _require_openpyxl() -> Any:
    try:
        import openpyxl
    except ImportError as exc:
        from zoning.errors import InputError

        msg = "writing Excel workbooks needs openpyxl: pip install 'zoning[office]' (or openpyxl)"
        raise InputError(msg) from exc
    return openpyxl


def _width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _cell_value(v: Any) -> Any:
    """A value openpyxl writes as a plain cell: Python numbers, text, or None for missing."""
    if v is None or v is pd.NA or v is pd.NaT:
        return None
    if isinstance(v, (bool, np.bool_)):
        return bool(v)
    if isinstance(v, (np.integer,)):
        return int(v)
    if isinstance(v, (float, np.floating)):
        x = float(v)
        return x if math.isfinite(x) else None
    if isinstance(v, (list, tuple, set, np.ndarray)):
        return ", ".join(map(str, v))
    if isinstance(v, (int, str, _dt.date)):
        return v
    return str(v)


def _column_values(s: pd.Series, column: str, lang: str, pack: Any) -> list[Any]:
    """A column's cells as written: labels for zones and status words, plain numbers, None for missing."""
    if pd.api.types.is_float_dtype(s.dtype) or pd.api.types.is_integer_dtype(s.dtype):
        return [_cell_value(v) for v in s.to_numpy(dtype=object)]
    values = s.to_numpy(dtype=object)
    cache: dict[Any, Any] = {}
    out = []
    for v in values:
        try:
            out.append(cache[v])
        except (KeyError, TypeError):
            w = _cell_value(value_label(v, column, lang, pack=pack))
            try:
                cache[v] = w
            except TypeError:
                pass
            out.append(w)
    return out


def write_workbook(tables: dict[str, pd.DataFrame], path: str | os.PathLike[str], *, lang: str = "zh",
                   pack: Any = None, about: list[tuple[str, str]] | None = None,
                   formats: dict[str, dict[str, str]] | None = None) -> Path:
    """Write named tables as the sheets of one workbook (atomically).

    Parameters
    ----------
    tables
        Name -> table with canonical columns; the name gives the sheet's title
        (:func:`zoning.outputs.labels.table_title`; ``"check.blocks"`` is titled as ``blocks``).
    path
        The ``.xlsx`` file.
    lang
        ``"zh"`` or ``"en"``: sheet names, headers, zone labels and status words.
    pack
        The rule pack, for zone labels and criterion names in headers.
    about
        Rows of a last sheet describing the run (label, value).
    formats
        Per table, column -> label format overriding :func:`zoning.outputs.labels.fmt_of`.

    Returns
    -------
    pathlib.Path
    """
    openpyxl = _require_openpyxl()
    from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
    from openpyxl.utils import get_column_letter

    from zoning.io.write import atomic_write

    p = Path(path)
    if p.suffix.lower() != ".xlsx":
        from zoning.errors import InputError

        msg = f"workbook '{p.name}': use a .xlsx file name"
        raise InputError(msg)
    wb = openpyxl.Workbook()
    wb.remove(wb.active)
    head_font = Font(bold=True)
    head_fill = PatternFill("solid", fgColor="EEF1F4")
    head_border = Border(bottom=Side(style="thin", color="999999"))
    wrap = Alignment(wrap_text=True, vertical="top")
    head_align = Alignment(wrap_text=True, vertical="center")
    used: set[str] = set()
    pieces: list[tuple[str, pd.DataFrame, str]] = []
    for name, df in tables.items():
        base = table_title(name.split(".", 1)[-1], lang).translate(_FORBIDDEN)
        for k, start in enumerate(range(0, max(len(df), 1), MAX_ROWS)):
            suffix = f" ({k + 1})" if len(df) > MAX_ROWS else ""
            pieces.append((name, df.iloc[start:start + MAX_ROWS], base[:31 - len(suffix)] + suffix))
    for name, df, title in pieces:
        while title in used:
            title = (title[:28] + f"_{len(used)}")[:31]
        used.add(title)
        ws = wb.create_sheet(title)
        cols = [str(c) for c in df.columns]
        fmts = [(formats or {}).get(name, {}).get(c, fmt_of(c)) for c in cols]
        ws.append([label(c, lang, pack=pack) for c in cols])
        for cell in ws[1]:
            cell.font, cell.fill, cell.border, cell.alignment = head_font, head_fill, head_border, head_align
        widths = [min(max(_width(w) for w in str(label(c, lang, pack=pack)).split()) + 2, 30) for c in cols]
        columns = [_column_values(df[c] if df.columns.is_unique else df.iloc[:, j], c, lang, pack)
                   for j, c in enumerate(df.columns)]
        for j, (values, f) in enumerate(zip(columns, fmts, strict=True)):
            for v in values[:300]:
                if v is not None:
                    widths[j] = max(widths[j], _width(format_value(v, f if isinstance(v, (int, float)) else "text")) + 2)
        for row in zip(*columns, strict=True):
            ws.append(row)
        n = len(df)
        lines = [1] * n  # text lines per row, for the row heights of wrapped cells
        for j, f in enumerate(fmts):
            letter = get_column_letter(j + 1)
            nf = NUMBER_FORMATS.get(f)
            long = widths[j] > 60
            ws.column_dimensions[letter].width = min(widths[j], 60)
            if nf is None and not long:
                continue
            for k, (cell,) in enumerate(ws.iter_rows(min_row=2, max_row=n + 1, min_col=j + 1, max_col=j + 1)):
                if nf is not None and isinstance(cell.value, (int, float)) and not isinstance(cell.value, bool):
                    cell.number_format = nf
                if long:
                    cell.alignment = wrap
                    if isinstance(cell.value, str):
                        lines[k] = max(lines[k], math.ceil(_width(cell.value) / 58))
        for k, m in enumerate(lines):
            if m > 1:  # not every spreadsheet program grows a row for wrapped text by itself
                ws.row_dimensions[k + 2].height = 15 * min(m, 12)
        ws.freeze_panes = "B2" if len(cols) > 6 else "A2"
        # printed: landscape A4, as wide as one page, the header row on every page
        ws.page_setup.orientation = "landscape"
        ws.page_setup.paperSize = ws.PAPERSIZE_A4
        ws.page_setup.fitToWidth = 1
        ws.page_setup.fitToHeight = 0
        ws.sheet_properties.pageSetUpPr.fitToPage = True
        ws.print_title_rows = "1:1"
        if cols:
            ws.auto_filter.ref = f"A1:{get_column_letter(len(cols))}{n + 1}"
    if about:
        ws = wb.create_sheet(table_title("run", lang).translate(_FORBIDDEN)[:31])
        for key, value in about:
            ws.append([key, value])
        for (cell,) in ws.iter_rows(min_col=1, max_col=1):
            cell.font = head_font
        ws.column_dimensions["A"].width = max([_width(k) for k, _ in about] + [10]) + 2
        ws.column_dimensions["B"].width = min(max([_width(str(v)) for _, v in about] + [10]) + 2, 100)
        for (cell,) in ws.iter_rows(min_col=2, max_col=2):
            cell.alignment = wrap
    wb.properties.creator = "zoning"
    wb.properties.language = "zh-CN" if lang == "zh" else "en"
    if about:
        wb.properties.title = str(about[0][1])
    with _exact_floats():
        atomic_write(p, wb.save)
    return p


@contextlib.contextmanager
def _exact_floats() -> Iterator[None]:
    """Write floats with all their digits (``repr``), so Excel reads back the very same number.

    openpyxl formats numbers as ``"%.16g"``, which drops the 17th significant digit that some
    doubles need (2.6517842880758273 would come back as 2.651784288075827). The patch is
    scoped to one save and only makes numbers more precise.
    """
    from openpyxl.cell import _writer

    original = _writer.safe_string

    def exact(value: Any) -> str:
        if isinstance(value, (float, np.floating)) and math.isfinite(value):
            return repr(float(value))
        return original(value)

    with _PATCH_LOCK:
        _writer.safe_string = exact
        try:
            yield
        finally:
            _writer.safe_string = original


def _about(title: str, rows: list[tuple[str, str]], pack: Any, lang: str) -> list[tuple[str, str]]:
    from zoning import __version__
    from zoning.outputs.tables import pack_citation

    zh = lang == "zh"
    out = [("标题" if zh else "Title", title), *rows]
    if pack is not None:
        out += [("规则包" if zh else "Rule pack", f"{pack.pack.name} — {pack.pack.title_zh if zh else pack.pack.title_en}")]
        out += [(("政策" if zh else "Policy") + " · " + k, v) for k, v in pack_citation(pack, lang)]
    out += [("生成时间" if zh else "Generated", _dt.datetime.now().strftime("%Y-%m-%d %H:%M")),
            ("软件" if zh else "Software", f"zoning {__version__}"),
            ("说明" if zh else "Note", "表中数值与 GeoPackage 图层完全一致；单元格格式只改变显示方式。" if zh else
             "The numbers are the values of the GeoPackage layers; cell formats change only how they are shown.")]
    return out


def result_to_excel(result: Any, path: str | os.PathLike[str], *, lang: str | None = None, blocks: Any = None) -> Path:
    """Write a run's workbook: summary against targets, by district, contiguous areas, reasons, rules, validation.

    With ``blocks`` (a :class:`zoning.BlockCheck`) its blocks, districts and criteria follow.
    ``lang`` defaults to the run's language.

    Examples
    --------
    >>> import tempfile, pathlib, zoning, openpyxl
    >>> result = zoning.run(zoning.datasets.get_path("parcels"), reference_year=2025)
    >>> out = result_to_excel(result, pathlib.Path(tempfile.mkdtemp()) / "tables.xlsx", lang="zh")
    >>> openpyxl.load_workbook(out).sheetnames
    ['分区汇总', '按行政区', '连片区域', '地块判定理由', '规则包', '数据校验', '运行信息']
    """
    from zoning.outputs.report import _stock_km2
    from zoning.outputs.tables import check_tables, result_tables

    lang = lang or result.settings.get("lang", "zh")
    tables = result_tables(result, lang=lang)
    tables["summary"] = tables["summary"].drop(columns=["label_zh", "label_en"], errors="ignore")
    formats: dict[str, dict[str, str]] = {}
    if blocks is not None:
        for k, v in check_tables(blocks).items():
            if k != "parcels":
                tables[f"check.{k}"] = v
                formats[f"check.{k}"] = _check_formats(v)
    zh = lang == "zh"
    s = result.settings
    rows = [("模式" if zh else "Mode", str(s.get("mode"))), ("基准年份" if zh else "Reference year", str(s.get("reference_year"))),
            ("连片距离容差" if zh else "Contiguity tolerance", f"{s.get('gap_m', float('nan')):g} m"),
            ("坐标系" if zh else "CRS", str(result.parcels.crs.name if result.parcels.crs else "—")),
            ("地块数" if zh else "Parcels", f"{len(result.parcels):,}"),
            ("工业存量" if zh else "Industrial stock", f"{_stock_km2(result):.2f} km²")]
    pack = result.rules
    title = pack.pack.title_zh if zh else pack.pack.title_en
    return write_workbook(tables, path, lang=lang, pack=pack, about=_about(title, rows, pack, lang), formats=formats)


def _check_formats(df: pd.DataFrame) -> dict[str, str]:
    """A check's ``threshold`` column is a share when its observed values are shares."""
    if "threshold" in df and any(c in df for c in ("industrial_share", "coverage")):
        return {"threshold": "pct"}
    return {}


def check_to_excel(check: Any, path: str | os.PathLike[str], *, lang: str = "zh") -> Path:
    """Write a policy check's tables (its ``layers()``) as one workbook.

    Works for every check result (``BlockCheck``, ``BlockBalance``, ``MixedUseCheck``,
    ``EnterpriseScreening``) and for the table-valued checks (``check_projects``,
    ``benchmark_table``, ``short_leases``).

    Examples
    --------
    >>> import tempfile, pathlib, zoning, openpyxl
    >>> check = zoning.check_blocks(zoning.read_parcels(zoning.datasets.get_path("parcels")),
    ...                             zoning.read_blocks(zoning.datasets.get_path("blocks")))
    >>> out = check_to_excel(check, pathlib.Path(tempfile.mkdtemp()) / "blocks.xlsx", lang="en")
    >>> openpyxl.load_workbook(out).sheetnames
    ['Industrial blocks', 'Districts', 'Parcels', 'Criteria', 'About this run']
    """
    from zoning.outputs.tables import check_tables

    tables = check_tables(check)
    pack = getattr(check, "rules", None)
    formats = {k: _check_formats(v) for k, v in tables.items()}
    zh = lang == "zh"
    rows: list[tuple[str, str]] = []
    summary = getattr(check, "summary", None)
    if callable(summary):
        rows.append(("结果" if zh else "Result", str(summary()).splitlines()[0]))
    if pack is not None:
        title = pack.pack.title_zh if zh else pack.pack.title_en
    else:
        title = table_title(next(iter(tables)), lang)
    return write_workbook(tables, path, lang=lang, pack=pack, about=_about(title, rows, pack, lang), formats=formats)
