"""Summary tables and the self-contained HTML / Markdown report."""

from __future__ import annotations

import html as _html
import re

import pytest

import zoning
from zoning.errors import InputError


def test_html_report_is_self_contained_and_complete(tmp_path, sample_result):
    path = sample_result.to_report(tmp_path / "report.html", lang="zh")
    html = path.read_text(encoding="utf-8")
    # no network: no external scripts, stylesheets or images
    assert not re.search(r'(src|href)="https?://', html)
    assert html.count('src="data:image/png;base64,') >= 1
    # summary by zone against targets, by district, rule pack with statuses, validation
    for text in ("保留提升区", "土地整备区", "连片改造区", "target_share", "achieved", "SZ-C5", "heuristic",
                 "derived", "official", "宝安区", _html.escape(sample_result.validation.summary())):
        assert text in html, text
    # every criterion of the pack is listed
    for c in sample_result.rules.criteria:
        assert c.code in html
    # the resolved median threshold is shown, not only "median"
    assert f"{sample_result.thresholds['SZ-R3']:,.2f}" in html


def test_markdown_report_writes_images_next_to_it(tmp_path, sample_result):
    path = sample_result.to_report(tmp_path / "report.md", lang="en")
    md = path.read_text(encoding="utf-8")
    assert md.startswith("# ")
    assert "| zone |" in md and "Retain-upgrade" in md
    img = re.search(r"!\[zone map\]\(([^)]+)\)", md)
    assert img and (tmp_path / img.group(1)).stat().st_size > 10_000


def test_report_with_block_checks(tmp_path, sample_result):
    check = zoning.check_blocks(sample_result.parcels, zoning.read_blocks(zoning.datasets.get_path("blocks")), rules="guangzhou-2023")
    html = sample_result.to_report(tmp_path / "r.html", blocks=check).read_text(encoding="utf-8")
    assert "GB-14" in html and "industrial_share" in html
    assert html.count('src="data:image/png;base64,') >= 2


def test_bad_report_suffix(tmp_path, sample_result):
    with pytest.raises(InputError, match=r"\.html or \.md"):
        sample_result.to_report(tmp_path / "report.pdf")


def test_summary_targets_are_shares_of_the_stock(sample_result):
    s = sample_result.summary
    stock = sample_result.stock_km2
    assert s.loc["retain_upgrade", "target_share"] == pytest.approx(100 / 260)
    assert s.loc["retain_upgrade", "target_km2"] == pytest.approx(stock * 100 / 260)
    assert s.loc["land_consolidation", "policy_target_km2"] == 25
    got = s.loc["contiguous_renewal", "area_km2"] / s.loc["contiguous_renewal", "target_km2"]
    assert s.loc["contiguous_renewal", "achieved"] == pytest.approx(got)
    assert s.loc["not_industrial", "share_of_stock"] != s.loc["not_industrial", "share_of_stock"]  # NaN: not in the stock
