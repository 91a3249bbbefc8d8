"""Stage 1 — read parcels and blocks (formats, encodings, column aliases) and write results.

``read_parcels`` returns a GeoDataFrame in a projected metric CRS with canonical column names
(see :mod:`zoning.io.columns`) and typed values. Nothing is validated or dropped here: values
that cannot be parsed become missing and are listed in ``gdf.attrs["zoning"]["problems"]``,
which :func:`zoning.validate_parcels` reports together with everything else.
"""

from __future__ import annotations

import os
import warnings
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd

from zoning.errors import DataRepairWarning, InputError, Problem
from zoning.io.columns import (
    COLUMNS,
    canonical_of,
    match_columns,
    normalise_name,
    parse_bool,
    parse_quality,
    parse_years,
)
from zoning.io.crs import ensure_metric_crs

__all__ = ["read_blocks", "read_parcels", "read_table", "standardise_parcels"]

# unit written in a column name -> factor to the canonical unit, per canonical unit
_MONEY = {"万元": 1.0, "亿元": 1e4, "元": 1e-4}
_AREA = {"m2": 1.0, "m²": 1.0, "㎡": 1.0, "平方米": 1.0, "平米": 1.0, "公顷": 1e4, "ha": 1e4, "亩": 10_000.0 / 15.0}
_SHARE = {"%": 0.01, "％": 0.01}
_VALUE_UNIT = r"(万元|亿元|元|m2|m²|㎡|平方米|平米|公顷|亩)$"
_INVISIBLE = "\u200b\u200c\u200d\u2060\ufeff\u00a0\u3000\t\r\n"
_UNIT_FACTORS = {"万元/yr": _MONEY, "万元": _MONEY, "m²": _AREA, "0–1": _SHARE}


def _meta(gdf: pd.DataFrame) -> dict[str, Any]:
    meta = gdf.attrs.get("zoning")
    if not isinstance(meta, dict):
        meta = {"problems": [], "columns": [], "notes": []}
        gdf.attrs["zoning"] = meta
    meta.setdefault("problems", [])
    meta.setdefault("columns", [])
    meta.setdefault("notes", [])
    return meta


def _ids_of(gdf: pd.DataFrame, mask: np.ndarray) -> list[str]:
    if "parcel_id" in gdf.columns:
        return gdf.loc[mask, "parcel_id"].astype(str).tolist()
    return [f"row {i}" for i in gdf.index[mask]]


# Numbers written with a decimal comma ("8000,5", "0,85", "7.234,5"): read as decimals and said.
_EU = r"[+-]?\d{1,3}(?:\.\d{3})+,\d+"           # 7.234,5 — dots group thousands, the comma is decimal
_THOUSANDS = r"[+-]?\d{1,3}(?:,\d{3})+(?:\.\d+)?"  # 12,345.6 — commas group thousands
_WAN = r"[+-]?\d{1,4}(?:,\d{4})+(?:\.\d+)?"         # 1,2000 — commas group by 万 (ten thousand)
_DEC_COMMA = r"[+-]?\d+,\d{1,2}"                    # 8000,5 / 0,85 — a comma before one or two digits
_AMBIGUOUS = r"[+-]?\d{1,3},\d{3}"                  # 1,234 — thousands, unless the column writes decimal commas


def _to_number(s: pd.Series) -> pd.Series:
    return _parse_numbers(s)[0]


def _parse_numbers(s: pd.Series) -> tuple[pd.Series, np.ndarray, np.ndarray]:
    """Numbers from text: ``(values, decimal_comma, ambiguous)``, the masks aligned to ``s``.

    Thousands and 万 separators (``12,345.6``, ``1,2000``) are dropped. A decimal comma
    (``8000,5``, ``0,85``, ``7.234,5``) is read as a decimal — never as a number 10× or 1000×
    off. In a column that writes decimal commas, ``1,234`` could be 1.234 or 1234: it becomes
    missing (``ambiguous``). Any other comma (``1,23456``) makes the value unparsed (missing).
    """
    none = np.zeros(len(s), dtype=bool)
    if pd.api.types.is_bool_dtype(s) or pd.api.types.is_numeric_dtype(s):
        return s.astype("float64"), none, none
    txt = s.astype("string").str.strip().str.replace("，", ",", regex=False).str.replace(r"\s", "", regex=True)
    txt = txt.str.replace(r"(万元|亿元|元|m2|m²|㎡|平方米|平米|公顷|亩|%|％|年)$", "", regex=True)
    eu = txt.str.fullmatch(_EU).fillna(False).to_numpy(dtype=bool)
    dc = txt.str.fullmatch(_DEC_COMMA).fillna(False).to_numpy(dtype=bool)
    grouped = (txt.str.fullmatch(_THOUSANDS).fillna(False) | txt.str.fullmatch(_WAN).fillna(False)).to_numpy(dtype=bool)
    comma = eu | dc
    ambiguous = txt.str.fullmatch(_AMBIGUOUS).fillna(False).to_numpy(dtype=bool) & bool(comma.any())
    if comma.any():
        fixed = txt.where(~eu, txt.str.replace(".", "", regex=False))
        txt = fixed.where(~comma, fixed.str.replace(",", ".", regex=False))
    txt = txt.where(comma | ~grouped, txt.str.replace(",", "", regex=False))
    txt = txt.mask(ambiguous, pd.NA)
    num = pd.to_numeric(txt.replace({"": pd.NA, "-": pd.NA, "/": pd.NA}), errors="coerce").astype("float64")
    return num, comma, ambiguous


def _warn(problem: Problem, *, what: str = "parcels") -> None:
    """Say a change made to the data, in every command that reads it (not only validate)."""
    shown = ", ".join(problem.ids[:5]) + (f" … and {len(problem.ids) - 5} more" if len(problem.ids) > 5 else "")
    rows = f" ({what} {shown})" if shown else ""
    warnings.warn(f"{problem.code} [{problem.column}]: {problem.message}{rows}\n  fix: {problem.fix}",
                  DataRepairWarning, stacklevel=4)


def _said(problems: list[Problem], problem: Problem) -> None:
    problems.append(problem)
    _warn(problem)


def standardise_parcels(parcels: gpd.GeoDataFrame, *, columns: dict[str, str] | None = None) -> gpd.GeoDataFrame:
    """Map column names to the canonical schema and type their values.

    Used by :func:`read_parcels`, and by :func:`zoning.run` / :func:`zoning.validate_parcels`
    when handed a GeoDataFrame directly (it is idempotent and cheap on clean data).

    Parameters
    ----------
    parcels
        Parcels with any column names.
    columns
        ``{source column: canonical name}``; wins over automatic alias matching.

    Returns
    -------
    GeoDataFrame
        A copy with canonical columns renamed and typed (numbers as float, ``year_built`` as
        float years, ``building_quality`` as good/fair/poor, yes/no flags as boolean).
        Unparseable values become missing and are recorded as problems in
        ``.attrs["zoning"]["problems"]``.

    Examples
    --------
    >>> import geopandas as gpd
    >>> from shapely import box
    >>> raw = gpd.GeoDataFrame({"宗地编号": ["A1", "A2"], "建筑质量": ["好", "较差"],
    ...                         "建成年代": ["1990s", "2005-2008"], "产值(亿元)": [1.2, "0.5"]},
    ...                        geometry=[box(0, 0, 10, 10), box(10, 0, 20, 10)], crs=4547)
    >>> std = standardise_parcels(raw)
    >>> std[["parcel_id", "building_quality", "year_built", "output_wan"]].values.tolist()
    [['A1', 'good', 1995.0, 12000.0], ['A2', 'poor', 2006.5, 5000.0]]
    """
    if not isinstance(parcels, gpd.GeoDataFrame):
        msg = f"parcels should be a GeoDataFrame, got {type(parcels).__name__}; read files with zoning.read_parcels(path)"
        raise InputError(msg)
    gdf = parcels.copy()
    # pandas deep-copies ``attrs`` into every derived frame (rename, column assignment, ...), so
    # the metadata is built up in this dict and attached once, at the end.
    meta: dict[str, Any] = {"problems": [], "columns": [], "notes": []}
    meta.update(parcels.attrs.get("zoning", {}) if isinstance(parcels.attrs.get("zoning"), dict) else {})
    meta["problems"] = list(meta.get("problems") or [])
    meta["notes"] = list(meta.get("notes") or [])
    meta["columns"] = list(meta.get("columns") or [])
    names = [c for c in gdf.columns if c != gdf.geometry.name]
    matches, notes = match_columns([str(c) for c in names], columns)
    meta["notes"] = list(meta["notes"]) + notes
    rename = {m.source: m.canonical for m in matches if m.source != m.canonical}
    # a canonical name already used by an unmatched column would collide: keep the original
    clash = [c for c in rename.values() if c in gdf.columns and c not in rename]
    for c in clash:
        gdf = gdf.rename(columns={c: f"{c}_original"})
        meta["notes"].append(f"column '{c}' renamed to '{c}_original' to make room for the mapped column")
    gdf = gdf.rename(columns=rename)
    if any(m.source != m.canonical for m in matches) or not meta["columns"]:
        meta["columns"] = [dict(m.__dict__) for m in matches]

    problems: list[Problem] = meta["problems"]
    for m in matches:
        spec = COLUMNS[m.canonical]
        col = m.canonical
        raw = gdf[col]
        if spec.kind == "number":
            num, comma, ambiguous = _parse_numbers(raw)
            if pd.api.types.is_numeric_dtype(raw) or pd.api.types.is_bool_dtype(raw):
                bad = np.zeros(len(raw), dtype=bool)  # numbers already: nothing to parse
            else:
                bad = (num.isna().to_numpy() & raw.notna().to_numpy() & (raw.astype("string").str.strip() != "").fillna(False).to_numpy()
                       & ~ambiguous)
            if comma.any():
                ex = ", ".join(f"'{v}' → {n:g}" for v, n in list(zip(raw[comma], num[comma], strict=True))[:3])
                _said(problems, Problem("warning", "decimal_comma", f"{comma.sum()} value(s) of '{m.source}' are written with a decimal comma and were read as decimals ({ex})", col, _ids_of(gdf, comma), "write decimals with a point (8000.5) in the source table, or check that these are the numbers you meant"))
            if ambiguous.any():
                vals = sorted({str(v) for v in raw[ambiguous]})[:5]
                _said(problems, Problem("warning", "ambiguous_number", f"{ambiguous.sum()} value(s) of '{m.source}' such as {vals} could be thousands (1234) or decimals (1.234) in a column that writes decimal commas; treated as missing", col, _ids_of(gdf, ambiguous), "write these numbers without a thousands separator and with a decimal point"))
            if spec.unit == "0–1" and m.unit not in _SHARE and not pd.api.types.is_numeric_dtype(raw):
                # "85%" in a share column: that value is a percentage, whatever the others are
                pct = raw.astype("string").str.strip().str.endswith(("%", "％")).fillna(False).to_numpy() & num.notna().to_numpy()
                if pct.any():
                    num = num.where(~pct, num / 100.0)
                    meta["notes"].append(f"{pct.sum()} '{m.source}' value(s) written with '%' were divided by 100")
            own = np.zeros(len(raw), dtype=bool)  # values that carry their own unit ("1.2亿元")
            if spec.unit in _UNIT_FACTORS and not pd.api.types.is_numeric_dtype(raw):
                units = raw.astype("string").str.strip().str.extract(_VALUE_UNIT, expand=False)
                factors = units.map(_UNIT_FACTORS[spec.unit]).astype("float64")
                own = factors.notna().to_numpy() & num.notna().to_numpy()
                if own.any():
                    scaled = (num * factors).where(pd.Series(own, index=num.index))
            if m.unit and spec.unit in _UNIT_FACTORS and m.unit in _UNIT_FACTORS[spec.unit]:
                factor = _UNIT_FACTORS[spec.unit][m.unit]
                if factor != 1.0:
                    num = num * factor
                    meta["notes"].append(f"'{m.source}' is in {m.unit}: converted to {spec.unit} (×{factor:g})")
            if own.any():
                num = scaled.where(pd.Series(own, index=num.index), num)
                meta["notes"].append(f"{own.sum()} '{m.source}' value(s) written with their own unit (e.g. {raw[own].iloc[0]!r}) "
                                     f"were converted to {spec.unit}")
            gdf[col] = num
            if bad.any():
                vals = sorted({str(v) for v in raw[bad]})[:5]
                _said(problems, Problem("warning", "unparsed_number", f"{bad.sum()} value(s) of '{m.source}' are not numbers (e.g. {vals}); treated as missing", col, _ids_of(gdf, bad), "correct the values in the source table"))
        elif spec.kind == "year":
            years, how = parse_years(raw)
            gdf[col] = years
            bad = (how == "unparsed").to_numpy()
            if bad.any():
                vals = sorted({str(v) for v in raw[bad]})[:5]
                _said(problems, Problem("warning", "unparsed_year", f"{bad.sum()} value(s) of '{m.source}' are not years (e.g. {vals}); treated as missing", col, _ids_of(gdf, bad), "write a year (1998), a range (2005-2008) or a decade (1990s)"))
            approx = how.isin(["range", "decade", "before", "after", "mean"]).to_numpy()
            if approx.any():
                meta["notes"].append(f"{approx.sum()} '{m.source}' value(s) were ranges, decades, bounds or lists: read by the documented conventions (zoning.io.columns.parse_year)")
        elif spec.kind == "quality":
            labels, uniques = pd.factorize(raw.astype(object), use_na_sentinel=True)
            mapped = np.array([parse_quality(u) for u in uniques] + [None], dtype=object)[labels]
            bad = pd.isna(mapped) & raw.notna().to_numpy() & (raw.astype("string").str.strip() != "").fillna(False).to_numpy()
            gdf[col] = pd.Series(mapped, index=gdf.index, dtype="string")
            if bad.any():
                vals = sorted({str(v) for v in raw[bad]})[:5]
                _said(problems, Problem("warning", "unknown_quality", f"{bad.sum()} building-quality value(s) not understood (e.g. {vals}); treated as missing", col, _ids_of(gdf, bad), "use good/fair/poor or 好/一般/差"))
        elif spec.kind == "bool":
            labels, uniques = pd.factorize(raw.astype(object), use_na_sentinel=True)
            mapped = np.array([parse_bool(u) for u in uniques] + [None], dtype=object)[labels]
            bad = pd.isna(mapped) & raw.notna().to_numpy() & (raw.astype("string").str.strip() != "").fillna(False).to_numpy()
            gdf[col] = pd.array(mapped, dtype="boolean")
            if bad.any():
                vals = sorted({str(v) for v in raw[bad]})[:5]
                _said(problems, Problem("warning", "unknown_flag", f"{bad.sum()} yes/no value(s) of '{m.source}' not understood (e.g. {vals}); treated as missing", col, _ids_of(gdf, bad), "use 是/否, yes/no or 1/0"))
        elif spec.kind in ("id", "text", "code"):
            s = raw.astype("string").str.strip()
            if pd.api.types.is_float_dtype(raw):  # 1001.0 -> "1001"
                s = raw.map(lambda v: None if pd.isna(v) else (str(int(v)) if float(v).is_integer() else str(v))).astype("string")
            elif spec.kind == "id":
                s = s.str.strip(_INVISIBLE + " ")
                # blank ids are reported on their own (blank_parcel_id); here: ids that changed
                changed = ((s != raw.astype("string")) & (s != "")).fillna(False).to_numpy(dtype=bool)
                if changed.any():
                    ex = ", ".join(f"{v!r} → {w!r}" for v, w in list(zip(raw[changed], s[changed], strict=True))[:3])
                    gdf[f"{col}_source"] = raw.astype("string")
                    _said(problems, Problem("warning", "stripped_id", f"{changed.sum()} id(s) of '{m.source}' had leading/trailing spaces or invisible characters, removed ({ex}); the ids exactly as written are kept in '{col}_source' to join results back", col, s[changed].astype(str).tolist(), f"clean the ids in the source table, or join results back on '{col}_source'"))
            gdf[col] = s
    _alias_collisions(gdf, names, matches, clash, problems)
    _building_age(gdf, names, matches, meta["notes"], problems)
    meta["problems"] = problems
    meta["notes"] = list(dict.fromkeys(meta["notes"]))  # standardising twice adds nothing
    gdf.attrs = {**gdf.attrs, "zoning": meta}
    return gdf


def _alias_collisions(gdf: gpd.GeoDataFrame, names: list[Any], matches: list[Any], clash: list[str],
                      problems: list[Problem]) -> None:
    """Two columns that both mean one canonical column and disagree: say which was used."""
    used = {m.canonical: m.source for m in matches}
    chosen = {m.canonical for m in matches if m.how == "user"}  # the user chose: nothing silent
    for name in names:
        if not isinstance(name, str) or name in used.values():
            continue
        canonical, _ = canonical_of(name)
        if canonical is None or canonical not in used or canonical in chosen:
            continue
        kept = f"{name}_original" if name in clash else name
        if kept not in gdf.columns:
            continue
        spec = COLUMNS[canonical]
        if spec.kind == "number":
            a, b = gdf[canonical].astype("float64").to_numpy(), _to_number(gdf[kept]).to_numpy()
            same = np.isclose(a, b, rtol=1e-9, atol=0.0, equal_nan=True)
        else:
            a_s, b_s = gdf[canonical].astype("string").str.strip(), gdf[kept].astype("string").str.strip()
            same = ((a_s == b_s).fillna(False) | (a_s.isna() & b_s.isna())).to_numpy(dtype=bool)
        differ = ~same
        if not differ.any():
            continue
        where = f"kept '{name}' unchanged" if kept == name else f"kept '{name}' as '{kept}'"
        _said(problems, Problem(
            "warning", "alias_collision",
            f"columns '{used[canonical]}' and '{name}' both mean '{canonical}' and differ in {differ.sum()} parcel(s): "
            f"used '{used[canonical]}' (the first), {where}", canonical, _ids_of(gdf, differ),
            f"choose the one to use: columns={{'{name}': '{canonical}'}} in Python or --col {name}={canonical} on the "
            "command line, or delete the other column"))


_AGE_NAMES = {"房龄", "楼龄", "建筑年龄", "建筑年限", "房屋年龄", "buildingage", "building_age"}


def _building_age(gdf: gpd.GeoDataFrame, names: list[Any], matches: list[Any], notes: list[str],
                  problems: list[Problem]) -> None:
    """A building *age* column (房龄) when no construction year is given: converted, and said."""
    import datetime as _dt

    if any(m.canonical == "year_built" for m in matches) or "year_built" in gdf.columns:
        return
    for name in names:
        if isinstance(name, str) and normalise_name(name) in _AGE_NAMES:
            age = _to_number(gdf[name])
            year = _dt.date.today().year
            gdf["year_built"] = (year - age).where(age.between(0, 400))
            ok = gdf["year_built"].notna().to_numpy()
            _said(problems, Problem(
                "warning", "age_as_year", f"'{name}' holds building ages, not construction years: read as year_built = "
                f"{year} − age (so building_age is counted from {year}; with another --reference-year it shifts)",
                "year_built", _ids_of(gdf, ok),
                f"give a construction-year column (建成年份), or keep the reference year at {year}"))
            notes.append(f"'{name}' (building age) converted to year_built = {year} − age")
            return


def read_parcels(
    path: str | os.PathLike[str],
    *,
    columns: dict[str, str] | None = None,
    layer: str | None = None,
    encoding: str | None = None,
    source_crs: Any = None,
    target_crs: Any = None,
) -> gpd.GeoDataFrame:
    """Read a parcel layer from a GeoPackage, shapefile, GeoJSON or GeoParquet file.

    Parameters
    ----------
    path
        The file. Shapefiles may be zipped.
    columns
        ``{source column: canonical name}`` for columns the automatic matching misses or gets
        wrong (it understands Chinese names such as 宗地编号 / 建筑面积 / 建成年代 and
        10-character shapefile truncations such as ``floor_area`` / ``building_q``).
    layer
        Layer name for multi-layer files.
    encoding
        Attribute encoding of a shapefile. By default a ``.cpg`` is trusted, otherwise UTF-8
        then GB18030 are tried and the choice is reported with a warning.
    source_crs
        The CRS of data that has none, or ``"gcj02"`` / ``"bd09"`` for web-map coordinates
        (converted to WGS84 with an iterative inverse accurate to millimetres).
    target_crs
        Projected metric CRS to use instead of the automatic choice (CGCS2000 3-degree
        Gauss-Krüger in China, UTM elsewhere) when the data is in degrees or Web Mercator.

    Returns
    -------
    GeoDataFrame
        Canonical columns, typed values, every row of the file, a metric CRS. How the file
        was read (encoding, column mapping, values that could not be parsed) is in
        ``gdf.attrs["zoning"]``.

    Raises
    ------
    InputError
        Missing, corrupt or empty file, unknown layer, no CRS.

    Examples
    --------
    >>> import zoning
    >>> parcels = zoning.read_parcels(zoning.datasets.get_path("parcels"))
    >>> parcels.crs.to_epsg(), "parcel_id" in parcels.columns
    (4547, True)
    """
    from zoning.io._encoding import read_vector

    p = Path(path)
    gdf, info = read_vector(p, layer=layer, encoding=encoding)
    if len(gdf) == 0:
        msg = f"{p}{f' layer {layer!r}' if layer else ''} has no features: nothing to read. Check the file or the layer name."
        raise InputError(msg)
    if not isinstance(gdf, gpd.GeoDataFrame) or gdf.geometry.name not in gdf.columns:
        msg = f"{p} has no geometry column; zoning needs parcel polygons"
        raise InputError(msg)
    gdf = standardise_parcels(gdf, columns=columns)
    meta = _meta(gdf)
    meta["source"] = str(p)
    meta["encoding"] = {"encoding": info.encoding, "how": info.how, "message": info.message}
    gdf = ensure_metric_crs(gdf, source_crs=source_crs, target_crs=target_crs, name=p.name)
    gdf.attrs["zoning"] = meta
    return gdf


def read_blocks(
    path: str | os.PathLike[str],
    *,
    id_column: str | None = None,
    layer: str | None = None,
    encoding: str | None = None,
    source_crs: Any = None,
    target_crs: Any = None,
    cli_option: str | None = "--blocks-source-crs",
) -> gpd.GeoDataFrame:
    """Read an industrial-block (工业产业区块) layer; see :func:`zoning.check_blocks`.

    The block id column is ``id_column``, or the first of 区块编号 / block_id / 编号 / id found.
    Every column of the file is kept. ``cli_option`` is the command-line option that declares
    this layer's CRS, named when it has none (None: the command has no such option).
    """
    from zoning.io._encoding import read_vector

    p = Path(path)
    gdf, _ = read_vector(p, layer=layer, encoding=encoding)
    if len(gdf) == 0:
        msg = f"{p} has no features: the block layer is empty"
        raise InputError(msg)
    gdf = ensure_metric_crs(gdf, source_crs=source_crs, target_crs=target_crs, name=p.name, cli_option=cli_option)
    gdf.attrs["zoning"] = {"source": str(p), "id_column": id_column}
    return gdf


def read_table(
    path: str | os.PathLike[str],
    *,
    sheet: str | int | None = None,
    encoding: str | None = None,
    columns: dict[str, str] | None = None,
) -> pd.DataFrame:
    """Read a plain table (projects, firms) from CSV or Excel, as analysts exchange them.

    Parameters
    ----------
    path
        ``.csv`` (UTF-8 with or without BOM, or GBK/GB18030 — tried in that order unless
        ``encoding`` is given), ``.xlsx`` or ``.xls``.
    sheet
        Excel sheet name or number (default: the first).
    encoding
        Text encoding of a CSV file.
    columns
        ``{source column: canonical name}`` to rename (Chinese names are also recognised by the
        checks that read the table).

    Examples
    --------
    >>> import pandas as pd, tempfile, pathlib
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "projects.csv"
    >>> pd.DataFrame({"项目名称": ["甲"], "投资额(亿元)": [6]}).to_csv(p, index=False, encoding="gb18030")
    >>> read_table(p).columns.tolist()
    ['项目名称', '投资额(亿元)']
    """
    p = Path(path)
    suffix = p.suffix.lower()
    if suffix not in (".csv", ".xlsx", ".xls"):
        msg = f"cannot read '{p.name}' as a table: use a .csv, .xlsx or .xls file (vector layers: zoning.read_parcels)"
        raise InputError(msg)
    if not p.exists():
        msg = f"file not found: {p}"
        raise InputError(msg)
    if suffix == ".csv":
        for enc in [encoding] if encoding else ["utf-8-sig", "gb18030"]:
            try:
                df = pd.read_csv(p, encoding=enc)
                break
            except UnicodeDecodeError:
                continue
        else:  # pragma: no cover - gb18030 decodes any byte string
            msg = f"{p}: cannot decode the text with {encoding}; pass another encoding (CLI: --encoding)"
            raise InputError(msg)
    else:
        try:
            df = pd.read_excel(p, sheet_name=sheet if sheet is not None else 0)
        except ImportError as exc:  # pragma: no cover - depends on the environment
            msg = f"reading {suffix} files needs openpyxl: pip install openpyxl"
            raise InputError(msg) from exc
        except ValueError as exc:
            msg = f"{p}: {exc} (CLI: --layer SHEET)"
            raise InputError(msg) from exc
    df = _typed_number_columns(df, p.name)
    return df.rename(columns=columns) if columns else df


def _typed_number_columns(df: pd.DataFrame, name: str) -> pd.DataFrame:
    """Text columns that hold numbers (``12,345``, ``8000,5``): numbers, each decimal comma said.

    Without this a CSV value such as ``8000,5`` or ``1,234,567`` stays text and would become
    missing, silently, wherever a number is needed. Rows are named by their spreadsheet row
    (the header is row 1).
    """
    for col in df.columns:
        raw = df[col]
        if not (raw.dtype == object or pd.api.types.is_string_dtype(raw)):
            continue
        text = raw.astype("string").str.strip()
        present = text.notna() & (text != "")
        if not present.any() or not text[present].str.fullmatch(r"[+-]?[\d.,，\s]*\d[\d.,，\s]*").all():
            continue  # names, codes, values with units: left as they are
        num, comma, ambiguous = _parse_numbers(raw)
        if not (num.notna() | ~present | pd.Series(ambiguous, index=raw.index)).all():
            continue  # a text column (names, codes): left as it is
        rows = [str(i + 2) for i in range(len(df))]
        if comma.any():
            ex = ", ".join(f"'{v}' → {n:g}" for v, n in list(zip(raw[comma], num[comma], strict=True))[:3])
            _warn(Problem("warning", "decimal_comma", f"{name}: {comma.sum()} value(s) of '{col}' are written with a decimal "
                          f"comma and were read as decimals ({ex})", str(col), [r for r, c in zip(rows, comma, strict=True) if c],
                          "write decimals with a point (8000.5), or check that these are the numbers you meant"), what="rows")
        if ambiguous.any():
            _warn(Problem("warning", "ambiguous_number", f"{name}: {ambiguous.sum()} value(s) of '{col}' could be thousands or "
                          "decimals in a column that writes decimal commas; treated as missing", str(col),
                          [r for r, c in zip(rows, ambiguous, strict=True) if c],
                          "write these numbers without a thousands separator and with a decimal point"), what="rows")
        df = df.assign(**{str(col): num}) if isinstance(col, str) else df
    return df
