"""Industrial blocks (工业产业区块) and 占补平衡: zoning.checks.check_blocks / check_balance.

Block shares are checked against an independent geopandas.overlay on generated data (blocks
that cut parcels, a parcel over two blocks, an empty block, overlapping blocks, tricky
geometries); the thresholds are tested exactly at the boundary; bad inputs give one clear
message or a warning and never lose a row. The sample city is checked against the figures in
sample_data/README.md.
"""

from __future__ import annotations

import re
import warnings

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely
from click.testing import CliRunner
from shapely import affinity

import zoning
from tests import geoms
from tests.conftest import CRS, X0, Y0, make_parcels
from zoning.checks._common import block_intersections
from zoning.checks.balance import check_balance as block_balance
from zoning.checks.blocks import check_blocks as _check_blocks
from zoning.errors import CRSWarning, DataRepairWarning, InputError, RulePackError, ZoningWarning
from zoning.stages.indicators import M2_PER_MU
from zoning.synthetic import synthetic_parcels


def check_blocks(*args, **kwargs):
    """Most tests here are written against the 2023 draft's 55 %; the default is the newest pack."""
    kwargs.setdefault("rules", "guangzhou-2023")
    return _check_blocks(*args, **kwargs)

IND_2023 = ("M", "M0", "M1", "M2", "M3", "W", "W1", "W2", "W3")


def box(x0: float, y0: float, x1: float, y1: float) -> shapely.Geometry:
    return shapely.box(X0 + x0, Y0 + y0, X0 + x1, Y0 + y1)


def blocks_of(*geoms_: shapely.Geometry | None, ids: list[str] | None = None, crs: str | None = CRS, **cols) -> gpd.GeoDataFrame:
    ids = ids or [f"B{i + 1}" for i in range(len(geoms_))]
    return gpd.GeoDataFrame({"区块编号": ids, **cols}, geometry=gpd.GeoSeries(list(geoms_), crs=crs), crs=crs)


def rotated_blocks(parcels: gpd.GeoDataFrame, n: int, seed: int) -> gpd.GeoDataFrame:
    """Rotated rectangles of 300–900 m around random parcels: their edges cut parcels."""
    rng = np.random.default_rng(seed)
    cen = parcels.geometry.centroid.to_numpy()[rng.choice(len(parcels), n, replace=False)]
    out = []
    for c in cen:
        w, h = rng.uniform(300, 900, 2)
        rect = shapely.box(c.x - w / 2, c.y - h / 2, c.x + w / 2, c.y + h / 2)
        out.append(affinity.rotate(rect, rng.uniform(0, 90), origin=c))
    return blocks_of(*out)


def reference(parcels: gpd.GeoDataFrame, blocks: gpd.GeoDataFrame, industrial: np.ndarray) -> tuple[pd.Series, pd.Series, np.ndarray]:
    """Independent overlay: industrial and total land per block, land inside the block union per parcel."""
    p = gpd.GeoDataFrame({"i": np.arange(len(parcels)), "ind": industrial}, geometry=parcels.geometry.to_numpy(), crs=parcels.crs)
    ok = blocks.geometry.notna().to_numpy() & ~blocks.geometry.is_empty.to_numpy()
    b = gpd.GeoDataFrame({"j": np.flatnonzero(ok)}, geometry=blocks.geometry.to_numpy()[ok], crs=blocks.crs)
    ov = gpd.overlay(p, b, how="intersection", keep_geom_type=True)
    area = ov.geometry.area
    ind = area[ov["ind"].to_numpy()].groupby(ov["j"][ov["ind"].to_numpy()]).sum().reindex(range(len(blocks)), fill_value=0.0)
    land = area.groupby(ov["j"]).sum().reindex(range(len(blocks)), fill_value=0.0)
    union = shapely.union_all(b.geometry.to_numpy())
    inside = shapely.area(shapely.intersection(p.geometry.to_numpy(), union))
    return ind, land, inside


@pytest.fixture(scope="module")
def generated() -> tuple[gpd.GeoDataFrame, gpd.GeoDataFrame]:
    parcels = synthetic_parcels(3000, seed=11)
    blocks = rotated_blocks(parcels, 12, seed=5)
    return parcels, blocks


# ---------------------------------------------------------------------------------------
# shares against an independent overlay


def test_block_shares_match_an_independent_overlay(generated):
    parcels, blocks = generated
    x1, y1 = parcels.total_bounds[2:]
    # plus a block beyond the parcels (empty: share 0) and a row without geometry
    blocks = pd.concat([blocks, blocks_of(shapely.box(x1 + 500, y1 + 500, x1 + 900, y1 + 900), None, ids=["EMPTY", "NONE"])],
                       ignore_index=True)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ZoningWarning)  # random rectangles may overlap; NONE has no geometry
        check = check_blocks(parcels, blocks)
    industrial = parcels["planned_use"].isin(IND_2023).to_numpy()
    ind, land, inside = reference(parcels, blocks, industrial)
    ind.iloc[-1] = land.iloc[-1] = np.nan  # the row without geometry has no areas
    b = check.blocks
    np.testing.assert_allclose(b["industrial_area_m2"], ind, rtol=1e-9, atol=1e-6)
    np.testing.assert_allclose(b["parcel_land_m2"], land, rtol=1e-9, atol=1e-6)
    np.testing.assert_allclose(b["industrial_share"], ind / blocks.area, rtol=1e-9)
    assert b["industrial_share"].iloc[-2] == 0 and not b["passes"].iloc[-2] and np.isnan(b["industrial_share"].iloc[-1])
    np.testing.assert_allclose(check.parcels["inside_blocks_m2"], inside, rtol=1e-9, atol=1e-6)
    # the generated layout really exercises clipping: parcels cut by edges, parcels in two blocks
    assert check.parcels["straddles"].sum() > 50
    assert (check.parcels["n_blocks"] > 1).any()
    d = check.districts
    by = pd.Series(inside * industrial).groupby(parcels["district"].to_numpy()).sum()
    np.testing.assert_allclose(d["inside_blocks_m2"], by.reindex(d.index), rtol=1e-9)
    tot = pd.Series(parcels.area.to_numpy() * industrial).groupby(parcels["district"].to_numpy()).sum()
    np.testing.assert_allclose(d["coverage"], (by / tot).reindex(d.index), rtol=1e-9)


def test_core_intersections_match_overlay_on_tricky_geometries():
    names = ("square", "hole", "multipart", "corner_touch", "sliver_gap", "spike", "overlapping_pair")
    p = geoms.parcels(*names)
    cells = [shapely.box(X0 + k * geoms.SPACING - 10, Y0 - 10, X0 + k * geoms.SPACING + 60, Y0 + 300) for k in range(len(names))]
    P, _B, A, s = block_intersections(p.geometry, cells)
    got = np.bincount(P, A, minlength=len(p))
    want = shapely.area(shapely.intersection(p.geometry.to_numpy(), shapely.union_all(cells)))
    np.testing.assert_allclose(got, want, atol=1e-6)
    pid = p["parcel_id"].tolist()
    assert got[pid.index("multipart")] == pytest.approx(2500)  # one part in, one out: no representative-point shortcut
    assert got[pid.index("hole")] == pytest.approx(60 * 100 - 35 * 50)
    assert not s[pid.index("corner_touch-2")] and got[pid.index("corner_touch-2")] == 0  # touching is not crossing


def test_invalid_empty_and_missing_parcel_geometries_are_kept():
    p = geoms.parcels("bowtie", "empty", "none", "square")
    blocks = blocks_of(*[shapely.box(X0 + k * geoms.SPACING - 10, Y0 - 10, X0 + k * geoms.SPACING + 60, Y0 + 300) for k in range(4)])
    with pytest.warns(DataRepairWarning, match="repaired"):
        check = check_blocks(p, blocks)
    par = check.parcels.set_index("parcel_id")
    assert par.loc["bowtie", "inside_blocks_m2"] == pytest.approx(2600)  # left triangle + 10 m of the right one
    assert par.loc["empty", "n_blocks"] == 0 and par.loc["none", "n_blocks"] == 0
    assert len(check.parcels) == len(p)


def test_a_parcel_across_two_blocks_counts_in_each_by_its_part():
    p = make_parcels([{"parcel_id": "X", "box": (40, 0, 160, 100), "planned_use": "M1", "district": "A"},
                      {"parcel_id": "Y", "box": (0, 0, 40, 100), "planned_use": "B1", "district": "A"}])
    blocks = blocks_of(box(0, 0, 100, 100), box(100, 0, 200, 100))
    check = check_blocks(p, blocks)
    b = check.blocks.set_index("block_id")
    assert b.loc["B1", "industrial_area_m2"] == pytest.approx(60 * 100)
    assert b.loc["B2", "industrial_area_m2"] == pytest.approx(60 * 100)
    assert b.loc["B1", "industrial_share"] == pytest.approx(0.6) and b.loc["B2", "industrial_share"] == pytest.approx(0.6)
    x = check.parcels.set_index("parcel_id").loc["X"]
    assert x["n_blocks"] == 2 and set(x["block_ids"].split(";")) == {"B1", "B2"} and x["straddles"]
    assert x["inside_blocks_m2"] == pytest.approx(12_000) and x["share_inside_blocks"] == pytest.approx(1.0)
    assert check.districts.loc["A", "coverage"] == pytest.approx(1.0)


# ---------------------------------------------------------------------------------------
# thresholds at the boundary


@pytest.mark.parametrize(("rules", "share"), [("guangzhou-2023", 0.55), ("guangzhou-2024", 0.65)])
@pytest.mark.parametrize("angle", [0.0, 33.0])
def test_a_share_exactly_at_the_threshold_passes_and_just_below_fails(rules, share, angle):
    def layout(ind_width: float) -> tuple[gpd.GeoDataFrame, gpd.GeoDataFrame]:
        origin = (X0, Y0)
        p = gpd.GeoDataFrame({"parcel_id": ["I", "N"], "planned_use": ["M1", "B1"], "district": ["A", "A"]},
                             geometry=[affinity.rotate(box(0, 0, ind_width, 100), angle, origin=origin),
                                       affinity.rotate(box(ind_width, 0, 100, 100), angle, origin=origin)], crs=CRS)
        return p, blocks_of(affinity.rotate(box(0, 0, 100, 100), angle, origin=origin))

    at = check_blocks(*layout(share * 100), rules=rules).blocks.iloc[0]
    assert at["industrial_share"] == pytest.approx(share, abs=1e-9)
    assert at["passes"] and at["status"] == "pass" and at["shortfall_m2"] == 0 and at["fix"] == ""
    below = check_blocks(*layout(share * 100 - 0.01), rules=rules).blocks.iloc[0]
    assert not below["passes"] and below["shortfall_m2"] == pytest.approx(1.0, rel=1e-6)  # 0.01 m × 100 m


def test_district_coverage_exactly_80_percent_passes():
    p = make_parcels([{"parcel_id": "in", "box": (0, 0, 80, 100), "planned_use": "M1", "district": "A"},
                      {"parcel_id": "out", "box": (200, 0, 220, 100), "planned_use": "M1", "district": "A"},
                      {"parcel_id": "in2", "box": (0, 200, 79.9, 300), "planned_use": "M1", "district": "B"},
                      {"parcel_id": "out2", "box": (200, 200, 220.1, 300), "planned_use": "M1", "district": "B"}])
    check = check_blocks(p, blocks_of(box(0, 0, 100, 100), box(0, 200, 100, 300)))
    d = check.districts
    assert d.loc["A", "coverage"] == pytest.approx(0.8) and d.loc["A", "passes"]
    assert not d.loc["B", "passes"] and d.loc["B", "shortfall_m2"] == pytest.approx(0.8 * 10_000 - 7_990)
    assert "out2" in d.loc["B", "largest_outside"] and d.loc["B", "outside_parcels"] == 1


def test_override_changes_the_threshold_and_the_industrial_classes():
    p = make_parcels([{"parcel_id": "I", "box": (0, 0, 50, 100), "planned_use": "M1"},
                      {"parcel_id": "W", "box": (50, 0, 60, 100), "planned_use": "W1"},
                      {"parcel_id": "N", "box": (60, 0, 100, 100), "planned_use": "B1"}])
    b = blocks_of(box(0, 0, 100, 100))
    assert check_blocks(p, b).blocks.loc[0, "industrial_share"] == pytest.approx(0.6)  # warehousing counts (GZ-I1)
    only_m = check_blocks(p, b, overrides={"GZ-I1": "M,M0,M1,M2,M3"}).blocks.loc[0]
    assert only_m["industrial_share"] == pytest.approx(0.5) and not only_m["passes"]
    assert check_blocks(p, b, overrides={"GZ-B1": 0.5, "GZ-I1": "M1"}).blocks.loc[0, "passes"]
    with pytest.raises(RulePackError, match="GZ-B9"):
        check_blocks(p, b, overrides={"GZ-B9": 0.5})


def test_fix_states_observed_threshold_conversion_and_shrink():
    p = make_parcels([{"parcel_id": "I", "box": (0, 0, 40, 100), "planned_use": "M1", "district": "A"},
                      {"parcel_id": "B", "box": (40, 0, 90, 100), "planned_use": "B1", "district": "A"}])
    b = check_blocks(p, blocks_of(box(0, 0, 100, 100))).blocks.iloc[0]
    # 40 % of 1 ha; 55 % needs 1,500 m² more, or a block of 4,000 / 0.55 = 7,273 m² (2,727 m² less)
    assert not b["passes"] and b["shortfall_m2"] == pytest.approx(1500) and b["shortfall_mu"] == pytest.approx(1500 / M2_PER_MU)
    assert "40.0% < 55.0%" in b["fix"]
    assert "convert 1,500 m² (2.2 亩) of B1 to M1" in b["fix"]
    assert "shrink the block by 2,727 m² (4.1 亩)" in b["fix"] and "B (B1, 5,000 m²)" in b["drivers"]


def test_conversion_alone_not_enough_says_so():
    p = make_parcels([{"parcel_id": "I", "box": (0, 0, 20, 100), "planned_use": "M1"},
                      {"parcel_id": "B", "box": (20, 0, 30, 100), "planned_use": "R2"}])
    b = check_blocks(p, blocks_of(box(0, 0, 100, 100))).blocks.iloc[0]
    assert "not enough" in b["fix"] and "roads or land without parcels" in b["fix"] and "shrink the block" in b["fix"]


# ---------------------------------------------------------------------------------------
# bad input: clear messages, no lost rows


def test_blocks_without_crs_is_an_error_with_the_fix():
    p = make_parcels([{"parcel_id": "I", "box": (0, 0, 10, 10), "planned_use": "M1"}])
    with pytest.raises(InputError, match=r"blocks have no CRS.*source_crs='EPSG:4547'.*--blocks-source-crs"):
        check_blocks(p, blocks_of(box(0, 0, 100, 100), crs=None))


def test_blocks_in_another_crs_are_reprojected_with_a_warning():
    p = make_parcels([{"parcel_id": "I", "box": (0, 0, 60, 100), "planned_use": "M1"}])
    b = blocks_of(box(0, 0, 100, 100))
    ref = check_blocks(p, b).blocks.loc[0, "industrial_share"]
    with pytest.warns(CRSWarning, match="re-projected to EPSG:4547"):
        got = check_blocks(p, b.to_crs(4326))
    assert got.blocks.loc[0, "industrial_share"] == pytest.approx(ref, rel=1e-6)
    assert any(pr.code == "blocks_reprojected" for pr in got.problems)


def test_missing_block_id_column_lists_columns_and_the_option():
    p = make_parcels([{"parcel_id": "I", "box": (0, 0, 10, 10), "planned_use": "M1"}])
    b = gpd.GeoDataFrame({"名称": ["甲"]}, geometry=[box(0, 0, 100, 100)], crs=CRS)
    with pytest.raises(InputError, match=r"no id column.*'名称'.*id_column=.*--id-column"):
        check_blocks(p, b)
    with pytest.raises(InputError, match=r"'code' is not in the block layer.*'名称'"):
        check_blocks(p, b, id_column="code")
    assert check_blocks(p, b, id_column="名称").blocks.loc[0, "block_id"] == "甲"


def test_overlapping_blocks_warn_with_pairs_and_coverage_counts_once():
    p = make_parcels([{"parcel_id": "I", "box": (0, 0, 100, 100), "planned_use": "M1", "district": "A"}])
    b = blocks_of(box(0, 0, 80, 100), box(50, 0, 150, 100))
    with pytest.warns(ZoningWarning, match=r"1 pair\(s\) of blocks overlap.*B1×B2 \(3,000 m²\)"):
        check = check_blocks(p, b)
    assert check.blocks["industrial_area_m2"].tolist() == pytest.approx([8000, 5000])
    assert check.parcels.loc[0, "inside_blocks_m2"] == pytest.approx(10_000)  # not 13,000
    assert check.districts.loc["A", "coverage"] == pytest.approx(1.0)


def test_empty_block_and_block_without_geometry_are_reported_and_kept():
    p = make_parcels([{"parcel_id": "I", "box": (0, 0, 100, 100), "planned_use": "M1"}])
    b = blocks_of(box(0, 0, 100, 100), box(5000, 5000, 5100, 5100), None, shapely.Polygon(), extra=["a", "b", "c", "d"])
    with pytest.warns(ZoningWarning, match=r"2 block\(s\) have no geometry \(B3, B4\)"):
        check = check_blocks(p, b)
    out = check.blocks
    assert len(out) == 4 and out["extra"].tolist() == ["a", "b", "c", "d"]
    assert out.loc[1, "industrial_share"] == 0 and not out.loc[1, "passes"] and "no parcel lies in this block" in out.loc[1, "fix"]
    assert np.isnan(out.loc[2, "industrial_share"]) and out.loc[2, "status"] == "missing" and not out.loc[2, "passes"]
    assert out["passes"].dtype == bool


def test_parcels_outside_every_block_count_in_coverage_and_are_listed():
    p = make_parcels([{"parcel_id": "in", "box": (0, 0, 100, 100), "planned_use": "M1", "district": "A"},
                      {"parcel_id": "far", "box": (900, 900, 1000, 1000), "planned_use": "M2", "district": "A"},
                      {"parcel_id": "res", "box": (1200, 900, 1300, 1000), "planned_use": "R2", "district": "A"}])
    check = check_blocks(p, blocks_of(box(0, 0, 100, 100)))
    par = check.parcels.set_index("parcel_id")
    assert par.loc["far", "outside_blocks"] and par.loc["far", "block_id"] == ""
    assert check.districts.loc["A", "coverage"] == pytest.approx(0.5) and check.districts.loc["A", "outside_parcels"] == 1
    info = [pr for pr in check.problems if pr.code == "outside_blocks"]
    assert info and info[0].ids == ["far"]
    assert "1 industrial parcel(s)" in check.summary()


def test_duplicate_and_blank_block_ids_warn():
    p = make_parcels([{"parcel_id": "I", "box": (0, 0, 100, 100), "planned_use": "M1"}])
    b = blocks_of(box(0, 0, 50, 100), box(50, 0, 100, 100), box(200, 0, 300, 100), ids=["B1", "B1", None])
    with pytest.warns(ZoningWarning) as rec:
        check = check_blocks(p, b)
    text = " ".join(str(w.message) for w in rec)
    assert "used by more than one row: B1 (rows 0, 1)" in text and "row numbers are used" in text
    assert check.blocks["block_id"].tolist() == ["B1", "B1", "row 2"]


def test_missing_landuse_column_and_other_basis():
    p = make_parcels([{"parcel_id": "I", "box": (0, 0, 100, 100), "current_use": "M1", "planned_use": "B1"}])
    b = blocks_of(box(0, 0, 100, 100))
    check = check_blocks(p, b, use="current")
    assert check.basis == "current_use" and check.blocks.loc[0, "basis"] == "current_use" and check.blocks.loc[0, "passes"]
    assert "current use" in check.summary().splitlines()[0]
    assert not check_blocks(p, b).blocks.loc[0, "passes"]  # planned use by default
    with pytest.raises(InputError, match=r"no planned_use column.*'current_use' is there: use='current_use'"):
        check_blocks(p.drop(columns="planned_use"), b)
    with pytest.raises(InputError, match="not a land-use basis"):
        check_blocks(p, b, use="future")


def test_raw_chinese_columns_and_a_pack_without_block_rules():
    raw = gpd.GeoDataFrame({"宗地编号": ["A"], "规划用途": ["一类工业用地"], "行政区": ["宝安区"]}, geometry=[box(0, 0, 100, 100)], crs=CRS)
    check = check_blocks(raw, blocks_of(box(0, 0, 100, 100)))
    assert check.parcels["parcel_id"].tolist() == ["A"] and check.districts.index.tolist() == ["宝安区"]
    with pytest.raises(RulePackError, match=r"no \[blocks\] rules.*guangzhou-2023, guangzhou-2024"):
        check_blocks(raw, blocks_of(box(0, 0, 100, 100)), rules="shenzhen-2020")


def test_districts_from_a_polygon_layer():
    p = make_parcels([{"parcel_id": "a", "box": (0, 0, 100, 100), "planned_use": "M1"},
                      {"parcel_id": "b", "box": (1000, 0, 1100, 100), "planned_use": "M1"}])
    d = gpd.GeoDataFrame({"name": ["西区", "东区"]}, geometry=[box(-10, -10, 500, 500), box(500, -10, 2000, 500)], crs=CRS)
    check = check_blocks(p, blocks_of(box(0, 0, 100, 100)), districts=d)
    assert check.districts["coverage"].to_dict() == pytest.approx({"东区": 0.0, "西区": 1.0})


def test_results_align_to_the_input_index_and_ignore_row_order(generated):
    parcels, blocks = generated
    parcels = parcels.iloc[:800].set_index(pd.Index([f"r{i}" for i in range(800)]))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ZoningWarning)
        a = check_blocks(parcels, blocks)
        shuffled = parcels.sample(frac=1.0, random_state=1)
        b = check_blocks(shuffled, blocks.iloc[::-1])
    assert a.parcels.index.equals(parcels.index) and b.parcels.index.equals(shuffled.index)
    pd.testing.assert_frame_equal(a.parcels.drop(columns="geometry").loc[shuffled.index].drop(columns="block_ids"),
                                  b.parcels.drop(columns=["geometry", "block_ids"]), check_exact=False, rtol=1e-9)
    x = a.blocks.set_index("block_id")["industrial_area_m2"]
    y = b.blocks.set_index("block_id")["industrial_area_m2"]
    pd.testing.assert_series_equal(x, y.loc[x.index], rtol=1e-9)


def test_translation_does_not_change_results(generated):
    parcels, blocks = generated
    parcels = parcels.iloc[:600]
    moved_p = parcels.set_geometry(parcels.translate(1234.5, -987.25))
    moved_b = blocks.set_geometry(blocks.translate(1234.5, -987.25))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ZoningWarning)
        a, b = check_blocks(parcels, blocks), check_blocks(moved_p, moved_b)
    np.testing.assert_allclose(a.blocks["industrial_share"], b.blocks["industrial_share"], rtol=1e-9)
    assert a.blocks["passes"].tolist() == b.blocks["passes"].tolist()
    np.testing.assert_allclose(a.parcels["inside_blocks_m2"], b.parcels["inside_blocks_m2"], rtol=1e-9, atol=1e-6)


def test_non_unique_index_is_an_error():
    p = make_parcels([{"parcel_id": "a", "box": (0, 0, 10, 10), "planned_use": "M1"},
                      {"parcel_id": "b", "box": (10, 0, 20, 10), "planned_use": "M1"}]).set_index(pd.Index([0, 0]))
    with pytest.raises(InputError, match="reset_index"):
        check_blocks(p, blocks_of(box(0, 0, 100, 100)))


# ---------------------------------------------------------------------------------------
# the sample city (sample_data/README.md)


@pytest.fixture(scope="module")
def sample_blocks():
    return zoning.read_blocks(zoning.datasets.get_path("blocks"))


def test_sample_city_guangzhou_2023_and_2024(sample_parcels, sample_blocks):
    c23 = check_blocks(sample_parcels, sample_blocks, rules="guangzhou-2023")
    c24 = check_blocks(sample_parcels, sample_blocks, rules="guangzhou-2024")
    fail = lambda c: sorted(c.blocks.loc[~c.blocks["passes"], "block_id"])  # noqa: E731
    assert fail(c23) == ["GB-14"]
    assert fail(c24) == ["GB-02", "GB-14", "GB-19"]
    for c in (c23, c24):
        assert set(c.districts.index[~c.districts["passes"]]) == {"宝安区", "光明区"}
        assert list(c.blocks.columns[:4]) == ["区块编号", "区块名称", "行政区", "区块级别"]  # input columns first, kept
        assert len(c.blocks) == 22 and len(c.parcels) == len(sample_parcels)
    gb14 = c23.blocks.set_index("block_id").loc["GB-14"]
    assert gb14["drivers"].startswith("LW09-") and "convert" in gb14["fix"] and "shrink" in gb14["fix"]


def test_sample_city_matches_the_readme_when_only_m0_m3_count(sample_parcels, sample_blocks):
    """sample_data/README.md tabulates planned M0–M3 over block area (without warehousing)."""
    c = check_blocks(sample_parcels, sample_blocks, overrides={"GZ-I1": "M0,M1,M2,M3"})
    share = c.blocks.set_index("block_id")["industrial_share"]
    assert share["GB-02"] == pytest.approx(0.555, abs=5e-4)  # "solved to sit just above 55 %"
    assert share["GB-19"] == pytest.approx(0.600, abs=5e-4)
    assert share["GB-14"] == pytest.approx(0.351, abs=5e-4)
    land = c.blocks.set_index("block_id")["industrial_share_of_parcel_land"]
    assert land["GB-14"] == pytest.approx(0.390, abs=5e-4) and land["GB-13"] == pytest.approx(0.916, abs=5e-4)
    d = c.districts
    assert d.loc["宝安区", "planned_industrial_m2"] / 1e6 == pytest.approx(7.05, abs=5e-3)
    assert d.loc["宝安区", "inside_blocks_m2"] / 1e6 == pytest.approx(5.09, abs=5e-3)
    assert d["coverage"].round(2).to_dict() == {"光明区": 0.77, "南山区": 1.0, "坪山区": 1.0, "宝安区": 0.72, "龙华区": 1.0, "龙岗区": 0.95}


def test_to_file_writes_the_layers(tmp_path, sample_parcels, sample_blocks):
    import pyogrio

    c = check_blocks(sample_parcels, sample_blocks)
    path = c.to_file(tmp_path / "blocks.gpkg")
    assert {x[0] for x in pyogrio.list_layers(path)} == {"blocks", "districts", "parcels", "criteria"}
    back = gpd.read_file(path, layer="blocks")
    assert back["block_id"].tolist() == c.blocks["block_id"].tolist() and back["passes"].dtype == bool
    d = gpd.read_file(path, layer="districts")
    assert "district" in d.columns and len(d) == 6


# ---------------------------------------------------------------------------------------
# 占补平衡


def test_sample_balance_matches_the_readme():
    old = zoning.read_blocks(zoning.datasets.get_path("blocks"))
    new = zoning.read_blocks(zoning.datasets.get_path("blocks_revised"))
    bal = block_balance(old, new)
    d = (bal.districts[["removed_m2", "added_m2", "net_m2"]] / 1e6).round(3)
    assert d.loc["宝安区"].tolist() == [0.352, 2.032, 1.680]
    assert d.loc["龙华区"].tolist() == [0.757, 0.0, -0.757]
    assert d.loc["光明区"].tolist() == [0.0, 0.993, 0.993]
    assert bal.districts["passes"].to_dict() == {"光明区": True, "南山区": True, "坪山区": True, "宝安区": True, "龙华区": False, "龙岗区": True}
    assert "GB-14" in bal.districts.loc["龙华区", "fix"] and "先补后占" in bal.districts.loc["龙华区", "fix"]
    ch = bal.changes
    assert sorted(zip(ch["change"], ch["block_id"], strict=True)) == [("added", "GB-23"), ("added", "GB-24"), ("removed", "GB-05"), ("removed", "GB-14")]
    assert bal.blocks.loc["GB-05", "change"] == "reduced" and bal.blocks.loc["GB-14", "change"] == "removed"
    assert bal.blocks.loc["GB-23", "change"] == "new" and (bal.blocks["change"] == "unchanged").sum() == 20


def test_balance_exactly_even_holds_and_slivers_are_ignored():
    old = blocks_of(box(0, 0, 100, 100), box(500, 0, 600, 100), district=["A", "A"])
    # B1 moved by 50 m (5,000 m² removed, 5,000 m² added); B2 re-drawn with a 0.001 m wobble
    new = blocks_of(box(50, 0, 150, 100), box(500, 0, 600.001, 100), district=["A", "A"])
    bal = block_balance(old, new)
    r = bal.districts.loc["A"]
    assert r["removed_m2"] == pytest.approx(5000) and r["added_m2"] == pytest.approx(5000) and r["passes"]
    assert bal.blocks.loc["B1", "change"] == "reshaped" and bal.blocks.loc["B2", "change"] == "unchanged"
    short = block_balance(old, blocks_of(box(50, 0, 149.9, 100), box(500, 0, 600, 100), district=["A", "A"]))
    assert not short.districts.loc["A", "passes"] and short.districts.loc["A", "shortfall_m2"] == pytest.approx(10)


def test_balance_without_district_column_is_one_group_and_mismatch_is_an_error():
    old = blocks_of(box(0, 0, 100, 100))
    bal = block_balance(old, blocks_of(box(0, 0, 120, 100)))
    assert bal.districts.index.tolist() == ["(all)"] and bal.districts.loc["(all)", "added_m2"] == pytest.approx(2000)
    with pytest.raises(InputError, match="no district column while the other has one"):
        block_balance(old, blocks_of(box(0, 0, 120, 100), district=["A"]))


# ---------------------------------------------------------------------------------------
# CLI


def test_cli_check_blocks_on_the_sample_city(cli, tmp_path):
    parcels, blocks = zoning.datasets.get_path("parcels"), zoning.datasets.get_path("blocks")
    res = CliRunner().invoke(cli, ["check-blocks", str(parcels), str(blocks), "-o", str(tmp_path / "a.gpkg"), "-r", "guangzhou-2023"])
    assert res.exit_code == 1, res.output  # GB-14 and two districts fail
    assert "GB-14" in res.output and "fail" in res.output and "宝安区" in res.output and "wrote" in res.output
    assert re.search(r"GB-14: 37\.2% < 55\.0%: convert", res.output)
    assert (tmp_path / "a.gpkg").exists()
    res = CliRunner().invoke(cli, ["check-blocks", str(parcels), str(blocks), "-o", str(tmp_path / "b.gpkg"),
                                   "-r", "guangzhou-2024", "--set", "GZ-D1=0.7", "--exit-zero", "--use", "planned"])
    assert res.exit_code == 0, res.output
    assert "GZ-B1 ≥ 65.0%" in res.output and "3 fail" in res.output


def test_cli_check_blocks_bad_input_exit_2(cli, tmp_path):
    parcels = zoning.datasets.get_path("parcels")
    bad = tmp_path / "noid.gpkg"
    gpd.GeoDataFrame({"名称": ["x"]}, geometry=[box(0, 0, 10, 10)], crs=CRS).to_file(bad, layer="blocks")
    res = CliRunner().invoke(cli, ["check-blocks", str(parcels), str(bad), "-o", str(tmp_path / "o.gpkg")])
    assert res.exit_code == 2 and "--id-column" in res.output and "Traceback" not in res.output
    res = CliRunner().invoke(cli, ["check-blocks", str(parcels), str(tmp_path / "missing.gpkg"), "-o", str(tmp_path / "o.gpkg")])
    assert res.exit_code == 2
    res = CliRunner().invoke(cli, ["check-blocks", str(parcels), str(bad), "-o", str(tmp_path / "o.gpkg"), "-r", "nope-2030"])
    assert res.exit_code == 2 and "shipped packs" in res.output


def test_cli_check_balance(cli, tmp_path):
    old, new = zoning.datasets.get_path("blocks"), zoning.datasets.get_path("blocks_revised")
    res = CliRunner().invoke(cli, ["check-balance", str(old), str(new), "-o", str(tmp_path / "bal.gpkg")])
    assert res.exit_code == 1, res.output
    assert "龙华区" in res.output and "NOT balanced" in res.output and "GB-14 removed" in res.output
    # the name before 0.2 still works, hidden, with a note
    old_name = CliRunner().invoke(cli, ["block-balance", str(old), str(new), "-o", str(tmp_path / "bal2.gpkg")])
    assert old_name.exit_code == 1 and "is now `zoning check-balance`" in old_name.output
    assert "block-balance" not in CliRunner().invoke(cli, ["--help"]).output
    assert gpd.read_file(tmp_path / "bal.gpkg", layer="changes")["change"].tolist().count("added") == 2


def test_check_blocks_defaults_to_the_newest_pack_and_says_so():
    parcels = zoning.read_parcels(zoning.datasets.get_path("parcels"))
    blocks = zoning.read_blocks(zoning.datasets.get_path("blocks"))
    check = _check_blocks(parcels, blocks)
    assert check.rules.pack.name == zoning.checks.newest_pack("blocks") and check.rules_chosen_by_default
    assert "newest pack" in check.summary()
    assert not _check_blocks(parcels, blocks, rules="guangzhou-2023").rules_chosen_by_default
