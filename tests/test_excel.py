"""Excel workbooks of a run and of the policy checks, read back with openpyxl."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pyogrio
import pytest
from click.testing import CliRunner

import zoning
from zoning.outputs.labels import label

openpyxl = pytest.importorskip("openpyxl")

ZH_SHEETS = ["分区汇总", "按行政区", "连片区域", "地块判定理由", "规则包", "数据校验", "运行信息"]


@pytest.fixture(scope="module")
def check(sample_result):
    return zoning.check_blocks(sample_result.parcels, zoning.read_blocks(zoning.datasets.get_path("blocks")))


@pytest.fixture(scope="module")
def written(sample_result, check, tmp_path_factory):
    d = tmp_path_factory.mktemp("xlsx")
    gpkg = sample_result.to_file(d / "zones.gpkg")
    xlsx = sample_result.to_excel(d / "tables.xlsx", lang="zh", blocks=check)
    return gpkg, xlsx


def _sheet(wb, name: str) -> pd.DataFrame:
    rows = list(wb[name].values)
    return pd.DataFrame(rows[1:], columns=rows[0], dtype=object)  # empty cells stay None


def _same_numbers(layer: pd.DataFrame, sheet: pd.DataFrame, columns, lang: str = "zh") -> int:
    """Every number of ``columns`` in the layer equals the sheet's cell exactly (NaN <-> empty)."""
    n = 0
    for c in columns:
        got = sheet[label(c, lang)].tolist()
        want = layer[c].tolist()
        assert len(got) == len(want), c
        for g, w in zip(got, want, strict=True):
            if w is None or (isinstance(w, float) and math.isnan(w)):
                assert g is None, (c, g, w)
            else:
                assert g == w, (c, g, w)  # exact: the same float, not a rounded display
            n += 1
    return n


def test_sheets_headers_and_layout(written):
    wb = openpyxl.load_workbook(written[1])
    assert wb.sheetnames == [*ZH_SHEETS[:-1], "工业产业区块", "行政区检查", "检查条件", "运行信息"]
    ws = wb["分区汇总"]
    head = [c.value for c in ws[1]]
    assert head[:4] == ["分区", "地块数", "连片区域数", "面积（km²）"]
    assert {"占存量比例", "目标占比", "目标（km²）", "完成率"} <= set(head)
    assert [ws.cell(r, 1).value for r in range(2, 7)] == ["保留提升区", "土地整备区", "连片改造区", "未划定", "非工业"]
    assert ws.freeze_panes == "B2" and ws.auto_filter.ref.startswith("A1:")
    share = head.index("占存量比例") + 1
    area = head.index("面积（km²）") + 1
    assert ws.cell(2, share).number_format == "0.0%" and ws.cell(2, area).number_format == "#,##0.00"
    assert ws.column_dimensions["A"].width >= 10
    assert ws.page_setup.orientation == "landscape" and ws.page_setup.fitToWidth == 1 and ws.print_title_rows == "$1:$1"
    for name in ("连片区域", "地块判定理由", "规则包"):
        assert wb[name].freeze_panes in ("A2", "B2")
    assert wb.properties.language == "zh-CN"


def test_numbers_equal_the_geopackage_layers(written):
    gpkg, xlsx = written
    wb = openpyxl.load_workbook(xlsx)
    summary = pyogrio.read_dataframe(gpkg, layer="summary")
    by_district = pyogrio.read_dataframe(gpkg, layer="by_district")
    areas = pyogrio.read_dataframe(gpkg, layer="areas")
    num = lambda df: [c for c in df.columns if pd.api.types.is_numeric_dtype(df[c]) and not pd.api.types.is_bool_dtype(df[c])]  # noqa: E731
    n = _same_numbers(summary, _sheet(wb, "分区汇总"), num(summary))
    n += _same_numbers(by_district, _sheet(wb, "按行政区"), num(by_district))
    sheet = _sheet(wb, "连片区域")
    assert sheet[label("cluster_id", "zh")].tolist() == areas["cluster_id"].tolist()
    n += _same_numbers(areas, sheet, [c for c in num(areas) if c != "rank"])
    assert n > 1000
    # the zone column shows labels, the GeoPackage keeps ids
    assert set(sheet["分区"]) <= {"保留提升区", "土地整备区", "连片改造区", "未划定"}
    assert set(areas["zone"]) <= set(zoning.ZONES)


def test_reasons_rules_and_validation(written, sample_result):
    wb = openpyxl.load_workbook(written[1])
    reasons = _sheet(wb, "地块判定理由")
    want = sample_result.reasons()
    assert len(reasons) == len(want) and list(reasons.columns)[:3] == ["宗地编号", "编号", "条件"]
    assert set(reasons["结果"]) <= {"通过", "未通过", "缺失"}
    rules = _sheet(wb, "规则包")
    assert set(rules["编号"]) >= {c.code for c in sample_result.rules.criteria}
    assert set(rules["阈值状态"]) <= {"政策原文", "推算", "建议值"}
    assert not rules["依据"].str.contains("shared/").any()
    # the resolved median is the number the run used
    assert rules.set_index("编号").loc["SZ-R3", "实际阈值"] == f"{sample_result.thresholds['SZ-R3']:,.2f}"
    assert list(_sheet(wb, "数据校验").columns) == ["级别", "编号", "字段", "数量", "地块编号", "问题", "处理建议"]
    about = dict(wb["运行信息"].values)
    assert "深圳市城市更新和土地整备局" in about["政策 · 出处（发布机关、日期）"]


def test_block_check_sheets_equal_the_check_layers(written, check, tmp_path):
    gpkg = check.to_file(tmp_path / "blocks.gpkg")
    wb = openpyxl.load_workbook(written[1])
    blocks = pyogrio.read_dataframe(gpkg, layer="blocks")
    sheet = _sheet(wb, "工业产业区块")
    assert sheet["区块编号"].tolist() == blocks["block_id"].tolist()
    _same_numbers(blocks, sheet, ["block_area_m2", "industrial_area_m2", "industrial_share", "threshold", "shortfall_mu"])
    head = [c.value for c in wb["工业产业区块"][1]]
    assert wb["工业产业区块"].cell(2, head.index("工业用地占比") + 1).number_format == "0.0%"
    assert "区块编号（输入）" in head  # the user's own id column, after the check's columns
    districts = pyogrio.read_dataframe(gpkg, layer="districts")
    _same_numbers(districts, _sheet(wb, "行政区检查"), ["planned_industrial_m2", "inside_blocks_m2", "coverage"])


def test_english_workbook(sample_result, tmp_path):
    wb = openpyxl.load_workbook(sample_result.to_excel(tmp_path / "t.xlsx", lang="en"))
    assert wb.sheetnames == ["Summary", "By district", "Contiguous areas", "Reasons per parcel", "Rule pack",
                             "Validation", "About this run"]
    assert [c.value for c in wb["Summary"][1]][:4] == ["Zone", "Parcels", "Areas", "Area (km²)"]
    assert wb["Summary"].cell(2, 1).value == "Retain-upgrade"


@pytest.mark.parametrize("make", ["mixed_use", "enterprises", "balance", "projects", "benchmarks"])
def test_every_check_writes_a_workbook(make, sample_parcels, tmp_path):
    from zoning.outputs.excel import check_to_excel

    if make == "mixed_use":
        res = zoning.check_mixed_use(sample_parcels)
        gpkg = res.to_file(tmp_path / "c.gpkg")
        layer, sheet = "parcels", "地块"
    elif make == "enterprises":
        res = zoning.check_enterprises(sample_parcels)
        gpkg = res.to_file(tmp_path / "c.gpkg")
        layer, sheet = "parcels", "地块"
    elif make == "balance":
        res = zoning.check_balance(zoning.read_blocks(zoning.datasets.get_path("blocks")),
                                   zoning.read_blocks(zoning.datasets.get_path("blocks_revised")))
        gpkg = res.to_file(tmp_path / "c.gpkg")
        layer, sheet = "changes", "区块变化"
    elif make == "projects":
        res = zoning.check_projects(pd.DataFrame({"project_id": ["P1", "P2"], "investment_wan": [60000.0, 5000.0],
                                                  "tax_wan": [1600.0, 10.0], "land_area_m2": [66667.0, 33333.0]}))
        gpkg, layer, sheet = None, None, "项目"
    else:
        res = zoning.check_benchmarks(sample_parcels)
        gpkg = res.to_file(tmp_path / "c.gpkg")
        layer, sheet = next(iter(res.layers())), None
    wb = openpyxl.load_workbook(check_to_excel(res, tmp_path / "c.xlsx", lang="zh"))
    sheet = sheet or wb.sheetnames[0]
    assert sheet in wb.sheetnames and wb.sheetnames[-1] == "运行信息"
    assert len(wb.sheetnames) == len(res.layers()) + 1 if hasattr(res, "layers") else True
    got = _sheet(wb, sheet)
    if gpkg is not None:
        assert len(got) == len(pyogrio.read_dataframe(gpkg, layer=layer))  # the rows the GeoPackage layer holds
    else:
        assert len(got) == len(res)


def test_long_tables_continue_on_more_sheets(sample_result, tmp_path, monkeypatch):
    monkeypatch.setattr("zoning.outputs.excel.MAX_ROWS", 10_000)
    wb = openpyxl.load_workbook(sample_result.to_excel(tmp_path / "t.xlsx", lang="zh"), read_only=True)
    parts = [n for n in wb.sheetnames if n.startswith("地块判定理由")]
    assert parts == ["地块判定理由 (1)", "地块判定理由 (2)", "地块判定理由 (3)"]
    assert sum(wb[n].max_row - 1 for n in parts) == len(sample_result.reasons())


def test_bad_suffix(sample_result, tmp_path):
    with pytest.raises(zoning.InputError, match=r"\.xlsx"):
        sample_result.to_excel(tmp_path / "t.xls")


def test_cli_classify_and_check_blocks_write_workbooks(cli, tmp_path):
    parcels, blocks = zoning.datasets.get_path("parcels"), zoning.datasets.get_path("blocks")
    res = CliRunner().invoke(cli, ["classify", str(parcels), "-o", str(tmp_path / "z.gpkg"), "--lang", "zh",
                                   "--reference-year", "2025", "--xlsx", str(tmp_path / "z.xlsx"),
                                   "--report", str(tmp_path / "z.docx")])
    assert res.exit_code == 0, res.output
    assert "面积（km²）" in res.output and "占存量比例" in res.output  # printed headers from the same labels
    assert openpyxl.load_workbook(tmp_path / "z.xlsx").sheetnames == ZH_SHEETS
    assert (tmp_path / "z.docx").stat().st_size > 50_000
    res = CliRunner().invoke(cli, ["check-blocks", str(parcels), str(blocks), "-o", str(tmp_path / "b.gpkg"),
                                   "--xlsx", str(tmp_path / "b.xlsx"), "--lang", "en", "--exit-zero"])
    assert res.exit_code == 0, res.output
    assert openpyxl.load_workbook(tmp_path / "b.xlsx").sheetnames == ["Industrial blocks", "Districts", "Parcels",
                                                                       "Criteria", "About this run"]


def test_demo_writes_workbook_and_word_report(cli, tmp_path):
    pytest.importorskip("docx")
    res = CliRunner().invoke(cli, ["demo", "--out", str(tmp_path)])
    assert res.exit_code == 0, res.output
    for name in ("zones.gpkg", "report.html", "tables.xlsx", "report.docx"):
        assert (tmp_path / name).exists(), name
    wb = openpyxl.load_workbook(tmp_path / "tables.xlsx")
    assert wb.sheetnames == ZH_SHEETS
    summary = pyogrio.read_dataframe(tmp_path / "zones.gpkg", layer="summary")
    assert _same_numbers(summary, _sheet(wb, "分区汇总"), ["area_km2", "share_of_stock", "achieved"]) == 15
    assert np.isclose(sum(v for v in _sheet(wb, "分区汇总")["面积（km²）"]), summary["area_km2"].sum())


@pytest.mark.parametrize("args", [
    ["check-mixed-use", "{parcels}", "-o", "{out}.gpkg", "--exit-zero"],
    ["check-enterprises", "{parcels}", "-o", "{out}.gpkg"],
    ["check-benchmarks", "{parcels}"],
    ["check-balance", "{blocks}", "{revised}", "-o", "{out}.gpkg", "--exit-zero"],
])
def test_cli_checks_take_xlsx(cli, tmp_path, args):
    paths = {"parcels": zoning.datasets.get_path("parcels"), "blocks": zoning.datasets.get_path("blocks"),
             "revised": zoning.datasets.get_path("blocks_revised"), "out": tmp_path / "o"}
    argv = [a.format(**paths) for a in args] + ["--xlsx", str(tmp_path / "o.xlsx"), "--lang", "en"]
    res = CliRunner().invoke(cli, argv)
    assert res.exit_code == 0, res.output
    assert f"wrote {tmp_path / 'o.xlsx'}" in res.output
    wb = openpyxl.load_workbook(tmp_path / "o.xlsx", read_only=True)
    assert wb.sheetnames[-1] == "About this run" and len(wb.sheetnames) >= 2


def test_xlsx_may_not_overwrite_an_input(cli, tmp_path):
    import shutil

    shutil.copy(zoning.datasets.get_path("parcels"), tmp_path / "parcels.gpkg")
    res = CliRunner().invoke(cli, ["check-mixed-use", str(tmp_path / "parcels.gpkg"), "-o", str(tmp_path / "o.gpkg"),
                                   "--xlsx", str(tmp_path / "parcels.gpkg"), "--exit-zero"])
    assert res.exit_code == 2 and "--xlsx" in res.output
    res = CliRunner().invoke(cli, ["classify", str(tmp_path / "parcels.gpkg"), "-o", str(tmp_path / "z.gpkg"),
                                   "--xlsx", str(tmp_path / "parcels.gpkg")])
    assert res.exit_code == 2 and "--xlsx" in res.output
    assert (tmp_path / "parcels.gpkg").stat().st_size == zoning.datasets.get_path("parcels").stat().st_size
