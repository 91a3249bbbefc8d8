"""The exact packs and the new policies: HTP gross area, industrial-land balance,
先补后占, new land inside blocks, GZ-I1/I2, provenance, Jiaxing park green, per-mu evaluation,
low-efficiency land, Shenzhen block lines, progress toward the targets."""

from __future__ import annotations

import re

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner
from shapely import box

import zoning
from tests.conftest import CRS, X0, Y0, make_parcels
from zoning import read_table
from zoning.rules import available_rules, load_rules, render_rules
from zoning.rules.render import policy_text


def blocks_of(*geoms, district=None, **cols):
    data = {"区块编号": [f"B{i + 1}" for i in range(len(geoms))], **cols}
    if district is not None:
        data["行政区"] = district
    return gpd.GeoDataFrame(data, geometry=[box(X0 + g.bounds[0], Y0 + g.bounds[1], X0 + g.bounds[2], Y0 + g.bounds[3]) for g in geoms],
                            crs=CRS)


# ---------------------------------------------------------------------------------------
# 1. High-Tech Park benchmarks: gross polygon area, parcel-land figure, (all) of grouped parcels


def test_benchmarks_divide_by_the_polygon_area_and_show_the_parcel_land_figure():
    big = {"output_wan": 5.4e6, "value_added_wan": 1.65e6, "tax_wan": 3e5, "energy_tce": 0.113 * 1.65e6}
    # one parcel of 0.5 km² inside a 1 km² park polygon, one parcel with no data, one outside every park
    p = make_parcels([{"parcel_id": "a", "box": (0, 0, 500, 1000), **big},
                      {"parcel_id": "b", "box": (500, 0, 1000, 500)},
                      {"parcel_id": "out", "box": (5000, 0, 6000, 1000), **big}])
    park = gpd.GeoDataFrame({"name": ["P"]}, geometry=[box(X0, Y0, X0 + 1000, Y0 + 1000)], crs=CRS)
    t = zoning.check_benchmarks(p, by=park).groups
    assert t.loc["P", "area_basis"] == "polygon (gross)" and t.loc["P", "area_km2"] == pytest.approx(1.0)
    assert t.loc["P", "output_yi_per_km2"] == pytest.approx(540) and t.loc["P", "HTP-O1"] == "pass"
    assert t.loc["P", "output_yi_per_km2_parcel_land"] == pytest.approx(1080)  # on the 0.5 km² with data
    assert t.loc["P", "data_share"] == pytest.approx(0.5 / 0.75)
    assert t.loc["(all)", "parcels"] == 2  # "out" is in no park and not in (all)
    assert t.loc["P", "HTP-E12"] == "pass" and t.loc["P", "HTP-E13"] == "pass"  # 0.113 ≤ 0.115 ≤ 0.117
    # by a column: parcel land with data, and (all) leaves out parcels without a group
    p["park"] = ["P", "P", None]
    t2 = zoning.check_benchmarks(p, by="park").groups
    assert t2.loc["P", "area_basis"] == "parcel land with data" and t2.loc["P", "output_yi_per_km2"] == pytest.approx(1080)
    assert t2.loc["(all)", "parcels"] == 2
    s = zoning.check_benchmarks(p, by=park).summary()
    assert "upper reference" in s and "HTP-E12" in s and "polygon (gross)" in s


# ---------------------------------------------------------------------------------------
# 2. 占补平衡 of industrial land, 先补后占, new industrial land inside blocks


def test_a_new_block_over_residential_land_does_not_balance_lost_industrial_land():
    p = make_parcels([{"parcel_id": "m", "box": (0, 0, 100, 100), "planned_use": "M1", "district": "A"},
                      {"parcel_id": "r", "box": (200, 0, 300, 100), "planned_use": "R2", "district": "A"}])
    old = blocks_of(box(0, 0, 100, 100), district=["A"])
    new = blocks_of(box(200, 0, 300, 100), district=["A"])
    area_only = zoning.check_balance(old, new)
    assert area_only.districts.loc["A", "passes"] and area_only.districts.loc["A", "GZ-K2"] == ""
    bal = zoning.check_balance(old, new, parcels=p)
    d = bal.districts.loc["A"]
    assert d["GZ-K1"] == "pass" and d["GZ-K2"] == "fail" and not d["passes"]
    assert d["industrial_before_m2"] == pytest.approx(10_000) and d["industrial_after_m2"] == pytest.approx(0)
    assert "loses 1.00 ha" in d["fix"] and "Industrial land inside blocks" in bal.summary()


def test_add_before_remove_with_dates():
    old = blocks_of(box(0, 0, 100, 100), district=["A"], 调整日期=["2024-06-01"])
    late = blocks_of(box(200, 0, 300, 100), district=["A"], 调整日期=["2024-09-01"])
    early = blocks_of(box(200, 0, 300, 100), district=["A"], 调整日期=["2024-03-01"])
    # the new block B1 replaces B1: removed piece dated by the old row, added piece by the new row
    bad = zoning.check_balance(old, late).districts.loc["A"]
    assert bad["GZ-K1"] == "pass" and bad["GZ-K3"] == "fail" and not bad["passes"]
    assert bad["add_before_remove_m2"] == pytest.approx(-10_000) and "先补后占" in bad["fix"]
    good = zoning.check_balance(old, early).districts.loc["A"]
    assert good["GZ-K3"] == "pass" and good["passes"]
    undated = zoning.check_balance(blocks_of(box(0, 0, 100, 100), district=["A"]), blocks_of(box(200, 0, 300, 100), district=["A"]))
    assert undated.districts.loc["A", "GZ-K3"] == "missing" and undated.districts.loc["A", "passes"]  # missing = pass for GZ-K3


def test_new_industrial_land_should_lie_inside_blocks():
    p = make_parcels([{"parcel_id": "in", "box": (0, 0, 100, 100), "planned_use": "M1", "district": "A", "供地年份": 2024},
                      {"parcel_id": "out", "box": (500, 0, 600, 100), "planned_use": "M1", "district": "A", "供地年份": "2023年"},
                      {"parcel_id": "old", "box": (700, 0, 800, 100), "planned_use": "M1", "district": "A", "供地年份": 2010}])
    with pytest.warns(zoning.ZoningWarning, match="supplied since 2023"):
        check = zoning.check_blocks(p, blocks_of(box(0, 0, 100, 100)), rules="guangzhou-2023")
    st = check.parcels.set_index("parcel_id")["GZ-N1"]
    assert st.to_dict() == {"in": "pass", "out": "fail", "old": ""}
    assert "New industrial land (GZ-N1)" in check.summary()


# ---------------------------------------------------------------------------------------
# 3. GZ-I1 quoted whole (as far as the sources go) and its fourth category


def test_gz_i1_quote_and_undetermined_planned_use():
    c = load_rules("guangzhou-2023").criterion("GZ-I1")
    assert "以及现行规划用地性质尚未明确" in c.source and "breaks off" in c.note
    p = make_parcels([{"parcel_id": "a", "box": (0, 0, 100, 100), "planned_use": None, "current_use": "M1", "district": "A"},
                      {"parcel_id": "b", "box": (100, 0, 200, 100), "planned_use": "R2", "current_use": "M1", "district": "A"}])
    check = zoning.check_blocks(p, blocks_of(box(0, 0, 200, 100)), rules="guangzhou-2023")
    assert check.blocks.loc[0, "industrial_share"] == pytest.approx(0.5)
    assert any(pr.code == "undetermined_planned_use" for pr in check.problems)


# ---------------------------------------------------------------------------------------
# 4 and 6. Provenance: statuses, placeholder dates, texts users can open


def test_guangzhou_2024_is_named_and_marked_as_the_sources_give_it():
    g24 = load_rules("guangzhou-2024")
    assert "制造业立市" in g24.pack.policy and str(g24.pack.effective) == "2024-05-14"
    assert g24.criterion("GZ-B1").status == "official-draft" and g24.criterion("GZ-I1").status == "official"
    assert load_rules("guangzhou-2023").criterion("GZ-B1").status == "official-draft"


@pytest.mark.parametrize("name", ["guangzhou-2023", "shenzhen-2011"])
def test_placeholder_dates_say_so_wherever_shown(name, cli):
    pack = load_rules(name)
    assert pack.pack.effective_placeholder
    assert "placeholder" in render_rules(pack) and "placeholder" in render_rules(pack, fmt="markdown")
    assert "placeholder" in CliRunner().invoke(cli, ["rules", "list"]).output


def test_every_pack_points_to_something_a_user_can_read(cli):
    for name in available_rules():
        pack = load_rules(name)
        text = policy_text(pack)
        assert pack.pack.document or text is not None, name
        assert "shared/" not in pack.pack.source, name
        for c in pack.criteria:
            assert "shared/" not in c.source, (name, c.code)
        if text is not None:
            assert text.exists() and text.stat().st_size > 1000
    out = CliRunner().invoke(cli, ["rules", "show", "shenzhen-htp-2012"]).output
    assert "texts/shenzhen-htp-2012.txt" in out and "深圳市人民政府" in out
    assert "每平方公里实现工业总产值540亿元" in policy_text("shenzhen-htp-2012").read_text(encoding="utf-8")


# ---------------------------------------------------------------------------------------
# 5. Jiaxing: Zhejiang standard cited; park green balance counts public green


def test_jiaxing_park_green_counts_public_green_parcels():
    jx = load_rules("jiaxing-2024")
    assert "浙土资发〔2014〕4号" in jx.criterion("JX-F1").source
    rows = [{"parcel_id": "a", "box": (0, 0, 100, 100), "planned_use": "M1", "floor_area_m2": 15_000, "green_ratio": 0.05, "park": "P"},
            {"parcel_id": "g", "box": (100, 0, 150, 100), "planned_use": "G1", "park": "P"}]
    r = zoning.check_mixed_use(make_parcels(rows)).parcels.set_index("parcel_id")
    # park: (0.05 × 1 ha + 0.5 ha of G) / 1.5 ha = 36.7 % ≥ 10 %: carried by the park
    assert r.loc["a", "JX-G1"] == "pass" and "JX-G1" in r.loc["a", "met_through_park"]
    alone = zoning.check_mixed_use(make_parcels(rows[:1])).parcels
    assert alone.loc[0, "JX-G1"] == "fail"


# ---------------------------------------------------------------------------------------
# 7. per-mu evaluation


def _firms_case():
    parcels = make_parcels([{"parcel_id": f"p{i}", "box": (i * 100, 0, i * 100 + 100, 100), "floor_area_m2": 20_000}
                            for i in range(10)])
    firms = pd.DataFrame({"企业编号": [f"f{i}" for i in range(10)] + ["t1"], "宗地编号": [f"p{i}" for i in range(10)] + ["p0"],
                          "用地方式": ["自有"] * 10 + ["租赁"], "企业规模": ["规上"] * 10 + ["规下"],
                          "税收": [float(10 * (i + 1)) for i in range(10)] + [5.0], "租用建筑面积": [np.nan] * 10 + [2_000.0]})
    return firms, parcels


def test_per_mu_scores_follow_the_pack_formula_and_rank_classes():
    firms, parcels = _firms_case()
    ev = zoning.evaluate_firms(firms, parcels, rules="jiangsu-huaian-2024")
    f = ev.firms.set_index("firm_id")
    mu = 10_000 / (10_000 / 15)  # 15 亩 per parcel
    assert f.loc["f0", "land_mu"] == pytest.approx(mu)
    mean_tax_mu = np.mean([10 * (i + 1) / mu for i in range(10)])
    assert f.loc["f9", "HA-1"] == pytest.approx(45 * (100 / mu) / mean_tax_mu)
    # cuts 20 / 60 / 95 %: 2 A, 4 B, 4 C (the bottom 5 % of 10 firms is half a firm: none)
    assert f["class"].value_counts().to_dict() == {"B": 4, "C": 4, "A": 2, "": 1}
    assert f.loc["f9", "class"] == "A" and f.loc["f0", "class"] == "C"
    assert f.loc["t1", "track"] == "" and f.loc["t1", "status"] == ""  # Huai'an has no rented track
    hy = zoning.evaluate_firms(firms, parcels).firms.set_index("firm_id")
    assert hy.loc["t1", "track"] == "rented" and hy.loc["t1", "land_mu"] == pytest.approx(15 * 2_000 / 20_000)
    p = ev.parcels.set_index("parcel_id")
    assert p.loc["p9", "firm_class"] == "A" and p.loc["p0", "firms_rented"] == 1


def test_every_per_mu_number_is_cited():
    for name in ("zhejiang-huangyan-2022", "jiangsu-huaian-2024"):
        fr = load_rules(name).firms
        assert fr is not None and fr.class_source and fr.class_status
        for t in fr.tracks:
            for i in t.indicators:
                assert i.source and i.status in ("official", "official-draft", "derived", "heuristic")
                assert i.benchmark is not None or i.status in ("derived", "official", "heuristic")
    w = [i.weight for i in load_rules("jiangsu-huaian-2024").firms.tracks[0].indicators]
    assert w == [45, 35, 20] and load_rules("jiangsu-huaian-2024").firms.class_cuts == [0.20, 0.60, 0.95]
    hy = {i.code: (i.weight, i.benchmark) for t in load_rules("zhejiang-huangyan-2022").firms.tracks for i in t.indicators}
    assert hy["HY-A1"] == (30, 24.097) and hy["HY-A4"] == (10, 4929.81) and hy["HY-B2"] == (50, 0.2352)


def test_evaluate_firms_on_the_sample_city_and_the_cli(cli, tmp_path):
    firms = read_table(zoning.datasets.get_path("firms"))
    parcels = zoning.read_parcels(zoning.datasets.get_path("parcels"))
    ev = zoning.evaluate_firms(firms, parcels)
    assert (ev.firms["class"] != "").sum() > 3000 and set(ev.firms["status"]) <= {"pass", "fail", "missing", ""}
    assert ev.by_area.loc["(all)", ["A_share", "B_share", "C_share", "D_share"]].sum() == pytest.approx(1.0)
    ax = ev.plot()
    assert next(t.get_text() for t in ax.get_legend().get_texts()).startswith("A (")
    assert "亩均" in ev.report_section(lang="zh")
    res = CliRunner().invoke(cli, ["evaluate-firms", str(zoning.datasets.get_path("firms")), str(zoning.datasets.get_path("parcels")),
                                   "-o", str(tmp_path / "f.gpkg"), "--rules", "jiangsu-huaian-2024"])
    assert res.exit_code == 0 and "jiangsu-huaian-2024" in res.output, res.output
    assert len(gpd.read_file(tmp_path / "f.gpkg", layer="firms")) == len(firms)


def test_per_mu_score_weights_and_benchmarks_can_be_overridden(cli, tmp_path):
    """``CODE.weight`` / ``CODE.benchmark`` (a number or ``mean``) change one term of the score."""
    firms = read_table(zoning.datasets.get_path("firms"))
    parcels = zoning.read_parcels(zoning.datasets.get_path("parcels"))
    base = zoning.evaluate_firms(firms, parcels).firms.set_index("firm_id")
    half = zoning.evaluate_firms(firms, parcels, overrides={"HY-A1.weight": 15}).firms.set_index("firm_id")
    on = base["HY-A1"].notna()
    assert on.sum() > 100
    assert np.allclose(half.loc[on, "HY-A1"], base.loc[on, "HY-A1"] / 2)
    assert np.allclose(half.loc[on, "score"], base.loc[on, "score"] - base.loc[on, "HY-A1"] / 2)
    mean = zoning.evaluate_firms(firms, parcels, overrides={"HY-A1.benchmark": "mean"}).firms.set_index("firm_id")
    x = base.loc[on, "tax_wan_per_mu"]
    assert np.allclose(mean.loc[on, "HY-A1"], 30 * x / x.mean(), equal_nan=True)
    for bad, words in ((("HY-A1", 3), "HY-A1.weight=VALUE"), (("HY-A1.weight", 0), "above 0"),
                       (("HY-A1.benchmark", "x"), "or 'mean'")):
        with pytest.raises(zoning.RulePackError, match=re.escape(words)):
            zoning.evaluate_firms(firms, parcels, overrides=dict([bad]))
    res = CliRunner().invoke(cli, ["evaluate-firms", str(zoning.datasets.get_path("firms")), str(zoning.datasets.get_path("parcels")),
                                   "-o", str(tmp_path / "f.gpkg"), "--set", "HY-A1.weight=15"])
    assert res.exit_code == 0, res.output
    got = gpd.read_file(tmp_path / "f.gpkg", layer="firms").set_index("firm_id")
    assert np.allclose(got.loc[on[on].index, "HY-A1"], half.loc[on, "HY-A1"])


# ---------------------------------------------------------------------------------------
# 8. low-efficiency land


def test_low_efficiency_flags_and_says_what_it_cannot_test():
    p = make_parcels([{"parcel_id": "ok", "box": (0, 0, 100, 100), "current_use": "M1", "output_wan": 1000, "year_built": 2010},
                      {"parcel_id": "stop", "box": (100, 0, 200, 100), "current_use": "M1", "output_wan": 1000, "year_built": 2010,
                       "停产年限": 1.5},
                      {"parcel_id": "late", "box": (200, 0, 300, 100), "current_use": "M1", "output_wan": 1000,
                       "约定竣工年份": 2020},
                      {"parcel_id": "res", "box": (300, 0, 400, 100), "current_use": "R2"}])
    le = zoning.check_low_efficiency(p, reference_year=2025)
    st = le.parcels.set_index("parcel_id")["status"]
    assert st.to_dict() == {"ok": "pass", "stop": "fail", "late": "fail", "res": ""}
    assert not le.criteria.loc["LE-2", "tested"] and le.criteria.loc["LE-4", "tested"]
    assert any("LE-2" in u for u in le.untestable) and "not counted as passed" in le.summary()


# ---------------------------------------------------------------------------------------
# 9. Shenzhen industrial block lines


def test_shenzhen_block_lines_read_the_tier_from_the_sample_blocks(cli, tmp_path):
    parcels = zoning.read_parcels(zoning.datasets.get_path("parcels"))
    blocks = zoning.read_blocks(zoning.datasets.get_path("blocks"))
    check = zoning.check_blocks(parcels, blocks, rules="shenzhen-blocks-2018")
    b = check.blocks.set_index("block_id")
    assert set(b["tier"]) == {"一级", "二级"}
    assert b.loc["GB-03", "threshold"] == 0.70 and b.loc["GB-01", "threshold"] == 0.55  # 一级 / 二级
    assert check.city is not None and check.city.loc["(city)", "criterion"].startswith("SZB-C1")
    res = CliRunner().invoke(cli, ["check-blocks", str(zoning.datasets.get_path("parcels")), str(zoning.datasets.get_path("blocks")),
                                   "-o", str(tmp_path / "sz.gpkg"), "--rules", "shenzhen-blocks-2018", "--exit-zero"])
    assert res.exit_code == 0 and "一级 blocks (区块级别): SZB-B1" in res.output, res.output


# ---------------------------------------------------------------------------------------
# 10. progress toward the targets


def test_progress_per_zone_and_year():
    areas = pd.DataFrame({"zone": ["land_consolidation", "land_consolidation", "contiguous_renewal", "contiguous_renewal"],
                          "land_area_m2": [6e6, 5e6, 4e6, 1e6], "交付状态": ["已完成", "已完成", "已完成", "在建"],
                          "完成年份": [2021, 2022, 2022, 2023]})
    pr = zoning.check_progress(areas, as_of=2022)
    z = pr.zones
    assert z.loc["land_consolidation", "delivered_km2"] == pytest.approx(11) and z.loc["land_consolidation", "status"] == "pass"
    assert z.loc["contiguous_renewal", "expected_km2"] == pytest.approx(10) and z.loc["contiguous_renewal", "status"] == "fail"
    assert z.loc["retain_upgrade", "status"] == ""
    y = pr.by_year.set_index(["zone", "year"])
    assert y.loc[("land_consolidation", 2022), "cumulative_km2"] == pytest.approx(11)
    with pytest.raises(zoning.InputError, match="delivery status"):
        zoning.check_progress(areas.drop(columns="交付状态"))


def test_firm_scores_can_feed_the_zones_as_a_criterion(tmp_path):
    """A pack may add a parcel criterion on firm_score (the per-mu score carried to the parcels)."""
    parcels = zoning.read_parcels(zoning.datasets.get_path("parcels"))
    ev = zoning.evaluate_firms(read_table(zoning.datasets.get_path("firms")), parcels)
    with_score = parcels.assign(firm_score=ev.parcels["firm_score"].to_numpy())
    from zoning.rules import pack_source

    text = pack_source("shenzhen-2020").replace('name = "shenzhen-2020"', 'name = "shenzhen-2020-mu"')
    text = text.replace('criteria = ["SZ-R1", "SZ-R2", "SZ-R3"]\nmin_met = 3', 'criteria = ["SZ-R1", "SZ-R2", "SZ-R3", "SZ-R9"]\nmin_met = 4')
    text += '''
[[criteria]]
code = "SZ-R9"
name_zh = "亩均效益得分较高"
name_en = "per-mu score at least the median"
level = "parcel"
indicator = "firm_score"
op = ">="
quantile = 0.5
unit = "points"
missing = "fail"
status = "heuristic"
source = "optional: zoning.evaluate_firms(...).parcels['firm_score']"
'''
    path = tmp_path / "mu.toml"
    path.write_text(text, encoding="utf-8")
    base = zoning.run(parcels, reference_year=2025)
    r = zoning.run(with_score, str(path), reference_year=2025)
    retained = (r.parcels["zone"] == "retain_upgrade").sum()
    assert 0 < retained < (base.parcels["zone"] == "retain_upgrade").sum()
    assert "SZ-R9" in r.parcels.columns


def test_report_has_a_per_mu_section(tmp_path, sample_result):
    ev = zoning.evaluate_firms(read_table(zoning.datasets.get_path("firms")), zoning.read_parcels(zoning.datasets.get_path("parcels")))
    out = sample_result.to_report(tmp_path / "r.html", firms=ev, lang="en")
    text = out.read_text(encoding="utf-8")
    assert "Per-mu (亩均效益) evaluation" in text and "zhejiang-huangyan-2022" in text and 'alt="firm classes"' in text
