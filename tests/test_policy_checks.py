"""Policy checks beyond blocks: Jiaxing mixed use, Guangzhou project tiers, Shenzhen 2011
enterprise screening, High-Tech Park benchmarks, short leases — and the packs behind them.

Every threshold is tested at its boundary (exactly on it passes), every failure row carries
the observed value, the threshold and a fix.
"""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely
from click.testing import CliRunner

import zoning
from tests.conftest import CRS, X0, Y0, make_parcels
from zoning.checks.benchmarks import check_benchmarks
from zoning.checks.enterprises import check_enterprises
from zoning.checks.leases import check_leases
from zoning.checks.mixed_use import check_mixed_use
from zoning.checks.projects import check_projects
from zoning.errors import DataRepairWarning, InputError, RulePackError
from zoning.rules import available_rules, load_rules, render_rules, rules_table
from zoning.rules.loader import _read
from zoning.stages.indicators import M2_PER_MU

NEW_PACKS = ["guangzhou-2023", "guangzhou-2024", "jiaxing-2024", "shenzhen-2011", "shenzhen-htp-2012"]


# ---------------------------------------------------------------------------------------
# packs


@pytest.mark.parametrize("name", NEW_PACKS)
def test_new_packs_load_document_every_threshold_and_render_their_sections(name):
    assert name in available_rules()
    pack = load_rules(name)
    for c in pack.criteria:
        assert c.code and c.name_zh and c.name_en and c.unit and c.source and c.status in ("official", "official-draft", "derived", "heuristic")
    text = render_rules(pack)
    md = render_rules(pack, fmt="markdown", lang="zh")
    for c in pack.criteria:
        assert c.code in text and c.code in md
    assert "zoning." in text  # the section lines say which function uses the criteria


def test_pack_numbers_are_the_policy_numbers():
    g23, g24 = load_rules("guangzhou-2023"), load_rules("guangzhou-2024")
    assert g23.criterion("GZ-B1").threshold == 0.55 and g24.criterion("GZ-B1").threshold == 0.65
    assert g23.criterion("GZ-D1").threshold == g24.criterion("GZ-D1").threshold == 0.80
    assert g23.criterion("GZ-Q1").threshold == 50_000  # 5亿元 in 万元
    assert g23.criterion("GZ-Q2").threshold == 400 and g23.criterion("GZ-Q3").threshold == 15
    assert g23.criterion("GZ-Q4").threshold == 5_000
    assert {"M0", "M1", "M2", "M3", "W1"} <= set(g23.criterion("GZ-I1").value)
    jx = load_rules("jiaxing-2024")
    assert jx.criterion("JX-M1").threshold == 0.51 and jx.criterion("JX-T1").threshold == 30
    assert jx.criterion("JX-F1").status == jx.criterion("JX-G1").status == "heuristic"
    sz = load_rules("shenzhen-2011")
    assert sz.criterion("SZE-T13").threshold == 5_000_000 and sz.criterion("SZE-T15").threshold == 7_500_000
    htp = load_rules("shenzhen-htp-2012")
    assert [htp.criterion(c).threshold for c in ("HTP-O1", "HTP-V1", "HTP-T1", "HTP-E1")] == [540, 165, 30, 0.113]
    assert rules_table(g23).loc["GZ-Q1", "test"] == "investment_wan ≥ 5 亿元"


def _write(tmp_path: Path, text: str) -> Path:
    p = tmp_path / "pack.toml"
    p.write_text(text, encoding="utf-8")
    return p


@pytest.mark.parametrize(("old", "new", "match"), [
    ('min_block_share = "GZ-B1"', 'min_block_share = "GZ-B9"', r"blocks.min_block_share refers to unknown criterion 'GZ-B9'"),
    ('min_block_share = "GZ-B1"', 'min_block_share = "GZ-D1"', r"blocks.min_block_share refers to 'GZ-D1', which tests 'district_block_coverage'"),
    ('indicator = "block_industrial_share"\nop = ">="\nvalue = 0.55', 'indicator = "block_industrial_share"\nop = ">="\nquantile = 0.5',
     "quantile thresholds are for parcel and zone criteria"),
    ('value = 0.55\nunit = "share"', 'value = 0.55\nunit = "万元"', r"unit '万元' does not fit indicator 'block_industrial_share'"),
    ('excluding = ["GZ-Q1"]', 'excluding = ["GZ-B1"]', r"projects.tiers \(city\) refers to 'GZ-B1'"),
    ('balance = "GZ-K1"', 'balance = "GZ-K1"\nbalanse = 1', "unknown key"),
])
def test_section_references_are_checked_strictly(tmp_path, old, new, match):
    text = _read("guangzhou-2023")[0]
    assert old in text
    with pytest.raises(RulePackError, match=match):
        load_rules(_write(tmp_path, text.replace(old, new, 1)))


def test_flag_criteria_need_yes_or_no(tmp_path):
    text = _read("shenzhen-2011")[0].replace('value = "yes"', 'value = "maybe"', 1)
    with pytest.raises(RulePackError, match="yes/no flag"):
        load_rules(_write(tmp_path, text))


def test_mixed_use_balance_lists_only_far_or_green(tmp_path):
    text = _read("jiaxing-2024")[0].replace('balance = ["JX-F1", "JX-G1"]', 'balance = ["JX-M1"]')
    with pytest.raises(RulePackError, match="only the FAR and green-ratio minimums"):
        load_rules(_write(tmp_path, text))


# ---------------------------------------------------------------------------------------
# Jiaxing: mixed industrial land, flexible terms, park balancing


def mixed(rows: list[dict]) -> gpd.GeoDataFrame:
    base = {"planned_use": "M1", "park": "P"}
    return make_parcels([{**base, **r} for r in rows])


def test_industrial_floor_share_exactly_51_percent_passes():
    p = mixed([{"parcel_id": "at", "box": (0, 0, 100, 100), "floor_area_m2": 20_000, "industrial_floor_area_m2": 10_200},
               {"parcel_id": "below", "box": (100, 0, 200, 100), "floor_area_m2": 20_000, "industrial_floor_area_m2": 10_000},
               {"parcel_id": "plain", "box": (200, 0, 300, 100), "floor_area_m2": 20_000}])
    r = check_mixed_use(p).parcels.set_index("parcel_id")
    assert r.loc["at", "JX-M1"] == "pass" and r.loc["at", "passes"]
    assert r.loc["below", "JX-M1"] == "fail" and not r.loc["below", "passes"]
    assert "50.0% < 51.0%" in r.loc["below", "reasons"]
    assert "convert 200 m² of other floor space to industrial use (or add 408 m² of industrial floor space)" in r.loc["below", "fix"]
    assert r.loc["plain", "JX-M1"] == "" and not r.loc["plain", "mixed_use"]  # not mixed land: not tested


def test_far_below_minimum_passes_through_the_park_and_says_so():
    p = mixed([{"parcel_id": "low", "box": (0, 0, 100, 100), "floor_area_m2": 8_000},
               {"parcel_id": "high", "box": (100, 0, 200, 100), "floor_area_m2": 14_000},
               {"parcel_id": "alone", "box": (500, 0, 600, 100), "floor_area_m2": 8_000, "park": None},
               {"parcel_id": "q", "box": (0, 500, 100, 600), "floor_area_m2": 6_000, "park": "Q"},
               {"parcel_id": "q2", "box": (100, 500, 200, 600), "floor_area_m2": 10_000, "park": "Q"}])
    res = check_mixed_use(p)
    r = res.parcels.set_index("parcel_id")
    assert r.loc["low", "JX-F1"] == "pass" and r.loc["low", "met_through_park"] == "JX-F1" and r.loc["low", "passes"] and r.loc["low", "passes_by_balance"]
    assert "met through park P (1.10)" in r.loc["low", "reasons"]
    assert r.loc["high", "JX-F1"] == "pass" and not r.loc["high", "passes_by_balance"]
    assert r.loc["alone", "JX-F1"] == "fail" and "no park to balance over" in r.loc["alone", "reasons"]
    assert "add 2,000 m² of floor area" in r.loc["alone", "fix"]
    # park Q: (6,000 + 10,000) / 20,000 = 0.8 < 1.0 — exactly what it needs is stated
    assert r.loc["q", "JX-F1"] == "fail" and "park Q is at 0.80" in r.loc["q", "reasons"]
    assert not res.parks.loc["Q", "JX-F1_passes"] and res.parks.loc["Q", "JX-F1_short_m2"] == pytest.approx(4_000)
    assert "needs 4,000 m² more floor area" in res.parks.loc["Q", "fix"]
    assert res.parks.loc["P", "JX-F1_balanced"] == 1
    # exactly at the minimum on its own
    at = check_mixed_use(mixed([{"parcel_id": "x", "box": (0, 0, 100, 100), "floor_area_m2": 10_000}])).parcels
    assert at.loc[0, "JX-F1"] == "pass"


def test_green_ratio_percent_and_missing_and_land_terms():
    p = mixed([{"parcel_id": "a", "box": (0, 0, 100, 100), "floor_area_m2": 15_000, "green_ratio": 8, "land_term_years": 30},
               {"parcel_id": "b", "box": (100, 0, 200, 100), "floor_area_m2": 15_000, "green_ratio": 15, "land_term_years": 40},
               {"parcel_id": "c", "box": (200, 0, 300, 100), "floor_area_m2": 15_000}])
    with pytest.warns(DataRepairWarning, match="read as percent"):
        res = check_mixed_use(p)
    r = res.parcels.set_index("parcel_id")
    assert r.loc["a", "green_ratio"] == pytest.approx(0.08) and r.loc["a", "JX-G1"] == "pass" and "JX-G1" in r.loc["a", "met_through_park"]  # park (8 + 15) / 2 = 11.5 %
    assert r.loc["c", "JX-G1"] == "missing" and r.loc["c", "passes"]  # missing counts as pass for JX-G1
    assert r.loc["a", "JX-T1"] == "pass" and r.loc["b", "JX-T1"] == "fail" and r.loc["c", "JX-T1"] == ""
    assert "land term 40 years > 30 years" in r.loc["b", "reasons"] and "at most 30 years" in r.loc["b", "fix"]
    assert "JX-T1" in res.summary()


def test_mixed_use_on_the_sample_city(sample_parcels, tmp_path):
    res = check_mixed_use(sample_parcels)
    p = res.parcels
    assert p.index.equals(sample_parcels.index)
    assert int(p["mixed_use"].sum()) == 70 and int((p["JX-M1"] == "fail").sum()) == 23  # sample_data/README.md
    assert p["passes_by_balance"].any() and p["met_through_park"].str.contains("JX-F1").any()
    assert "宝安3号工业区" in res.parks.index
    res.to_file(tmp_path / "mu.gpkg")
    assert len(gpd.read_file(tmp_path / "mu.gpkg", layer="parks")) == len(res.parks)


# ---------------------------------------------------------------------------------------
# Guangzhou: project land-quota tiers


def test_project_tiers_at_their_boundaries():
    mu = 100.0  # 亩
    area = mu * M2_PER_MU
    p = pd.DataFrame({
        "project_id": ["exact", "small-intensity", "city-top", "city-floor", "too-small", "big-low-tax"],
        "investment_wan": [50_000, 50_000, 49_999, 5_000, 4_999, 60_000],
        "tax_wan": [1_500, 1_500, 2_000, 2_000, 2_000, 1_000],
        "land_area_m2": [area, area * 1.25 + 1, area, area, area, area],
    })
    r = check_projects(p).projects.set_index("project_id")
    assert r.loc["exact", "tier"] == "province"  # 5亿 (含), 500 万元/亩, 15 万元/亩 exactly
    assert r.loc["exact", "investment_wan_per_mu"] == pytest.approx(500)
    assert r.loc["small-intensity", "tier"] == "none" and r.loc["small-intensity", "GZ-Q2"] == "fail"
    assert r.loc["city-top", "tier"] == "city" and r.loc["city-floor", "tier"] == "city" and r.loc["too-small", "tier"] == "none"
    big = r.loc["big-low-tax"]
    assert big["tier"] == "none" and "GZ-Q3 tax per mu 10.0 万元/亩 < 15.0 万元/亩" in big["reasons"]
    assert "names no tier" in big["reasons"] and "raise annual tax by 500 万元 or use 33.3 亩 less land" in big["fix"]


def test_projects_from_chinese_columns_in_yi_and_missing_land():
    p = pd.DataFrame({"项目名称": ["甲"], "投资额(亿元)": [6.0], "税收": [3_000.0], "用地面积": [100_000.0]})
    r = check_projects(p).projects
    assert r.loc[0, "project_id"] == "甲" and r.loc[0, "investment_wan"] == 60_000 and r.loc[0, "tier"] == "province"
    with pytest.raises(InputError, match="no land area"):
        check_projects(pd.DataFrame({"investment_wan": [1.0]}))
    with pytest.raises(InputError, match="no investment column"):
        check_projects(pd.DataFrame({"land_area_m2": [1.0]}))
    with pytest.raises(RulePackError, match=r"no \[projects\] rules.*guangzhou-2023"):
        check_projects(p, rules="guangzhou-2024")


def test_projects_from_polygons_keep_geometry():
    p = make_parcels([{"parcel_id": "A", "box": (0, 0, 100, 100), "investment_wan": 6_000, "tax_wan": 30}])
    r = check_projects(p).projects
    assert isinstance(r, gpd.GeoDataFrame) and r.loc[0, "land_area_m2"] == pytest.approx(10_000) and r.loc[0, "tier"] == "city"


# ---------------------------------------------------------------------------------------
# Shenzhen 2011: low-end enterprises and freed space


def test_screening_on_the_sample_city(sample_parcels):
    s = check_enterprises(sample_parcels)
    p = s.parcels
    # sample_data/README.md: 155 × 证照齐全 = 否, 166 × 安全隐患 = 是, 85 × 高污染 = 是, 142 × 高能耗 = 是
    assert [(p[c] == "fail").sum() for c in ("SZE-1", "SZE-2", "SZE-3", "SZE-4")] == [155, 166, 85, 142]
    flagged = (p["status"] == "fail").to_numpy()
    assert p["freed_m2"].sum() == pytest.approx(sample_parcels.loc[flagged, "floor_area_m2"].sum())
    assert (p.loc[~p["screened"], "status"] == "").all() and int(p["screened"].sum()) == 3546
    assert (p["passes"] == (p["screened"] & ~flagged)).all()
    t = s.targets
    assert t.loc["SZE-T13", "target_m2"] == 5e6 and t.loc["SZE-T15", "target_m2"] == 7.5e6
    assert not t["passes"].any() and t.loc["SZE-T15", "shortfall_m2"] == pytest.approx(7.5e6 - p["freed_m2"].sum())
    assert "无证无照" in p.loc[p["SZE-1"] == "fail", "grounds"].iloc[0]
    assert s.by_district["flagged"].sum() == flagged.sum()


def test_screening_target_exactly_met_passes_and_missing_flags():
    p = make_parcels([{"parcel_id": "a", "box": (0, 0, 100, 100), "licensed": False, "floor_area_m2": 3_000_000},
                      {"parcel_id": "b", "box": (100, 0, 200, 100), "licensed": True, "safety_hazard": True, "floor_area_m2": 2_000_000},
                      {"parcel_id": "c", "box": (200, 0, 300, 100), "licensed": True, "safety_hazard": False, "floor_area_m2": 9e9}])
    s = check_enterprises(p)
    assert s.parcels["status"].tolist() == ["fail", "fail", "pass"]
    assert s.targets.loc["SZE-T13", "passes"] and s.targets.loc["SZE-T13", "share"] == pytest.approx(1.0)
    assert (s.parcels["SZE-3"] == "missing").all() and any(pr.code == "missing_flag" for pr in s.problems)
    with pytest.raises(InputError, match="none of the enterprise flag columns"):
        check_enterprises(make_parcels([{"parcel_id": "x", "box": (0, 0, 1, 1)}]))


# ---------------------------------------------------------------------------------------
# High-Tech Park benchmarks


def test_benchmarks_exactly_met_and_per_area_groups():
    # 1 km² parks: output 540亿 = 5,400,000 万元; value added 165亿; tax 30亿; energy 0.113 tce per 万元 VA
    big = {"output_wan": 5.4e6, "value_added_wan": 1.65e6, "tax_wan": 3e5, "energy_tce": 0.113 * 1.65e6}
    p = make_parcels([{"parcel_id": "a", "box": (0, 0, 1000, 1000), "park": "A", **big},
                      {"parcel_id": "b", "box": (2000, 0, 3000, 1000), "park": "B", **{k: v / 2 for k, v in big.items()}}])
    t = check_benchmarks(p, by="park").groups
    assert (t.loc["A", ["HTP-O1", "HTP-V1", "HTP-T1", "HTP-E1"]] == "pass").all() and t.loc["A", "passes"]
    assert t.loc["A", "output_yi_per_km2"] == pytest.approx(540) and t.loc["A", "gap"] == ""
    assert t.loc["B", "HTP-O1"] == "fail" and t.loc["B", "HTP-O1_pct"] == pytest.approx(0.5)
    assert t.loc["B", "HTP-E1"] == "pass" and t.loc["B", "status"] == "fail"  # the same energy intensity
    assert "50% of 540.0 亿元/km2" in t.loc["B", "gap"]
    assert t.loc["(all)", "land_km2"] == pytest.approx(2.0)
    areas = gpd.GeoDataFrame({"name": ["west"]}, geometry=[shapely.box(X0 - 10, Y0 - 10, X0 + 1500, Y0 + 1500)], crs=CRS)
    t2 = check_benchmarks(p, by=areas).groups
    assert t2.index.tolist() == ["west", "(all)"] and t2.loc["west", "parcels"] == 1


def test_benchmarks_for_zones_of_a_run(sample_result):
    t = check_benchmarks(sample_result, by="zone").groups
    assert {"retain_upgrade", "land_consolidation", "(all)"} <= set(t.index)
    assert t.loc["retain_upgrade", "output_yi_per_km2"] > t.loc["land_consolidation", "output_yi_per_km2"]


# ---------------------------------------------------------------------------------------
# short leases in retain-upgrade areas


def test_short_leases_in_retained_areas(sample_result):
    r = check_leases(sample_result).parcels
    z = sample_result.parcels["zone"].to_numpy()
    lease = sample_result.parcels["lease_years"].to_numpy()
    want = (z == "retain_upgrade") & (lease < 5)
    short = r["status"] == "fail"
    assert short.to_numpy().tolist() == want.tolist()
    assert (r.loc[z != "retain_upgrade", "status"] == "").all()
    assert "SZ-L1: lease" in r.loc[short, "fix"].iloc[0]
    n3 = int((check_leases(sample_result, min_years=3).parcels["status"] == "fail").sum())
    assert n3 < want.sum()
    assert int((check_leases(sample_result, overrides={"SZ-L1": 3}).parcels["status"] == "fail").sum()) == n3


def test_short_leases_needs_lease_and_zone_columns():
    p = make_parcels([{"parcel_id": "a", "box": (0, 0, 1, 1), "zone": "retain_upgrade"}])
    with pytest.raises(InputError, match="no lease column"):
        check_leases(p)
    with pytest.raises(InputError, match=r"run zoning\.run"):
        check_leases(make_parcels([{"parcel_id": "a", "box": (0, 0, 1, 1), "lease_years": 2}]))
    at = check_leases(make_parcels([{"parcel_id": "a", "box": (0, 0, 1, 1), "zone": "retain_upgrade", "lease_years": 5}])).parcels
    assert at.loc[0, "status"] == "pass"  # exactly 5 years


# ---------------------------------------------------------------------------------------
# CLI


def test_cli_policy_commands(cli, tmp_path):
    parcels = str(zoning.datasets.get_path("parcels"))
    run = CliRunner().invoke
    res = run(cli, ["check-mixed-use", parcels, "-o", str(tmp_path / "mu.gpkg")])
    assert res.exit_code == 1 and "JX-M1" in res.output and "23 fail" in res.output, res.output
    assert run(cli, ["check-mixed-use", parcels, "-o", str(tmp_path / "mu.gpkg"), "--exit-zero", "-q"]).exit_code == 0
    res = run(cli, ["check-enterprises", parcels, "-o", str(tmp_path / "se.gpkg")])
    assert res.exit_code == 0 and "SZE-T13" in res.output and "龙岗区" in res.output, res.output
    res = run(cli, ["check-benchmarks", parcels, "--by", "park", "-o", str(tmp_path / "bm.csv")])
    assert res.exit_code == 0 and "HTP-O1" in res.output and (tmp_path / "bm.csv").exists(), res.output
    projects = tmp_path / "projects.csv"
    pd.DataFrame({"项目名称": ["甲", "乙"], "投资额(亿元)": [6, 0.1], "税收": [3000, 10], "用地面积": [100_000, 5_000]}).to_csv(projects, index=False, encoding="gb18030")
    res = run(cli, ["check-projects", str(projects), "-o", str(tmp_path / "pr.csv")])
    assert res.exit_code == 1 and "province" in res.output and "乙" in res.output, res.output
    assert pd.read_csv(tmp_path / "pr.csv")["tier"].tolist() == ["province", "none"]
    res = run(cli, ["check-benchmarks", parcels, "--by", "no_such_column"])
    assert res.exit_code == 2 and "no_such_column" in res.output
    # the names before 0.2 still run, with a note
    res = run(cli, ["benchmark", parcels, "--by", "park"])
    assert res.exit_code == 0 and "HTP-O1" in res.output and "is now `zoning check-benchmarks`" in res.output


def test_cli_short_leases_from_a_classify_output(cli, tmp_path, sample_result):
    path = tmp_path / "zones.gpkg"
    sample_result.to_file(path)
    res = CliRunner().invoke(cli, ["check-leases", str(path), "-o", str(tmp_path / "short.csv")])
    assert res.exit_code == 0, res.output
    n = int((check_leases(sample_result).parcels["status"] == "fail").sum())
    assert f"{n} of" in res.output and len(pd.read_csv(tmp_path / "short.csv")) == n
    assert np.isfinite(n)


# ---------------------------------------------------------------------------------------
# one shape for every check


def _all_checks(sample_parcels, sample_result):
    old = zoning.read_blocks(zoning.datasets.get_path("blocks"))
    new = zoning.read_blocks(zoning.datasets.get_path("blocks_revised"))
    projects = pd.DataFrame({"project_id": ["A", "B"], "investment_wan": [80_000, 10], "tax_wan": [3_000, 1],
                             "land_area_m2": [100_000, 1_000]})
    return [zoning.check_blocks(sample_parcels, old), zoning.check_balance(old, new), check_mixed_use(sample_parcels),
            check_projects(projects), check_enterprises(sample_parcels), check_benchmarks(sample_parcels, by="park"),
            check_leases(sample_result)]


def test_every_check_returns_a_check_result_of_one_shape(sample_parcels, sample_result, tmp_path):
    from zoning.checks import CheckResult
    from zoning.errors import Problem

    for res in _all_checks(sample_parcels, sample_result):
        name = type(res).__name__
        assert isinstance(res, CheckResult), name
        assert res.rules.pack.name in repr(res) and res.rules.pack.name in res.summary(), name
        assert all(isinstance(p, Problem) for p in res.problems), name
        layers = res.layers()
        assert layers and all(isinstance(v, pd.DataFrame) for v in layers.values()), name
        main = next(iter(layers.values()))
        if "status" in main.columns:
            assert set(main["status"].astype(str)) <= {"pass", "fail", "missing", ""}, name
            assert main["passes"].dtype == bool, name
        assert isinstance(res.passed, bool) and "<" in res._repr_html_(), name
        out = res.to_file(tmp_path / f"{name}.gpkg")
        import pyogrio

        assert sorted(n for n, _ in pyogrio.list_layers(out)) == sorted(layers), name


def test_old_names_are_deprecated_aliases_that_still_work(sample_parcels, sample_result):
    old = zoning.read_blocks(zoning.datasets.get_path("blocks"))
    new = zoning.read_blocks(zoning.datasets.get_path("blocks_revised"))
    with pytest.warns(FutureWarning, match="check_balance"):
        bal = zoning.block_balance(old, new)
    assert bal.districts["balanced"].equals(bal.districts["passes"])
    with pytest.warns(FutureWarning, match="check_enterprises"):
        e = zoning.screen_enterprises(sample_parcels)
    assert (e.parcels["low_end"] == (e.parcels["status"] == "fail")).all()
    with pytest.warns(FutureWarning, match="check_benchmarks"):
        t = zoning.benchmark_table(sample_parcels, by="park")
    assert isinstance(t, pd.DataFrame) and "HTP-T1_meets" in t.columns
    with pytest.warns(FutureWarning, match="check_leases"):
        s = zoning.short_leases(sample_result)
    assert set(s["status"]) <= {"short", "ok", "missing", ""} and "short_lease" in s.columns
    with pytest.warns(FutureWarning, match="BalanceCheck"):
        assert zoning.BlockBalance is zoning.BalanceCheck
    projects = pd.DataFrame({"project_id": ["A"], "investment_wan": [80_000], "tax_wan": [3_000], "land_area_m2": [100_000]})
    res = check_projects(projects)
    with pytest.warns(FutureWarning, match=r"use \.projects"):
        assert res["tier"].tolist() == ["province"]  # DataFrame access, as before 0.2
