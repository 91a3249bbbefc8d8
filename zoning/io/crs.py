"""Coordinate reference systems: choose a projected metric CRS, convert GCJ-02/BD-09 web-map coordinates.

Areas and distances in zoning are always computed in a projected CRS whose axes are in metres.
:func:`ensure_metric_crs` is the single entry point readers and the pipeline use: it assigns a
missing CRS, converts web-map coordinates, re-projects degrees / Web Mercator to a suitable
Gauss-Krüger (in China) or UTM zone, and rejects CRSs that are obviously mis-declared.

GCJ-02 ("Mars coordinates", Amap/Gaode, Tencent, Apple in China) and BD-09 (Baidu) are
obfuscated variants of WGS 84 longitude/latitude that PROJ does not know. The forward formula
is the de-facto standard one; the inverse is an iterative fixed point, accurate far below 1 mm.
They can never be detected from coordinates alone: the user must declare them.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Callable
from typing import Any

import geopandas as gpd
import numpy as np
import pyproj
import shapely
from numpy.typing import ArrayLike, NDArray
from pyproj.aoi import AreaOfInterest
from pyproj.database import CRSInfo, query_utm_crs_info

from zoning.errors import CRSWarning, InputError

__all__ = [
    "bd09_to_gcj02",
    "bd09_to_wgs84",
    "choose_metric_crs",
    "convert_web_coordinates",
    "ensure_metric_crs",
    "gcj02_to_bd09",
    "gcj02_to_wgs84",
    "geodesic_area_m2",
    "is_metric",
    "wgs84_to_bd09",
    "wgs84_to_gcj02",
]

Coords = tuple[NDArray[np.float64], NDArray[np.float64]]

# Krasovsky 1940 ellipsoid, as used by the GCJ-02 formula.
_GCJ_A = 6378245.0
_GCJ_EE = 0.00669342162296594323
_X_PI = math.pi * 3000.0 / 180.0
# The "in China" rectangle every GCJ-02 implementation uses (lon_min, lon_max, lat_min, lat_max).
_GCJ_BOX = (72.004, 137.8347, 0.8293, 55.8271)
# Where choose_metric_crs uses CGCS2000 3-degree Gauss-Krüger rather than UTM.
_CHINA_GK_BOX = (73.0, 135.5, 3.0, 54.0)
_WEB_SOURCES = {"gcj02": "gcj02", "gcj-02": "gcj02", "bd09": "bd09", "bd-09": "bd09"}


def _in_china(lon: NDArray[np.float64], lat: NDArray[np.float64]) -> NDArray[np.bool_]:
    lon0, lon1, lat0, lat1 = _GCJ_BOX
    return (lon >= lon0) & (lon <= lon1) & (lat >= lat0) & (lat <= lat1)


def _gcj_forward(lon: NDArray[np.float64], lat: NDArray[np.float64]) -> Coords:
    """Apply the GCJ-02 offset everywhere (no 'in China' test)."""
    x, y = lon - 105.0, lat - 35.0
    common = (20.0 * np.sin(6.0 * x * np.pi) + 20.0 * np.sin(2.0 * x * np.pi)) * 2.0 / 3.0
    dlat = -100.0 + 2.0 * x + 3.0 * y + 0.2 * y * y + 0.1 * x * y + 0.2 * np.sqrt(np.abs(x))
    dlat += common + (20.0 * np.sin(y * np.pi) + 40.0 * np.sin(y / 3.0 * np.pi)) * 2.0 / 3.0
    dlat += (160.0 * np.sin(y / 12.0 * np.pi) + 320.0 * np.sin(y * np.pi / 30.0)) * 2.0 / 3.0
    dlon = 300.0 + x + 2.0 * y + 0.1 * x * x + 0.1 * x * y + 0.1 * np.sqrt(np.abs(x))
    dlon += common + (20.0 * np.sin(x * np.pi) + 40.0 * np.sin(x / 3.0 * np.pi)) * 2.0 / 3.0
    dlon += (150.0 * np.sin(x / 12.0 * np.pi) + 300.0 * np.sin(x / 30.0 * np.pi)) * 2.0 / 3.0
    rad = lat / 180.0 * np.pi
    magic = 1.0 - _GCJ_EE * np.sin(rad) ** 2
    sqrt_magic = np.sqrt(magic)
    dlat = (dlat * 180.0) / ((_GCJ_A * (1.0 - _GCJ_EE)) / (magic * sqrt_magic) * np.pi)
    dlon = (dlon * 180.0) / (_GCJ_A / sqrt_magic * np.cos(rad) * np.pi)
    return lon + dlon, lat + dlat


def _bd_forward(lon: NDArray[np.float64], lat: NDArray[np.float64]) -> Coords:
    z = np.hypot(lon, lat) + 0.00002 * np.sin(lat * _X_PI)
    theta = np.arctan2(lat, lon) + 0.000003 * np.cos(lon * _X_PI)
    return z * np.cos(theta) + 0.0065, z * np.sin(theta) + 0.006


def _invert(
    forward: Callable[[NDArray[np.float64], NDArray[np.float64]], Coords],
    lon: NDArray[np.float64],
    lat: NDArray[np.float64],
    x: NDArray[np.float64],
    y: NDArray[np.float64],
) -> Coords:
    """Fixed-point iteration solving ``forward(x, y) == (lon, lat)`` from a first guess."""
    for _ in range(10):
        fx, fy = forward(x, y)
        dx, dy = fx - lon, fy - lat
        x, y = x - dx, y - dy
        if max(np.nanmax(np.abs(dx), initial=0.0), np.nanmax(np.abs(dy), initial=0.0)) < 1e-10:
            break
    return x, y


def _arrays(lon: ArrayLike, lat: ArrayLike) -> Coords:
    x, y = np.broadcast_arrays(np.asarray(lon, dtype=float), np.asarray(lat, dtype=float))
    return x, y


def wgs84_to_gcj02(lon: ArrayLike, lat: ArrayLike) -> Coords:
    """Convert WGS 84 longitude/latitude to GCJ-02 (Amap/Gaode, Tencent web maps).

    Vectorised: accepts scalars or arrays and returns a ``(lon, lat)`` tuple of arrays. Points
    outside the coarse "in China" rectangle (lon 72.004–137.8347, lat 0.8293–55.8271) that all
    implementations use are returned unchanged. The rectangle also covers e.g. Seoul, Taipei,
    Hanoi and Manila, which are therefore shifted too (as every web-map library does).

    Parameters
    ----------
    lon, lat : array_like
        WGS 84 (or CGCS2000, equal to within centimetres) longitude and latitude in degrees.

    Returns
    -------
    tuple of numpy.ndarray
        GCJ-02 longitude and latitude.

    Examples
    --------
    >>> lon, lat = wgs84_to_gcj02(114.05, 22.55)
    >>> print(f"{lon:.6f} {lat:.6f}")
    114.055104 22.547268
    """
    x, y = _arrays(lon, lat)
    gx, gy = _gcj_forward(x, y)
    inside = _in_china(x, y)
    return np.where(inside, gx, x), np.where(inside, gy, y)


def gcj02_to_wgs84(lon: ArrayLike, lat: ArrayLike) -> Coords:
    """Convert GCJ-02 longitude/latitude back to WGS 84 (iterative, error far below 1 mm).

    The usual one-step inverse is off by up to ~4 m; this iterates the forward formula to a
    fixed point (at most 10 iterations, until the change is below 1e-10°). Points outside the
    "in China" rectangle of :func:`wgs84_to_gcj02` are returned unchanged.

    Parameters
    ----------
    lon, lat : array_like
        GCJ-02 longitude and latitude in degrees.

    Returns
    -------
    tuple of numpy.ndarray
        WGS 84 longitude and latitude.

    Examples
    --------
    >>> lon, lat = gcj02_to_wgs84(*wgs84_to_gcj02([114.05, 118.78], [22.55, 32.05]))
    >>> print(lon.round(9), lat.round(9))
    [114.05 118.78] [22.55 32.05]
    """
    x, y = _arrays(lon, lat)
    gx, gy = _gcj_forward(x, y)
    wx, wy = _invert(_gcj_forward, x, y, 2.0 * x - gx, 2.0 * y - gy)
    inside = _in_china(x, y)
    return np.where(inside, wx, x), np.where(inside, wy, y)


def gcj02_to_bd09(lon: ArrayLike, lat: ArrayLike) -> Coords:
    """Convert GCJ-02 to BD-09 (Baidu maps), with the standard ``x_pi = π·3000/180`` formula.

    The BD-09 offset is applied everywhere (it has no "in China" test).

    Examples
    --------
    >>> lon, lat = gcj02_to_bd09(114.055104, 22.547268)
    >>> print(f"{lon:.6f} {lat:.6f}")
    114.061657 22.552935
    """
    return _bd_forward(*_arrays(lon, lat))


def bd09_to_gcj02(lon: ArrayLike, lat: ArrayLike) -> Coords:
    """Convert BD-09 (Baidu maps) to GCJ-02.

    Starts from the standard closed-form inverse (error ~1 cm) and refines it iteratively so that
    ``gcj02_to_bd09(*bd09_to_gcj02(x, y))`` returns ``(x, y)`` to 1e-10°.

    Examples
    --------
    >>> lon, lat = bd09_to_gcj02(*gcj02_to_bd09(114.05, 22.55))
    >>> print(f"{lon:.9f} {lat:.9f}")
    114.050000000 22.550000000
    """
    x, y = _arrays(lon, lat)
    u, v = x - 0.0065, y - 0.006
    z = np.hypot(u, v) - 0.00002 * np.sin(v * _X_PI)
    theta = np.arctan2(v, u) - 0.000003 * np.cos(u * _X_PI)
    return _invert(_bd_forward, x, y, z * np.cos(theta), z * np.sin(theta))


def bd09_to_wgs84(lon: ArrayLike, lat: ArrayLike) -> Coords:
    """Convert BD-09 to WGS 84 (via GCJ-02, both steps inverted iteratively).

    Examples
    --------
    >>> lon, lat = bd09_to_wgs84(*wgs84_to_bd09(118.78, 32.05))
    >>> print(f"{lon:.9f} {lat:.9f}")
    118.780000000 32.050000000
    """
    return gcj02_to_wgs84(*bd09_to_gcj02(lon, lat))


def wgs84_to_bd09(lon: ArrayLike, lat: ArrayLike) -> Coords:
    """Convert WGS 84 to BD-09 (via GCJ-02; outside the "in China" rectangle only the BD step).

    Examples
    --------
    >>> lon, lat = wgs84_to_bd09(114.05, 22.55)
    >>> print(f"{lon:.6f} {lat:.6f}")
    114.061657 22.552935
    """
    return gcj02_to_bd09(*wgs84_to_gcj02(lon, lat))


def _web_source(source: Any) -> str | None:
    if isinstance(source, str):
        return _WEB_SOURCES.get(source.strip().lower().replace("_", "-"))
    return None


def convert_web_coordinates(gdf: gpd.GeoDataFrame, source: str) -> gpd.GeoDataFrame:
    """Convert a layer digitised on a Chinese web map (GCJ-02 or BD-09) to WGS 84.

    Every vertex is converted (vectorised with :func:`shapely.transform`). Z values are
    dropped: the result is 2D. The input must be longitude/latitude: no CRS (taken as lon/lat)
    or a geographic one such as EPSG:4326 (web-map exports usually carry it although the
    coordinates are GCJ-02). The result is a copy in EPSG:4326.

    Parameters
    ----------
    gdf : geopandas.GeoDataFrame
        Layer with GCJ-02 or BD-09 longitude/latitude.
    source : {"gcj02", "bd09"}
        Case-insensitive; "gcj-02" and "bd-09" are accepted. GCJ-02 is used by Amap/Gaode and
        Tencent maps, BD-09 by Baidu maps.

    Returns
    -------
    geopandas.GeoDataFrame
        A copy with WGS 84 coordinates and CRS EPSG:4326.

    Examples
    --------
    >>> from shapely import Point
    >>> gcj = gpd.GeoDataFrame(geometry=[Point(114.0551039, 22.5472682)], crs="EPSG:4326")
    >>> print(convert_web_coordinates(gcj, "GCJ-02").geometry[0].wkt)
    POINT (114.0500... 22.5500...)
    """
    kind = _web_source(source)
    if kind is None:
        raise InputError(
            f"unknown web-map coordinate system {source!r}: valid options are 'gcj02' "
            "(Amap/Gaode, Tencent; also 'gcj-02') and 'bd09' (Baidu; also 'bd-09')"
        )
    if gdf.crs is not None and not gdf.crs.is_geographic:
        raise InputError(
            f"cannot convert {kind.upper()} coordinates: the layer declares the projected CRS "
            f"{_describe(gdf.crs)}, but GCJ-02/BD-09 coordinates are longitude/latitude in "
            "degrees. Pass the layer with its lon/lat coordinates (no CRS or EPSG:4326)."
        )
    bounds = _bounds(gdf)
    if gdf.crs is None and np.isfinite(bounds).all() and not _looks_lonlat(bounds):
        raise InputError(
            f"cannot convert {kind.upper()} coordinates: the coordinates (bounds "
            f"{_fmt_bounds(bounds)}) are not longitude/latitude degrees"
        )
    fn = gcj02_to_wgs84 if kind == "gcj02" else bd09_to_wgs84
    geoms = shapely.transform(
        np.asarray(gdf.geometry.array), fn, include_z=False, interleaved=False
    )
    out = gdf.copy()
    out[gdf.geometry.name] = gpd.GeoSeries(geoms, index=gdf.index, crs="EPSG:4326")
    return out.set_crs("EPSG:4326", allow_override=True)


def _horizontal(crs: pyproj.CRS) -> pyproj.CRS:
    if crs.is_bound:
        source = crs.source_crs
        if source is not None:  # always set for a bound CRS
            crs = source
    if crs.is_compound:
        crs = crs.sub_crs_list[0]
    return crs


def is_metric(crs: Any) -> bool:
    """Whether ``crs`` is a projected CRS in metres that is safe for areas and distances.

    Geographic CRSs (degrees), projected CRSs in feet or other units and the Mercator family
    (Web/Pseudo Mercator EPSG:3857, 900913, 3785, ESRI:102100, and World Mercator EPSG:3395,
    whose areas are inflated by sec²(latitude), +40 % at 32°N) are not metric. Transverse and
    oblique Mercator (Gauss-Krüger, UTM) are.

    Parameters
    ----------
    crs : pyproj.CRS or anything pyproj accepts, or None

    Examples
    --------
    >>> is_metric("EPSG:4547"), is_metric("EPSG:4326"), is_metric("EPSG:3857"), is_metric(None)
    (True, False, False, False)
    """
    if crs is None:
        return False
    crs = _horizontal(pyproj.CRS.from_user_input(crs))
    if not crs.is_projected:
        return False
    if not all(a.unit_name in ("metre", "meter") for a in crs.axis_info):
        return False
    # Every Mercator variant (Web/Pseudo, spherical, variant A/B/C) by its projection method,
    # whatever the authority code; transverse and oblique Mercator are fine.
    method = (crs.coordinate_operation.method_name if crs.coordinate_operation else "").lower()
    return not ("mercator" in method and "transverse" not in method and "oblique" not in method)


def _bounds(gdf: gpd.GeoDataFrame | gpd.GeoSeries) -> NDArray[np.float64]:
    """Total bounds; NaN when there is no non-empty geometry."""
    return np.asarray(gdf.total_bounds, dtype=float) if len(gdf) else np.full(4, np.nan)


def _lonlat_centre(bounds: NDArray[np.float64], crs: pyproj.CRS) -> tuple[float, float]:
    if not crs.equals("EPSG:4326", ignore_axis_order=True):
        to_ll = pyproj.Transformer.from_crs(crs, "EPSG:4326", always_xy=True)
        ll = to_ll.transform_bounds(bounds[0], bounds[1], bounds[2], bounds[3], densify_pts=21)
        bounds = np.asarray(ll, dtype=np.float64)
    lon = (bounds[0] + bounds[2]) / 2.0
    if bounds[0] > bounds[2]:  # crosses the antimeridian
        lon = (lon + 360.0) % 360.0 - 180.0
    return float(lon), float((bounds[1] + bounds[3]) / 2.0)


def choose_metric_crs(gdf_or_bounds: gpd.GeoDataFrame | gpd.GeoSeries | ArrayLike) -> pyproj.CRS:
    """Choose a projected metric CRS for the data's longitude/latitude centre.

    Inside China (lon 73–135.5, lat 3–54) this is the CGCS2000 3-degree Gauss-Krüger CRS
    without zone prefix whose central meridian is nearest (EPSG:4534, CM 75E, … EPSG:4554,
    CM 135E); elsewhere the WGS 84 UTM zone containing the centre (beyond the UTM latitudes,
    a Lambert azimuthal equal-area projection centred on the data).

    Parameters
    ----------
    gdf_or_bounds : GeoDataFrame, GeoSeries or (min_lon, min_lat, max_lon, max_lat)
        Data with a CRS (its bounds are transformed to EPSG:4326), or lon/lat bounds.

    Examples
    --------
    >>> choose_metric_crs((118.7, 32.0, 118.9, 32.1)).to_epsg()
    4549
    >>> choose_metric_crs((24.8, 60.1, 25.0, 60.3)).name
    'WGS 84 / UTM zone 35N'
    """
    if isinstance(gdf_or_bounds, (gpd.GeoDataFrame, gpd.GeoSeries)):
        if gdf_or_bounds.crs is None:
            raise InputError("cannot choose a metric CRS: the data has no CRS")
        bounds, crs = _bounds(gdf_or_bounds), gdf_or_bounds.crs
    else:
        bounds, crs = np.asarray(gdf_or_bounds, dtype=float), pyproj.CRS.from_epsg(4326)
        if bounds.shape != (4,):
            raise InputError(
                f"bounds must be (min_lon, min_lat, max_lon, max_lat), got {gdf_or_bounds!r}"
            )
    if not np.isfinite(bounds).all():
        raise InputError(
            "cannot choose a metric CRS: there is no non-empty geometry / finite bounds"
        )
    return _choose(*_lonlat_centre(bounds, crs))


def _choose(lon: float, lat: float) -> pyproj.CRS:
    lon0, lon1, lat0, lat1 = _CHINA_GK_BOX
    if lon0 <= lon <= lon1 and lat0 <= lat <= lat1:
        zone = min(max(math.floor((lon - 75.0) / 3.0 + 0.5), 0), 20)
        return pyproj.CRS.from_epsg(4534 + zone)
    infos = query_utm_crs_info(
        datum_name="WGS 84", area_of_interest=AreaOfInterest(lon, lat, lon, lat)
    )
    if not infos:  # polar regions: UTM is undefined, use an equal-area projection
        return pyproj.CRS.from_proj4(f"+proj=laea +lat_0={lat} +lon_0={lon} +datum=WGS84 +units=m")
    best = min(infos, key=lambda i: abs(lon - _mid_lon(i)))
    return pyproj.CRS.from_authority(best.auth_name, best.code)


def _mid_lon(info: CRSInfo) -> float:
    """Central longitude of a UTM zone's area of use (a zone without one ranks last)."""
    area = info.area_of_use
    return math.inf if area is None else (area.west + area.east) / 2


def _describe(crs: Any) -> str:
    crs = pyproj.CRS.from_user_input(crs)
    auth = crs.to_authority()
    return f"{auth[0]}:{auth[1]} ({crs.name})" if auth else repr(crs.name)


def _fmt_bounds(b: ArrayLike) -> str:
    x0, y0, x1, y1 = np.asarray(b, dtype=float)
    return f"x {x0:,.6g}…{x1:,.6g}, y {y0:,.6g}…{y1:,.6g}"


def _looks_lonlat(b: ArrayLike) -> bool:
    x0, y0, x1, y1 = np.asarray(b, dtype=float)
    return bool(max(abs(x0), abs(x1)) <= 180.0 and max(abs(y0), abs(y1)) <= 90.0)


def _same_crs(a: pyproj.CRS, b: pyproj.CRS) -> bool:
    if a.equals(b, ignore_axis_order=True):
        return True
    code = a.to_epsg()
    return code is not None and code == b.to_epsg()


def _prefix_hint(x: float) -> str:
    zone = int(x // 1e6)
    if 25 <= zone <= 45:
        return f"EPSG:{4513 + zone - 25} (CGCS2000 3-degree Gauss-Kruger zone {zone})"
    if 13 <= zone <= 23:
        return f"EPSG:{4491 + zone - 13} (CGCS2000 6-degree Gauss-Kruger zone {zone})"
    return f"the zone-{zone} CRS with false easting {zone}500000"


def _check_plausible(crs: pyproj.CRS, b: NDArray[np.float64], name: str) -> None:
    """Raise InputError when coordinates with bounds ``b`` cannot be in ``crs``."""
    where = f"{name}: the layer declares {_describe(crs)}"
    fix = "Fix the .prj or use gdf.set_crs(<correct CRS>, allow_override=True)."
    if crs.is_geographic and not _looks_lonlat(b):
        guess = ""
        if b[2] >= 1e7:
            guess = f" They look like zone-prefixed Gauss-Krüger metres: try {_prefix_hint(b[2])}."
        elif 1e4 <= b[0] and b[2] <= 1e6 and 1e5 <= b[1] and b[3] <= 6.5e6:
            guess = " They look like Gauss-Krüger/UTM metres (e.g. EPSG:4547, CM 114E, Shenzhen)."
        raise InputError(
            f"{where}, a geographic CRS in degrees, but the coordinates ({_fmt_bounds(b)}) are "
            f"not longitude/latitude.{guess} {fix}"
        )
    if crs.is_projected and _looks_lonlat(b):
        raise InputError(
            f"{where}, a projected CRS, but the coordinates ({_fmt_bounds(b)}) look like "
            "longitude/latitude degrees: the CRS is mis-declared. If they are lon/lat, use "
            f"EPSG:4326 (or 4490). {fix}"
        )
    op = _horizontal(crs).coordinate_operation if crs.is_projected else None
    if op is None or "transverse mercator" not in op.method_name.lower():
        return
    if float(next((p.value for p in op.params if p.name == "False easting"), 0.0)) >= 1e6:
        return  # the CRS itself has a zone prefix
    if b[2] >= 1e7:
        raise InputError(
            f"{where}, whose eastings have no zone prefix, but the eastings ({_fmt_bounds(b)}) "
            "exceed 10,000,000 m: they carry a Gauss-Krüger zone prefix. Declare the prefixed "
            f"CRS instead, e.g. {_prefix_hint(b[2])}, or the matching Xian 1980/Beijing 1954 "
            f"code for data on those datums. {fix}"
        )
    if b[0] >= 1.5e6 and b[3] < 1.5e6:
        raise InputError(
            f"{where}, but the eastings ({_fmt_bounds(b)}) look like northings and the "
            "northings like eastings: X and Y are swapped (Chinese surveying calls the northing "
            "X). Swap them, e.g. gdf.geometry = shapely.transform(gdf.geometry, "
            "lambda c: c[:, ::-1])."
        )


#: No coordinate system on Earth has coordinates beyond this (prefixed Gauss-Krüger eastings < 5e7 m).
_FAR = 1e8


def _check_far_away(gdf: gpd.GeoDataFrame, name: str) -> None:
    """Features with coordinates no CRS can have (1e12 m): name them instead of guessing a CRS."""
    b = _bounds(gdf)
    if not np.isfinite(b).all() or np.abs(b).max() < _FAR:
        return
    fb = gdf.geometry.bounds.to_numpy(dtype=float)
    far = np.nan_to_num(np.abs(fb), nan=0.0).max(axis=1) >= _FAR
    ids = (gdf.loc[far, "parcel_id"].astype(str).tolist() if "parcel_id" in gdf.columns
           else [f"row {i}" for i in gdf.index[far]])
    shown = ", ".join(ids[:5]) + (f" … and {len(ids) - 5} more" if len(ids) > 5 else "")
    rest = fb[~far]
    others = (f"; the other {len(rest)} feature(s) lie within {_fmt_bounds([np.nanmin(rest[:, 0]), np.nanmin(rest[:, 1]), np.nanmax(rest[:, 2]), np.nanmax(rest[:, 3])])}"
              if len(rest) and np.isfinite(rest).all() else "")
    raise InputError(
        f"{name}: {far.sum()} feature(s) have coordinates beyond ±{_FAR:,.0f} m, which no coordinate system on Earth "
        f"has ({shown}; e.g. {_fmt_bounds(fb[far][0])}){others}. They are typing or export errors, not a CRS "
        "question: fix or delete those features in the source file."
    )


def missing_crs_message(gdf: gpd.GeoDataFrame, name: str, cli_option: str | None = "--source-crs") -> str:
    cli = (f"CLI: {cli_option} EPSG:4547" if cli_option
           else "the command line has no CRS option for this file: add a .prj or set the CRS in QGIS and save")
    msg = (
        f"{name}: the layer has no CRS (no .prj file or CRS metadata), so areas cannot be "
        "computed. Declare it: pass source_crs='EPSG:4547' (CGCS2000 3-degree Gauss-Kruger CM "
        f"114E, Shenzhen; {cli}) or your CRS code/WKT, or add a .prj file. "
        "For coordinates copied from web maps use source_crs='gcj02' (Amap/Tencent) or 'bd09' "
        "(Baidu)."
    )
    b = _bounds(gdf)
    if np.isfinite(b).all() and _looks_lonlat(b):
        msg += (
            f" The coordinates look like longitude/latitude ({_fmt_bounds(b)}): try "
            "source_crs='EPSG:4326' (or 'gcj02' if they come from Amap/Tencent maps, 'bd09' "
            "for Baidu)."
        )
    return msg


def align_crs(gdf: gpd.GeoDataFrame, crs: Any, *, what: str, onto: str, fix: str,
              stacklevel: int = 3) -> tuple[gpd.GeoDataFrame, str | None]:
    """``gdf`` in ``crs``, for laying one layer over another (blocks on parcels, parcels on a raster).

    A layer without a CRS is an :class:`~zoning.errors.InputError` whose message ends with
    ``fix`` (the caller knows which option declares it); a layer in another CRS is
    re-projected with a :class:`~zoning.errors.CRSWarning`. Returns the layer and the warning
    text (``None`` when nothing was changed), for the caller's list of problems.
    """
    target = pyproj.CRS.from_user_input(crs) if crs is not None else None
    if gdf.crs is None:
        msg = (f"the {what} have no CRS (no .prj or CRS metadata), so they cannot be laid over the {onto}"
               f"{f' (in {target.to_string()})' if target is not None else ''}. Declare it: {fix}")
        raise InputError(msg)
    if target is None or gdf.crs.equals(target):
        return gdf, None
    text = f"the {what} are in {gdf.crs.to_string()} and the {onto} in {target.to_string()}: the {what} were re-projected to {target.to_string()}"
    warnings.warn(text, CRSWarning, stacklevel=stacklevel)
    return gdf.to_crs(target), text


def ensure_metric_crs(
    gdf: gpd.GeoDataFrame,
    *,
    source_crs: Any = None,
    target_crs: Any = None,
    name: str = "parcels",
    cli_option: str | None = "--source-crs",
) -> gpd.GeoDataFrame:
    """Return ``gdf`` in a projected CRS in metres, fit for areas and distances.

    Steps:

    1. ``source_crs="gcj02"``/``"bd09"`` converts web-map coordinates to EPSG:4326
       (:func:`convert_web_coordinates`). Any other ``source_crs`` (EPSG code, WKT, PROJ string,
       :class:`pyproj.CRS`) is assigned when the layer has no CRS; it must agree with a CRS the
       layer already declares (use ``GeoDataFrame.to_crs`` to re-project).
    2. Coordinates that cannot be in the declared CRS raise :class:`~zoning.errors.InputError`
       (metres declared as degrees, degrees declared as a projected CRS, zone-prefixed
       Gauss-Krüger eastings under a CRS without prefix).
    3. If ``target_crs`` is given and differs, the data is re-projected to it. Otherwise a
       metric CRS (:func:`is_metric`) is kept as is (the same object is returned), and degrees,
       Web Mercator or feet are re-projected to :func:`choose_metric_crs` with a
       :class:`~zoning.errors.CRSWarning` naming both CRSs.

    Empty layers are returned as they are (after CRS assignment).

    Parameters
    ----------
    gdf : geopandas.GeoDataFrame
        The layer.
    source_crs : str, int, pyproj.CRS or None
        CRS of a layer without one, or ``"gcj02"`` / ``"bd09"`` for web-map coordinates.
    target_crs : str, int, pyproj.CRS or None
        Output CRS; must be metric. Default: keep a metric CRS, else choose one.
    name : str
        Layer name used in messages.
    cli_option : str or None
        The command-line option that declares this layer's CRS, for the message when it has
        none (``"--blocks-source-crs"`` for blocks; None when there is no such option).

    Returns
    -------
    geopandas.GeoDataFrame

    Raises
    ------
    zoning.errors.InputError
        No CRS, conflicting or implausible CRS, non-metric ``target_crs``.

    Examples
    --------
    >>> from shapely import box
    >>> ll = gpd.GeoDataFrame(geometry=[box(118.78, 32.05, 118.79, 32.06)], crs="EPSG:4326")
    >>> with warnings.catch_warnings(record=True) as caught:
    ...     warnings.simplefilter("always")
    ...     gk = ensure_metric_crs(ll)
    >>> gk.crs.to_epsg(), "EPSG:4549" in str(caught[0].message)
    (4549, True)
    >>> ensure_metric_crs(gk) is gk
    True
    >>> ensure_metric_crs(ll, target_crs="EPSG:32650").crs.to_epsg()
    32650
    """
    web = _web_source(source_crs)
    if web is not None:
        gdf = convert_web_coordinates(gdf, web)
    elif source_crs is not None:
        src = _parse_crs(source_crs, "source_crs")
        if gdf.crs is None:
            gdf = gdf.set_crs(src)
        elif not _same_crs(gdf.crs, src):
            raise InputError(
                f"{name}: source_crs={_describe(src)} conflicts with the CRS the layer declares, "
                f"{_describe(gdf.crs)}. source_crs only assigns a missing CRS or declares "
                "GCJ-02/BD-09 ('gcj02'/'bd09') coordinates; to re-project use gdf.to_crs(...) "
                "or target_crs=. If the declared CRS is wrong, fix the .prj or use "
                "gdf.set_crs(..., allow_override=True)."
            )
    _check_far_away(gdf, name)
    if gdf.crs is None:
        raise InputError(missing_crs_message(gdf, name, cli_option))
    target = None
    if target_crs is not None:
        target = _parse_crs(target_crs, "target_crs")
        if not is_metric(target):
            raise InputError(
                f"target_crs={_describe(target)} is not a projected CRS in metres (degrees, feet "
                "and Web Mercator give wrong areas); use e.g. EPSG:4547 (CGCS2000 3-degree "
                "Gauss-Kruger CM 114E) or a UTM zone"
            )
    bounds = _bounds(gdf)
    if not np.isfinite(bounds).all():  # no rows, or only None/empty geometries
        return gdf if target is None else gdf.to_crs(target)
    _check_plausible(gdf.crs, bounds, name)
    if target is not None:
        return gdf if _same_crs(gdf.crs, target) else gdf.to_crs(target)
    if is_metric(gdf.crs):
        return gdf
    chosen = _choose(*_lonlat_centre(bounds, gdf.crs))
    warnings.warn(
        f"{name}: CRS {_describe(gdf.crs)} is not a projected CRS in metres, so areas would be "
        f"wrong; re-projected to {_describe(chosen)}. Pass target_crs= (e.g. "
        "target_crs='EPSG:4547') to choose another.",
        CRSWarning,
        stacklevel=2,
    )
    return gdf.to_crs(chosen)


def _parse_crs(value: Any, what: str) -> pyproj.CRS:
    try:
        return pyproj.CRS.from_user_input(value)
    except pyproj.exceptions.CRSError as exc:
        raise InputError(
            f"{what}={value!r} is not a CRS pyproj understands ({exc}); use e.g. 'EPSG:4547', "
            "a WKT/PROJ string or the contents of a .prj file"
            + ("; for web-map coordinates use 'gcj02' or 'bd09'" if what == "source_crs" else "")
        ) from exc


def geodesic_area_m2(gdf: gpd.GeoDataFrame | gpd.GeoSeries) -> NDArray[np.float64]:
    """Ellipsoidal (geodesic) area of each geometry in m², on the GRS80/CGCS2000 ellipsoid.

    Computed from EPSG:4326 coordinates with :class:`pyproj.Geod`, so it does not depend on the
    projection: use it to cross-check grid areas (Gauss-Krüger grid area differs from it by the
    scale factor, ~0.03 % at 1.2° from the central meridian). ``None`` geometries give NaN,
    empty ones 0. This loops in Python: meant for checks and tests, not millions of rows.

    Examples
    --------
    >>> from shapely import box
    >>> sq = gpd.GeoSeries([box(118.78, 32.05, 118.79, 32.06), None], crs="EPSG:4326")
    >>> geodesic_area_m2(sq).round()
    array([1047187.,      nan])
    """
    if gdf.crs is None:
        raise InputError("geodesic_area_m2 needs a CRS; see ensure_metric_crs(source_crs=...)")
    geoms = gdf.geometry.to_crs("EPSG:4326")
    oriented = shapely.orient_polygons(np.asarray(geoms.array), exterior_cw=False)
    geod = pyproj.Geod(ellps="GRS80")
    return np.array(
        [np.nan if g is None else abs(geod.geometry_area_perimeter(g)[0]) for g in oriented],
        dtype=float,
    )
