"""Rasters: zones to a GeoTIFF, and raster values (e.g. building height) to parcel indicators.

- :func:`rasterize_zones` burns the zones of a run into a ``uint8`` grid and writes a GeoTIFF
  that opens classified in QGIS: the parcels' CRS, one documented value per zone
  (:data:`ZONE_VALUES`), nodata 0, a colour table with the rule pack's colours, band tags
  naming every value, and a ``.qml`` style beside it with the Chinese and English labels.
- :func:`zonal_stats` summarises a raster over each parcel (mean, max, …), re-projecting the
  parcels to the raster's CRS when they differ and honouring the raster's nodata.
- :func:`estimate_floor_area` turns a building-height raster into a floor-area estimate per
  parcel, e.g. to fill missing ``floor_area_m2``.

A cell belongs to a parcel when its centre lies inside the parcel (``all_touched=False``, the
GDAL default), so every cell is counted once and zone areas agree with cell counts. Parcels are
assumed not to overlap (:func:`zoning.validate_parcels` checks this); where they do, a cell
counts for the parcel burnt last.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any, overload
from xml.sax.saxutils import quoteattr

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from zoning.errors import InputError

if TYPE_CHECKING:  # pragma: no cover
    from affine import Affine

    from zoning.stages.run import ZoningResult

__all__ = ["NODATA", "ZONE_VALUES", "estimate_floor_area", "rasterize_zones", "zonal_stats"]

#: Cell value of each zone in zone rasters. 0 is nodata (outside every parcel: roads, gaps,
#: water). The values are part of the file format: they never change between versions.
ZONE_VALUES: dict[str, int] = {
    "retain_upgrade": 1,
    "land_consolidation": 2,
    "contiguous_renewal": 3,
    "unzoned": 4,
    "not_industrial": 5,
}
#: Nodata value of zone rasters.
NODATA = 0
#: Statistics :func:`zonal_stats` can compute.
STATS = ("count", "sum", "mean", "min", "max", "median", "std")

_TILE = 4096  # cells per tile side when burning or reading large grids


# -- burning geometries into a grid ------------------------------------------------------------

def _grid(bounds: Sequence[float], resolution: float) -> tuple[Affine, int, int]:
    """Transform, width and height of a north-up grid snapped to multiples of ``resolution``."""
    from affine import Affine

    if not (resolution > 0 and np.isfinite(resolution)):
        msg = f"resolution must be a positive number of CRS units (metres), got {resolution!r}"
        raise InputError(msg)
    xmin, ymin, xmax, ymax = (float(b) for b in bounds)
    x0 = np.floor(xmin / resolution) * resolution
    y1 = np.ceil(ymax / resolution) * resolution
    width = max(1, int(np.ceil((xmax - x0) / resolution)))
    height = max(1, int(np.ceil((y1 - ymin) / resolution)))
    return Affine(resolution, 0.0, x0, 0.0, -resolution, y1), width, height


def pixel_xy(t: Affine, col: float, row: float) -> tuple[float, float]:
    """Map coordinates of a (column, row) grid position (without Affine's ``*``/``@`` operators,
    whose meaning changed between affine versions)."""
    return t.c + col * t.a + row * t.b, t.f + col * t.d + row * t.e


def _shift(t: Affine, col: int, row: int) -> Affine:
    """Transform of a window starting at (``col``, ``row``) of the grid of ``t``."""
    from affine import Affine

    x, y = pixel_xy(t, col, row)
    return Affine(t.a, t.b, x, t.d, t.e, y)


def _tiles(width: int, height: int, size: int | None = None) -> list[tuple[int, int, int, int]]:
    """(col_off, row_off, width, height) of the tiles covering a grid, row by row."""
    size = size or _TILE
    return [(c, r, min(size, width - c), min(size, height - r))
            for r in range(0, height, size) for c in range(0, width, size)]


def _progress(items: list[Any], enabled: bool | None, desc: str) -> Any:
    """Items wrapped in a tqdm bar when there are several tiles and progress is wanted.

    ``enabled=None`` means: show it when a person is watching (a terminal or Jupyter).
    ``TQDM_DISABLE=1`` silences every bar.
    """
    if enabled is None:
        enabled = sys.stderr.isatty() or "ipykernel" in sys.modules
    if not enabled or len(items) < 2:
        return items
    from tqdm.auto import tqdm

    return tqdm(items, desc=desc, unit="tile")


def _shapes(geoms: np.ndarray, values: np.ndarray) -> list[tuple[dict[str, Any], Any]]:
    """(GeoJSON-like polygon, value) pairs for ``rasterio.features.rasterize``.

    Built from shapely's ragged coordinate arrays: about twice as fast as letting rasterio call
    ``__geo_interface__`` on every geometry. Multipolygons become one pair per part; anything
    that is not polygonal is skipped.
    """
    parts, owner = shapely.get_parts(geoms, return_index=True)
    keep = shapely.get_type_id(parts) == 3
    parts, owner = parts[keep], owner[keep]
    if len(parts) == 0:
        return []
    _, coords, (ring_off, poly_off) = shapely.to_ragged_array(parts)
    rings = np.split(coords, ring_off[1:-1])
    vals = values[owner].tolist()
    po = poly_off.tolist()
    return [({"type": "Polygon", "coordinates": rings[a:b]}, v) for a, b, v in zip(po[:-1], po[1:], vals, strict=True)]


@overload
def burn(geoms: np.ndarray, values: np.ndarray, transform: Affine, width: int, height: int, *,
         dtype: str = ..., all_touched: bool = ..., progress: bool | None = ...,
         sink: None = ...) -> np.ndarray:
    ...


@overload
def burn(geoms: np.ndarray, values: np.ndarray, transform: Affine, width: int, height: int, *,
         dtype: str = ..., all_touched: bool = ..., progress: bool | None = ...,
         sink: Any) -> None:
    ...


def burn(geoms: np.ndarray, values: np.ndarray, transform: Affine, width: int, height: int, *,
         dtype: str = "uint8", all_touched: bool = False, progress: bool | None = False,
         sink: Any = None) -> np.ndarray | None:
    """Burn ``values`` into a grid where ``geoms`` cover cell centres; later geometries win.

    Works tile by tile (spatial index per tile), so memory stays bounded when ``sink`` (an open
    rasterio dataset) receives the tiles; otherwise the whole array is returned.
    """
    from rasterio import features, windows

    geoms = np.asarray(geoms, dtype=object)
    values = np.asarray(values)
    keep = ~(shapely.is_missing(geoms) | shapely.is_empty(geoms))
    geoms, values = geoms[keep], values[keep]
    out = None if sink is not None else np.zeros((height, width), dtype=dtype)
    tree = shapely.STRtree(geoms) if len(geoms) else None
    tiles = _tiles(width, height)
    for col, row, w, h in _progress(tiles, progress, "rasterizing"):
        win = windows.Window(col, row, w, h)
        tt = _shift(transform, col, row)
        tile = np.zeros((h, w), dtype=dtype)
        if tree is not None:
            x0, y1 = pixel_xy(tt, 0, 0)
            x1, y0 = pixel_xy(tt, w, h)
            idx = np.sort(tree.query(shapely.box(x0, y0, x1, y1)))
            shapes = _shapes(geoms[idx], values[idx]) if len(idx) else []
            if shapes:
                features.rasterize(shapes, out_shape=(h, w), transform=tt, fill=0, out=tile,
                                   all_touched=all_touched, dtype=dtype)
        if out is None:  # None exactly when a sink receives the tiles
            sink.write(tile, 1, window=win)
        else:
            out[row:row + h, col:col + w] = tile
    return out


def zone_shapes(result: ZoningResult, column: str = "zone") -> tuple[np.ndarray, np.ndarray]:
    """Geometries and zone values to burn, in burning order (zones last, so they win).

    With ``column="zone"`` the three zones come from the dissolved ``result.zones`` (a few
    hundred polygons even for a million parcels); unzoned and non-industrial land comes from
    the parcels. Any other column is burnt parcel by parcel.
    """
    p = result.parcels
    if column not in p:
        msg = f"column {column!r} is not in result.parcels; zone columns there: {[c for c in p.columns if 'zone' in c]}"
        raise InputError(msg)
    codes = p[column]
    bad = sorted(set(map(str, pd.unique(codes.dropna()))) - set(ZONE_VALUES))
    if bad:
        msg = f"column {column!r} holds values that are not zones: {bad[:5]}; valid: {list(ZONE_VALUES)}"
        raise InputError(msg)
    vals = np.full(len(p), NODATA, dtype="uint8")
    for zone, value in ZONE_VALUES.items():  # vectorised comparisons, no per-row Python
        vals[(codes == zone).fillna(False).to_numpy(dtype=bool)] = value
    geoms = p.geometry.to_numpy()
    z = result.zones
    dissolved = column == "zone" and len(z) > 0
    if dissolved:
        rest = vals >= ZONE_VALUES["unzoned"]
        order = np.argsort(-vals[rest], kind="stable")  # not_industrial first, then unzoned
        zg = z.geometry.to_numpy()
        zv = z["zone"].map(ZONE_VALUES).to_numpy(dtype="uint8")
        return (np.concatenate([geoms[rest][order], zg]), np.concatenate([vals[rest][order], zv]))
    rank = np.where(vals == NODATA, 0, 6 - vals.astype(int))  # not_industrial … retain_upgrade last
    order = np.argsort(rank, kind="stable")
    return geoms[order], vals[order]


# -- zone GeoTIFF --------------------------------------------------------------------------------

def _rgb(color: str) -> tuple[int, int, int]:
    c = color.lstrip("#")
    return int(c[0:2], 16), int(c[2:4], 16), int(c[4:6], 16)


def _labels(result: ZoningResult) -> dict[str, tuple[str, str, str]]:
    """zone -> (colour, label_zh, label_en) from the rule pack."""
    out = {}
    for zone in ZONE_VALUES:
        style = result.rules.zones.get(zone)
        if style is None:
            out[zone] = ("#999999", zone, zone)
        else:
            out[zone] = (style.color, style.label_zh, style.label_en)
    return out


def _write_qml(path: Path, labels: dict[str, tuple[str, str, str]]) -> Path:
    """QGIS style beside the GeoTIFF (QGIS loads ``<name>.qml`` automatically): labelled classes."""
    entries = "\n".join(
        f'        <paletteEntry value="{v}" color="{labels[z][0]}" alpha="255" '
        f'label={quoteattr(f"{v} {labels[z][1]} {labels[z][2]}")}/>'
        for z, v in ZONE_VALUES.items())
    qml = f"""<!DOCTYPE qgis PUBLIC 'http://mrcc.com/qgis.dtd' 'SYSTEM'>
<qgis version="3.28.0" styleCategories="AllStyleCategories">
  <pipe>
    <rasterrenderer type="paletted" band="1" opacity="1" alphaBand="-1" nodataColor="">
      <rasterTransparency/>
      <colorPalette>
{entries}
      </colorPalette>
    </rasterrenderer>
    <brightnesscontrast brightness="0" contrast="0" gamma="1"/>
    <huesaturation saturation="0" grayscaleMode="0" colorizeOn="0"/>
    <rasterresampler maxOversampling="2"/>
  </pipe>
</qgis>
"""
    from zoning.io.write import atomic_write

    qml_path = path.with_suffix(".qml")
    def write(tmp: Path) -> None:
        tmp.write_text(qml, encoding="utf-8")

    atomic_write(qml_path, write)
    return qml_path


def rasterize_zones(
    result: ZoningResult,
    *,
    resolution: float = 10.0,
    path: str | os.PathLike[str] | None = None,
    all_touched: bool = False,
    qml: bool = True,
    progress: bool | None = None,
) -> np.ndarray | Path:
    """Burn the zones into a grid; write a GeoTIFF if ``path`` is given.

    Cell values are :data:`ZONE_VALUES` (1 保留提升区 retain_upgrade, 2 土地整备区
    land_consolidation, 3 连片改造区 contiguous_renewal, 4 未划定 unzoned, 5 非工业
    not_industrial) and 0 = nodata (no parcel: roads, gaps, water). A cell takes the zone of
    the parcel containing its centre. The grid is north-up, snapped to multiples of
    ``resolution`` and covers the parcels' bounds.

    The GeoTIFF is single-band ``uint8`` in the parcels' CRS, nodata 0, deflate-compressed and
    tiled, with a colour table of the rule pack's zone colours, a band description and tags
    ``VALUE_1`` … ``VALUE_5`` naming each value (``zone | 中文 | English``), dataset tags
    recording the rule pack, mode and reference year, and — unless ``qml=False`` — a QGIS
    style ``<name>.qml`` beside it, which QGIS loads automatically to show the classes with
    their labels.

    Zones are burnt from the dissolved ``result.zones`` and only unzoned and non-industrial
    land parcel by parcel, in tiles of 4096 × 4096 cells, so a city of a million parcels at
    10 m takes seconds.

    Parameters
    ----------
    result
        A :class:`~zoning.ZoningResult`.
    resolution
        Cell size in CRS units (metres).
    path
        Output ``.tif``; when None the array is returned instead.
    all_touched
        Burn every cell a polygon touches instead of cells whose centre is inside (thin
        features survive, but zone areas are overstated).
    qml
        Also write the QGIS style file.
    progress
        Show a progress bar over tiles of 4096 × 4096 cells (only for grids larger than one
        tile); None shows it in a terminal or Jupyter, False never.

    Returns
    -------
    numpy.ndarray or pathlib.Path
        The ``uint8`` grid (rows north to south) when ``path`` is None, else the path written.

    Examples
    --------
    >>> import zoning
    >>> from zoning.outputs.raster import ZONE_VALUES, rasterize_zones
    >>> result = zoning.run(zoning.datasets.get_path("parcels"), reference_year=2025)
    >>> grid = rasterize_zones(result, resolution=20)
    >>> grid.dtype.name, sorted(set(grid.ravel().tolist()))
    ('uint8', [0, 1, 2, 3, 4, 5])
    >>> km2 = int((grid == ZONE_VALUES["retain_upgrade"]).sum()) * 20 * 20 / 1e6
    >>> round(km2, 1), round(float(result.summary.loc["retain_upgrade", "area_km2"]), 1)
    (3.8, 3.8)
    """
    import rasterio

    p = result.parcels
    if p.crs is None:
        msg = "result.parcels has no CRS; zone rasters need a projected CRS (run() sets one)"
        raise InputError(msg)
    if not p.crs.is_projected:
        msg = f"result.parcels are in a geographic CRS ({p.crs.to_string()}); re-project them to a metric CRS before rasterizing"
        raise InputError(msg)
    bounds = p.total_bounds
    if not np.all(np.isfinite(bounds)):
        msg = "result.parcels has no geometries to rasterize"
        raise InputError(msg)
    transform, width, height = _grid(bounds, resolution)
    geoms, values = zone_shapes(result)
    if path is None:
        return burn(geoms, values, transform, width, height, all_touched=all_touched, progress=progress)

    out = Path(path)
    if out.suffix.lower() not in (".tif", ".tiff"):
        msg = f"zone rasters are written as GeoTIFF; give a .tif path, got {out.name!r}"
        raise InputError(msg)
    out.parent.mkdir(parents=True, exist_ok=True)
    labels = _labels(result)
    profile = {
        "driver": "GTiff", "dtype": "uint8", "count": 1, "width": width, "height": height,
        "crs": p.crs, "transform": transform, "nodata": NODATA, "compress": "deflate",
        "predictor": 2, "tiled": True, "blockxsize": 256, "blockysize": 256, "BIGTIFF": "IF_SAFER",
    }
    from zoning import __version__
    from zoning.io.write import atomic_write

    def write(tmp: Path) -> None:
        with rasterio.open(tmp, "w", **profile) as dst:
            _fill(dst)

    def _fill(dst: Any) -> None:
        burn(geoms, values, transform, width, height, all_touched=all_touched, progress=progress, sink=dst)
        cmap = {NODATA: (0, 0, 0, 0)}
        cmap.update({v: (*_rgb(labels[z][0]), 255) for z, v in ZONE_VALUES.items()})
        dst.write_colormap(1, cmap)
        dst.set_band_description(1, "zone: " + ", ".join(f"{v} {z}" for z, v in ZONE_VALUES.items()) + f", {NODATA} nodata")
        dst.update_tags(1, **{f"VALUE_{v}": f"{z} | {labels[z][1]} | {labels[z][2]}" for z, v in ZONE_VALUES.items()},
                        VALUE_0="nodata (no parcel)")
        dst.update_tags(
            ZONE_VALUES=";".join(f"{v}={z}" for z, v in ZONE_VALUES.items()) + f";{NODATA}=nodata",
            RULES=result.rules.pack.name, MODE=str(result.settings.get("mode", "")),
            REFERENCE_YEAR=str(result.settings.get("reference_year", "")),
            RESOLUTION=f"{resolution:g}", SOFTWARE=f"zoning {__version__}",
        )
    atomic_write(out, write)  # a failure or Ctrl-C leaves a previous raster whole
    if qml:
        _write_qml(out, labels)
    return out


# -- raster values per parcel --------------------------------------------------------------------

@contextmanager
def _open(raster: Any) -> Iterator[Any]:
    """A rasterio dataset from a path (opened and closed here) or an open dataset (left open)."""
    import rasterio

    if hasattr(raster, "read") and hasattr(raster, "transform"):
        yield raster
        return
    p = Path(raster)
    if not p.exists():
        msg = f"raster {p} does not exist; pass the path of a GeoTIFF (or an open rasterio dataset)"
        raise InputError(msg)
    try:
        src = rasterio.open(p)
    except rasterio.errors.RasterioIOError as exc:
        msg = f"cannot read raster {p}: {exc}"
        raise InputError(msg) from exc
    with src:
        yield src


def _to_raster_crs(parcels: gpd.GeoDataFrame, src: Any) -> gpd.GeoDataFrame:

    if not isinstance(parcels, gpd.GeoDataFrame):
        msg = f"parcels must be a GeoDataFrame, got {type(parcels).__name__}"
        raise InputError(msg)
    if src.crs is None:
        msg = f"raster {getattr(src, 'name', '')} has no CRS; assign one (e.g. with rio edit-info --crs EPSG:4547)"
        raise InputError(msg)
    from pyproj import CRS

    from zoning.io.crs import align_crs

    parcels, _ = align_crs(parcels, CRS.from_user_input(src.crs.to_wkt()), what="parcels", onto="raster", stacklevel=5,
                           fix="parcels.set_crs('EPSG:…') before comparing them with a raster")
    return parcels


def _parcel_cells(parcels: gpd.GeoDataFrame, src: Any, band: int, all_touched: bool,
                  progress: bool | None) -> tuple[np.ndarray, np.ndarray]:
    """Positions (0..n-1) of the parcel owning each valid raster cell, and the cell values."""
    from rasterio import features, windows

    if not 1 <= band <= src.count:
        msg = f"band {band} does not exist; the raster has {src.count} band(s)"
        raise InputError(msg)
    geoms = parcels.geometry.to_numpy()
    ok = ~(shapely.is_missing(geoms) | shapely.is_empty(geoms))
    pos = np.flatnonzero(ok)
    empty = (np.empty(0, dtype=np.int64), np.empty(0, dtype=np.float64))
    if len(pos) == 0:
        return empty
    pb = shapely.total_bounds(geoms[pos])
    rb = src.bounds
    if pb[0] >= rb.right or pb[2] <= rb.left or pb[1] >= rb.top or pb[3] <= rb.bottom:
        return empty
    full = windows.Window(0, 0, src.width, src.height)
    w0 = windows.from_bounds(*pb, transform=src.transform)
    c0, r0 = int(np.floor(w0.col_off)), int(np.floor(w0.row_off))
    c1, r1 = int(np.ceil(w0.col_off + w0.width)), int(np.ceil(w0.row_off + w0.height))
    win = windows.Window(c0, r0, c1 - c0, r1 - r0).intersection(full)
    col0, row0 = int(win.col_off), int(win.row_off)
    tree = shapely.STRtree(geoms[pos])
    nodata = src.nodatavals[band - 1]
    labels_out, values_out = [], []
    for col, row, w, h in _progress(_tiles(int(win.width), int(win.height)), progress, "zonal stats"):
        tw = windows.Window(col0 + col, row0 + row, w, h)
        tt = _shift(src.transform, col0 + col, row0 + row)
        x0, y1 = pixel_xy(tt, 0, 0)
        x1, y0 = pixel_xy(tt, w, h)
        idx = np.sort(tree.query(shapely.box(x0, y0, x1, y1)))
        if len(idx) == 0:
            continue
        shapes = _shapes(geoms[pos[idx]], pos[idx] + 1)
        if not shapes:
            continue
        lab = features.rasterize(shapes, out_shape=(h, w), transform=tt, fill=0, dtype="int32",
                                 all_touched=all_touched)
        data = src.read(band, window=tw, masked=True)
        vals = np.ma.getdata(data).astype(np.float64)
        valid = (lab > 0) & ~np.ma.getmaskarray(data) & np.isfinite(vals)
        if nodata is not None and np.isfinite(nodata):
            valid &= vals != nodata
        labels_out.append(lab[valid].astype(np.int64) - 1)
        values_out.append(vals[valid])
    if not labels_out:
        return empty
    return np.concatenate(labels_out), np.concatenate(values_out)


def zonal_stats(
    parcels: gpd.GeoDataFrame,
    raster: str | os.PathLike[str] | Any,
    *,
    stats: Sequence[str] = ("mean", "max"),
    band: int = 1,
    prefix: str | None = None,
    all_touched: bool = False,
    progress: bool | None = None,
) -> pd.DataFrame:
    """Summarise raster values over each parcel.

    A cell counts for a parcel when its centre lies inside the parcel (``all_touched=False``).
    Nodata cells (the raster's nodata value, its mask, NaN) are ignored. Parcels outside the
    raster, smaller than a cell, or with only nodata cells get NaN (``count`` 0). If the
    parcels' CRS differs from the raster's, the parcels are re-projected to the raster's CRS
    with a :class:`~zoning.CRSWarning`.

    Parameters
    ----------
    parcels
        GeoDataFrame of polygons with a CRS.
    raster
        Path of a raster file (GeoTIFF, …) or an open ``rasterio`` dataset.
    stats
        Any of ``count``, ``sum``, ``mean``, ``min``, ``max``, ``median``, ``std``.
    band
        Band number (1-based).
    prefix
        Prefix for the column names, e.g. ``"height_"`` → ``height_mean``; default none.
    all_touched
        Count every cell a parcel touches instead (cells on edges then count for several
        parcels).
    progress
        Show a progress bar over tiles of large rasters; None shows it in a terminal or
        Jupyter, False never.

    Returns
    -------
    pandas.DataFrame
        One column per statistic, indexed like ``parcels``.

    Raises
    ------
    InputError
        Missing or unreadable raster, missing CRS, unknown statistic or band.

    Examples
    --------
    >>> import zoning
    >>> from zoning.outputs.raster import zonal_stats
    >>> parcels = zoning.read_parcels(zoning.datasets.get_path("parcels"))
    >>> h = zonal_stats(parcels, zoning.datasets.get_path("height"), prefix="height_")
    >>> list(h.columns), h.index.equals(parcels.index)
    (['height_mean', 'height_max'], True)
    >>> int(h["height_max"].notna().sum())  # parcels inside the height raster
    445
    """
    stats = [stats] if isinstance(stats, str) else list(stats)
    bad = [s for s in stats if s not in STATS]
    if bad or not stats:
        msg = f"unknown statistic(s) {bad}; choose from {', '.join(STATS)}"
        raise InputError(msg)
    with _open(raster) as src:
        pp = _to_raster_crs(parcels, src)
        lab, vals = _parcel_cells(pp, src, band, all_touched, progress)
    n = len(parcels)
    agg = pd.Series(vals).groupby(lab).agg(stats) if len(lab) else pd.DataFrame(columns=stats, dtype=float)
    agg = agg.reindex(range(n))
    if "count" in stats:
        agg["count"] = agg["count"].fillna(0).astype("int64")
    if "std" in stats:
        agg["std"] = pd.Series(vals).groupby(lab).std(ddof=0).reindex(range(n)) if len(lab) else np.nan
    agg.index = parcels.index
    agg.columns = [f"{prefix or ''}{c}" for c in agg.columns]
    return agg


def estimate_floor_area(
    parcels: gpd.GeoDataFrame,
    height_raster: str | os.PathLike[str] | Any,
    *,
    storey_height_m: float = 4.0,
    band: int = 1,
    all_touched: bool = False,
) -> pd.Series:
    """Floor area (m²) per parcel from a building-height raster.

    Method (footprint-weighted): every cell inside the parcel with a height above 0 is a piece
    of building footprint with ``height / storey_height_m`` storeys, so

        floor area = Σ over built cells of cell area × height / storey height.

    Storeys are not rounded (a 10 m cell counts 2.5 storeys at 4 m). Cells with height 0 are
    open ground; nodata cells are ignored. Parcels outside the raster (or with only nodata
    cells) get NaN, so the result can fill gaps without overwriting known values. Industrial
    buildings are often taller per storey (5–8 m for factory floors), so calibrate
    ``storey_height_m`` on parcels whose floor area is known.

    Parameters
    ----------
    parcels
        GeoDataFrame of polygons with a CRS.
    height_raster
        Path or open ``rasterio`` dataset of building heights in metres, in a projected CRS.
    storey_height_m
        Height of one storey in metres.
    band
        Band number (1-based).
    all_touched
        See :func:`zonal_stats`.

    Returns
    -------
    pandas.Series
        ``floor_area_m2_est``, indexed like ``parcels``.

    Examples
    --------
    Fill missing floor areas from the sample height raster:

    >>> import zoning
    >>> from zoning.outputs.raster import estimate_floor_area
    >>> parcels = zoning.read_parcels(zoning.datasets.get_path("parcels"))
    >>> est = estimate_floor_area(parcels, zoning.datasets.get_path("height"))
    >>> filled = parcels["floor_area_m2"].fillna(est)
    >>> inside = est.notna()
    >>> print(f"{est[inside].sum() / 1e6:.3f} km² from heights, {parcels.loc[inside, 'floor_area_m2'].sum() / 1e6:.3f} km² in the table")
    4.985 km² from heights, 4.972 km² in the table
    """
    if not storey_height_m > 0:
        msg = f"storey_height_m must be positive, got {storey_height_m!r}"
        raise InputError(msg)
    with _open(height_raster) as src:
        pp = _to_raster_crs(parcels, src)
        crs = pp.crs
        if not crs.is_projected:
            msg = f"the height raster is in a geographic CRS ({crs.to_string()}); cell areas need a projected CRS in metres"
            raise InputError(msg)
        t = src.transform
        unit = crs.axis_info[0].unit_conversion_factor if crs.axis_info else 1.0
        cell_m2 = abs(t.a * t.e - t.b * t.d) * unit * unit
        lab, vals = _parcel_cells(pp, src, band, all_touched, progress=False)
    storeys = np.where(vals > 0, vals / storey_height_m, 0.0)
    est = pd.Series(storeys * cell_m2).groupby(lab).sum() if len(lab) else pd.Series(dtype=float)
    est = est.reindex(range(len(parcels)))
    est.index = parcels.index
    est.name = "floor_area_m2_est"
    return est
