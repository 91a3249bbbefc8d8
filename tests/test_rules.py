"""Rule packs: shipped packs load, the loader is strict, overrides work, rendering is complete."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from zoning.errors import RulePackError
from zoning.rules import available_rules, load_rules, render_rules, rules_table
from zoning.rules.loader import _read

SZ = _read("shenzhen-2020")[0]


def write(tmp_path: Path, text: str) -> Path:
    p = tmp_path / "pack.toml"
    p.write_text(text, encoding="utf-8")
    return p


@pytest.mark.parametrize("name", available_rules())
def test_shipped_packs_load_and_every_threshold_is_documented(name):
    pack = load_rules(name)
    assert pack.pack.name == name
    for c in pack.criteria:
        assert c.name_zh and c.name_en and c.source and c.unit
        assert c.status in ("official", "official-draft", "derived", "heuristic")
    for p in pack.parameters:
        assert p.source and p.unit


def test_shenzhen_pack_encodes_the_000_criteria():
    pack = load_rules("shenzhen-2020")
    indicators = {c.indicator for c in pack.criteria}
    # retain: condition, age, output; consolidation/renewal: planned use, output, legal share, quality, FAR, area
    assert {"building_quality", "building_age", "output_wan_per_mu", "planned_class", "legal_ratio", "far", "zone_area_ha"} <= indicators
    assert pack.criterion("SZ-C1").status == "official"
    assert pack.targets.zones["retain_upgrade"].km2 == 100
    assert pack.targets.stock_km2 == 260


def test_unknown_key_is_an_error_naming_file_and_key(tmp_path):
    text = SZ.replace('code = "SZ-C5"', 'code = "SZ-C5"\nthreshhold = 3')
    p = write(tmp_path, text)
    with pytest.raises(RulePackError) as err:
        load_rules(p)
    msg = str(err.value)
    assert str(p) in msg and "criteria[" in msg and "SZ-C5" in msg and "threshhold" in msg and "unknown key" in msg


def test_wrong_unit_is_an_error_listing_accepted_units(tmp_path):
    text = SZ.replace('value = 1.5\nunit = "ratio"', 'value = 1.5\nunit = "m2"')
    with pytest.raises(RulePackError, match=r"SZ-C5.*unit 'm2' does not fit indicator 'far'.*accepted units: ratio"):
        load_rules(write(tmp_path, text))


def test_bad_value_and_bad_status_are_errors(tmp_path):
    text = SZ.replace('value = 1.5\nunit = "ratio"', 'value = "high"\nunit = "ratio"')
    with pytest.raises(RulePackError, match="value must be a number"):
        load_rules(write(tmp_path, text))
    text = SZ.replace('status = "derived"', 'status = "guess"', 1)
    with pytest.raises(RulePackError, match="status"):
        load_rules(write(tmp_path, text))


def test_invalid_toml_and_missing_file_and_unknown_name(tmp_path):
    with pytest.raises(RulePackError, match="not valid TOML"):
        load_rules(write(tmp_path, "[pack\nname="))
    with pytest.raises(RulePackError, match="file not found"):
        load_rules(tmp_path / "nope.toml")
    with pytest.raises(RulePackError, match=r"shipped packs: .*shenzhen-2020"):
        load_rules("shenzhen-2099")


def test_unknown_criterion_reference_is_caught(tmp_path):
    text = SZ.replace('criteria = ["SZ-R1", "SZ-R2", "SZ-R3"]', 'criteria = ["SZ-R1", "SZ-R2", "SZ-R9"]')
    with pytest.raises(RulePackError, match="unknown criterion 'SZ-R9'"):
        load_rules(write(tmp_path, text))


def test_overrides_absolute_quantile_grade_and_parameter():
    pack = load_rules("shenzhen-2020", overrides={"SZ-C5": "1.2", "SZ-R3": "q0.6", "SZ-R1": "一般", "gap_m": 40})
    assert pack.criterion("SZ-C5").value == 1.2
    assert pack.criterion("SZ-R3").quantile == 0.6 and pack.criterion("SZ-R3").value is None
    assert pack.criterion("SZ-R1").value == "fair"
    assert pack.parameter("gap_m").value == 40
    # quantile criterion set to an absolute number
    assert load_rules("shenzhen-2020", overrides={"SZ-R3": 500}).criterion("SZ-R3").value == 500
    # the packaged file is untouched
    assert load_rules("shenzhen-2020").criterion("SZ-C5").value == 1.5


@pytest.mark.parametrize(("key", "value", "match"), [
    ("SZ-X9", 1, "no criterion or parameter 'SZ-X9'.*valid: SZ-R1"),
    ("SZ-C5", "lots", "expects a number in ratio"),
    ("SZ-R1", "excellent-ish", "expects a grade"),
    ("gap_m", "wide", "expects a number in m"),
    ("gap_m", -5, "must not be negative"),
])
def test_bad_overrides(key, value, match):
    with pytest.raises(RulePackError, match=match):
        load_rules("shenzhen-2020", overrides={key: value})


def test_rendering_lists_every_code_with_status_and_source():
    pack = load_rules("shenzhen-2020")
    text = render_rules(pack)
    md = render_rules(pack, fmt="markdown", lang="zh")
    for c in [*pack.criteria, *pack.parameters]:
        assert c.code in text and c.code in md
    assert "derived" in text and "heuristic" in text and "official" in text
    assert "规划主导功能为工业" in md
    t = rules_table(pack)
    assert t.loc["SZ-S1", "status"] == "heuristic"
    assert re.search(r"legal_ratio < 60 ?%|legal_ratio < 0.6", t.loc["SZ-S1", "test"])
