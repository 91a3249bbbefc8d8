"""Maps, tested on their artists: colours, legend texts, fonts, map elements, files."""

from __future__ import annotations

import warnings
from types import SimpleNamespace

import geopandas as gpd
import matplotlib as mpl
import matplotlib.pyplot as plt
import numpy as np
import pytest
import shapely
from matplotlib import font_manager as fm
from matplotlib.colors import to_rgba
from matplotlib.path import Path

import zoning
import zoning.outputs.plotting
from zoning.errors import InputError
from zoning.outputs._fonts import _covers, find_cjk_font
from zoning.outputs.plotting import _round_length, plot_blocks, plot_zones, save_map

needs_cjk = pytest.mark.skipif(find_cjk_font() is None, reason="no CJK font on this machine")
ZONES = ["retain_upgrade", "land_consolidation", "contiguous_renewal", "unzoned", "not_industrial"]


def _by_gid(ax, prefix):
    found = {}
    for a in [*ax.collections, *ax.images, *ax.artists, *ax.texts]:
        gid = a.get_gid()
        if gid and gid.startswith(prefix):
            found.setdefault(gid, []).append(a)
    return found


def _draw(fig):
    """Draw and return the warnings matplotlib gave (missing glyphs are warnings)."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        fig.canvas.draw()
    return [str(w.message) for w in caught]


def _all_texts(fig):
    return [t for t in fig.findobj(mpl.text.Text) if t.get_text().strip() and t.get_visible()]


# -- colours and legend -----------------------------------------------------------------------

def _n_vertices(colls):
    return sum(len(p.vertices) for (c,) in colls.values() for p in c.get_paths())


@pytest.mark.parametrize("mode", ["all", "dissolved"])
def test_each_zone_has_its_pack_colour(sample_result, mode):
    ax = plot_zones(sample_result, parcels=mode, lang="zh")
    colls = _by_gid(ax, "zone:")
    assert {g.removeprefix("zone:") for g in colls} == set(sample_result.parcels["zone"])
    for gid, (coll,) in colls.items():
        want = to_rgba(sample_result.rules.zones[gid.removeprefix("zone:")].color)
        fc = coll.get_facecolor()
        assert len(fc) >= 1
        assert np.allclose(fc, want), gid


def test_every_parcel_or_the_dissolved_zones_are_drawn(sample_result):
    p, z = sample_result.parcels, sample_result.zones
    n = int(shapely.get_num_coordinates(p.geometry.to_numpy()).sum())
    assert _n_vertices(_by_gid(plot_zones(sample_result, parcels="all", lang="zh"), "zone:")) == n
    zoned = p["zone"].isin(ZONES[:3]).to_numpy()
    want = (int(shapely.get_num_coordinates(z.geometry.to_numpy()).sum())
            + int(shapely.get_num_coordinates(p.geometry.to_numpy()[~zoned]).sum()))
    assert _n_vertices(_by_gid(plot_zones(sample_result, parcels="dissolved", lang="zh"), "zone:")) == want
    assert want < n


def test_large_inputs_draw_dissolved_zones(sample_result, monkeypatch):
    monkeypatch.setattr(zoning.outputs.plotting, "MAX_PARCELS_DRAWN", 1000)
    ax = plot_zones(sample_result, lang="zh")
    (coll,) = _by_gid(ax, "zone:retain_upgrade")["zone:retain_upgrade"]
    assert coll.get_rasterized()  # an image layer in PDF/SVG
    n = sum(len(p.vertices) for p in coll.get_paths())
    ru = sample_result.zones[sample_result.zones["zone"] == "retain_upgrade"]
    assert n == int(shapely.get_num_coordinates(ru.geometry.to_numpy()).sum())


def test_legend_lists_zones_in_pack_order_with_areas(sample_result):
    ax = plot_zones(sample_result, lang="zh")
    texts = [t.get_text() for t in ax.get_legend().get_texts()]
    s = sample_result.summary
    want = [f"{s.loc[z, 'label_zh']}  {s.loc[z, 'area_km2']:.2f} km²" for z in sample_result.rules.zones]
    assert texts[:5] == want
    assert texts[0] == "保留提升区  3.81 km²"
    assert texts[5] == "行政区界"
    patches = ax.get_legend().get_patches()
    for patch, z in zip(patches, sample_result.rules.zones, strict=False):
        assert np.allclose(patch.get_facecolor(), to_rgba(sample_result.rules.zones[z].color))


def test_english_legend(sample_result):
    ax = plot_zones(sample_result, lang="en")
    texts = [t.get_text() for t in ax.get_legend().get_texts()]
    assert texts[0] == "Retain-upgrade  3.81 km²"
    assert texts[-1] == "District boundary"
    assert ax.get_legend().get_title().get_text() == "Legend"


def test_result_plot_delegates(sample_result):
    ax = sample_result.plot(lang="en", districts=False)
    assert [t.get_text() for t in ax.get_legend().get_texts()][1].startswith("Land consolidation")


# -- Chinese text -----------------------------------------------------------------------------

@needs_cjk
def test_chinese_text_renders_without_missing_glyphs(sample_result):
    ax = plot_zones(sample_result, lang="zh")
    messages = _draw(ax.figure)
    assert not [m for m in messages if "missing from font" in m]
    title = _by_gid(ax, "title")["title"][0]
    assert title.get_text() == "工业用地分区图"
    assert title.get_fontfamily()[0] == find_cjk_font()
    for text in _all_texts(ax.figure):
        chars = "".join(ch for ch in text.get_text() if ord(ch) > 0x2E80)
        if chars:
            path = fm.findfont(text.get_fontproperties(), fallback_to_default=False)
            assert _covers(path, 0, chars), (text.get_text(), path)


@needs_cjk
def test_saving_after_the_call_still_renders_chinese(sample_result, tmp_path):
    # the Jupyter case: the figure is drawn after plot_zones has returned
    ax = plot_zones(sample_result, lang="zh")
    assert mpl.rcParams["font.family"] == mpl.rcParamsDefault["font.family"]
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        ax.figure.savefig(tmp_path / "later.png", dpi=50)
    assert not [w for w in caught if "missing from font" in str(w.message)]


def test_no_rcparams_change(sample_result):
    before = {k: v for k, v in mpl.rcParams.items()}
    ax = plot_zones(sample_result, lang="zh")
    _draw(ax.figure)
    plot_blocks(_check())
    assert {k: v for k, v in mpl.rcParams.items()} == before


# -- map elements -----------------------------------------------------------------------------

def test_scalebar_north_arrow_title_note(sample_result):
    ax = plot_zones(sample_result, lang="zh")
    found = _by_gid(ax, "")
    assert "scalebar" in found
    assert "north_arrow" in found
    texts = [t.get_text() for t in ax.figure.findobj(mpl.text.Text)]
    assert "10 km" in texts  # round length, a fifth of a 64 km wide map at most
    assert "N" in texts
    note = found["note"][0].get_text()
    for bit in ("shenzhen-2020", "阈值模式", "2025", "EPSG:4547", "合成示例数据"):
        assert bit in note
    assert found["subtitle"][0].get_text() == sample_result.rules.pack.title_zh


@pytest.mark.parametrize(("target", "expected"), [(12_700, 10_000), (4_999, 2_000), (5_000, 5_000), (730, 500), (1.9, 1)])
def test_round_scalebar_lengths(target, expected):
    assert _round_length(target) == expected


def test_map_elements_can_be_switched_off(sample_result):
    ax = plot_zones(sample_result, legend=False, scalebar=False, north_arrow=False, districts=False,
                    title="", note="")
    found = _by_gid(ax, "")
    assert ax.get_legend() is None
    assert not {"scalebar", "north_arrow", "districts", "district_label", "title", "note"} & set(found)


def test_custom_title(sample_result):
    ax = plot_zones(sample_result, title="宝安区工业用地分区（征求意见稿）", lang="zh")
    found = _by_gid(ax, "")
    assert found["title"][0].get_text() == "宝安区工业用地分区（征求意见稿）"
    assert "subtitle" not in found


def test_ax_passed_in_is_returned(sample_result):
    _, (ax1, ax2) = plt.subplots(1, 2)
    assert plot_zones(sample_result, ax=ax2, lang="zh") is ax2
    assert ax1.get_legend() is None


def test_legend_and_labels_do_not_cover_data(sample_result):
    ax = plot_zones(sample_result, lang="zh")
    fig = ax.figure
    fig.canvas.draw()
    renderer = fig.canvas.get_renderer()
    frame = ax.get_window_extent(renderer)
    assert not ax.get_legend().get_window_extent(renderer).overlaps(frame)
    labels = _by_gid(ax, "district_label")["district_label"]
    assert {"宝安区", "龙岗区", "龙华区", "光明区", "坪山区", "南山区"} <= {t.get_text() for t in labels}
    inv = ax.transData.inverted()
    parcels = sample_result.parcels
    for t in labels:
        (x0, y0), (x1, y1) = inv.transform(t.get_window_extent(renderer).get_points())
        hits = parcels.sindex.query(shapely.box(x0, y0, x1, y1), predicate="intersects")
        assert len(hits) == 0, t.get_text()


def test_districts_from_a_layer_or_off(sample_result):
    d = gpd.read_file(zoning.datasets.get_path("districts"))
    ax = plot_zones(sample_result, districts=d, lang="en")
    labels = {t.get_text() for t in _by_gid(ax, "district_label")["district_label"]}
    assert "Bao'an" in labels
    ax = plot_zones(sample_result, districts=False, lang="zh")
    assert "districts" not in _by_gid(ax, "")
    with pytest.raises(InputError, match="does not exist"):
        plot_zones(sample_result, districts="/no/such/districts.gpkg", lang="zh")


def test_districts_from_the_parcels_column(sample_result):
    p = sample_result.parcels.copy()
    p.attrs = {}  # not recognisable as the bundled sample any more
    result = SimpleNamespace(**{**vars(sample_result), "parcels": p})
    ax = plot_zones(result, lang="zh")
    labels = {t.get_text() for t in _by_gid(ax, "district_label")["district_label"]}
    assert {"宝安区", "龙岗区"} <= labels
    assert [t.get_text() for t in ax.get_legend().get_texts()][-1] == "行政区地块范围"


def test_bad_options(sample_result):
    with pytest.raises(InputError, match="lang"):
        plot_zones(sample_result, lang="fr")
    with pytest.raises(InputError, match="parcels must be"):
        plot_zones(sample_result, parcels="some", lang="zh")
    with pytest.raises(InputError, match=r"not in result\.parcels"):
        plot_zones(sample_result, column="nope", lang="zh")
    with pytest.raises(InputError, match="not zones"):
        plot_zones(sample_result, column="district", lang="zh")


# -- files ------------------------------------------------------------------------------------

@pytest.mark.parametrize(("suffix", "magic"), [(".png", b"\x89PNG"), (".pdf", b"%PDF"), (".svg", b"<?xml")])
def test_save_map_formats(sample_result, tmp_path, suffix, magic):
    out = save_map(sample_result, tmp_path / f"map{suffix}", dpi=100)
    data = out.read_bytes()
    assert data.startswith(magic)
    assert len(data) > 30_000
    assert not plt.get_fignums()  # no pyplot figure left open


def test_saved_png_shows_every_zone_colour(sample_result, tmp_path):
    out = save_map(sample_result, tmp_path / "map.png", dpi=150)
    img = (plt.imread(out)[..., :3] * 255).round().astype(int).reshape(-1, 3)
    for z, style in sample_result.rules.zones.items():
        rgb = np.array([int(style.color[i:i + 2], 16) for i in (1, 3, 5)])
        assert (np.abs(img - rgb).max(axis=1) <= 2).sum() > 100, z


def test_save_map_rejects_unknown_formats(sample_result, tmp_path):
    with pytest.raises(InputError, match=r"\.png, \.svg, \.pdf"):
        save_map(sample_result, tmp_path / "map.jpg")
    with pytest.raises(InputError, match="unknown option"):
        save_map(sample_result, tmp_path / "map.png", colour="red")


# -- block checks -----------------------------------------------------------------------------

def _check(threshold: float = 0.65) -> SimpleNamespace:
    """A block check of the documented shape: two pass, two fail, one without industry."""
    x0, y0 = 500_000.0, 2_490_000.0
    boxes = [shapely.box(x0 + i * 600, y0, x0 + i * 600 + 500, y0 + 400) for i in range(5)]
    share = [0.80, 0.70, 0.55, 0.35, np.nan]
    area = 500 * 400
    blocks = gpd.GeoDataFrame({
        "block_id": ["GB-01", "GB-02", "GB-13", "GB-14", "GB-20"],
        "industrial_share": share,
        "threshold": threshold,
        "passes": [s >= threshold for s in share[:4]] + [False],
        "shortfall_m2": [0.0, 0.0, (threshold - 0.55) * area, (threshold - 0.35) * area, 0.0],
    }, geometry=boxes, crs="EPSG:4547")
    # like zoning.blocks.BlockCheck, it also carries .parcels: save_map must still draw blocks
    return SimpleNamespace(blocks=blocks, parcels=blocks.iloc[:0], rules=zoning.load_rules("shenzhen-2020"),
                           basis="planned_use")


def test_plot_blocks_colours_labels_and_legend():
    check = _check()
    _, ax = plt.subplots()
    assert plot_blocks(check, ax=ax) is ax
    colls = _by_gid(ax, "blocks:")
    def rings(status):
        return sum(int((p.codes == Path.MOVETO).sum()) for p in colls[f"blocks:{status}"][0].get_paths())

    assert (rings("pass"), rings("fail"), rings("empty")) == (2, 2, 1)
    assert not np.allclose(colls["blocks:pass"][0].get_facecolor(), colls["blocks:fail"][0].get_facecolor())
    labels = sorted(t.get_text() for t in _by_gid(ax, "block_label")["block_label"])
    assert labels == ["GB-13 −2.0 公顷", "GB-14 −6.0 公顷"]
    legend = [t.get_text() for t in ax.get_legend().get_texts()]
    assert legend[0] == "达标（≥ 65%）  2 个"
    assert legend[1].startswith("不达标  2 个")
    assert "8.0 公顷" in legend[1]
    note = _by_gid(ax, "note")["note"][0].get_text()
    assert "shenzhen-2020" in note
    assert "规划用途" in note
    assert "scalebar" in _by_gid(ax, "")


def test_plot_blocks_english_and_file(tmp_path):
    ax = plot_blocks(_check(), lang="en")
    labels = sorted(t.get_text() for t in _by_gid(ax, "block_label")["block_label"])
    assert labels == ["GB-13 −2.0 ha", "GB-14 −6.0 ha"]
    out = save_map(_check(), tmp_path / "blocks.png", dpi=80)
    assert out.stat().st_size > 10_000


def test_plot_blocks_needs_the_documented_columns():
    bad = SimpleNamespace(blocks=_check().blocks.drop(columns="passes"))
    with pytest.raises(InputError, match="passes"):
        plot_blocks(bad)
