"""Chinese fonts: detection by glyph coverage, register_font, cjk_style, the once-only warning."""

from __future__ import annotations

import subprocess
import sys
import warnings
from pathlib import Path

import matplotlib as mpl
import matplotlib.pyplot as plt
import pytest
from matplotlib import font_manager as fm

import zoning
from zoning.errors import FontWarning, InputError
from zoning.outputs import _fonts
from zoning.outputs._fonts import (
    PROBE,
    _bundled_font,
    _covers,
    cjk_style,
    find_cjk_font,
    register_font,
)

NOTO = _bundled_font()
needs_noto = pytest.mark.skipif(NOTO is None, reason="optional zoning[fonts] extra (pylopdf-fonts-zh-cn) not installed")


@pytest.fixture
def no_font(monkeypatch):
    """Simulate a machine without any CJK font (and a fresh process for the warning)."""
    monkeypatch.setattr(_fonts, "find_cjk_font", lambda: None)
    monkeypatch.setattr(_fonts, "_warned", False)


def _rc() -> dict:
    return {k: v for k, v in mpl.rcParams.items()}


@needs_noto
def test_find_cjk_font_returns_a_family_with_the_glyphs():
    name = find_cjk_font()
    assert name is not None
    path = fm.findfont(fm.FontProperties(family=[name]), fallback_to_default=False)
    assert _covers(path, 0, PROBE)


def test_last_resort_font_is_not_taken_for_a_cjk_font():
    # matplotlib ships "Last Resort High-Efficiency": it maps every character to a box
    last = [e for e in fm.fontManager.ttflist if e.name.startswith("Last Resort")]
    for entry in last:
        assert not _covers(entry.fname, entry.index)
    assert not (find_cjk_font() or "").startswith("Last Resort")


def test_dejavu_does_not_cover_chinese():
    assert not _covers(fm.findfont("DejaVu Sans"))


@needs_noto
def test_register_font_on_the_bundled_noto_file():
    assert register_font(NOTO) == "Noto Sans SC"
    assert find_cjk_font() == "Noto Sans SC"
    n = len(fm.fontManager.ttflist)
    register_font(Path(NOTO))  # registering twice adds nothing
    assert len(fm.fontManager.ttflist) == n


def test_register_font_missing_file():
    with pytest.raises(InputError, match="does not exist"):
        register_font("/no/such/font.otf")


def test_register_font_not_a_font(tmp_path):
    bogus = tmp_path / "bogus.otf"
    bogus.write_text("not a font")
    with pytest.raises(InputError, match="not a font"):
        register_font(bogus)


def test_register_font_without_chinese_glyphs():
    with pytest.raises(InputError, match="no glyphs for Chinese"):
        register_font(fm.findfont("DejaVu Sans"))


@needs_noto
def test_cjk_style_uses_concrete_names_and_restores_rcparams():
    before = _rc()
    with cjk_style() as name:
        assert mpl.rcParams["font.family"] == [name, "DejaVu Sans"]
        assert "sans-serif" not in mpl.rcParams["font.family"]
        fig, ax = plt.subplots()
        title = ax.set_title("工业用地分区图")
    assert _rc() == before
    # the text keeps the concrete family after the context: saving later still renders Chinese
    assert title.get_fontfamily()[0] == name
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        fig.canvas.draw()
    assert not [w for w in caught if "missing from font" in str(w.message)]


@needs_noto
def test_cjk_style_accepts_a_font_file():
    with cjk_style(NOTO) as name:
        assert name == "Noto Sans SC"


def test_cjk_style_rejects_an_unknown_family():
    with pytest.raises(InputError, match="not installed"), cjk_style("No Such Font Sans"):
        pass


def test_warns_once_with_install_hints_when_no_font(no_font):
    before = _rc()
    with pytest.warns(FontWarning) as record, cjk_style() as name:
        assert name is None
    msg = str(record[0].message)
    for hint in ("apt-get install fonts-noto-cjk", 'pip install "zoning[fonts]"', "zoning.register_font"):
        assert hint in msg
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        with cjk_style():
            pass
    assert not [w for w in caught if issubclass(w.category, FontWarning)]
    assert _rc() == before


def test_plot_without_font_warns_once_and_still_draws(no_font, sample_result):
    with pytest.warns(FontWarning):
        ax = zoning.plot_zones(sample_result, lang="zh")
    assert ax.get_legend() is not None
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        zoning.plot_zones(sample_result, lang="zh")
    assert not [w for w in caught if issubclass(w.category, FontWarning)]


def test_english_map_needs_no_cjk_font(no_font, sample_result):
    with warnings.catch_warnings():
        warnings.simplefilter("error", FontWarning)
        zoning.plot_zones(sample_result, lang="en", districts=False)


def test_import_changes_no_matplotlib_settings():
    code = (
        "import matplotlib as mpl\n"
        "from matplotlib import font_manager as fm\n"
        "before = dict(mpl.rcParams); n = len(fm.fontManager.ttflist)\n"
        "import zoning, zoning.outputs.plotting, zoning.outputs.raster, zoning.outputs._fonts\n"
        "assert dict(mpl.rcParams) == before, 'rcParams changed on import'\n"
        "assert len(fm.fontManager.ttflist) == n, 'fonts registered on import'\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


def test_show_versions_lists_the_font(capsys):
    _fonts.show_versions()
    out = capsys.readouterr().out
    assert "matplotlib" in out
    assert "CJK font" in out
