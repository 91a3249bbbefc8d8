"""The one table of human labels: every column a person reads has a label in both languages."""

from __future__ import annotations

import pytest

import zoning
from zoning.outputs.labels import LABELS, fmt_of, format_value, label, table_title, value_label
from zoning.outputs.tables import result_tables


def test_every_column_of_a_run_has_a_label(sample_result):
    check = zoning.check_blocks(sample_result.parcels, zoning.read_blocks(zoning.datasets.get_path("blocks")))
    for name, df in result_tables(sample_result, blocks=check).items():
        for c in df.columns:
            if "（输入）" in str(c) or str(c) in check.blocks.columns.difference(LABELS):  # the user's own columns
                continue
            if c in {k.code for k in check.rules.criteria}:  # criterion columns: named from the pack
                assert label(c, "zh", pack=check.rules) != c
                continue
            assert c in LABELS, f"{name}: {c}"
            assert (label(c, "zh") != c and label(c, "en") != c) or c in ("FAR",)


@pytest.mark.parametrize(("column", "zh", "en"), [
    ("area_ha", "面积（公顷）", "Area (ha)"),
    ("output_wan_per_mu", "亩均产值（万元/亩）", "Output per 亩 (万元/亩)"),
    ("legal_ratio", "合法用地比例", "Legal-land share"),
    ("share_of_stock", "占存量比例", "Share of stock"),
    ("target_km2", "目标（km²）", "Target (km²)"),
    ("achieved", "完成率", "Achieved"),
])
def test_labels_carry_units(column, zh, en):
    assert (label(column, "zh"), label(column, "en")) == (zh, en)


def test_formats_and_values():
    assert fmt_of("share_of_stock") == "pct" and fmt_of("area_km2") == "area" and fmt_of("parcels") == "int"
    assert fmt_of("anything_share") == "pct"  # fallbacks by suffix
    assert format_value(0.3849, "pct") == "38.5%" and format_value(12065.01, "num0") == "12,065"
    assert value_label("retain_upgrade", "zone", "en") == "Retain-upgrade"
    assert value_label("heuristic", "threshold_status", "zh") == "建议值"
    assert value_label("SZ-R1", "code", "zh") == "SZ-R1"
    assert table_title("reasons", "zh") == "地块判定理由"


def test_criterion_columns_named_from_the_pack():
    pack = zoning.load_rules("jiaxing-2024")
    assert label("JX-M1", "zh", pack=pack).startswith("JX-M1 ")
    assert label("JX-M1", "zh") == "JX-M1"
