"""zoning.units: the one evaluator, and every path that compares a value with a threshold.

A value within the tolerance of a threshold counts as equal to it, on every path: parcel
criteria (classify), zone criteria (zones), block shares, mixed use and project tiers. The
test puts observed values at threshold ± 1e-12 (relative) through each path and checks that
they all agree.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import zoning
from tests.conftest import industrial, make_parcels
from zoning.units import M2_PER_MU, OP_NEGATED, OP_SYMBOLS, OPS, ZONES, evaluate, status_words

EPS = 1e-12


@pytest.mark.parametrize("op", [">=", ">", "<=", "<", "==", "!="])
def test_values_within_tolerance_count_as_equal(op):
    thr = 0.8
    v = np.array([thr - thr * EPS, thr, thr + thr * EPS])
    exact, _ = evaluate(np.array([thr]), op, thr)
    met, missing = evaluate(v, op, thr)
    assert not missing.any()
    assert (met == exact[0]).all(), f"{op}: {met} vs exactly-equal {exact[0]}"


def test_clear_differences_and_missing_values():
    met, missing = evaluate([0.5, 0.9, np.nan, np.inf], ">=", 0.8)
    assert met.tolist() == [False, True, False, True]
    assert missing.tolist() == [False, False, True, False]
    assert evaluate([1e6 - 1e-4], ">=", 1e6)[0].tolist() == [True]  # relative: 1e-10 of the threshold
    assert evaluate([1e6 - 1.0], ">=", 1e6)[0].tolist() == [False]
    met, missing = evaluate(pd.Series(["M1", None, "R2"]), "not in", ["M1"])
    assert met.tolist() == [False, False, True] and missing.tolist() == [False, True, False]
    with pytest.raises(ValueError, match="unknown operator"):
        evaluate([1.0], "=>", 1.0)


def test_one_table_of_operators_statuses_units_and_zones():
    assert set(OP_SYMBOLS) == set(OPS) == set(OP_NEGATED)
    assert status_words(np.array([True, False, False]), np.array([False, False, True]), [True, True, False]).tolist() == ["pass", "fail", ""]
    assert M2_PER_MU * 15 == pytest.approx(10_000)
    assert ZONES == zoning.ZONES and ZONES[-1] == "not_industrial"


# ---------------------------------------------------------------------------------------
# every path agrees at the threshold


def _parcel_path(thr_scale: float) -> bool:
    """SZ-C5 (FAR < 1.5) on a parcel whose FAR is 1.5 * thr_scale: met?"""
    p = make_parcels([industrial("a", (0, 0, 100, 100), far=1.5)])
    ind = zoning.compute_indicators(p, reference_year=2025)
    far = float(ind["far"].iloc[0])
    pack = zoning.load_rules("shenzhen-2020", overrides={"SZ-C5": far * thr_scale})
    return zoning.classify(ind, rules=pack)["SZ-C5"].iloc[0] == "pass"


def _zone_path(thr_scale: float) -> bool:
    """SZ-C6 (area ≥ 10 ha) on an area of exactly 12 ha: does the area qualify?"""
    rows = [industrial(f"p{i}", (i * 100, 0, i * 100 + 100, 100), quality="poor", year=1990, far=0.8, legal=0.3,
                       output_per_mu=50) for i in range(12)]
    p = make_parcels(rows)
    ind = zoning.compute_indicators(p, reference_year=2025)
    ha = float(ind["land_area_m2"].sum()) / 1e4
    r = zoning.run(p, reference_year=2025, overrides={"SZ-C6": ha * thr_scale, "SZ-R4": ha * thr_scale, "SZ-A1": 400})
    return bool((r.parcels["zone"] != "unzoned").all())


def _block_path(thr_scale: float) -> bool:
    """GZ-B1 (industrial share ≥ threshold) on a block whose share is exactly 0.6."""
    import geopandas as gpd
    import shapely

    from tests.conftest import CRS, X0, Y0

    p = make_parcels([{"parcel_id": "m", "box": (0, 0, 60, 100), "planned_use": "M1", "current_use": "M1"},
                      {"parcel_id": "r", "box": (60, 0, 100, 100), "planned_use": "R2", "current_use": "R2"}])
    blocks = gpd.GeoDataFrame({"block_id": ["B"]}, geometry=[shapely.box(X0, Y0, X0 + 100, Y0 + 100)], crs=CRS)
    share = 0.6
    check = zoning.check_blocks(p, blocks, rules="guangzhou-2023", overrides={"GZ-B1": share * thr_scale})
    return bool(check.blocks["passes"].iloc[0])


def _mixed_use_path(thr_scale: float) -> bool:
    """JX-M1 (industrial floor share ≥ threshold) on mixed land at exactly 0.6."""
    p = make_parcels([{"parcel_id": "x", "box": (0, 0, 100, 100), "planned_use": "M1", "current_use": "M1",
                       "mixed_use": True, "floor_area_m2": 20_000, "industrial_floor_area_m2": 12_000}])
    res = zoning.check_mixed_use(p, overrides={"JX-M1": 0.6 * thr_scale}, mixed="mixed_use")
    return res.parcels["JX-M1"].iloc[0] == "pass"


def _project_path(thr_scale: float) -> bool:
    """GZ-Q1 (investment ≥ threshold) for a project investing exactly 60,000 万元."""
    projects = pd.DataFrame({"project": ["p"], "investment_wan": [60_000.0], "tax_wan": [5_000.0], "land_area_m2": [60_000.0]})
    t = zoning.check_projects(projects, overrides={"GZ-Q1": 60_000.0 * thr_scale / 1e4}).projects
    return t["GZ-Q1"].iloc[0] == "pass"


PATHS = {"parcel criterion": (_parcel_path, "<"), "zone criterion": (_zone_path, ">="),
         "block share": (_block_path, ">="), "mixed use": (_mixed_use_path, ">="), "project tier": (_project_path, ">=")}


@pytest.mark.parametrize("name", sorted(PATHS))
def test_every_path_treats_the_threshold_alike(name):
    path, op = PATHS[name]
    at_threshold = path(1.0)
    assert at_threshold == (op in (">=", "<=", "==")), f"{name}: exactly on the threshold ({op})"
    for scale in (1 - EPS, 1 + EPS):
        assert path(scale) == at_threshold, f"{name}: threshold × {scale!r} differs from exactly on it"
    assert path(0.5) != path(2.0), f"{name}: a clear change of threshold must change the verdict"
