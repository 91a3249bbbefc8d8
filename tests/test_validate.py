"""zoning/validate.py: every bad-input case gives one clear problem, and no row is ever lost.

Each test checks the problem code and severity, that the printed problem names the parcel
ids and the column, that it carries a fix, and that ``report.parcels`` holds every input row
with the same index.
"""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import zoning
from tests.conftest import X0, Y0, industrial, make_parcels
from tests.geoms import CASES, expected_areas, parcels
from zoning.errors import DataRepairWarning, InputError, RulePackError, ValidationError
from zoning.stages.validate import Problem, ValidationReport


def validate(gdf: gpd.GeoDataFrame, **kw) -> ValidationReport:
    return zoning.validate_parcels(gdf, reference_year=2025, **kw)


def rows(n: int = 3, **kw) -> list[dict]:
    """``n`` plain industrial parcels P0, P1, ... of 100 m × 100 m in a row."""
    return [industrial(f"P{i}", (100 * i, 0, 100 * (i + 1), 100), **kw) for i in range(n)]


def the(report: ValidationReport, code: str) -> Problem:
    """The one problem with ``code``."""
    found = [p for p in report.problems if p.code == code]
    assert len(found) == 1, f"expected one {code!r} problem, got:\n{report}"
    return found[0]


def assert_every_row(report: ValidationReport, gdf: gpd.GeoDataFrame) -> None:
    assert len(report.parcels) == len(gdf)
    assert report.parcels.index.equals(gdf.index)


def assert_names(p: Problem, *, ids: list[str], column: str | None, severity: str) -> None:
    """The printed problem names every id and the column, and has a fix."""
    text = str(p)
    assert p.severity == severity
    assert sorted(p.ids) == sorted(ids)
    assert all(isinstance(i, str) for i in p.ids)
    for i in ids:
        assert i in text
    assert p.column == column
    if column:
        assert f"[{column}]" in text
    assert p.fix and f"fix: {p.fix}" in text


# --------------------------------------------------------------------------------------
# clean input, the report object


def test_clean_parcels_have_no_problems():
    gdf = make_parcels(rows())
    report = validate(gdf)
    assert report.problems == []
    assert report.ok
    assert_every_row(report, gdf)
    assert report.summary() == "3 parcels checked against 'shenzhen-2020': 0 error(s), 0 warning(s)"
    report.raise_for_errors()  # nothing to raise


def test_input_frame_is_not_modified():
    r = rows()
    r[0]["legal_ratio"] = 80.0
    r[1]["legal_ratio"] = 90.0
    r[2]["legal_ratio"] = 70.0
    gdf = make_parcels(r).to_crs(4326)
    before = gdf.copy()
    validate(gdf)
    pd.testing.assert_frame_equal(pd.DataFrame(gdf.drop(columns="geometry")), pd.DataFrame(before.drop(columns="geometry")))
    assert gdf.crs == before.crs
    assert gdf.geometry.geom_equals(before.geometry).all()


def test_not_a_geodataframe():
    with pytest.raises(InputError, match=r"should be a GeoDataFrame, got DataFrame.*read_parcels"):
        zoning.validate_parcels(pd.DataFrame({"parcel_id": ["A"]}))


def test_unknown_rule_pack():
    with pytest.raises(RulePackError, match=r"unknown rule pack 'nope'.*shenzhen-2020"):
        validate(make_parcels(rows()), rules="nope")


def test_every_problem_at_once_and_raise_for_errors():
    r = rows(6)
    r[0]["floor_area_m2"] = -3.0
    r[1]["parcel_id"] = "P0"
    r[2]["legal_ratio"] = 1.4
    r[3]["year_built"] = 2030
    r[4]["current_use"] = "X9"
    r[5] = {k: v for k, v in r[5].items() if k != "box"}
    r[5]["wkt"] = "POLYGON ((500 0, 600 100, 600 0, 500 100, 500 0))"
    gdf = make_parcels(r)
    report = validate(gdf)
    codes = {p.code for p in report.problems}
    assert {"negative_value", "duplicate_id", "implausible_share", "future_year", "unknown_landuse",
            "invalid_geometry_repaired"} <= codes
    assert not report.ok
    assert_every_row(report, gdf)
    with pytest.raises(ValidationError) as err:
        report.raise_for_errors()
    assert isinstance(err.value, ValueError)
    assert err.value.report is report
    for code in codes:  # the exception lists every problem, warnings included
        assert code in str(err.value)
    frame = report.to_frame()
    assert list(frame.columns) == ["severity", "code", "column", "count", "parcel_ids", "message", "fix"]
    assert set(frame["code"]) == codes
    assert str(report).index("ERROR") < str(report).index("WARNING")  # errors first


# --------------------------------------------------------------------------------------
# the catalogue of tricky parcels


@pytest.mark.parametrize("name", list(CASES))
def test_catalogue_case(name):
    gdf = parcels(name)
    report = validate(gdf)
    assert {p.code for p in report.problems} == set(CASES[name].codes), str(report)
    assert_every_row(report, gdf)
    ids = gdf["parcel_id"].tolist()
    for p in report.problems:
        assert set(p.ids) <= set(ids)
        assert p.column == "geometry"
    geoms = report.parcels.geometry
    for g, want in zip(geoms, expected_areas(name), strict=True):
        if want is None:
            assert g is None or g.is_empty or g.geom_type not in ("Polygon", "MultiPolygon")
        else:
            assert g.geom_type in ("Polygon", "MultiPolygon")
            assert g.is_valid
            assert not g.has_z
            assert g.area == pytest.approx(want, rel=1e-9)


def test_whole_catalogue_in_one_layer():
    gdf = parcels()
    report = validate(gdf)
    assert_every_row(report, gdf)
    want = set().union(*(c.codes for c in CASES.values()))
    assert {p.code for p in report.problems} == want
    assert sorted(the(report, "empty_geometry").ids) == ["empty", "none"]
    assert sorted(the(report, "not_polygon").ids) == ["line", "point"]
    assert sorted(the(report, "invalid_geometry_repaired").ids) == sorted(["bowtie", "hole_outside_shell", "spike", "geos_counterexample"])


def test_bowtie_area_is_both_triangles():
    gdf = parcels("bowtie")
    raw = gdf.geometry.iloc[0]
    assert not raw.is_valid and raw.area == 0.0  # the trap: opposite windings cancel
    left = shapely.Polygon([(0, 0), (50, 50), (0, 100)])
    right = shapely.Polygon([(100, 0), (100, 100), (50, 50)])
    report = validate(gdf)
    fixed = report.parcels.geometry.iloc[0]
    assert fixed.is_valid
    assert fixed.area == pytest.approx(left.area + right.area)  # 5,000, not 0 and not 2,500
    assert fixed.area != pytest.approx(shapely.buffer(raw, 0).area)  # buffer(0) loses a triangle
    p = the(report, "invalid_geometry_repaired")
    assert_names(p, ids=["bowtie"], column="geometry", severity="warning")
    assert "Self-intersection" in p.message
    assert "area 0 → 5000 m²" in p.message
    assert "make_valid" in p.message and "re-checked" in p.message
    assert report.ok  # a documented repair is a warning


def test_geos_counterexample_is_valid_after_repair():
    raw = shapely.from_wkt(CASES["geos_counterexample"].wkts[0])
    once = shapely.make_valid(raw, method="structure", keep_collapsed=False)
    # GEOS may return an invalid MultiPolygon here; validation must not stop at one pass
    report = validate(parcels("geos_counterexample"))
    fixed = report.parcels.geometry.iloc[0]
    assert fixed.is_valid
    assert fixed.area == pytest.approx(2 * 0.5 * 50**2)
    assert fixed.area == pytest.approx(shapely.union_all(shapely.get_parts(once)).area * 50**2)


def test_hole_outside_shell_is_reported_and_becomes_land():
    report = validate(parcels("hole_outside_shell"))
    p = the(report, "invalid_geometry_repaired")
    assert "Hole lies outside shell" in p.message
    assert "area 7500 → 12500 m²" in p.message
    fixed = report.parcels.geometry.iloc[0]
    assert fixed.geom_type == "MultiPolygon" and len(fixed.geoms) == 2
    assert the(report, "multipart").severity == "info"


def test_unrepairable_geometry_is_an_error():
    # a ring that collapses to a line: make_valid leaves no polygon
    flat = {k: v for k, v in industrial("B", (0, 0, 1, 1)).items() if k != "box"}
    flat["wkt"] = "POLYGON ((200 0, 300 0, 200 0, 300 0, 200 0))"
    gdf = make_parcels([industrial("A", (0, 0, 100, 100)), flat])
    report = validate(gdf)
    p = the(report, "invalid_geometry")
    assert_names(p, ids=["B"], column="geometry", severity="error")
    assert "could not be repaired" in p.message and "B:" in p.message
    assert_every_row(report, gdf)


# --------------------------------------------------------------------------------------
# coordinate reference systems


def test_missing_crs_is_an_error_saying_how_to_fix():
    gdf = make_parcels(rows(), crs=None)
    report = validate(gdf)
    p = the(report, "no_crs")
    assert_names(p, ids=[], column="geometry", severity="error")
    assert "no CRS" in p.message
    assert "source_crs='EPSG:4547'" in p.message and "--source-crs" in p.fix
    assert not report.ok
    assert_every_row(report, gdf)
    assert "overlap" not in {q.code for q in report.problems}  # no area-based check without a CRS


def test_missing_crs_with_lonlat_coordinates_suggests_4326():
    gdf = make_parcels(rows()).to_crs(4326).set_crs(None, allow_override=True)
    p = the(validate(gdf), "no_crs")
    assert "look like longitude/latitude" in p.message and "EPSG:4326" in p.message


@pytest.mark.parametrize("crs", ["EPSG:4326", "EPSG:4490", "EPSG:3857"])
def test_degrees_and_web_mercator_are_reprojected_with_a_warning(crs):
    gdf = make_parcels(rows()).to_crs(crs)
    report = validate(gdf)
    p = the(report, "reprojected")
    assert_names(p, ids=[], column="geometry", severity="warning")
    assert crs in p.message and "EPSG:4547" in p.message
    assert report.ok
    assert report.parcels.crs.to_epsg() == 4547
    assert_every_row(report, gdf)
    # the areas are metric again (within 0.5 % of the 10,000 m² drawn)
    np.testing.assert_allclose(report.parcels.area, 10_000.0, rtol=0.005)


def test_metres_declared_as_degrees_is_an_error():
    gdf = make_parcels(rows()).set_crs(4326, allow_override=True)
    p = the(validate(gdf), "bad_crs")
    assert_names(p, ids=[], column="geometry", severity="error")
    assert "not longitude/latitude" in p.message and "EPSG:4547" in p.message
    assert "set_crs" in p.fix


# --------------------------------------------------------------------------------------
# ids and index


def test_duplicate_ids():
    r = rows(4)
    r[2]["parcel_id"] = "P0"
    gdf = make_parcels(r)
    report = validate(gdf)
    p = the(report, "duplicate_id")
    assert_names(p, ids=["P0"], column="parcel_id", severity="error")
    assert "P0 (rows 0, 2)" in p.message
    assert_every_row(report, gdf)
    assert report.parcels["parcel_id"].tolist() == ["P0", "P1", "P0", "P3"]  # never renamed


def test_non_unique_index_is_an_error_and_the_rest_is_still_checked():
    r = rows(3)
    r[1]["floor_area_m2"] = -10.0
    gdf = make_parcels(r)
    gdf.index = ["a", "a", "b"]
    report = validate(gdf)
    p = the(report, "duplicate_index")
    assert p.severity == "error" and "['a']" in p.message and "reset_index" in p.fix
    assert_names(the(report, "negative_value"), ids=["P1"], column="floor_area_m2", severity="error")
    assert report.parcels.index.tolist() == ["a", "a", "b"]


def test_blank_ids_get_their_row_labels():
    r = rows(4)
    r[1]["parcel_id"] = None
    r[3]["parcel_id"] = "  "
    gdf = make_parcels(r)
    gdf.index = [10, 11, 12, 13]
    report = validate(gdf)
    p = the(report, "blank_parcel_id")
    assert_names(p, ids=["row 11", "row 13"], column="parcel_id", severity="warning")
    assert report.parcels["parcel_id"].tolist() == ["P0", "row 11", "P2", "row 13"]
    assert_every_row(report, gdf)


def test_no_id_column_uses_the_index_labels():
    gdf = make_parcels([{k: v for k, v in r.items() if k != "parcel_id"} for r in rows(2)])
    gdf.index = ["x", "y"]
    report = validate(gdf)
    p = the(report, "no_parcel_id")
    assert_names(p, ids=[], column="parcel_id", severity="warning")
    assert report.parcels["parcel_id"].tolist() == ["x", "y"]


# --------------------------------------------------------------------------------------
# columns the rule pack needs


def test_missing_column_names_the_criteria_and_the_aliases():
    gdf = make_parcels(rows()).drop(columns=["floor_area_m2"])
    report = validate(gdf)
    p = the(report, "missing_column")
    assert_names(p, ids=[], column="floor_area_m2", severity="error")
    assert "'floor_area_m2' is missing" in p.message and "SZ-C5" in p.message and "shenzhen-2020" in p.message
    assert "建筑面积" in p.fix and "columns={'your name': 'floor_area_m2'}" in p.fix
    assert_every_row(report, gdf)


def test_missing_legal_columns_accept_either_and_list_both_aliases():
    gdf = make_parcels(rows()).drop(columns=["legal_ratio"])
    report = validate(gdf)
    p = the(report, "missing_column")
    assert p.column == "legal_ratio or legal_area_m2"
    assert "合法用地比例" in p.fix and "合法用地面积" in p.fix
    gdf["legal_area_m2"] = 5_000.0  # either column does
    assert "missing_column" not in {q.code for q in validate(gdf).problems}


def test_missing_stock_column():
    gdf = make_parcels(rows()).drop(columns=["current_use"])
    p = the(validate(gdf), "missing_column")
    assert p.column == "current_use" and "industrial-stock definition" in p.message
    assert "现状用途" in p.fix


def test_columns_the_pack_does_not_need_may_be_absent():
    gdf = make_parcels(rows()).drop(columns=["tax_wan"])
    assert validate(gdf).problems == []


def test_columns_mapping_is_applied_before_checking():
    gdf = make_parcels(rows()).rename(columns={"floor_area_m2": "GFA_total"})
    report = validate(gdf, columns={"GFA_total": "floor_area_m2"})
    assert report.problems == []
    assert "floor_area_m2" in report.parcels


# --------------------------------------------------------------------------------------
# impossible and implausible values


@pytest.mark.parametrize(("column", "what"), [("floor_area_m2", "floor area"), ("land_area_m2", "land area"),
                                              ("legal_area_m2", "legal land area"), ("output_wan", "output")])
def test_negative_values_are_errors(column, what):
    r = rows()
    r[1][column] = -3.0
    if column == "land_area_m2":
        for x in r[::2]:
            x[column] = 10_000.0
    gdf = make_parcels(r)
    report = validate(gdf)
    p = next(q for q in report.problems if q.code == "negative_value")
    assert_names(p, ids=["P1"], column=column, severity="error")
    assert f"negative {what}" in p.message and "P1: -3" in p.message
    assert not report.ok
    assert_every_row(report, gdf)
    assert report.parcels.loc[1, column] == -3.0  # reported, never silently changed


def test_negative_legal_ratio_is_an_error():
    r = rows()
    r[0]["legal_ratio"] = -0.2
    p = the(validate(make_parcels(r)), "negative_value")
    assert_names(p, ids=["P0"], column="legal_ratio", severity="error")


def test_negative_tax_is_a_warning():
    r = rows()
    r[2]["tax_wan"] = -5.0
    report = validate(make_parcels(r))
    assert_names(the(report, "negative_tax"), ids=["P2"], column="tax_wan", severity="warning")
    assert report.ok


def test_far_above_20_is_a_warning_naming_the_parcel():
    r = rows()
    r[2]["floor_area_m2"] = 250_000.0  # FAR 25 on 1 ha
    report = validate(make_parcels(r))
    p = the(report, "implausible_far")
    assert_names(p, ids=["P2"], column="floor_area_m2", severity="warning")
    assert "P2: 25.0" in p.message and "FAR above 20" in p.message
    assert report.ok


def test_legal_ratio_above_100_percent():
    r = rows()
    r[1]["legal_ratio"] = 1.4
    report = validate(make_parcels(r))
    p = the(report, "implausible_share")
    assert_names(p, ids=["P1"], column="legal_ratio", severity="warning")
    assert "P1: 140%" in p.message
    assert report.parcels.loc[1, "legal_ratio"] == 1.4


def test_legal_area_larger_than_the_parcel():
    gdf = make_parcels(rows()).drop(columns=["legal_ratio"])
    gdf["legal_area_m2"] = [5_000.0, 12_000.0, 10_000.0]
    p = the(validate(gdf), "implausible_share")
    assert_names(p, ids=["P1"], column="legal_area_m2", severity="warning")
    assert "P1: 120%" in p.message


def test_legal_ratio_in_percent_is_accepted_and_said_so():
    gdf = make_parcels(rows(legal=80.0))
    gdf.loc[2, "legal_ratio"] = 55.0
    report = validate(gdf)
    p = the(report, "percent_converted")
    assert p.severity == "warning" and p.column == "legal_ratio"
    assert "looks like percent" in p.message and "divided by 100" in p.message and "0–1" in p.fix
    assert report.parcels["legal_ratio"].tolist() == pytest.approx([0.8, 0.8, 0.55])
    assert report.ok


def test_year_in_the_future():
    r = rows()
    r[0]["year_built"] = 2030
    report = validate(make_parcels(r))
    p = the(report, "future_year")
    assert_names(p, ids=["P0"], column="year_built", severity="warning")
    assert "2025" in p.message and "P0: 2030" in p.message
    assert report.ok


def test_recorded_land_area_is_cross_checked():
    gdf = make_parcels(rows())
    gdf["land_area_m2"] = [10_000.0, 12_000.0, 10_200.0]  # P2 is within 5 %
    p = the(validate(gdf), "area_mismatch")
    assert_names(p, ids=["P1"], column="land_area_m2", severity="warning")
    assert "P1: given 12000 vs 10000 m²" in p.message


# --------------------------------------------------------------------------------------
# values read into missing, and the missing-value policy


def test_nan_in_criterion_columns_names_the_criteria_and_their_policy():
    r = rows(4)
    r[0]["year_built"] = np.nan
    r[1]["building_quality"] = None
    r[2]["output_wan"] = np.nan
    r[3]["output_wan"] = np.nan
    r[3]["current_use"] = "R2"  # outside the industrial stock: not counted
    gdf = make_parcels(r)
    report = validate(gdf)
    assert report.ok
    by_col = {p.column: p for p in report.problems if p.code == "missing_value"}
    assert set(by_col) == {"year_built", "building_quality", "output_wan"}
    year = by_col["year_built"]
    assert_names(year, ids=["P0"], column="year_built", severity="warning")
    assert "criterion SZ-R2" in year.message and "treats missing as 'fail'" in year.message
    assert "does not meet it" in year.message and "SZ-R2" in year.fix
    out = by_col["output_wan"]
    assert out.ids == ["P2"]
    assert "SZ-R3" in out.message and "SZ-C2" in out.message  # one warning per column
    assert "SZ-C4" in by_col["building_quality"].message
    assert_every_row(report, gdf)


def test_unknown_landuse_codes_are_counted():
    r = rows(5)
    r[0]["current_use"] = "X9"
    r[1]["current_use"] = "X9"
    r[2]["current_use"] = "工业厂房"
    r[3]["current_use"] = "M1/B2"
    report = validate(make_parcels(r))
    p = the(report, "unknown_landuse")
    assert_names(p, ids=["P0", "P1"], column="current_use", severity="warning")
    assert "'X9' ×2" in p.message and "not industrial" in p.message and "extra_codes" in p.fix
    guess = the(report, "landuse_guessed")
    assert guess.severity == "info" and "'工业厂房'→M" in guess.message and guess.ids == ["P2"]
    mixed = the(report, "mixed_landuse")
    assert mixed.severity == "info" and mixed.ids == ["P3"]


def raw_parcels(**columns) -> gpd.GeoDataFrame:
    """A frame with source (Chinese) column names, three 1-ha parcels."""
    n = len(next(iter(columns.values())))
    base = {"宗地编号": [f"Z{i}" for i in range(n)], "现状用途": ["M1"] * n, "规划用途": ["M1"] * n,
            "建筑面积": [15_000.0] * n, "建成年代": ["2010"] * n, "合法用地比例": [0.8] * n,
            "建筑质量": ["好"] * n, "产值": [9_000.0] * n, "税收": [450.0] * n}
    base.update(columns)
    geoms = [shapely.box(X0 + 100 * i, Y0, X0 + 100 * (i + 1), Y0 + 100) for i in range(n)]
    return gpd.GeoDataFrame(base, geometry=geoms, crs="EPSG:4547")


def test_unparsed_years_are_reported_with_the_source_column():
    gdf = raw_parcels(建成年代=["1990s", "abc", "2005-2008", "很久以前"])
    with pytest.warns(DataRepairWarning, match="unparsed_year"):  # said in every command, not only here
        report = validate(gdf)
    p = the(report, "unparsed_year")
    assert_names(p, ids=["Z1", "Z3"], column="year_built", severity="warning")
    assert "'建成年代'" in p.message and "abc" in p.message and "1990s" in p.fix
    assert report.parcels["year_built"].tolist()[::2] == [1995.0, 2006.5]
    assert np.isnan(report.parcels["year_built"].tolist()[1])
    assert the(report, "missing_value").ids == ["Z1", "Z3"]  # and the policy says what happens
    assert_every_row(report, gdf)


def test_unknown_quality_values():
    gdf = raw_parcels(建筑质量=["好", "一般", "差", "特级", ""])
    with pytest.warns(DataRepairWarning, match="unknown_quality"):  # said in every command, not only here
        report = validate(gdf)
    p = the(report, "unknown_quality")
    assert_names(p, ids=["Z3"], column="building_quality", severity="warning")
    assert "特级" in p.message and "好/一般/差" in p.fix
    assert report.parcels["building_quality"].tolist()[:3] == ["good", "fair", "poor"]


def test_unparsed_numbers():
    gdf = raw_parcels(建筑面积=["15000", "1,2000", "n/a"])
    with pytest.warns(DataRepairWarning, match="unparsed_number"):  # said in every command, not only here
        report = validate(gdf)
    p = the(report, "unparsed_number")
    assert_names(p, ids=["Z2"], column="floor_area_m2", severity="warning")
    assert report.parcels["floor_area_m2"].tolist()[:2] == [15_000.0, 12_000.0]


# --------------------------------------------------------------------------------------
# geometry


def test_overlapping_pair_is_listed_with_its_area():
    r = [*rows(2), industrial("Q", (150, 0, 250, 100))]
    report = validate(make_parcels(r))
    p = the(report, "overlap")
    assert_names(p, ids=["P1", "Q"], column="geometry", severity="warning")
    assert "P1×Q (5000 m²)" in p.message


def test_parcel_inside_another_and_duplicate_shapes_overlap():
    r = [*rows(1), industrial("IN", (20, 20, 40, 40)), industrial("DUP", (0, 0, 100, 100))]
    p = the(validate(make_parcels(r)), "overlap")
    assert sorted(p.ids) == ["DUP", "IN", "P0"]
    assert "P0×DUP (10000 m², identical shapes)" in p.message
    assert "1 of them identical shapes" in p.message
    assert "P0×IN (400 m²)" in p.message


def test_touching_parcels_and_tiny_overlaps_are_not_overlaps():
    gdf = parcels("corner_touch", "sliver_gap")
    assert validate(gdf).problems == []
    r = [*rows(1), industrial("T", (99.995, 0, 200, 100))]  # 0.5 m² of digitising noise
    assert validate(make_parcels(r)).problems == []
    assert the(validate(make_parcels(r), overlap_tolerance_m2=0.1), "overlap").ids == ["P0", "T"]
    assert validate(make_parcels(r), check_overlaps=False, overlap_tolerance_m2=0.1).problems == []


def test_z_coordinates_are_dropped_with_a_warning():
    gdf = make_parcels(rows())
    gdf.geometry = shapely.force_3d(gdf.geometry.to_numpy(), 35.0)
    report = validate(gdf)
    p = the(report, "z_dropped")
    assert_names(p, ids=["P0", "P1", "P2"], column="geometry", severity="warning")
    assert not report.parcels.has_z.any()
    assert report.parcels.area.tolist() == [10_000.0] * 3


def test_multipolygons_are_kept_with_an_info():
    gdf = parcels("multipart", "square")
    report = validate(gdf)
    p = the(report, "multipart")
    assert p.severity == "info" and p.ids == ["multipart"]
    assert report.ok
    assert report.parcels.geometry.iloc[0].geom_type == "MultiPolygon"
    assert report.parcels.area.iloc[0] == 5_000.0


def test_single_part_multipolygons_are_not_reported():
    gdf = make_parcels(rows())
    gdf.geometry = [shapely.MultiPolygon([g]) for g in gdf.geometry]  # how many files store polygons
    report = validate(gdf)
    assert report.problems == []
    assert (report.parcels.geom_type == "MultiPolygon").all()


def test_geometry_collections():
    gdf = parcels("collection", "square")
    nested = shapely.GeometryCollection([
        shapely.MultiPolygon([shapely.box(X0, Y0 + 500, X0 + 10, Y0 + 510), shapely.box(X0 + 20, Y0 + 500, X0 + 30, Y0 + 510)]),
        shapely.Point(X0, Y0 + 500)])
    lines_only = shapely.GeometryCollection([shapely.Point(X0, Y0 + 800), shapely.LineString([(X0, Y0 + 800), (X0 + 9, Y0 + 809)])])
    extra = gpd.GeoDataFrame({"parcel_id": ["nested", "lines_only"]}, geometry=[nested, lines_only], crs=gdf.crs)
    gdf = pd.concat([gdf, extra], ignore_index=True)
    report = validate(gdf)
    p = the(report, "collection_repaired")
    assert_names(p, ids=["collection", "nested"], column="geometry", severity="warning")
    geoms = report.parcels.geometry
    assert geoms.iloc[0].geom_type == "Polygon" and geoms.iloc[0].area == 10_000.0
    assert geoms.iloc[2].geom_type == "MultiPolygon" and geoms.iloc[2].area == 200.0  # nested parts kept
    bad = the(report, "not_polygon")
    assert_names(bad, ids=["lines_only"], column="geometry", severity="error")
    assert "GeometryCollection without polygons" in bad.message
    assert geoms.iloc[3].equals(lines_only)  # left as it was, never replaced by nothing
    assert_every_row(report, gdf)


@pytest.mark.parametrize(("name", "kind"), [("point", "Point"), ("line", "LineString")])
def test_points_and_lines_are_errors(name, kind):
    gdf = parcels(name, "square")
    report = validate(gdf)
    p = the(report, "not_polygon")
    assert_names(p, ids=[name], column="geometry", severity="error")
    assert kind in p.message and "Polygon or MultiPolygon" in p.fix
    assert_every_row(report, gdf)


def test_empty_and_missing_geometries_are_errors():
    gdf = parcels("empty", "none", "square")
    report = validate(gdf)
    p = the(report, "empty_geometry")
    assert_names(p, ids=["empty", "none"], column="geometry", severity="error")
    assert_every_row(report, gdf)


def test_all_empty_layer():
    gdf = parcels("empty", "none")
    report = validate(gdf)
    assert_names(the(report, "empty_geometry"), ids=["empty", "none"], column="geometry", severity="error")
    assert_every_row(report, gdf)


def test_zero_rows():
    gdf = make_parcels(rows()).iloc[:0]
    report = validate(gdf)
    p = the(report, "no_parcels")
    assert p.severity == "error" and p.fix
    assert len(report.parcels) == 0


# --------------------------------------------------------------------------------------
# property: never raises, never drops a row


_coord = st.integers(0, 20).map(lambda v: v * 5.0)
_ring = st.lists(st.tuples(_coord, _coord), min_size=3, max_size=7)


@st.composite
def _geometry(draw):
    kind = draw(st.sampled_from(["none", "empty", "box", "ring", "multi"]))
    if kind == "none":
        return None
    if kind == "empty":
        return shapely.Polygon()
    if kind == "box":
        x, y = draw(_coord), draw(_coord)
        return shapely.box(x, y, x + draw(st.integers(1, 50)), y + draw(st.integers(1, 50)))
    if kind == "ring":  # arbitrary rings: often self-intersecting or degenerate
        return shapely.Polygon(draw(_ring))
    return shapely.MultiPolygon([shapely.Polygon(draw(_ring)), shapely.Polygon(draw(_ring))])


_maybe_nan = st.one_of(st.just(np.nan), st.floats(0, 50_000))


@st.composite
def _frames(draw):
    n = draw(st.integers(1, 8))
    recs, geoms = [], []
    for i in range(n):
        recs.append({"parcel_id": draw(st.sampled_from([f"P{i}", "dup", None])),
                     "current_use": draw(st.sampled_from(["M1", "R2", "X9", None])),
                     "planned_use": "M1",
                     "floor_area_m2": draw(_maybe_nan), "year_built": draw(st.one_of(st.just(np.nan), st.integers(1950, 2030))),
                     "legal_ratio": draw(st.one_of(st.just(np.nan), st.floats(-0.5, 1.5))),
                     "building_quality": draw(st.sampled_from(["good", "poor", None])),
                     "output_wan": draw(_maybe_nan), "tax_wan": draw(_maybe_nan)})
        g = draw(_geometry())
        geoms.append(None if g is None else shapely.transform(g, lambda c: c + np.array([X0, Y0])))
    gdf = gpd.GeoDataFrame(recs, geometry=gpd.GeoSeries(geoms, crs="EPSG:4547"), crs="EPSG:4547")
    gdf.index = [f"r{k}" for k in draw(st.permutations(range(n)))]
    return gdf


@settings(max_examples=60, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow])
@given(gdf=_frames())
def test_validate_never_raises_and_keeps_every_row(gdf):
    report = validate(gdf)
    assert_every_row(report, gdf)
    geoms = report.parcels.geometry.to_numpy()
    ids = report.parcels["parcel_id"].to_numpy()
    flagged = {code: {i for p in report.problems if p.code == code for i in p.ids}
               for code in ("invalid_geometry_repaired", "invalid_geometry")}
    # every invalid input polygon was either repaired or reported as not repairable (an error)
    invalid = ~shapely.is_valid(gdf.geometry.to_numpy()) & ~shapely.is_missing(gdf.geometry.to_numpy())
    assert set(ids[invalid]) <= flagged["invalid_geometry_repaired"] | flagged["invalid_geometry"]
    # what is left invalid is exactly what the report says could not be repaired
    polygonal = np.isin(shapely.get_type_id(geoms), [3, 6]) & ~shapely.is_empty(geoms)
    still = polygonal & ~shapely.is_valid(geoms)
    assert set(ids[still]) <= flagged["invalid_geometry"]
    if still.any():
        assert not report.ok
    for p in report.problems:
        assert set(p.ids) <= set(report.parcels["parcel_id"])
        assert p.severity in ("error", "warning", "info")
    str(report)  # printable
