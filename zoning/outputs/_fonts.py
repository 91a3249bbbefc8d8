"""Fonts with Chinese glyphs for maps: find one, register one, apply one without global changes.

matplotlib's default font (DejaVu Sans) has no Chinese glyphs, and Linux servers, CI and Docker
images usually have no CJK font at all. This module

- looks for an installed font that really has the glyphs zoning draws (a font's name is not
  enough: some "CJK" fonts lack simplified-Chinese glyphs), preferring well-known families;
- falls back to Noto Sans SC from the optional ``zoning[fonts]`` extra
  (package ``pylopdf-fonts-zh-cn``) when nothing is installed;
- lets users add a font file they have (:func:`register_font`);
- applies the font only inside a ``matplotlib.rc_context`` (:func:`cjk_style`), with
  **concrete family names**. Text created inside the context keeps the font, so figures saved
  or shown later (Jupyter draws after the cell returns) still render Chinese. The generic
  ``"sans-serif"`` alias would be resolved at draw time and turn into boxes.

Nothing here runs on import and nothing changes ``matplotlib.rcParams``; registering a font
adds it to matplotlib's in-memory font list only (no files are written).
"""

from __future__ import annotations

import contextlib
import functools
import os
import platform
import sys
import warnings
from collections.abc import Iterator
from importlib import metadata
from pathlib import Path
from typing import Any

from zoning.errors import FontWarning, InputError

__all__ = ["PROBE", "cjk_style", "find_cjk_font", "register_font", "show_versions"]

#: Families tried first, in order: simplified-Chinese faces before others.
PREFERRED = (
    "Noto Sans CJK SC", "Source Han Sans SC", "Source Han Sans CN", "Noto Sans SC",
    "Microsoft YaHei", "DengXian", "SimHei", "PingFang SC", "Hiragino Sans GB", "Heiti SC",
    "WenQuanYi Micro Hei", "WenQuanYi Zen Hei", "Sarasa Gothic SC",
)
#: Characters a font must have to be used: the zone names and map words zoning draws.
PROBE = "工业用地分区图保留提升区土地整备区连片改造区未划定非工业行政区界比例尺"
_FALLBACK = "DejaVu Sans"
_HINTS = (
    "No font with Chinese glyphs was found, so Chinese map labels would render as boxes. "
    "Install one: `apt-get install fonts-noto-cjk` (Debian/Ubuntu; then delete matplotlib's "
    "font cache {cache}/fontlist-*.json), or `pip install \"zoning[fonts]\"` (Noto Sans SC), "
    "or register a font file you have: zoning.register_font('path/to/font.otf'). "
    "Use lang='en' for English labels."
)
_SIMPLIFIED_HINTS = ("SC", "CN", "GB", "Hans", "Sim", "Hei", "YaHei", "Song", "Kai")

_registered: list[str] = []  # families added with register_font, tried before all others
_warned = False  # the no-font warning is given once per process


def _covers(fname: str, index: int = 0, text: str = PROBE) -> bool:
    """True if the face has a distinct glyph for every character of ``text`` (charmap check)."""
    from matplotlib import ft2font

    try:
        font = ft2font.FT2Font(fname, face_index=index)
    except (OSError, RuntimeError, ValueError):
        return False
    chars = {ch for ch in text if not ch.isspace()}
    glyphs = {font.get_char_index(ord(ch)) for ch in chars}
    # every character needs its own glyph: "last resort" fonts map whole blocks to one box
    return 0 not in glyphs and len(glyphs) == len(chars)


def _bundled_font() -> str | None:
    """Path of Noto Sans SC from the optional ``zoning[fonts]`` extra, if installed."""
    try:
        import pylopdf_fonts_zh_cn as pkg
    except ImportError:
        return None
    path = Path(pkg.__file__).resolve().parent / "NotoSansSC-Regular.otf"
    return str(path) if path.exists() else None


@functools.lru_cache(maxsize=1)
def find_cjk_font() -> str | None:
    """Family name of a font with Chinese glyphs, or None.

    Fonts registered with :func:`register_font` come first, then the installed families in
    :data:`PREFERRED` order (Noto Sans CJK SC, Source Han Sans, Microsoft YaHei, PingFang SC,
    WenQuanYi …), then any other installed family. A family is accepted only if its font file
    has a glyph for every character of :data:`PROBE`. If none is installed, Noto Sans SC from
    the optional ``zoning[fonts]`` extra is registered with matplotlib and used. The answer is
    cached; :func:`register_font` clears the cache.

    Examples
    --------
    >>> from zoning.outputs._fonts import find_cjk_font
    >>> name = find_cjk_font()
    >>> name is None or isinstance(name, str)
    True
    """
    from matplotlib import font_manager as fm

    entries: dict[str, list[Any]] = {}
    for entry in fm.fontManager.ttflist:
        entries.setdefault(entry.name, []).append(entry)

    def ok(name: str) -> bool:
        # prefer the regular face of a family for the check; all faces share a charmap in practice
        faces = sorted(entries.get(name, []), key=lambda e: (e.weight not in (400, "normal", "regular"), e.style != "normal"))
        return any(_covers(e.fname, getattr(e, "index", 0)) for e in faces[:2])

    for name in [*reversed(_registered), *PREFERRED]:
        if name in entries and ok(name):
            return name
    others = sorted((n for n in entries if n not in PREFERRED and not n.startswith(("DejaVu", "Last Resort"))),
                    key=lambda n: (not any(h in n for h in _SIMPLIFIED_HINTS), n))
    for name in others:
        if ok(name):
            return name
    path = _bundled_font()
    if path is not None and _covers(path):
        return _add_font_file(path)
    return None


def _add_font_file(path: str) -> str:
    """Add a font file to matplotlib's font list (once) and return its family name."""
    from matplotlib import font_manager as fm

    if not any(os.path.samefile(e.fname, path) for e in fm.fontManager.ttflist if os.path.exists(e.fname)):
        fm.fontManager.addfont(path)
    return fm.FontProperties(fname=path).get_name()


def register_font(path: str | os.PathLike[str]) -> str:
    """Make a font file available to zoning's maps and prefer it; return its family name.

    Use this when no CJK font is installed and you have a font file (e.g. a Noto Sans SC or
    Source Han Sans ``.otf``/``.ttf``/``.ttc`` copied onto an offline server). Nothing is
    written to disk and ``matplotlib.rcParams`` is not changed; the font is only added to
    matplotlib's in-memory font list. For a ``.ttc`` collection the first face with Chinese
    glyphs is used.

    Parameters
    ----------
    path
        Font file (``.otf``, ``.ttf`` or ``.ttc``).

    Returns
    -------
    str
        The family name, which you can also pass as ``font=`` to the plotting functions.

    Raises
    ------
    InputError
        If the file does not exist, is not a font, or has no Chinese glyphs.

    Examples
    --------
    >>> from zoning.outputs._fonts import _bundled_font, register_font
    >>> path = _bundled_font()        # Noto Sans SC of the zoning[fonts] extra, if installed
    >>> path is None or register_font(path) == "Noto Sans SC"
    True
    """
    from matplotlib import font_manager as fm
    from matplotlib import ft2font

    p = Path(path).expanduser()
    if not p.is_file():
        msg = f"font file {p} does not exist; pass the path of a .otf, .ttf or .ttc file with Chinese glyphs"
        raise InputError(msg)
    try:
        n_faces = ft2font.FT2Font(str(p)).num_faces
    except (OSError, RuntimeError, ValueError) as exc:
        msg = f"{p} is not a font file matplotlib can read ({exc}); pass a .otf, .ttf or .ttc font"
        raise InputError(msg) from exc
    face = next((i for i in range(n_faces) if _covers(str(p), i)), None)
    if face is None:
        msg = (f"font {p} has no glyphs for Chinese text (checked {PROBE!r}); use a CJK font such as "
               "Noto Sans CJK SC, Source Han Sans SC or WenQuanYi Micro Hei")
        raise InputError(msg)
    _add_font_file(str(p))
    name = ft2font.FT2Font(str(p), face_index=face).family_name
    name = next((e.name for e in fm.fontManager.ttflist
                 if os.path.samefile(e.fname, p) and getattr(e, "index", 0) == face), name)
    if name in _registered:
        _registered.remove(name)
    _registered.append(name)
    find_cjk_font.cache_clear()
    return name


def _resolve(font: str | os.PathLike[str] | None) -> str | None:
    """A concrete family name from ``font`` (family, file path or None = detect)."""
    if font is None:
        return find_cjk_font()
    s = os.fspath(font)
    if Path(s).suffix.lower() in (".otf", ".ttf", ".ttc") or os.sep in s or Path(s).is_file():
        return register_font(s)
    from matplotlib import font_manager as fm

    names = {e.name for e in fm.fontManager.ttflist}
    if s not in names:
        found = find_cjk_font()
        hint = f"; a font with Chinese glyphs found here: {found!r}" if found else ""
        msg = (f"font {s!r} is not installed (matplotlib knows {len(names)} families){hint}. "
               "Pass an installed family name, a font file path, or None to detect one")
        raise InputError(msg)
    return s


def _warn_no_font(stacklevel: int = 4) -> None:
    global _warned
    if _warned:
        return
    _warned = True
    import matplotlib

    warnings.warn(_HINTS.format(cache=matplotlib.get_cachedir()), FontWarning, stacklevel=stacklevel)


@contextlib.contextmanager
def cjk_style(font: str | os.PathLike[str] | None = None) -> Iterator[str | None]:
    """Context in which new matplotlib text uses a font with Chinese glyphs.

    Sets ``font.family`` to ``[<CJK family>, "DejaVu Sans"]`` (concrete names, with per-glyph
    fallback to DejaVu Sans) and ``axes.unicode_minus = False`` inside a
    ``matplotlib.rc_context``; the global settings are restored on exit. Text artists created
    inside keep the font when drawn or saved later.

    Parameters
    ----------
    font
        Family name, font file path, or None to detect one (:func:`find_cjk_font`).

    Yields
    ------
    str or None
        The family used, or None when no CJK font exists; a :class:`~zoning.FontWarning`
        with install hints is then given (once per process).

    Examples
    --------
    >>> import matplotlib.pyplot as plt
    >>> from zoning.outputs._fonts import cjk_style
    >>> with cjk_style() as name:
    ...     fig, ax = plt.subplots()
    ...     title = ax.set_title("工业用地分区图")
    >>> name is None or title.get_fontfamily()[0] == name
    True
    >>> plt.close(fig)
    """
    import matplotlib as mpl

    name = _resolve(font)
    if name is None:
        _warn_no_font()
        yield None
        return
    with mpl.rc_context({"font.family": [name, _FALLBACK], "axes.unicode_minus": False}):
        yield name


def show_versions(file: Any = None) -> None:
    """Print versions of zoning, Python and the main dependencies, and the CJK font found.

    Paste the output into bug reports.

    Examples
    --------
    >>> from zoning.outputs._fonts import show_versions
    >>> show_versions()  # doctest: +ELLIPSIS
    zoning ...
    """
    file = file or sys.stdout
    pkgs = ["zoning", "numpy", "pandas", "geopandas", "shapely", "pyproj", "pyogrio", "rasterio",
            "matplotlib", "pydantic", "scipy", "tqdm", "pylopdf-fonts-zh-cn"]
    lines = []
    for pkg in pkgs:
        try:
            v = metadata.version(pkg)
        except metadata.PackageNotFoundError:
            v = "not installed"
        lines.append(f"{pkg:<20} {v}")
    lines.insert(1, f"{'python':<20} {sys.version.split()[0]} ({platform.platform()})")
    try:
        import pyogrio

        lines.append(f"{'GDAL (pyogrio)':<20} {pyogrio.__gdal_version_string__}")
    except (ImportError, AttributeError):
        pass
    name = find_cjk_font()
    if name is None:
        lines.append(f"{'CJK font':<20} none found (Chinese labels would be boxes; see zoning.register_font)")
    else:
        from matplotlib import font_manager as fm

        path = fm.findfont(fm.FontProperties(family=[name]), fallback_to_default=False)
        lines.append(f"{'CJK font':<20} {name} ({path})")
    print("\n".join(lines), file=file)
