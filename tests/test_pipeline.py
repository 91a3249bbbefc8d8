"""run(): every parcel exactly once, all input columns kept, invariants under reordering and translation."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import shapely
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import zoning
from zoning.synthetic import synthetic_parcels

FIXED = {"SZ-R3": 400, "SZ-C2": 400, "SZ-A1": 400}  # absolute output thresholds: invariants must not hinge on quantile ties


@pytest.fixture(scope="module")
def city():
    return synthetic_parcels(600, seed=11)


@pytest.fixture(scope="module")
def base(city):
    return zoning.run(city, overrides=FIXED, reference_year=2025, min_zone_ha=3)


def test_every_parcel_once_with_all_input_columns(city, base):
    p = base.parcels
    assert len(p) == len(city) and p.index.equals(city.index)
    assert set(city.columns) <= set(p.columns)
    assert p["zone"].isin(zoning.ZONES).all()
    for col in ("zone_label", "cluster_id", "reason", "criteria_met", "criteria_failed", "criteria_missing",
                "land_area_m2", "far", "building_age", "legal_ratio", "output_wan_per_mu", "tax_wan_per_mu"):
        assert col in p
    zoned = p["zone"].isin(zoning.ZONES[:3])
    assert p.loc[zoned, "cluster_id"].notna().all()
    assert (p["reason"].str.len() > 0).all()
    assert set(base.summary.index) == set(zoning.ZONES)


def test_input_is_not_modified(city):
    before = city.copy()
    zoning.run(city, overrides=FIXED, reference_year=2025)
    pd.testing.assert_frame_equal(pd.DataFrame(city.drop(columns="geometry")), pd.DataFrame(before.drop(columns="geometry")))


@settings(max_examples=8, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(seed=st.integers(0, 10_000))
def test_row_order_does_not_change_zones(city, base, seed):
    perm = np.random.default_rng(seed).permutation(len(city))
    shuffled = city.iloc[perm].reset_index(drop=True)
    res = zoning.run(shuffled, overrides=FIXED, reference_year=2025, min_zone_ha=3)
    a = base.parcels.set_index("parcel_id")[["zone", "cluster_id"]]
    b = res.parcels.set_index("parcel_id")[["zone", "cluster_id"]].loc[a.index]
    assert (a["zone"] == b["zone"]).all()
    assert (a["cluster_id"].astype(object).fillna("") == b["cluster_id"].astype(object).fillna("")).all()


@settings(max_examples=6, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(dx=st.floats(-50_000, 50_000), dy=st.floats(-50_000, 50_000))
def test_translation_does_not_change_zones(city, base, dx, dy):
    moved = city.copy()
    moved["geometry"] = shapely.transform(city.geometry.to_numpy(), lambda c: c + np.array([dx, dy]))
    res = zoning.run(moved, overrides=FIXED, reference_year=2025, min_zone_ha=3)
    assert (res.parcels["zone"].to_numpy() == base.parcels["zone"].to_numpy()).all()


@settings(max_examples=10, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_raising_a_good_indicator_never_moves_a_parcel_out_of_retain(city, base, data):
    retained = np.flatnonzero(base.parcels["zone"].to_numpy() == "retain_upgrade")
    if len(retained) == 0:
        pytest.skip("no retained parcel in this layout")  # pragma: no cover - the fixture has some
    k = data.draw(st.sampled_from(retained.tolist()))
    which = data.draw(st.sampled_from(["output", "quality", "newer", "far"]))
    better = city.copy()
    col = better.columns.get_loc
    if which == "output":
        better.iloc[k, col("output_wan")] *= data.draw(st.floats(1.0, 10.0))
    elif which == "quality":
        better.iloc[k, col("building_quality")] = "good"
    elif which == "newer":
        better.iloc[k, col("year_built")] = min(2024, better.iloc[k, col("year_built")] + data.draw(st.integers(0, 20)))
    else:
        better.iloc[k, col("floor_area_m2")] *= data.draw(st.floats(1.0, 3.0))
    res = zoning.run(better, overrides=FIXED, reference_year=2025, min_zone_ha=3)
    assert res.parcels["zone"].iloc[k] == "retain_upgrade"


def test_result_writes_and_reads_back(tmp_path, base):
    out = base.to_file(tmp_path / "zones.gpkg")
    import pyogrio

    layers = {name for name, _ in pyogrio.list_layers(out)}
    assert {"parcels", "zones", "areas", "summary", "by_district"} <= layers
    back = zoning.read_parcels(out, layer="parcels")
    assert len(back) == len(base.parcels)
    assert set(back["zone"]) == set(base.parcels["zone"])
    pq = base.to_file(tmp_path / "zones.parquet")
    import geopandas as gpd

    assert len(gpd.read_parquet(pq)) == len(base.parcels)


def test_reasons_table_and_explain(base):
    t = base.reasons()
    n_stock = int((base.parcels["zone"] != "not_industrial").sum())
    n_crit = sum(1 for c in base.rules.criteria if c.level == "parcel")
    assert len(t) == n_stock * n_crit
    assert set(t["status"]) <= {"pass", "fail", "missing"}
    pid = base.parcels.loc[base.parcels["zone"] == "retain_upgrade", "parcel_id"].iloc[0]
    text = base.explain(pid)
    assert "SZ-R1" in text and "pass" in text
    with pytest.raises(KeyError, match="no parcel"):
        base.explain("nope")


def test_validation_errors_stop_the_run_with_the_full_report(city):
    bad = city.copy()
    bad.loc[3, "parcel_id"] = bad.loc[4, "parcel_id"]
    bad.loc[5, "floor_area_m2"] = -10.0
    with pytest.raises(zoning.ValidationError) as err:
        zoning.run(bad)
    msg = str(err.value)
    assert "duplicate_id" in msg and "negative_value" in msg
    assert err.value.report is not None and len(err.value.report.errors) == 2


def test_lang_zh_labels(city):
    res = zoning.run(city, overrides=FIXED, reference_year=2025, lang="zh")
    assert set(res.parcels["zone_label"]) <= {"保留提升区", "土地整备区", "连片改造区", "未划定", "非工业"}
    assert res.parcels["reason"].str.contains("：").all()


def test_progress_bar_goes_to_stderr_and_is_off_by_default(city, capsys):
    zoning.run(city, overrides=FIXED, reference_year=2025)
    assert "stage" not in capsys.readouterr().err
    import os

    old = os.environ.pop("TQDM_DISABLE", None)
    try:
        zoning.run(city, overrides=FIXED, reference_year=2025, progress=True)
    finally:
        if old is not None:
            os.environ["TQDM_DISABLE"] = old
    assert "stage" in capsys.readouterr().err


@pytest.mark.parametrize("order", ["west first", "east first"])
def test_row_order_does_not_decide_equal_area_ties(order):
    """Two equal-area areas joined by a thin strip: the strip joins the western one whichever rows come first."""
    from conftest import industrial, make_parcels

    def block(x0: float, tag: str) -> list[dict]:
        return [industrial(f"{tag}{i}{j}", (x0 + i * 50, j * 50, x0 + i * 50 + 50, j * 50 + 50), quality="poor",
                           year=1990, far=0.8, legal=0.4, output_per_mu=100) for i in range(3) for j in range(3)]

    strip = industrial("S", (150.0, 65.0, 200.0, 85.0), quality="poor", year=1990, far=0.8, legal=0.4, output_per_mu=100)
    rows = block(0, "W") + block(200, "E") if order == "west first" else block(200, "E") + block(0, "W")
    res = zoning.run(make_parcels([*rows, strip]), overrides=FIXED, reference_year=2025, gap_m=1, min_zone_ha=1)
    p = res.parcels.set_index("parcel_id")
    assert p.loc["S", "cluster_id"] == p.loc["W00", "cluster_id"] != p.loc["E00", "cluster_id"]
    assert p.loc["W00", "cluster_id"] == "A0001"  # areas numbered west to east
