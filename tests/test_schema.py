"""zoning/schema.py: canonical columns, name matching, and parsing of messy values."""

from __future__ import annotations

import math
import re

import numpy as np
import pandas as pd
import pytest

from zoning.errors import InputError
from zoning.io.columns import (
    COLUMNS,
    QUALITY_LEVELS,
    match_columns,
    normalise_name,
    parse_bool,
    parse_quality,
    parse_year,
    parse_years,
    unit_of,
)

# --------------------------------------------------------------------------------------
# parse_year: every row of its docstring table, and more


@pytest.mark.parametrize(("value", "year", "how"), [
    # as written
    (1998, 1998.0, "year"), (1998.0, 1998.0, "year"), ("1998", 1998.0, "year"), ("1998.0", 1998.0, "year"),
    ("1998年", 1998.0, "year"), ("1998年建成", 1998.0, "year"), ("2005年6月", 2005.0, "year"),
    ("２００５", 2005.0, "year"),
    # a date: its year
    ("2005-06-01", 2005.0, "date"), ("2005/6/1", 2005.0, "date"), ("2005.06", 2005.0, "date"),
    ("1938-10", 1938.0, "date"), ("2005-06-01T10:00:00", 2005.0, "date"), ("20050601", 2005.0, "date"),
    ("200506", 2005.0, "date"),
    # a range: its midpoint
    ("2005-2008", 2006.5, "range"), ("1908..1939", 1923.5, "range"), ("2005～2008年", 2006.5, "range"),
    ("2005至2008", 2006.5, "range"), ("2005 - 2008", 2006.5, "range"), ("2005年-2008年", 2006.5, "range"),
    # a decade: its midpoint; early / mid / late
    ("1990s", 1995.0, "decade"), ("1990's", 1995.0, "decade"), ("1990年代", 1995.0, "decade"),
    ("90年代", 1995.0, "decade"), ("20世纪90年代", 1995.0, "decade"), ("二十世纪90年代", 1995.0, "decade"),
    ("80年代末", 1988.0, "decade"), ("1980年代初", 1982.0, "decade"), ("90年代中期", 1995.0, "decade"),
    ("early 1990s", 1992.0, "decade"), ("late 1980s", 1988.0, "decade"), ("mid-1990s", 1995.0, "decade"),
    # bounds
    ("before 1939", 1939.0, "before"), ("1939年以前", 1939.0, "before"), ("1939年前", 1939.0, "before"),
    ("早于1939", 1939.0, "before"), ("pre-1950", 1950.0, "before"), ("1950前", 1950.0, "before"),
    ("before 1905..1908", 1906.5, "before"),
    ("after 1908", 1908.0, "after"), ("1908年以后", 1908.0, "after"), ("2000后", 2000.0, "after"),
    ("after 1905..1908", 1906.5, "after"),
    # several buildings: the mean
    ("1865;1890", 1877.5, "mean"), ("1865, 1890", 1877.5, "mean"), ("1865、1890", 1877.5, "mean"),
    ("1865；1890", 1877.5, "mean"), ("1999-2001;2005", 2002.5, "mean"),
    # approximations: the year
    ("c. 1900", 1900.0, "year"), ("circa 1900", 1900.0, "year"), ("约1900", 1900.0, "year"),
    ("约1900年", 1900.0, "year"), ("~1900", 1900.0, "year"), ("1900?", 1900.0, "year"),
    ("2012?", 2012.0, "year"), ("1990年左右", 1990.0, "year"),
    # no value
    (None, None, "missing"), (float("nan"), None, "missing"), ("", None, "missing"), ("  ", None, "missing"),
    ("unknown", None, "missing"), ("未知", None, "missing"), ("不详", None, "missing"), ("-", None, "missing"),
    # not a year: reported
    ("abc", None, "unparsed"), ("about then", None, "unparsed"), (0, None, "unparsed"), (-1, None, "unparsed"),
    (1500, None, "unparsed"), (2200, None, "unparsed"), ("05", None, "unparsed"), (True, None, "unparsed"),
    ("1865;abc", None, "unparsed"), ("很久以前", None, "unparsed"),
])
def test_parse_year(value, year, how):
    assert parse_year(value) == (year, how)


def test_parse_year_docstring_table_is_tested():
    """Every quoted example in the docstring table parses to the year written next to it."""
    doc = parse_year.__doc__
    table = doc[doc.index("====="):doc.index("Years outside")]
    rows = [line for line in table.splitlines()[3:] if line.strip() and not line.strip().startswith("=")]
    assert len(rows) >= 13
    for line in rows:
        values, years, _rule = re.split(r"\s{2,}", line.strip())
        for token in values.split("``")[1::2]:
            value = token.strip('"') if token.startswith('"') else (None if token == "None" else int(token))
            got, _ = parse_year(value)
            if years == "—":
                assert got is None, line
            else:
                assert got in {float(y) for y in years.split(", ")}, (line, value, got)


def test_parse_years_vectorised_and_aligned():
    s = pd.Series(["1990s", None, "2005-2008", "abc", "1990s", 1998], index=[10, 11, 12, 13, 14, 15])
    years, how = parse_years(s)
    assert years.index.equals(s.index) and how.index.equals(s.index)
    assert years.tolist()[:3] == [1995.0, pytest.approx(np.nan, nan_ok=True), 2006.5]
    assert how.tolist() == ["decade", "missing", "range", "unparsed", "decade", "year"]
    assert years[14] == 1995.0 and years[15] == 1998.0


@pytest.mark.parametrize("dtype", ["float64", "Int64"])
def test_parse_years_numeric(dtype):
    s = pd.Series([1998, None, 1500], dtype=dtype)
    years, how = parse_years(s)
    assert years[0] == 1998.0 and math.isnan(years[1]) and math.isnan(years[2])
    assert how.tolist() == ["year", "missing", "unparsed"]


# --------------------------------------------------------------------------------------
# quality and yes/no flags


@pytest.mark.parametrize(("value", "level"), [
    ("好", "good"), ("较好", "good"), ("良好", "good"), ("Good", "good"), (" GOOD ", "good"), ("ｇｏｏｄ", "good"),
    ("一般", "fair"), ("中等", "fair"), ("fair", "fair"), ("average", "fair"),
    ("差", "poor"), ("较差", "poor"), ("危房", "poor"), ("poor", "poor"),
    (None, None), (float("nan"), None), ("", None), ("A", None), ("特级", None), (3, None),
])
def test_parse_quality(value, level):
    assert parse_quality(value) == level


def test_quality_levels_are_ordered():
    assert QUALITY_LEVELS["poor"] < QUALITY_LEVELS["fair"] < QUALITY_LEVELS["good"]


@pytest.mark.parametrize(("value", "flag"), [
    ("是", True), ("有", True), ("yes", True), ("Y", True), ("1", True), (1, True), (True, True), ("TRUE", True), ("√", True),
    ("否", False), ("无", False), ("no", False), ("N", False), ("0", False), (0, False), (False, False),
    (None, None), (float("nan"), None), ("", None), ("maybe", None), ("待查", None),
])
def test_parse_bool(value, flag):
    assert parse_bool(value) is flag


# --------------------------------------------------------------------------------------
# names


@pytest.mark.parametrize(("name", "key", "unit"), [
    ("建筑面积（㎡）", "建筑面积", "m2"), ("建筑面积(m²)", "建筑面积", "m2"), ("产值(亿元)", "产值", "亿元"),
    ("产值（万元）", "产值", "万元"), ("产值万元", "产值", "万元"), ("产值(亿元", "产值", "亿元"),
    ("用地面积(亩)", "用地面积", "亩"), ("用地面积亩", "用地面积", "亩"), ("合法用地比例(%)", "合法用地比例", "%"),
    ("area_ha", "area", "ha"), ("floor_area_m2", "floor_area", "m2"), ("energy_tce", "energy", "tce"),
    ("Floor Area", "floor_area", None), ("Parcel-ID", "parcel_id", None), ("alpha", "alpha", None),
    ("建成年", "建成年", None), ("从业人", "从业人", None), ("租约年限(年)", "租约年限", "年"),
])
def test_normalise_name_and_unit(name, key, unit):
    assert normalise_name(name) == key
    assert unit_of(name) == unit


def test_every_alias_points_to_one_column():
    seen: dict[str, str] = {}
    for spec in COLUMNS.values():
        for alias in (spec.name, *spec.aliases):
            key = normalise_name(alias)
            assert seen.setdefault(key, spec.name) == spec.name, f"{alias!r} is claimed by {seen[key]} and {spec.name}"


def test_issue_names_map_to_the_schema():
    names = ["宗地编号", "现状用途", "规划用途", "建筑面积", "建成年份", "合法用地面积", "合法用地比例", "建筑质量",
             "产值", "税收", "行政区"]
    matches, notes = match_columns(names)
    assert {m.source: m.canonical for m in matches} == {
        "宗地编号": "parcel_id", "现状用途": "current_use", "规划用途": "planned_use", "建筑面积": "floor_area_m2",
        "建成年份": "year_built", "合法用地面积": "legal_area_m2", "合法用地比例": "legal_ratio",
        "建筑质量": "building_quality", "产值": "output_wan", "税收": "tax_wan", "行政区": "district"}
    assert notes == []


def test_two_columns_for_one_name_keep_the_first_and_say_so():
    matches, notes = match_columns(["建筑面积", "floor_area", "建成年代", "建成年份"])
    assert [(m.source, m.canonical) for m in matches] == [("建筑面积", "floor_area_m2"), ("建成年代", "year_built")]
    assert notes == [
        "columns '建筑面积' and 'floor_area' both look like 'floor_area_m2'; used '建筑面积', kept 'floor_area' unchanged (pass columns= to choose)",
        "columns '建成年代' and '建成年份' both look like 'year_built'; used '建成年代', kept '建成年份' unchanged (pass columns= to choose)",
    ]


@pytest.mark.parametrize(("name", "canonical", "how"), [
    ("建成年代", "year_built", "alias"), ("start_date", "year_built", "alias"),
    ("floor_area", "floor_area_m2", "alias"), ("building_q", "building_quality", "alias"),
    ("legal_rati", "legal_ratio", "alias"), ("current_us", "current_use", "alias"),
    ("合法用地面", "legal_area_m2", "truncated"),  # 合法用地面积 cut to 10 GBK bytes
    ("合法用地比", "legal_ratio", "truncated"),  # 合法用地比例 cut to 10 GBK bytes
    ("宗地编", "parcel_id", "truncated"),  # 宗地编号 cut to 10 UTF-8 bytes, broken char dropped
    ("output_val", "output_wan", "truncated"), ("district_n", "district", "truncated"),
    ("parcel_id", "parcel_id", "canonical"),
])
def test_match_one_name(name, canonical, how):
    (m,), _ = match_columns([name])
    assert (m.canonical, m.how) == (canonical, how)


@pytest.mark.parametrize("name", ["building", "备注", "osm_id", "Floor", "height", "用地性质", "合法用", "name"])
def test_names_that_are_not_mapped(name):
    assert match_columns([name]) == ([], [])


def test_units_are_kept_with_the_match():
    matches, _ = match_columns(["产值(亿元)", "用地面积(亩)", "税收"])
    assert [(m.canonical, m.unit) for m in matches] == [("output_wan", "亿元"), ("land_area_m2", "亩"), ("tax_wan", None)]


def test_user_mapping_wins_and_is_checked():
    matches, notes = match_columns(["宗地编号", "地块号", "产值"], {"地块号": "parcel_id", "产值": "tax_wan"})
    got = {m.source: (m.canonical, m.how) for m in matches}
    assert got == {"地块号": ("parcel_id", "user"), "产值": ("tax_wan", "user")}
    assert notes == ["columns '地块号' and '宗地编号' both look like 'parcel_id'; used '地块号', kept '宗地编号' unchanged (pass columns= to choose)"]
    with pytest.raises(InputError, match=r"unknown canonical name\(s\) \['floor'\]; valid names are: parcel_id, current_use, .*block_id"):
        match_columns(["建筑面积"], {"建筑面积": "floor"})
    with pytest.raises(InputError, match=r"source column\(s\) \['GFA'\] that are not in the file; the file has: 建筑面积"):
        match_columns(["建筑面积"], {"GFA": "floor_area_m2"})
