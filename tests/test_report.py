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
    for text in ("保留提升区", "土地整备区", "连片改造区", "目标占比", "完成率", "SZ-C5", "建议值",
                 "推算", "政策原文", "宝安区", sample_result.validation.summary()):
        assert text in _html.unescape(html), text
    # every criterion of the pack is listed
    for c in sample_result.rules.criteria:
        assert c.code in html
    # the resolved median threshold is shown, not only "median"
    assert f"{sample_result.thresholds['SZ-R3']:,.2f}" in html


def test_markdown_report_writes_images_next_to_it(tmp_path, sample_result):
    path = sample_result.to_report(tmp_path / "report.md", lang="en")
    md = path.read_text(encoding="utf-8")
    assert md.startswith("# ")
    assert "| Zone |" in md and "Retain-upgrade" in md
    img = re.search(r"!\[zone map\]\(([^)]+)\)", md)
    assert img and (tmp_path / img.group(1)).stat().st_size > 10_000


def test_report_with_block_checks(tmp_path, sample_result):
    check = zoning.check_blocks(sample_result.parcels, zoning.read_blocks(zoning.datasets.get_path("blocks")), rules="guangzhou-2023")
    html = sample_result.to_report(tmp_path / "r.html", blocks=check).read_text(encoding="utf-8")
    assert "GB-14" in html and "Industrial share" in html  # the run's language (en)
    html = sample_result.to_report(tmp_path / "r.html", blocks=check, lang="zh").read_text(encoding="utf-8")
    assert "工业用地占比" in html
    assert html.count('src="data:image/png;base64,') >= 2


def test_bad_report_suffix(tmp_path, sample_result):
    with pytest.raises(InputError, match=r"\.html, \.md or \.docx"):
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


# --- human labels, print-ready pages, one model for every format ---------------------------


def _cells(html: str, tag: str) -> list[str]:
    return [re.sub(r"<[^>]+>", "", c) for c in re.findall(rf"<{tag}[^>]*>(.*?)</{tag}>", html, flags=re.S)]


def test_chinese_report_has_human_headers_and_zone_labels(tmp_path, sample_result):
    html = sample_result.to_report(tmp_path / "r.html", lang="zh").read_text(encoding="utf-8")
    headers = set(_cells(html, "th"))
    for h in ("面积（公顷）", "亩均产值（万元/亩）", "合法用地比例", "占存量比例", "目标（km²）", "完成率", "区域编号"):
        assert h in headers, h
    for code in ("cluster_id", "area_ha", "share_of_stock", "legal_ratio", "output_wan_per_mu", "target_km2"):
        assert code not in headers, code
    cells = set(_cells(html, "td"))
    assert "土地整备区" in cells and "land_consolidation" not in cells
    # the zone label stays on one line with its swatch
    assert re.search(r'<td class="short zone"><span class="swatch" style="background:#[0-9a-f]{6}"></span>土地整备区</td>', html)


def test_html_is_print_ready(tmp_path, sample_result):
    check = zoning.check_blocks(sample_result.parcels, zoning.read_blocks(zoning.datasets.get_path("blocks")))
    html = sample_result.to_report(tmp_path / "r.html", lang="zh", blocks=check).read_text(encoding="utf-8")
    assert "@media print" in html and "@page wide" in html and "size: A4 landscape" in html
    # no table scrolls sideways on screen; wide ones (many columns with free text) print on landscape pages
    assert "overflow-x" not in html
    assert re.search(r'<section id="areas" class="wide">', html) and re.search(r'<section id="blocks" class="wide">', html)
    assert re.search(r'<section id="by_district">', html)  # nine short columns fit a portrait page
    assert "thead { display: table-header-group; }" in html


def test_sources_read_as_documents_not_paths(tmp_path, sample_result):
    html = sample_result.to_report(tmp_path / "r.html", lang="zh").read_text(encoding="utf-8")
    assert "shared/" not in html and ".txt" not in html and "shipped" not in html
    rules = html[html.index('<section id="rules"'):]
    facts = dict(zip(_cells(rules, "dt"), _cells(rules, "dd"), strict=False))
    assert facts["文件"].startswith("《关于打造高品质产业发展空间")
    assert "深圳市城市更新和土地整备局, 2020-06-05" in facts["出处（发布机关、日期）"]
    assert facts["施行日期"] == "2020-06-04" and "zoning rules show shenzhen-2020" in facts["原文"]


def test_one_model_for_html_markdown_and_word(tmp_path, sample_result):
    pytest.importorskip("docx")
    import docx

    from zoning.outputs.report import build_report

    model = build_report(sample_result, lang="en", maps=False)
    titles = [s.title for s in model.sections]
    html = sample_result.to_report(tmp_path / "r.html", lang="en").read_text(encoding="utf-8")
    md = sample_result.to_report(tmp_path / "r.md", lang="en").read_text(encoding="utf-8")
    doc = docx.Document(sample_result.to_report(tmp_path / "r.docx", lang="en"))
    assert _cells(html, "h2") == titles
    assert re.findall(r"^## (.+)$", md, flags=re.M) == titles
    assert [p.text for p in doc.paragraphs if p.style.name == "Heading 1"] == titles
    # the same summary header row everywhere
    head = model.sections[0].tables[0].columns
    assert "| " + " | ".join(head) + " |" in md
    assert [c.text for c in doc.tables[1].rows[0].cells] == head


def test_templates_ship_with_the_package():
    from importlib.resources import files

    for name in ("report.html.j2", "report.md.j2"):
        text = (files("zoning.outputs") / "templates" / name).read_text(encoding="utf-8")
        assert "report.sections" in text


def test_report_write_is_atomic(tmp_path, sample_result, monkeypatch):
    path = tmp_path / "r.html"
    path.write_text("old report", encoding="utf-8")

    def boom(model):
        raise RuntimeError("disk full")

    monkeypatch.setattr("zoning.outputs.report.render_html", boom)
    with pytest.raises(RuntimeError):
        sample_result.to_report(path)
    assert path.read_text(encoding="utf-8") == "old report"
    assert [p.name for p in tmp_path.iterdir()] == ["r.html"]
