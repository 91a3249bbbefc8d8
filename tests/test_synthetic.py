"""Tests for zoning.synthetic and the bundled sample city (sample_data/)."""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely

from zoning.io.landuse import parse_landuse
from zoning.synthetic import synthetic_parcels

INDUSTRIAL = ["M0", "M1", "M2", "M3", "W1"]
SAMPLE = Path(__file__).resolve().parents[1] / "sample_data"


@pytest.fixture(scope="module")
def parcels() -> gpd.GeoDataFrame:
    return synthetic_parcels(20_000, seed=7)


@pytest.fixture(scope="module")
def industrial(parcels: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    return parcels[parcels["current_use"].isin(INDUSTRIAL)]


def test_deterministic() -> None:
    a = synthetic_parcels(2_000, seed=11)
    b = synthetic_parcels(2_000, seed=11)
    c = synthetic_parcels(2_000, seed=12)
    pd.testing.assert_frame_equal(a.drop(columns="geometry"), b.drop(columns="geometry"))
    assert a.geometry.geom_equals_exact(b.geometry, tolerance=0).all()
    assert not a.geometry.geom_equals_exact(c.geometry, tolerance=1e-6).all()


@pytest.mark.parametrize("n", [1, 7, 999, 20_001])
def test_exact_row_count(n: int) -> None:
    gdf = synthetic_parcels(n, seed=n)
    assert len(gdf) == n
    assert gdf.index.equals(pd.RangeIndex(n))


def test_ids_columns_crs(parcels: gpd.GeoDataFrame) -> None:
    assert parcels["parcel_id"].is_unique
    assert parcels["parcel_id"].iloc[0] == "P0000001"
    assert parcels.crs.to_epsg() == 4547
    for col in [
        "parcel_id",
        "current_use",
        "planned_use",
        "floor_area_m2",
        "year_built",
        "legal_area_m2",
        "building_quality",
        "output_wan",
        "tax_wan",
        "district",
        "value_added_wan",
        "energy_tce",
        "lease_years",
    ]:
        assert col in parcels.columns, col
    assert parcels["year_built"].dtype.kind == "i"
    assert set(parcels["building_quality"]) == {"good", "fair", "poor"}
    assert set(parcels["district"]) == {f"D{i}" for i in range(1, 7)}


def test_origin_and_extent(parcels: gpd.GeoDataFrame) -> None:
    x0, y0, x1, y1 = parcels.total_bounds
    assert (x0, y0) == (500_000.0, 2_490_000.0)
    assert 0.7 < (x1 - x0) / (y1 - y0) < 1.4  # roughly square
    moved = synthetic_parcels(100, seed=1, origin=(0.0, 0.0), crs="EPSG:32649")
    assert tuple(moved.total_bounds[:2]) == (0.0, 0.0)
    assert moved.crs.to_epsg() == 32649


def test_valid_polygons_and_sizes(parcels: gpd.GeoDataFrame) -> None:
    assert (parcels.geom_type == "Polygon").all()
    assert parcels.geometry.is_valid.all()
    assert not parcels.geometry.is_empty.any()
    ha = parcels.area / 10_000
    assert 0.4 < ha.median() < 1.5
    assert ha.min() > 0.1 and ha.max() < 6


def test_no_overlaps(parcels: gpd.GeoDataFrame) -> None:
    sample = parcels.sample(5_000, random_state=0)
    left, right = parcels.sindex.query(sample.geometry, predicate="overlaps")
    assert left.size == 0 and right.size == 0


def test_parcels_tile_and_sliver_gaps_exist(parcels: gpd.GeoDataFrame) -> None:
    geoms = parcels.geometry.values
    touch = parcels.sindex.query(geoms, predicate="touches")
    assert touch.shape[1] > 2 * len(parcels)  # shared edges: the grid tiles
    near = parcels.sindex.query(geoms, predicate="dwithin", distance=1.0)
    near = near[:, near[0] < near[1]]
    gap = ~shapely.intersects(geoms[near[0]], geoms[near[1]])
    assert gap.sum() > 0.02 * len(parcels)  # sliver gaps: neighbours < 1 m apart, not touching


def test_spatial_coherence(parcels: gpd.GeoDataFrame) -> None:
    rank = parcels["building_quality"].map({"poor": 0, "fair": 1, "good": 2}).to_numpy(float)
    i, j = parcels.sindex.query(parcels.geometry.values, predicate="touches")
    keep = i < j
    i, j = i[keep], j[keep]
    r = np.corrcoef(rank[i], rank[j])[0, 1]
    shuffled = np.random.default_rng(0).permutation(rank)
    r0 = np.corrcoef(shuffled[i], shuffled[j])[0, 1]
    assert r > 0.3
    assert abs(r0) < 0.05


def test_far_calibration(industrial: gpd.GeoDataFrame) -> None:
    area = industrial.area
    far = industrial["floor_area_m2"] / area
    assert 1.2 < far.mean() < 1.7
    assert 1.2 < industrial["floor_area_m2"].sum() / area.sum() < 1.7
    assert far.min() >= 0.29 and far.max() <= 5.01


def test_legal_share_calibration(parcels: gpd.GeoDataFrame, industrial: gpd.GeoDataFrame) -> None:
    assert (parcels["legal_area_m2"] <= parcels.area).all()
    assert (parcels["legal_area_m2"] >= 0).all()
    area = industrial.area
    share = industrial["legal_area_m2"] / area
    assert 0.35 < industrial["legal_area_m2"].sum() / area.sum() < 0.65
    assert (share < 0.3).mean() > 0.2  # low legal shares are common


def test_year_quality_output_calibration(industrial: gpd.GeoDataFrame) -> None:
    year = industrial["year_built"]
    assert year.between(1985, 2022).all()
    assert year.between(1990, 2009).mean() > 0.6
    area = industrial.area
    by_q = area.groupby(industrial["building_quality"]).sum() / area.sum()
    assert by_q["good"] == pytest.approx(0.35, abs=0.07)
    assert by_q["fair"] == pytest.approx(0.35, abs=0.07)
    assert by_q["poor"] == pytest.approx(0.30, abs=0.07)
    mu = area / 666.67
    assert 300 < (industrial["output_wan"] / mu).median() < 500
    assert 10 < (industrial["tax_wan"] / mu).median() < 20
    assert (industrial["output_wan"] / mu).quantile(0.99) > 3 * (
        industrial["output_wan"] / mu
    ).median()


def test_land_use_codes(parcels: gpd.GeoDataFrame) -> None:
    for col in ["current_use", "planned_use"]:
        lu = parse_landuse(parcels[col])
        assert lu.unknown == {}
        assert lu.code.notna().all()
    non = ~parcels["current_use"].isin(INDUSTRIAL)
    assert non.mean() == pytest.approx(0.15, abs=0.005)
    ind = ~non
    converted = ind & ~parcels["planned_use"].isin(INDUSTRIAL)
    assert 0.01 < converted.sum() / ind.sum() < 0.1  # planned-use industrial is a real gate
    assert parcels.loc[non, "output_wan"].isna().all()
    assert parcels.loc[ind, "output_wan"].notna().all()


def test_options_shift_attributes() -> None:
    good = synthetic_parcels(3_000, seed=5, condition_shift=1.5, non_industrial_share=0.0)
    poor = synthetic_parcels(3_000, seed=5, condition_shift=-1.5, legal_shift=-1.5, sliver_share=0)
    assert (good["building_quality"] == "good").mean() > 0.6
    assert (poor["building_quality"] == "poor").mean() > 0.6
    assert poor["legal_area_m2"].sum() / poor.area.sum() < 0.25
    assert (good["current_use"].isin(INDUSTRIAL)).all()
    with pytest.raises(ValueError, match="n_parcels"):
        synthetic_parcels(0)
    with pytest.raises(ValueError, match="sliver_share"):
        synthetic_parcels(10, sliver_share=2.0)


# --- the bundled sample city ---------------------------------------------------------------

SAMPLE_COLUMNS = [
    "宗地编号",
    "现状用途",
    "规划用途",
    "建筑面积",
    "建成年代",
    "合法用地面积",
    "建筑质量",
    "产值",
    "税收",
    "行政区",
    "增加值",
    "综合能耗",
    "租约年限",
    "园区",
    "证照齐全",
    "安全隐患",
    "高污染",
    "高能耗",
    "工业建筑面积",
    "绿地率",
]


def test_sample_city_parcels() -> None:
    parcels = gpd.read_file(SAMPLE / "sample_city_parcels.gpkg", layer="parcels")
    districts = gpd.read_file(SAMPLE / "sample_city_districts.gpkg")
    assert 3_500 <= len(parcels) <= 4_500
    assert parcels.crs.to_epsg() == 4547
    assert districts.crs.to_epsg() == 4547
    for col in SAMPLE_COLUMNS:
        assert col in parcels.columns, col
    assert parcels["宗地编号"].is_unique
    assert parcels.geometry.is_valid.all()
    # every parcel's centroid lies inside the polygon of its own district
    own = districts.set_index("district").geometry.reindex(parcels["行政区"]).to_numpy()
    assert not pd.isna(own).any(), set(parcels["行政区"]) - set(districts["district"])
    assert shapely.contains(own, parcels.centroid.to_numpy()).all()
    assert parse_landuse(parcels["现状用途"]).unknown == {}
    assert parse_landuse(parcels["规划用途"]).unknown == {}
    assert set(parcels["建筑质量"]) <= {"好", "一般", "差"}
