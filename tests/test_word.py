"""The Word report, read back with python-docx: sections, map images, tables, CJK fonts."""

from __future__ import annotations

import zipfile

import pytest

import zoning
from zoning.outputs.labels import format_value

docx = pytest.importorskip("docx")
from docx.oxml.ns import qn  # noqa: E402


@pytest.fixture(scope="module")
def word(sample_result, tmp_path_factory):
    check = zoning.check_blocks(sample_result.parcels, zoning.read_blocks(zoning.datasets.get_path("blocks")))
    path = sample_result.to_report(tmp_path_factory.mktemp("docx") / "report.docx", lang="zh", blocks=check)
    return path, docx.Document(path)


def test_sections_like_the_html_report(word, sample_result):
    _, doc = word
    assert doc.paragraphs[0].text == sample_result.rules.pack.title_zh
    heads = [p.text for p in doc.paragraphs if p.style.name == "Heading 1"]
    assert heads == ["分区结果", "按行政区统计", "连片区域", "规则包", "数据校验", "工业产业区块检查"]
    text = "\n".join(p.text for p in doc.paragraphs)
    assert "出处（发布机关、日期）：《关于打造高品质产业发展空间" in text and "shared/" not in text


def test_maps_are_embedded_images(word):
    path, doc = word
    assert len(doc.inline_shapes) == 2  # zone map and block map
    with zipfile.ZipFile(path) as z:
        pngs = [n for n in z.namelist() if n.startswith("word/media/") and n.endswith(".png")]
    assert len(pngs) == 2


def test_tables_have_human_headers_and_the_run_numbers(word, sample_result):
    _, doc = word
    summary = doc.tables[1]  # after the run facts
    head = [c.text for c in summary.rows[0].cells]
    assert head[:4] == ["分区", "地块数", "连片区域数", "面积（km²）"] and "完成率" in head
    rows = [[c.text for c in r.cells] for r in summary.rows[1:]]
    assert [r[0] for r in rows] == ["■ 保留提升区", "■ 土地整备区", "■ 连片改造区", "■ 未划定", "■ 非工业"]
    s = sample_result.summary
    k = head.index("面积（km²）")
    assert [r[k] for r in rows] == [format_value(v, "area") for v in s["area_km2"]]
    k = head.index("占存量比例")
    assert rows[0][k] == format_value(s.loc["retain_upgrade", "share_of_stock"], "pct")
    # header rows repeat on every page
    assert summary.rows[0]._tr.trPr.find(qn("w:tblHeader")) is not None
    all_heads = {c.text for t in doc.tables for c in t.rows[0].cells}
    assert {"面积（公顷）", "亩均产值（万元/亩）", "合法用地比例", "工业用地占比"} <= all_heads
    assert not {"cluster_id", "area_ha", "legal_ratio", "share_of_stock"} & all_heads


def test_styles_name_east_asian_fonts(word):
    path, doc = word
    for name in ("Normal", "Heading 1", "Title"):
        fonts = doc.styles[name].element.rPr.find(qn("w:rFonts"))
        assert fonts.get(qn("w:eastAsia")) in ("宋体", "黑体"), name
        assert doc.styles[name].element.rPr.find(qn("w:lang")).get(qn("w:eastAsia")) == "zh-CN"
    with zipfile.ZipFile(path) as z:
        table = z.read("word/fontTable.xml").decode()
    assert 'w:name="宋体"' in table and "SimSun" in table and 'w:val="86"' in table  # GB2312 fallback


def test_wide_tables_on_landscape_pages(word):
    _, doc = word
    orient = [s.orientation for s in doc.sections]
    from docx.enum.section import WD_ORIENT

    assert orient[0] == WD_ORIENT.PORTRAIT and WD_ORIENT.LANDSCAPE in orient
    for s in doc.sections:  # A4, either way round (EMU rounded to twips)
        assert abs(s.page_width - (docx.shared.Mm(210) if s.orientation == WD_ORIENT.PORTRAIT else docx.shared.Mm(297))) < 1000


def test_word_without_python_docx_says_how_to_install(sample_result, tmp_path, monkeypatch):
    import builtins

    real = builtins.__import__

    def no_docx(name, *a, **kw):
        if name == "docx" or name.startswith("docx."):
            raise ImportError(name)
        return real(name, *a, **kw)

    monkeypatch.setattr(builtins, "__import__", no_docx)
    with pytest.raises(zoning.InputError, match=r"zoning\[office\]"):
        sample_result.to_report(tmp_path / "r.docx")
    assert not (tmp_path / "r.docx").exists()
