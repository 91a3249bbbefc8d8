"""Maps a planning bureau can print: zones and industrial-block checks.

Every function takes ``ax=None`` (a new figure) or an existing Axes and returns the Axes.
A zone map shows

- each zone in its one fixed colour from the rule pack (the same on every map and raster);
- a legend in pack order with Chinese or English labels and areas (``保留提升区 4.08 km²``);
- district boundaries and names, a scale bar with a round length, a north arrow;
- a title and a data note (data source, rule pack and mode, reference year, CRS).

Chinese text uses a font that really has the glyphs (see :func:`zoning.register_font`); the
font is applied with concrete family names inside a ``matplotlib.rc_context``, so global
settings never change and figures saved or shown later still render Chinese.

Large inputs: polygons are handed to matplotlib as a few compound paths built from shapely's
coordinate arrays (no Python object per parcel), so a million parcels draw in seconds where
``GeoDataFrame.plot`` takes over a minute. Up to 50,000 parcels every parcel is drawn; above
that the three zones are drawn from the dissolved ``result.zones`` and only unzoned and
non-industrial land parcel by parcel, as an image layer in PDF/SVG output.
"""

from __future__ import annotations

import contextlib
import itertools
import os
import re
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal, cast

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
import shapely.ops

from zoning.errors import InputError
from zoning.outputs._fonts import cjk_style

if TYPE_CHECKING:  # pragma: no cover
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

    from zoning.stages.run import ZoningResult

__all__ = ["plot_blocks", "plot_zones", "save_map"]

#: Above this many parcels ``parcels="auto"`` draws dissolved zones instead of every parcel.
MAX_PARCELS_DRAWN = 50_000
_FORMATS = (".png", ".svg", ".pdf")
_CJK = re.compile(r"[\u3000-\u9fff\uf900-\ufaff\uff00-\uffef]")
_INK = "#333333"
_HALO: dict[str, Any] = {"linewidth": 2.5, "foreground": "white"}

_WORDS = {
    "zh": {
        "title": "工业用地分区图", "legend": "图例", "district": "行政区界", "district_parcels": "行政区地块范围", "mode_threshold": "阈值模式",
        "mode_quota": "指标模式", "rules": "规则包", "year": "基准年", "crs": "坐标系", "data": "数据",
        "sample": "合成示例数据（行政区界为深圳市真实边界）", "parcels": "地块 {n:,} 宗", "made": "zoning {v} 制图",
        "blocks_title": "工业区块用地比例检查", "pass": "达标", "fail": "不达标", "empty": "无工业用地",
        "blocks_n": "{n} 个", "shortfall": "缺口合计 {v}", "basis": "口径", "sep": "；", "ha": "公顷",
    },
    "en": {
        "title": "Industrial land zones", "legend": "Legend", "district": "District boundary",
        "district_parcels": "District extent (parcels)",
        "mode_threshold": "threshold mode", "mode_quota": "quota mode", "rules": "Rules", "year": "reference year",
        "crs": "CRS", "data": "Data", "sample": "synthetic sample data (real Shenzhen district boundaries)",
        "parcels": "{n:,} parcels", "made": "map: zoning {v}", "blocks_title": "Industrial block check",
        "pass": "passes", "fail": "fails", "empty": "no industrial land", "blocks_n": "{n} blocks",
        "shortfall": "shortfall {v}", "basis": "basis", "sep": "; ", "ha": "ha",
    },
}
_BASIS = {"planned_use": {"zh": "规划用途", "en": "planned use"}, "current_use": {"zh": "现状用途", "en": "current use"}}
_BLOCK_COLORS = {"pass": "#a6d96a", "fail": "#d73027", "empty": "#e0e0e0"}


# -- small helpers ------------------------------------------------------------------------------

def _check_lang(lang: str) -> dict[str, str]:
    if lang not in _WORDS:
        msg = f"lang must be 'zh' or 'en', got {lang!r}"
        raise InputError(msg)
    return _WORDS[lang]


def _darker(color: str, factor: float = 0.7) -> tuple[float, float, float]:
    from matplotlib.colors import to_rgb

    r, g, b = to_rgb(color)
    return (r * factor, g * factor, b * factor)


def _has_cjk(texts: Iterable[str]) -> bool:
    return any(_CJK.search(str(t)) for t in texts)


def _style(font: Any, texts: Iterable[str]) -> contextlib.AbstractContextManager[Any]:
    """CJK font context when a font is asked for or any text needs one; else nothing."""
    if font is not None or _has_cjk(texts):
        return cjk_style(font)
    return contextlib.nullcontext()


def _paths(geoms: np.ndarray, chunk: int = 20_000) -> list[Any]:
    """Compound matplotlib Paths, one per ``chunk`` polygons (holes included).

    Built from shapely's ragged coordinate arrays with no Python object per parcel, so a
    million parcels take seconds (GeoDataFrame.plot makes one patch per parcel). Rings are
    oriented (exteriors counter-clockwise, holes clockwise) so holes stay empty.
    """
    from matplotlib.path import Path as MPath

    geoms = np.asarray(geoms, dtype=object)
    geoms = geoms[~(shapely.is_missing(geoms) | shapely.is_empty(geoms))]
    if len(geoms) == 0:
        return []
    parts = shapely.get_parts(geoms)
    parts = parts[shapely.get_type_id(parts) == 3]  # polygons only
    if len(parts) == 0:
        return []
    parts = shapely.orient_polygons(parts)
    _, coords, (ring_off, poly_off) = shapely.to_ragged_array(parts)
    codes = np.full(len(coords), MPath.LINETO, dtype=MPath.code_type)
    codes[ring_off[:-1]] = MPath.MOVETO
    codes[ring_off[1:] - 1] = MPath.CLOSEPOLY
    bounds = ring_off[poly_off[np.r_[np.arange(0, len(parts), chunk), len(parts)]]].tolist()
    return [MPath(coords[a:b], codes[a:b]) for a, b in itertools.pairwise(bounds)]


def _polygons(ax: Axes, geoms: np.ndarray, *, facecolor: Any, edgecolor: Any = "none", linewidth: float = 0.0,
              zorder: float = 1, gid: str | None = None, **kw: Any) -> Any:
    from matplotlib.collections import PathCollection

    coll = PathCollection(_paths(geoms), facecolors=facecolor, edgecolors=edgecolor, linewidths=linewidth,
                          zorder=zorder, **kw)
    coll.set_gid(gid)
    ax.add_collection(coll, autolim=False)
    return coll


def _view(bounds: Sequence[float], pad: float = 0.04) -> tuple[float, float, float, float]:
    xmin, ymin, xmax, ymax = (float(b) for b in bounds)
    w, h = max(xmax - xmin, 1.0), max(ymax - ymin, 1.0)
    d = pad * max(w, h)
    return xmin - d, ymin - d, xmax + d, ymax + d


def _legend_below(view: Sequence[float]) -> bool:
    """Wide maps get the legend below the frame, the others to its right."""
    return (view[2] - view[0]) / (view[3] - view[1]) > 1.6


def _new_axes(view: Sequence[float], use_pyplot: bool, legend: bool) -> Axes:
    """A figure with the map frame about 10 inches on its long side and room around it for the
    title (above), the legend (below wide maps, right of the others) and the data note."""
    aspect = (view[2] - view[0]) / (view[3] - view[1])
    map_w, map_h = (10.0, 10.0 / aspect) if aspect >= 1 else (10.0 * aspect, 10.0)
    if map_h > 8.5:
        map_w, map_h = map_w * 8.5 / map_h, 8.5
    below = legend and _legend_below(view)
    left, right, top = 0.25, 0.25 + (2.9 if legend and not below else 0.0), 0.8
    bottom = 1.45 if below else 0.55
    fw, fh = left + map_w + right, bottom + map_h + top
    if use_pyplot:
        import matplotlib.pyplot as plt

        fig = plt.figure(figsize=(fw, fh))
    else:
        from matplotlib.figure import Figure

        fig = Figure(figsize=(fw, fh))
    return fig.add_axes((left / fw, bottom / fh, map_w / fw, map_h / fh))


def _points_per_unit(ax: Axes, view: Sequence[float]) -> float:
    """Typographic points per CRS unit at the figure's size (for scale-aware line widths)."""
    pos = ax.get_position()
    fig = cast("Figure", ax.figure)  # typed Figure | SubFigure; the map axes sit on a Figure
    w_in = pos.width * fig.get_figwidth()
    h_in = pos.height * fig.get_figheight()
    return 72.0 * min(w_in / (view[2] - view[0]), h_in / (view[3] - view[1]))


def _frame(ax: Axes, view: Sequence[float]) -> None:
    """Map frame: equal aspect, no ticks, a thin black neat line."""
    ax.set_xlim(view[0], view[2])
    ax.set_ylim(view[1], view[3])
    ax.set_aspect("equal", adjustable="box")
    ax.set_xticks([])
    ax.set_yticks([])
    for s in ax.spines.values():
        s.set_linewidth(0.8)
        s.set_color("black")
    ax.set_facecolor("white")


def _crs_unit(crs: Any) -> float | None:
    """Metres per CRS unit, or None for a geographic / unknown CRS."""
    if crs is None or not crs.is_projected:
        return None
    try:
        return float(crs.axis_info[0].unit_conversion_factor)
    except (IndexError, AttributeError):
        return 1.0


def _round_length(target_m: float) -> float:
    """Largest 1-2-5 × 10^k metres not above ``target_m``."""
    k = 10 ** np.floor(np.log10(target_m))
    for m in (5, 2, 1):
        if m * k <= target_m:
            return float(m * k)
    return float(k)


def _fmt_length(m: float) -> str:
    return f"{m / 1000:g} km" if m >= 1000 else f"{m:g} m"


def _corner(occupied: tuple[np.ndarray, Any] | None, corners: Sequence[str], fx: float, fy: float) -> str:
    """The corner (``"lower left"`` …) of the frame whose ``fx`` × ``fy`` window holds least data."""
    if occupied is None:
        return corners[0]
    occ = occupied[0]
    rows, cols = occ.shape
    wx, wy = max(1, int(cols * fx)), max(1, int(rows * fy))
    windows = {"upper left": occ[:wy, :wx], "upper right": occ[:wy, -wx:],
               "lower left": occ[-wy:, :wx], "lower right": occ[-wy:, -wx:]}
    return min(corners, key=lambda c: (windows[c].mean(), corners.index(c)))


def _add_scalebar(ax: Axes, view: Sequence[float], crs: Any, loc: str = "lower left") -> Any:
    """Alternating black/white bar of a round length (at most a fifth of the map width)."""
    from matplotlib.offsetbox import AuxTransformBox
    from matplotlib.patches import Rectangle
    from matplotlib.text import Text

    unit = _crs_unit(crs)
    if unit is None:
        return None
    length_m = _round_length((view[2] - view[0]) * unit / 5)
    lead = round(length_m / 10 ** np.floor(np.log10(length_m)))
    n_seg = 5 if lead == 5 else 4
    seg = length_m / n_seg / unit
    bar_h = (view[2] - view[0]) * 0.006
    box = AuxTransformBox(ax.transData)
    for i in range(n_seg):
        box.add_artist(Rectangle((i * seg, 0), seg, bar_h, facecolor="black" if i % 2 == 0 else "white",
                                 edgecolor="black", linewidth=0.6))
    box.add_artist(Text(0, bar_h * 2.0, "0", ha="center", va="bottom", size=8))
    box.add_artist(Text(n_seg * seg, bar_h * 2.0, _fmt_length(length_m), ha="center", va="bottom", size=8))
    return _anchored(ax, box, loc=loc, pad=0.5, alpha=0.85, gid="scalebar")


def _north_angle(crs: Any, view: Sequence[float]) -> float:
    """Angle (degrees, counter-clockwise from grid up) of true north at the map centre."""
    if crs is None or not crs.is_projected:
        return 0.0
    from pyproj import Transformer

    try:
        x, y = (view[0] + view[2]) / 2, (view[1] + view[3]) / 2
        to_geo = Transformer.from_crs(crs, crs.geodetic_crs, always_xy=True)
        to_map = Transformer.from_crs(crs.geodetic_crs, crs, always_xy=True)
        lon, lat = to_geo.transform(x, y)
        x2, y2 = to_map.transform(lon, lat + 0.01)
        ang = float(np.degrees(np.arctan2(-(x2 - x), y2 - y)))
    except Exception:  # pragma: no cover - exotic CRS
        return 0.0
    return ang if abs(ang) >= 0.5 else 0.0


def _add_north_arrow(ax: Axes, view: Sequence[float], crs: Any, loc: str = "upper right") -> Any:
    """Classic half-black, half-white arrow with an 'N', top right, pointing to true north."""
    from matplotlib.offsetbox import DrawingArea
    from matplotlib.patches import Polygon
    from matplotlib.text import Text

    ang = np.radians(_north_angle(crs, view))
    w, h = 16.0, 30.0
    da = DrawingArea(w + 4, h + 16, 0, 0)
    cx, cy = (w + 4) / 2, h / 2
    rot = np.array([[np.cos(ang), -np.sin(ang)], [np.sin(ang), np.cos(ang)]])

    def pts(xy: list[tuple[float, float]]) -> np.ndarray:
        a = np.asarray(xy, dtype=float) - [0, h / 2]
        return a @ rot.T + [cx, cy]

    left = pts([(0, h), (-w / 2, 0), (0, h * 0.28)])
    right = pts([(0, h), (w / 2, 0), (0, h * 0.28)])
    da.add_artist(Polygon(left, closed=True, facecolor="black", edgecolor="black", linewidth=0.8))
    da.add_artist(Polygon(right, closed=True, facecolor="white", edgecolor="black", linewidth=0.8))
    tip = pts([(0, h + 2)])[0]
    da.add_artist(Text(tip[0], tip[1], "N", ha="center", va="bottom", size=11))
    return _anchored(ax, da, loc=loc, pad=0.3, alpha=0.8, gid="north_arrow")


def _anchored(ax: Axes, child: Any, *, loc: str, pad: float, alpha: float, gid: str) -> Any:
    """A map furniture box (scale bar, north arrow) on a translucent white ground, above the data."""
    from matplotlib.offsetbox import AnchoredOffsetbox

    anchored = AnchoredOffsetbox(loc=loc, child=child, pad=pad, borderpad=0.8, frameon=True)
    anchored.patch.set_facecolor("white")
    anchored.patch.set_alpha(alpha)
    anchored.patch.set_edgecolor("none")
    anchored.set_gid(gid)
    anchored.set_zorder(6)
    ax.add_artist(anchored)
    return anchored


def _add_title(ax: Axes, title: str | None, subtitle: str | None) -> None:
    if subtitle:
        ax.annotate(subtitle, xy=(0, 1), xycoords="axes fraction", xytext=(0, 5), textcoords="offset points",
                    ha="left", va="bottom", size=9.5, color="#444444", gid="subtitle")
    if title:
        ax.annotate(title, xy=(0, 1), xycoords="axes fraction", xytext=(0, 22 if subtitle else 6),
                    textcoords="offset points", ha="left", va="bottom", size=16, color="black", gid="title")


def _add_legend(ax: Axes, handles: list[Any], title: str, view: Sequence[float]) -> tuple[Any, bool]:
    """Legend outside the map frame (below wide maps, right of the others), never over data."""
    below = _legend_below(view)
    common = {"title": title, "fontsize": 9, "title_fontsize": 10, "frameon": False, "handlelength": 1.8,
              "handleheight": 1.1, "alignment": "left"}
    if below:
        leg = ax.legend(handles=handles, loc="upper left", bbox_to_anchor=(0.0, -0.015),
                        ncol=min(3, len(handles)), columnspacing=1.6, **common)
    else:
        leg = ax.legend(handles=handles, loc="upper left", bbox_to_anchor=(1.02, 1.0), ncol=1, **common)
    leg.set_gid("legend")
    leg.set_zorder(7)
    return leg, below


def _add_note(ax: Axes, note: str | None, legend: Any, below: bool) -> None:
    """Small grey data note under the legend (when it is below the map) or under the map frame."""
    if not note:
        return
    anchor = legend if (legend is not None and below) else "axes fraction"
    ax.annotate(note, xy=(0, 0), xycoords=anchor, xytext=(0, -6), textcoords="offset points",
                ha="left", va="top", size=7, color="#555555", gid="note", annotation_clip=False)


# -- districts ---------------------------------------------------------------------------------

def _is_sample(parcels: gpd.GeoDataFrame) -> bool:
    src = (parcels.attrs.get("zoning") or {}).get("source")
    if not src:
        return False
    from zoning import datasets

    try:
        return Path(src).resolve() == datasets.get_path("parcels").resolve()
    except (OSError, FileNotFoundError, ValueError):
        return Path(str(src)).name == "sample_city_parcels.gpkg"


def _name_column(df: pd.DataFrame, lang: str) -> str | None:
    order = (["district_en", "name_en"] if lang == "en" else []) + ["district", "行政区", "name", "名称", "NAME"]
    for c in order:
        if c in df.columns:
            return c
    strings = [c for c in df.columns if c != df.geometry.name and df[c].dtype == object]
    return strings[0] if strings else None


def _districts(districts: Any, parcels: gpd.GeoDataFrame, lang: str, gap_m: float) -> tuple[gpd.GeoDataFrame | None, bool]:
    """(districts with a ``_name`` column, whether their boundaries are real) or (None, False)."""
    if districts is False:
        return None, False
    if districts is None:
        if _is_sample(parcels):
            from zoning import datasets

            districts = gpd.read_file(datasets.get_path("districts"))
        elif "district" in parcels and parcels["district"].notna().any():
            return _districts_from_parcels(parcels, gap_m), False
        else:
            return None, False
    if isinstance(districts, (str, os.PathLike)):
        p = Path(districts)
        if not p.exists():
            msg = f"districts file {p} does not exist; pass a GeoDataFrame, a file path, or districts=False"
            raise InputError(msg)
        districts = gpd.read_file(p)
    if not isinstance(districts, gpd.GeoDataFrame):
        msg = f"districts must be a GeoDataFrame, a file path, None (automatic) or False, got {type(districts).__name__}"
        raise InputError(msg)
    from zoning.io.crs import align_crs

    if districts.crs is not None and parcels.crs is not None and not districts.crs.equals(parcels.crs):
        d = districts.to_crs(parcels.crs)  # boundary lines only: re-projected without a warning
    else:
        d, _ = align_crs(districts, parcels.crs, what="districts", onto="parcels", fix="districts.set_crs('EPSG:…')")
    col = _name_column(d, lang)
    out = gpd.GeoDataFrame({"_name": d[col].astype("string") if col else pd.Series(pd.NA, index=d.index, dtype="string")},
                           geometry=d.geometry.to_numpy(), crs=d.crs)
    return out, True


def _districts_from_parcels(parcels: gpd.GeoDataFrame, gap_m: float) -> gpd.GeoDataFrame:
    """District footprints from the parcels' ``district`` column (roads closed by ``gap_m``)."""
    names = parcels["district"].astype("string")
    geoms = parcels.geometry.to_numpy()
    rows, shapes = [], []
    large = len(parcels) > MAX_PARCELS_DRAWN
    for name, idx in names.groupby(names, observed=True).indices.items():
        g = geoms[idx]
        g = g[~(shapely.is_missing(g) | shapely.is_empty(g))]
        if len(g) == 0:
            continue
        if large:  # labels only: the parcel nearest the middle of the district's parcels
            b = shapely.bounds(g)
            xy = (b[:, :2] + b[:, 2:]) / 2
            k = int(np.argmin(((xy - np.median(xy, axis=0)) ** 2).sum(axis=1)))
            shapes.append(shapely.point_on_surface(g[k]))
        else:
            closed = shapely.buffer(shapely.union_all(shapely.buffer(g, gap_m, quad_segs=2)), -gap_m, quad_segs=2)
            shapes.append(closed)
        rows.append(str(name))
    return gpd.GeoDataFrame({"_name": pd.Series(rows, dtype="string")}, geometry=shapes, crs=parcels.crs)


def _draw_districts(ax: Axes, d: gpd.GeoDataFrame, view: Sequence[float], label: str) -> Any:
    """District boundaries (dash-dot) inside the view; returns a legend handle or None."""
    from matplotlib.collections import PathCollection
    from matplotlib.lines import Line2D

    box = shapely.box(*view)
    geoms = d.geometry.to_numpy()
    polys = (shapely.get_type_id(geoms) >= 3) & shapely.intersects(geoms, box)
    margin = box.buffer((view[2] - view[0]) * 0.05)
    # shared edges once (drawn twice, out-of-phase dashes would look solid)
    edges = shapely.union_all(shapely.boundary(geoms[polys]))
    paths = _line_paths(np.array([shapely.intersection(edges, margin)], dtype=object))
    if not paths:
        return None
    style = (0, (7, 2, 1.5, 2))
    coll = PathCollection(paths, facecolors="none", edgecolors="#4d4d4d", linewidths=0.9, linestyles=[style], zorder=4)
    coll.set_gid("districts")
    ax.add_collection(coll, autolim=False)
    return Line2D([], [], color="#4d4d4d", linewidth=0.9, linestyle=style, label=label)


def _label_districts(ax: Axes, d: gpd.GeoDataFrame, view: Sequence[float], occupied: tuple[np.ndarray, Any],
                     real: bool, size: float = 11.0) -> list[Any]:
    """Write district names where they cover no data and fit inside the frame.

    Real districts: at the point of the district farthest from data and edges (a raster pole
    of inaccessibility). Footprints from the parcels: at the free point nearest the footprint.
    """
    from matplotlib import patheffects
    from scipy import ndimage

    from zoning.outputs.raster import burn, pixel_xy

    occ, transform = occupied
    rows, cols = occ.shape
    res = float(transform.a)
    names = d["_name"].astype("string")
    ok = names.notna().to_numpy() & ~(shapely.is_missing(d.geometry.to_numpy()) | shapely.is_empty(d.geometry.to_numpy()))
    if not ok.any():
        return []
    geoms = d.geometry.to_numpy()[ok]
    ids = burn(geoms, np.arange(1, ok.sum() + 1), transform, cols, rows, dtype="int32")
    for i in np.flatnonzero(shapely.get_type_id(geoms) == 0):  # label points: their own cell
        ic, ir = int((geoms[i].x - transform.c) / transform.a), int((geoms[i].y - transform.f) / transform.e)
        if 0 <= ir < rows and 0 <= ic < cols:
            ids[ir, ic] = i + 1
    ppu = _points_per_unit(ax, view)
    longest = max(sum(1.0 if _CJK.match(ch) else 0.6 for ch in str(n)) for n in names[ok])
    rx = int(np.ceil(longest * size / 2 / ppu / res)) + 1
    ry = int(np.ceil(size * 0.7 / ppu / res)) + 1
    blocked = ndimage.binary_dilation(occ, structure=np.ones((2 * ry + 1, 2 * rx + 1), dtype=bool)) if occ.any() else occ.copy()
    blocked[:, :rx] = blocked[:, -rx:] = True
    blocked[:ry, :] = blocked[-ry:, :] = True
    texts = []
    min_cells = 0.004 * rows * cols
    for k, name in enumerate(names[ok], start=1):
        mine = ids == k
        if real and mine.sum() < min_cells:
            continue  # barely inside the view
        if real:
            free = mine & ~blocked
            if not free.any():
                continue
            r, c = np.unravel_index(np.argmax(ndimage.distance_transform_edt(free)), free.shape)
        else:
            near = ndimage.binary_dilation(mine, iterations=3 * ry) & ~blocked
            if not near.any():
                continue
            rr, cc = np.nonzero(mine)
            fr, fc = np.nonzero(near)
            j = int(np.argmin((fr - rr.mean()) ** 2 + (fc - cc.mean()) ** 2))
            r, c = fr[j], fc[j]
        x, y = pixel_xy(transform, c + 0.5, r + 0.5)
        texts.append(ax.text(x, y, str(name), ha="center", va="center", size=size, color=_INK, zorder=5,
                             clip_on=True, path_effects=[patheffects.withStroke(**_HALO)], gid="district_label"))
    return texts


def _occupancy(view: Sequence[float], paths: list[Any], cells: int = 400) -> tuple[np.ndarray, Any]:
    """Coarse grid (about ``cells`` across) of where data is drawn, for placing labels and
    map elements: the drawn paths rendered off-screen in black, without antialiasing."""
    from affine import Affine
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.collections import PathCollection
    from matplotlib.figure import Figure

    res = max(view[2] - view[0], view[3] - view[1]) / cells
    w = max(1, int(np.ceil((view[2] - view[0]) / res)))
    h = max(1, int(np.ceil((view[3] - view[1]) / res)))
    transform = Affine(res, 0.0, view[0], 0.0, -res, view[3])
    if not paths:
        return np.zeros((h, w), dtype=bool), transform
    fig = Figure(figsize=(w / 72, h / 72), dpi=72)
    canvas = FigureCanvasAgg(fig)
    ax = fig.add_axes((0, 0, 1, 1))
    ax.set_axis_off()
    ax.set_xlim(view[0], view[0] + w * res)
    ax.set_ylim(view[3] - h * res, view[3])
    ax.add_collection(PathCollection(paths, facecolors="black", edgecolors="black", linewidths=0.75,
                                     antialiaseds=False), autolim=False)
    canvas.draw()
    occ = np.asarray(canvas.buffer_rgba())[..., 0] < 128
    return occ[:h, :w], transform


def _line_paths(lines: np.ndarray) -> list[Any]:
    from matplotlib.path import Path as MPath

    lines = np.asarray(lines, dtype=object)
    lines = lines[~(shapely.is_missing(lines) | shapely.is_empty(lines))]
    if len(lines) == 0:
        return []
    parts = shapely.get_parts(shapely.line_merge(lines))
    parts = parts[np.isin(shapely.get_type_id(parts), (1, 2))]
    return [MPath(shapely.get_coordinates(p)) for p in parts]


# -- zone maps ---------------------------------------------------------------------------------

def _zone_table(result: ZoningResult, column: str) -> pd.DataFrame:
    """zone → colour, labels and area (km²), in pack order."""
    styles = result.rules.zones
    if column == "zone":
        area = result.summary["area_km2"]
    else:
        area = (pd.to_numeric(result.parcels["land_area_m2"], errors="coerce").groupby(result.parcels[column]).sum() / 1e6)
    rows = [{"zone": z, "color": s.color, "label_zh": s.label_zh, "label_en": s.label_en,
             "area_km2": float(area.get(z, 0.0))} for z, s in styles.items()]
    return pd.DataFrame(rows).set_index("zone")


def _fmt_area(km2: float, unit: str) -> str:
    return f"{km2:,.2f} km²" if unit == "km2" else f"{km2 * 100:,.1f} ha"


def _default_note(result: ZoningResult, words: dict[str, str], lang: str, crs: Any) -> str:
    from zoning import __version__

    p = result.parcels
    pack = result.rules.pack
    mode = result.settings.get("mode", "threshold")
    sep = words["sep"]
    data: str | None
    if _is_sample(p):
        data = words["sample"]
    else:
        src = (p.attrs.get("zoning") or {}).get("source")
        data = Path(str(src)).name if src else None
    line1 = []
    if data:
        line1.append(f"{words['data']}：{data}" if lang == "zh" else f"{words['data']}: {data}")
    mode_txt = words.get(f"mode_{mode}", mode)
    line1.append(f"{words['rules']}：{pack.name}（{mode_txt}）" if lang == "zh" else f"{words['rules']}: {pack.name} ({mode_txt})")
    year = result.settings.get("reference_year")
    if year:
        line1.append(f"{words['year']} {year}")
    line2 = []
    if crs is not None:
        epsg = crs.to_epsg()
        crs_txt = f"{crs.name}" + (f" (EPSG:{epsg})" if epsg else "")
        line2.append(f"{words['crs']}：{crs_txt}" if lang == "zh" else f"{words['crs']}: {crs_txt}")
    line2.append(words["parcels"].format(n=len(p)))
    line2.append(words["made"].format(v=__version__))
    return sep.join(line1) + "\n" + sep.join(line2)


def _draw_zone_layer(ax: Axes, result: ZoningResult, column: str, table: pd.DataFrame, mode: str,
                     view: Sequence[float]) -> tuple[np.ndarray, Any]:
    """Draw the zones, one collection per zone; return where data lies (for labels)."""
    from matplotlib.collections import PathCollection

    from zoning.units import ZONES

    p = result.parcels
    zones = p[column].astype("string")
    geoms = p.geometry.to_numpy()
    large = len(p) > MAX_PARCELS_DRAWN
    dissolved = mode == "dissolved" and column == "zone"
    ppu = _points_per_unit(ax, view)
    typical_pt = float(np.sqrt(np.nanmedian(shapely.area(geoms)))) * ppu if len(geoms) else 0.0
    # parcel outlines only where parcels are big enough on paper to show them
    lw = 0.0 if (typical_pt < 4 or dissolved) else (0.1 if typical_pt < 20 else 0.25)
    order = list(table.index)
    drawn: list[Any] = []
    zg = result.zones
    for z, row in table.iterrows():
        if dissolved and z in ZONES[:3]:
            part = zg.geometry.to_numpy()[(zg["zone"] == z).to_numpy()]
        else:
            part = geoms[(zones == z).fillna(False).to_numpy()]
        paths = _paths(part)
        if not paths:
            continue
        coll = PathCollection(paths, facecolors=row["color"], edgecolors=[_darker(row["color"], 0.8)] if lw else "none",
                              linewidths=lw, zorder=1 + 0.01 * (len(order) - order.index(z)), label=str(z))
        coll.set_gid(f"zone:{z}")
        coll.set_rasterized(large)  # PDF/SVG of a million parcels: an image layer, not 6M vertices
        ax.add_collection(coll, autolim=False)
        drawn.extend(paths)
    zone_pt = float(np.sqrt(np.nanmedian(shapely.area(zg.geometry.to_numpy())))) * ppu if len(zg) else 0.0
    if column == "zone" and zone_pt >= 3:  # outlines only where zones are more than specks on paper
        olw = 0.35 if typical_pt < 4 else 0.6
        for z in ZONES[:3]:
            m = (zg["zone"] == z).to_numpy()
            if m.any() and z in table.index:
                _polygons(ax, zg.geometry.to_numpy()[m], facecolor="none", edgecolor=[_darker(table.loc[z, "color"], 0.6)],
                          linewidth=olw, zorder=2, gid=f"outline:{z}")
    return _occupancy(view, drawn)


def plot_zones(
    result: ZoningResult,
    *,
    ax: Axes | None = None,
    lang: Literal["zh", "en"] | None = None,
    column: str = "zone",
    districts: Any = None,
    title: str | None = None,
    note: str | None = None,
    font: str | os.PathLike[str] | None = None,
    legend: bool = True,
    scalebar: bool = True,
    north_arrow: bool = True,
    parcels: Literal["auto", "all", "dissolved"] = "auto",
) -> Axes:
    """Zone map of a run: fixed zone colours, legend with areas, districts, scale bar, north arrow.

    Parameters
    ----------
    result
        A :class:`~zoning.ZoningResult` (``zoning.run(...)``).
    ax
        Axes to draw into; None creates a figure sized to the map.
    lang
        ``"zh"`` (Chinese labels) or ``"en"``; default: the run's language (``run(..., lang=)``).
    column
        Parcel column holding zone ids (default ``zone``; e.g. a scenario's zone column).
    districts
        None (automatic): the bundled district boundaries for the bundled sample, otherwise
        the parcels' ``district`` column (footprints dissolved with roads closed, and names).
        A GeoDataFrame or file path draws those boundaries and names (name column
        ``district_en`` for English, else ``district``/``name``); False draws none.
    title, note
        Title above the map and the data note below it; None for defaults (title
        工业用地分区图 / Industrial land zones with the rule pack's title beneath; note with the
        data source, rule pack and mode, reference year, CRS and parcel count). Pass ``""``
        to leave one out.
    font
        Family name or font file for Chinese text; None finds one
        (:func:`zoning.register_font` to add one).
    legend, scalebar, north_arrow
        Draw these map elements.
    parcels
        ``"all"`` draws every parcel (with thin outlines when parcels are large enough on paper);
        ``"dissolved"`` draws the zones from the dissolved ``result.zones`` and only unzoned and
        non-industrial land parcel by parcel; ``"auto"`` chooses ``"all"`` up to 50,000 parcels.

    Returns
    -------
    matplotlib.axes.Axes

    Examples
    --------
    >>> import zoning
    >>> from zoning.outputs.plotting import plot_zones
    >>> result = zoning.run(zoning.datasets.get_path("parcels"), reference_year=2025)
    >>> ax = plot_zones(result, lang="zh")
    >>> [t.get_text() for t in ax.get_legend().get_texts()][0]
    '保留提升区  3.81 km²'
    >>> ax = result.plot()  # the run's language (English here) for every label
    """
    if lang is None:
        lang = cast("Literal['zh', 'en']", result.settings.get("lang", "zh"))
    return _plot_zones(result, ax=ax, lang=lang, column=column, districts=districts, title=title, note=note,
                       font=font, legend=legend, scalebar=scalebar, north_arrow=north_arrow, parcels=parcels,
                       use_pyplot=True)


def _plot_zones(result: ZoningResult, *, ax: Axes | None, lang: str, column: str, districts: Any,
                title: str | None, note: str | None, font: Any, legend: bool, scalebar: bool, north_arrow: bool,
                parcels: str, use_pyplot: bool) -> Axes:
    words = _check_lang(lang)
    if parcels not in ("auto", "all", "dissolved"):
        msg = f"parcels must be 'auto', 'all' or 'dissolved', got {parcels!r}"
        raise InputError(msg)
    p = result.parcels
    if column not in p:
        msg = f"column {column!r} is not in result.parcels"
        raise InputError(msg)
    bad = sorted(set(map(str, pd.unique(p[column].dropna()))) - set(result.rules.zones))
    if bad:
        msg = f"column {column!r} holds values that are not zones of the rule pack: {bad[:5]}; zones: {list(result.rules.zones)}"
        raise InputError(msg)
    bounds = p.total_bounds
    if not np.all(np.isfinite(bounds)):
        msg = "result.parcels has no geometries to draw"
        raise InputError(msg)
    view = _view(bounds)
    crs = p.crs
    mode = parcels if parcels != "auto" else ("all" if len(p) <= MAX_PARCELS_DRAWN else "dissolved")
    table = _zone_table(result, column)
    unit = "km2" if table["area_km2"].max() >= 1 else "ha"
    label_col = "label_zh" if lang == "zh" else "label_en"
    labels = [f"{row[label_col]}  {_fmt_area(row['area_km2'], unit)}" for _, row in table.iterrows()]
    if title is None:
        title = words["title"]
        subtitle = result.rules.pack.title_zh if lang == "zh" else result.rules.pack.title_en
    else:
        subtitle = None
    if note is None:
        note = _default_note(result, words, lang, crs)
    d, real = _districts(districts, p, lang, float(result.settings.get("gap_m", 25.0)))
    names = [] if d is None else [str(n) for n in d["_name"].dropna()]

    with _style(font, [title, subtitle or "", note, *labels, *names]):
        if ax is None:
            ax = _new_axes(view, use_pyplot, legend)
        _frame(ax, view)
        occupied = _draw_zone_layer(ax, result, column, table, mode, view)
        handles = []
        from matplotlib.patches import Patch

        for (z, row), lab in zip(table.iterrows(), labels, strict=True):
            handles.append(Patch(facecolor=row["color"], edgecolor=_darker(row["color"], 0.6), linewidth=0.6,
                                 label=lab, gid=f"legend:{z}"))
        if d is not None and len(d):
            h = _draw_districts(ax, d, view, words["district"] if real else words["district_parcels"])
            if h is not None:
                handles.append(h)
            _label_districts(ax, d, view, occupied, real)
        _add_title(ax, title, subtitle)
        leg, below = _add_legend(ax, handles, words["legend"], view) if legend else (None, False)
        if scalebar:
            _add_scalebar(ax, view, crs, _corner(occupied, ["lower left", "lower right"], 0.3, 0.12))
        if north_arrow:
            _add_north_arrow(ax, view, crs, _corner(occupied, ["upper right", "upper left"], 0.08, 0.2))
        _add_note(ax, note, leg, below)
    return ax


# -- block checks ------------------------------------------------------------------------------

def plot_blocks(
    check: Any,
    *,
    ax: Axes | None = None,
    lang: Literal["zh", "en"] = "zh",
    title: str | None = None,
    note: str | None = None,
    font: str | os.PathLike[str] | None = None,
    districts: Any = False,
    legend: bool = True,
    labels: bool = True,
    scalebar: bool = True,
    north_arrow: bool = True,
) -> Axes:
    """Map of an industrial-block check: blocks that pass or fail, failing blocks labelled.

    Each failing block is labelled with its id and the industrial land it lacks to reach the
    threshold, e.g. ``GB-14 −3.2 ha`` (``−3.2 公顷`` in Chinese). Blocks without industrial
    land (share NaN) are grey.

    Parameters
    ----------
    check
        A block-check result: ``check.blocks`` is a GeoDataFrame with ``block_id``,
        ``industrial_share`` (0–1, NaN when empty), ``threshold``, ``passes`` and
        ``shortfall_m2``; ``check.rules.pack.name`` and ``check.basis`` go into the note.
    ax, lang, title, note, font, legend, scalebar, north_arrow
        As in :func:`plot_zones`.
    districts
        False (default), or a GeoDataFrame / file path of district boundaries to draw.
    labels
        Label the failing blocks.

    Returns
    -------
    matplotlib.axes.Axes
    """
    return _plot_blocks(check, ax=ax, lang=lang, title=title, note=note, font=font, districts=districts,
                        legend=legend, labels=labels, scalebar=scalebar, north_arrow=north_arrow, use_pyplot=True)


def _block_status(b: pd.DataFrame) -> pd.Series:
    share = pd.to_numeric(b["industrial_share"], errors="coerce")
    passes = b["passes"].astype("boolean").fillna(False).to_numpy(dtype=bool)
    return pd.Series(np.where(share.isna().to_numpy(), "empty", np.where(passes, "pass", "fail")), index=b.index)


def _plot_blocks(check: Any, *, ax: Axes | None, lang: str, title: str | None, note: str | None, font: Any,
                 districts: Any, legend: bool, labels: bool, scalebar: bool, north_arrow: bool,
                 use_pyplot: bool) -> Axes:
    from matplotlib import patheffects
    from matplotlib.patches import Patch

    words = _check_lang(lang)
    b = getattr(check, "blocks", None)
    need = ["block_id", "industrial_share", "threshold", "passes", "shortfall_m2"]
    if not isinstance(b, gpd.GeoDataFrame) or any(c not in b for c in need):
        msg = f"check.blocks must be a GeoDataFrame with columns {need}"
        raise InputError(msg)
    bounds = b.total_bounds
    if not np.all(np.isfinite(bounds)):
        msg = "check.blocks has no geometries to draw"
        raise InputError(msg)
    view = _view(bounds)
    status = _block_status(b)
    thr = pd.to_numeric(b["threshold"], errors="coerce").dropna().unique()
    thr_txt = f"（≥ {thr[0]:.0%}）" if lang == "zh" and len(thr) == 1 else (f" (≥ {thr[0]:.0%})" if len(thr) == 1 else "")
    short_ha = pd.to_numeric(b["shortfall_m2"], errors="coerce").fillna(0.0) / 1e4
    ha = words["ha"]
    legend_labels = {
        "pass": f"{words['pass']}{thr_txt}  " + words["blocks_n"].format(n=int((status == "pass").sum())),
        "fail": f"{words['fail']}  " + words["blocks_n"].format(n=int((status == "fail").sum()))
                + ("，" if lang == "zh" else ", ")
                + words["shortfall"].format(v=f"{short_ha[status == 'fail'].sum():.1f} {ha}"),
        "empty": f"{words['empty']}  " + words["blocks_n"].format(n=int((status == "empty").sum())),
    }
    fail_labels = [f"{bid} −{s:.1f} {ha}" for bid, s in zip(b["block_id"][status == "fail"], short_ha[status == "fail"], strict=True)]
    pack = getattr(getattr(check, "rules", None), "pack", None)
    basis = getattr(check, "basis", None)
    if title is None:
        title = words["blocks_title"]
        bits = [pack.title_zh if (pack is not None and lang == "zh") else (pack.title_en if pack is not None else None)]
        subtitle = " · ".join(x for x in bits if x) or None
    else:
        subtitle = None
    if note is None:
        parts = []
        if pack is not None:
            parts.append(f"{words['rules']}：{pack.name}" if lang == "zh" else f"{words['rules']}: {pack.name}")
        if basis:
            basis = _BASIS.get(str(basis), {}).get(lang, str(basis))
            parts.append(f"{words['basis']}：{basis}" if lang == "zh" else f"{words['basis']}: {basis}")
        if b.crs is not None:
            parts.append(f"{words['crs']}：{b.crs.name}" if lang == "zh" else f"{words['crs']}: {b.crs.name}")
        note = words["sep"].join(parts)
    d, _ = _districts(districts, b, lang, 25.0) if districts is not False else (None, False)
    names = [] if d is None else [str(n) for n in d["_name"].dropna()]

    with _style(font, [title, subtitle or "", note, *legend_labels.values(), *fail_labels, *names]):
        if ax is None:
            ax = _new_axes(view, use_pyplot, legend)
        _frame(ax, view)
        geoms = b.geometry.to_numpy()
        drawn = []
        for s in ("empty", "pass", "fail"):
            m = (status == s).to_numpy()
            if m.any():
                coll = _polygons(ax, geoms[m], facecolor=_BLOCK_COLORS[s], edgecolor=[_darker(_BLOCK_COLORS[s], 0.55)],
                                 linewidth=0.8, zorder=2 if s == "fail" else 1, gid=f"blocks:{s}",
                                 hatch="///" if s == "empty" else None)
                drawn.extend(coll.get_paths())
        occupied = _occupancy(view, drawn)
        handles = [Patch(facecolor=_BLOCK_COLORS[s], edgecolor=_darker(_BLOCK_COLORS[s], 0.55), linewidth=0.8,
                         hatch="///" if s == "empty" else None, label=legend_labels[s], gid=f"legend:{s}")
                   for s in ("pass", "fail", "empty") if (status == s).any()]
        if d is not None and len(d):
            h = _draw_districts(ax, d, view, words["district"])
            if h is not None:
                handles.append(h)
            _label_districts(ax, d, view, occupied, True)
        if labels:
            for g, text in zip(geoms[(status == "fail").to_numpy()], fail_labels, strict=True):
                if g is None or g.is_empty:
                    continue
                # just above the block, so the label never hides the failing block itself
                part = max(shapely.get_parts(g), key=lambda q: q.area)
                pt = shapely.ops.polylabel(part, tolerance=max(np.sqrt(part.area) / 50, 1.0))
                ax.annotate(text, xy=(pt.x, part.bounds[3]), xytext=(0, 2), textcoords="offset points",
                            ha="center", va="bottom", size=9, color="#67000d", zorder=5,
                            path_effects=[patheffects.withStroke(**_HALO)], gid="block_label")
        _add_title(ax, title, subtitle)
        leg, below = _add_legend(ax, handles, words["legend"], view) if legend else (None, False)
        if scalebar:
            _add_scalebar(ax, view, b.crs, _corner(occupied, ["lower left", "lower right"], 0.3, 0.12))
        if north_arrow:
            _add_north_arrow(ax, view, b.crs, _corner(occupied, ["upper right", "upper left"], 0.08, 0.2))
        _add_note(ax, note, leg, below)
    return ax


# -- files -------------------------------------------------------------------------------------

def save_map(obj: Any, path: str | os.PathLike[str], *, dpi: int = 200, **kwargs: Any) -> Path:
    """Draw a zone map (or a block-check map) and write it as PNG, SVG or PDF.

    The format follows the file extension. The figure is made without pyplot (nothing is left
    open) and saved with a tight bounding box so legend and note are included.

    Parameters
    ----------
    obj
        A :class:`~zoning.ZoningResult` (→ :func:`plot_zones`) or a block check with
        ``.blocks`` (→ :func:`plot_blocks`).
    path
        Output file ending in ``.png``, ``.svg`` or ``.pdf``.
    dpi
        Resolution of PNG output (and of the raster part of large maps in PDF/SVG).
    **kwargs
        Passed to :func:`plot_zones` / :func:`plot_blocks` (``lang``, ``title``, ``font`` …).

    Returns
    -------
    pathlib.Path

    Examples
    --------
    >>> import tempfile, zoning
    >>> from zoning.outputs.plotting import save_map
    >>> result = zoning.run(zoning.datasets.get_path("parcels"), reference_year=2025)
    >>> out = save_map(result, tempfile.mkdtemp() + "/zones.png")
    >>> out.stat().st_size > 50_000
    True
    """
    out = Path(path)
    if out.suffix.lower() not in _FORMATS:
        msg = f"cannot tell the map format from {out.name!r}; use a file name ending in {', '.join(_FORMATS)}"
        raise InputError(msg)
    out.parent.mkdir(parents=True, exist_ok=True)
    if "ax" in kwargs:
        msg = "save_map makes its own figure; to save an Axes you drew, use ax.figure.savefig(path)"
        raise InputError(msg)
    if hasattr(obj, "blocks"):
        ax = _plot_blocks(obj, ax=None, use_pyplot=False, **_block_defaults(kwargs))
    elif hasattr(obj, "parcels") and hasattr(obj, "zones"):
        ax = _plot_zones(obj, ax=None, use_pyplot=False, **_zone_defaults(kwargs))
    else:
        msg = f"save_map draws a ZoningResult or a block check (with .blocks), got {type(obj).__name__}"
        raise InputError(msg)
    from zoning.io.write import atomic_write

    fig = cast("Figure", ax.figure)  # typed Figure | SubFigure; save_map draws on a new Figure
    fmt = out.suffix.lower().lstrip(".")

    def write(tmp: Path) -> None:
        fig.savefig(tmp, format=fmt, dpi=dpi, bbox_inches="tight", pad_inches=0.15, facecolor="white",
                    metadata=_metadata(out.suffix.lower()))

    atomic_write(out, write)  # a failure or Ctrl-C leaves a previous map whole
    return out


def _metadata(suffix: str) -> dict[str, str]:
    from zoning import __version__

    key = {".png": "Software", ".pdf": "Creator", ".svg": "Creator"}[suffix]
    return {key: f"zoning {__version__}"}


def _zone_defaults(kw: dict[str, Any]) -> dict[str, Any]:
    base = {"lang": "zh", "column": "zone", "districts": None, "title": None, "note": None, "font": None,
            "legend": True, "scalebar": True, "north_arrow": True, "parcels": "auto"}
    unknown = sorted(set(kw) - set(base))
    if unknown:
        msg = f"unknown option(s) {unknown} for plot_zones; valid: {', '.join(base)}"
        raise InputError(msg)
    return {**base, **kw}


def _block_defaults(kw: dict[str, Any]) -> dict[str, Any]:
    base = {"lang": "zh", "title": None, "note": None, "font": None, "districts": False, "legend": True,
            "labels": True, "scalebar": True, "north_arrow": True}
    unknown = sorted(set(kw) - set(base))
    if unknown:
        msg = f"unknown option(s) {unknown} for plot_blocks; valid: {', '.join(base)}"
        raise InputError(msg)
    return {**base, **kw}
