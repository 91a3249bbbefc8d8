"""Zones: rule-pack cases as data, edge cases, quotas and targets."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import zoning
from tests.conftest import industrial, make_parcels

try:
    import tomllib
except ModuleNotFoundError:  # pragma: no cover
    import tomli as tomllib

CASES = tomllib.loads((Path(__file__).parent / "rules" / "cases" / "shenzhen-2020.toml").read_text("utf-8"))


def grid(rows: int, cols: int, size: float, prefix: str, attrs: dict, x0: float = 0.0, y0: float = 0.0) -> list[dict]:
    out = []
    a = dict(attrs)
    quality = a.pop("building_quality", "good")
    common = {k: a.pop(k) for k in ("current_use", "planned_use") if k in a}
    for r in range(rows):
        for c in range(cols):
            box = (x0 + c * size, y0 + r * size, x0 + (c + 1) * size, y0 + (r + 1) * size)
            p = industrial(f"{prefix}{r}{c}", box, quality=quality, year=a.get("year_built", 2015), far=a.get("far", 2.0),
                           legal=a.get("legal_ratio", 0.9), output_per_mu=a.get("output_per_mu", 800.0))
            p.update({"current": None} if False else {})
            p.update(common)
            out.append(p)
    return out


@pytest.mark.parametrize("case", CASES["case"], ids=[c["name"] for c in CASES["case"]])
def test_rule_pack_case(case):
    d = CASES["defaults"]
    rows = grid(**case["grid"], attrs=case.get("attrs", {}))
    res = zoning.run(make_parcels(rows), "shenzhen-2020", overrides=d["overrides"], reference_year=d["reference_year"])
    exp = case["expect_all"]
    p = res.parcels
    assert (p["zone"] == exp["zone"]).all(), p[["parcel_id", "zone", "reason"]].to_string()
    for code in exp.get("met", []):
        assert (p[code] == "pass").all(), code
    for code in exp.get("failed", []):
        assert (p[code] == "fail").all(), code
    if "reason_contains" in exp:
        assert p["reason"].str.contains(exp["reason_contains"], regex=False).all()
    assert p["reason"].str.len().gt(10).all()


def test_one_bad_parcel_inside_a_good_area_joins_as_enclave():
    rows = grid(5, 5, 70, "G", {"building_quality": "good", "year_built": 2015, "far": 2.2, "output_per_mu": 900})
    bad = next(r for r in rows if r["parcel_id"] == "G22")
    bad.update(building_quality="poor", year_built=1985)
    res = zoning.run(make_parcels(rows), overrides={"SZ-R3": 400, "SZ-C2": 400, "SZ-A1": 400}, reference_year=2025)
    p = res.parcels.set_index("parcel_id")
    assert p.loc["G22", "zone"] == "retain_upgrade" and bool(p.loc["G22", "enclave"])
    assert "enclave" in p.loc["G22", "reason"]
    assert p.loc["G22", "SZ-R1"] == "fail"  # its own criteria are still reported honestly
    assert p["cluster_id"].nunique() == 1
    # with enclaves disabled it stays out
    res2 = zoning.run(make_parcels(rows), overrides={"SZ-R3": 400, "SZ-C2": 400, "SZ-A1": 400, "enclave_max_ha": 0}, reference_year=2025)
    assert res2.parcels.set_index("parcel_id").loc["G22", "zone"] == "unzoned"


def test_area_split_by_20m_road_forms_one_zone():
    a = grid(4, 2, 60, "A", {"building_quality": "差", "year_built": 1990, "far": 0.7, "legal_ratio": 0.2, "output_per_mu": 100})
    b = grid(4, 2, 60, "B", {"building_quality": "差", "year_built": 1990, "far": 0.7, "legal_ratio": 0.2, "output_per_mu": 100}, x0=140)
    res = zoning.run(make_parcels(a + b), overrides={"SZ-R3": 400, "SZ-C2": 400, "SZ-A1": 400}, reference_year=2025)
    # each half is 2.9 ha (< 10 ha); together 5.8 ha: lower the minimum to 5 ha to see the join matter
    res = zoning.run(make_parcels(a + b), overrides={"SZ-R3": 400, "SZ-C2": 400, "SZ-A1": 400}, min_zone_ha=5, reference_year=2025)
    assert (res.parcels["zone"] == "land_consolidation").all()
    assert res.parcels["cluster_id"].nunique() == 1
    apart = zoning.run(make_parcels(a + b), overrides={"SZ-R3": 400, "SZ-C2": 400, "SZ-A1": 400}, min_zone_ha=5, gap_m=15, reference_year=2025)
    assert (apart.parcels["zone"] == "unzoned").all() and apart.parcels["cluster_id"].nunique() == 2


def test_nothing_qualifying_gives_no_zones_and_a_zero_summary():
    rows = grid(3, 3, 60, "N", {"building_quality": "一般", "year_built": 2000, "far": 2.0, "legal_ratio": 0.9, "output_per_mu": 500})
    res = zoning.run(make_parcels(rows), overrides={"SZ-R3": 600, "SZ-C2": 400, "SZ-A1": 400}, reference_year=2025)
    assert (res.parcels["zone"] == "unzoned").all()
    assert len(res.zones) == 0
    assert res.summary.loc["retain_upgrade", "area_km2"] == 0
    assert res.summary.loc["unzoned", "share_of_stock"] == pytest.approx(1.0)


def test_all_values_missing_are_reported_and_never_guessed():
    rows = grid(4, 4, 60, "X", {})
    for r in rows:
        for k in ("floor_area_m2", "year_built", "legal_ratio", "building_quality", "output_wan", "tax_wan"):
            r[k] = None
    res = zoning.run(make_parcels(rows), reference_year=2025)
    p = res.parcels
    assert (p["zone"] == "unzoned").all()
    for code in ("SZ-R1", "SZ-R2", "SZ-R3", "SZ-C2", "SZ-C3", "SZ-C4", "SZ-C5"):
        assert (p[code] == "missing").all()
    assert p["criteria_missing"].str.contains("SZ-C5").all()
    codes = {w.code for w in res.validation.warnings}
    assert "missing_value" in codes


def test_quota_mode_fills_targets_in_score_order():
    # six separate 4 ha retain-quality areas with rising output; the target is a share of the stock
    rows = []
    for k in range(6):
        rows += grid(4, 4, 50, f"Q{k}_", {"building_quality": "good", "year_built": 2015, "far": 2.0, "output_per_mu": 500 + 100 * k}, x0=k * 400)
    pack = zoning.load_rules("shenzhen-2020", overrides={"SZ-R4": 3})
    res = zoning.run(make_parcels(rows), pack, mode="quota", reference_year=2025)
    s = res.summary
    target = s.loc["retain_upgrade", "target_km2"]
    assert target == pytest.approx(res.stock_km2 * 100 / 260)
    got = s.loc["retain_upgrade", "area_km2"]
    assert abs(got - target) <= 0.04 / 2 + 1e-9  # within half an area (0.04 km²)
    taken = res.areas[res.areas["zone"] == "retain_upgrade"]
    left = res.areas[(res.areas["candidate"] == "retain") & (res.areas["zone"] == "unzoned")]
    assert taken["score_retain"].min() >= left["score_retain"].max()
    assert res.parcels.loc[res.parcels["zone"] == "unzoned", "reason"].str.contains("quota").any()


def test_summary_by_district_adds_up(sample_result):
    s = sample_result.summary
    d = sample_result.by_district
    for z in ("retain_upgrade", "land_consolidation", "contiguous_renewal", "unzoned"):
        assert d[z].sum() == pytest.approx(s.loc[z, "area_km2"])
    assert s.loc[["retain_upgrade", "land_consolidation", "contiguous_renewal", "unzoned"], "share_of_stock"].sum() == pytest.approx(1.0)
    assert s["parcels"].sum() == len(sample_result.parcels)


def test_zone_polygons_match_parcel_areas(sample_result):
    z = sample_result.zones
    p = sample_result.parcels
    for cid, geom in zip(z["cluster_id"], z.geometry, strict=False):
        members = p[p["cluster_id"] == cid]
        assert geom.area == pytest.approx(members["land_area_m2"].sum(), rel=1e-6)
    assert set(z["zone"]) <= {"retain_upgrade", "land_consolidation", "contiguous_renewal"}
    assert np.isin(z["zone_label_zh"], ["保留提升区", "土地整备区", "连片改造区"]).all()
    assert isinstance(z.crs.to_epsg(), int)
    assert pd.api.types.is_float_dtype(z["area_ha"])


def test_quota_mode_with_a_quantile_gate(tmp_path):
    from zoning.rules import pack_source

    text = pack_source("shenzhen-2020").replace('gate = ["SZ-C1"]', 'gate = ["SZ-C1", "SZ-C5"]')
    text = text.replace('value = 1.5\nunit = "ratio"', 'quantile = 0.5\nunit = "ratio"')
    path = tmp_path / "gate.toml"
    path.write_text(text, encoding="utf-8")
    parcels = zoning.read_parcels(zoning.datasets.get_path("parcels"))
    res = zoning.run(parcels, path, mode="quota", reference_year=2025)
    redevelop = res.parcels["candidate"].astype(str) == "redevelop"
    assert redevelop.any()
    # the gate holds: every redevelopment-leaning parcel has FAR below the stock's median
    assert (res.parcels.loc[redevelop, "far"] < res.thresholds["SZ-C5"]).all()


# --- area-level criteria (000 §三(一) 「…的集中连片区域整体纳入」) -----------------------------

_LAGGING = {"building_quality": "差", "year_built": 1990, "far": 0.8, "legal_ratio": 0.3}


def _with_low_output_stock(area_rows: list[dict], output: float = 150) -> list[dict]:
    """Add a larger industrial area far away, so the stock median output is ``output`` 万元/亩."""
    rest = grid(5, 5, 90, "Q", {"building_quality": "一般", "year_built": 2005, "far": 1.8, "legal_ratio": 0.9,
                                "output_per_mu": output}, x0=3000)
    return area_rows + rest


def test_area_lagging_on_all_but_output_is_not_consolidation_or_renewal():
    # every parcel: poor buildings, low FAR, low legal share (3 of the 4 lag conditions), but the
    # area's area-weighted output per 亩 (1,500) is ten times the stock median (150)
    rich = grid(4, 4, 90, "H", {**_LAGGING, "output_per_mu": 1500})
    res = zoning.run(make_parcels(_with_low_output_stock(rich)), reference_year=2025)
    assert res.thresholds["SZ-A1"] == pytest.approx(150)
    p = res.parcels.set_index("parcel_id").loc[[r["parcel_id"] for r in rich]]
    assert (p["candidate"] == "redevelop").all()  # the parcel criteria pick them (3 of 4) ...
    assert (p["zone"] == "unzoned").all()  # ... but the area as a whole does not lag
    assert p["reason"].str.contains("SZ-A1", regex=False).all()
    area = res.areas.set_index("cluster_id").loc[p["cluster_id"].iloc[0]]
    assert area["output_wan_per_mu"] == pytest.approx(1500) and not area["passes_area_criteria"]
    # the same area with output below the median is a consolidation zone
    poor = grid(4, 4, 90, "H", {**_LAGGING, "output_per_mu": 100})
    res2 = zoning.run(make_parcels(_with_low_output_stock(poor)), reference_year=2025)
    assert (res2.parcels.set_index("parcel_id").loc[[r["parcel_id"] for r in poor], "zone"] == "land_consolidation").all()


def test_high_output_parcel_in_a_lagging_area_is_flagged_and_a_relocation_candidate():
    rows = grid(4, 4, 90, "H", {**_LAGGING, "output_per_mu": 100})
    for r in rows[:2]:
        r["output_wan"] = r["output_wan"] * 20  # 2,000 万元/亩 — far above the median
    res = zoning.run(make_parcels(_with_low_output_stock(rows, output=500)), reference_year=2025)
    p = res.parcels.set_index("parcel_id")
    ids = [r["parcel_id"] for r in rows]
    assert (p.loc[ids, "zone"] == "land_consolidation").all()  # the area as a whole still lags
    hi = p.loc[ids[:2]]
    assert (hi["contradicts"] == "SZ-A1").all() and hi["relocation"].all()
    assert hi["reason"].str.contains("relocation (安置) candidate", regex=False).all()
    assert hi["reason"].str.contains("contradicts its area on SZ-A1", regex=False).all()
    rest = p.loc[ids[2:]]
    assert (rest["contradicts"] == "").all() and not rest["relocation"].any()


def test_retain_upgrade_needs_industrial_planned_use():
    rows = grid(4, 4, 90, "G", {"building_quality": "好", "year_built": 2012, "far": 2.2, "legal_ratio": 0.9,
                                "output_per_mu": 900, "planned_use": "R2"})
    res = zoning.run(make_parcels(rows), overrides={"SZ-R3": 400, "SZ-C2": 400, "SZ-A1": 400}, reference_year=2025)
    assert (res.parcels["zone"] == "unzoned").all() and (res.parcels["SZ-R5"] == "fail").all()
    # planned use unknown: retention is today's use, so it does not exclude
    for r in rows:
        r["planned_use"] = None
    res2 = zoning.run(make_parcels(rows), overrides={"SZ-R3": 400, "SZ-C2": 400, "SZ-A1": 400}, reference_year=2025)
    assert (res2.parcels["zone"] == "retain_upgrade").all()
