"""Tests for zoning.crs: GCJ-02/BD-09 conversion and choosing / enforcing a metric CRS."""

from __future__ import annotations

import warnings

import geopandas as gpd
import numpy as np
import prcoords
import pyproj
import pytest
import shapely
from hypothesis import given, settings
from hypothesis import strategies as st
from shapely import Point, Polygon, box

from zoning.errors import CRSWarning, InputError
from zoning.io.crs import (
    bd09_to_gcj02,
    bd09_to_wgs84,
    choose_metric_crs,
    convert_web_coordinates,
    ensure_metric_crs,
    gcj02_to_bd09,
    gcj02_to_wgs84,
    geodesic_area_m2,
    is_metric,
    wgs84_to_bd09,
    wgs84_to_gcj02,
)

GEOD = pyproj.Geod(ellps="GRS80")


def metres(lon1, lat1, lon2, lat2) -> np.ndarray:
    """Geodesic distance in metres between two sets of lon/lat points."""
    lon1, lat1, lon2, lat2 = np.broadcast_arrays(
        *(np.asarray(a, dtype=float) for a in (lon1, lat1, lon2, lat2))
    )
    return np.asarray(GEOD.inv(lon1, lat1, lon2, lat2)[2])


@pytest.fixture(scope="module")
def china_grid() -> tuple[np.ndarray, np.ndarray]:
    """1,200 WGS 84 points covering mainland China (plus some sea)."""
    lon, lat = np.meshgrid(np.linspace(73.5, 135.0, 40), np.linspace(18.0, 53.5, 30))
    return lon.ravel(), lat.ravel()


def square_lonlat(lon: float, lat: float, side_m: float = 1000.0) -> Polygon:
    """A side_m × side_m square (approximately) whose south-west corner is at lon/lat."""
    dlat = side_m / 110_900.0
    dlon = side_m / (111_320.0 * np.cos(np.radians(lat)))
    return box(lon, lat, lon + dlon, lat + dlat)


# --- GCJ-02 / BD-09 ----------------------------------------------------------------------------


def test_gcj02_forward_matches_prcoords(china_grid):
    lon, lat = china_grid
    glon, glat = wgs84_to_gcj02(lon, lat)
    ref = np.array([prcoords.wgs_gcj((y, x)) for x, y in zip(lon, lat, strict=True)])
    assert metres(glon, glat, ref[:, 1], ref[:, 0]).max() < 1e-6
    # and the offset is the expected tens-to-hundreds of metres everywhere
    shift = metres(lon, lat, glon, glat)
    assert 10 < shift.min() and shift.max() < 1000


def test_gcj02_inverse_round_trip_and_prcoords(china_grid):
    lon, lat = china_grid
    glon, glat = wgs84_to_gcj02(lon, lat)
    wlon, wlat = gcj02_to_wgs84(glon, glat)
    assert metres(lon, lat, wlon, wlat).max() < 0.01
    ref = np.array([prcoords.gcj_wgs_bored((y, x)) for x, y in zip(glon, glat, strict=True)])
    assert metres(wlon, wlat, ref[:, 1], ref[:, 0]).max() < 0.01
    # the one-step inverse is metres off: ours must be much better
    rough = np.array([prcoords.gcj_wgs((y, x)) for x, y in zip(glon, glat, strict=True)])
    assert metres(lon, lat, rough[:, 1], rough[:, 0]).max() > 1.0


def test_bd09_matches_prcoords_and_round_trips(china_grid):
    lon, lat = china_grid
    blon, blat = wgs84_to_bd09(lon, lat)
    ref = np.array([prcoords.wgs_bd((y, x)) for x, y in zip(lon, lat, strict=True)])
    assert metres(blon, blat, ref[:, 1], ref[:, 0]).max() < 1e-6
    wlon, wlat = bd09_to_wgs84(blon, blat)
    assert metres(lon, lat, wlon, wlat).max() < 0.01
    ref_inv = np.array([prcoords.bd_wgs_bored((y, x)) for x, y in zip(blon, blat, strict=True)])
    # prcoords stops iterating at 1e-5 degrees (about 1.5 cm): we agree with it to that level
    # and are closer to the truth than it is
    assert metres(wlon, wlat, ref_inv[:, 1], ref_inv[:, 0]).max() < 0.05
    assert metres(lon, lat, wlon, wlat).max() < metres(lon, lat, ref_inv[:, 1], ref_inv[:, 0]).max()
    glon, glat = wgs84_to_gcj02(lon, lat)
    assert np.allclose(gcj02_to_bd09(glon, glat), (blon, blat), rtol=0, atol=1e-12)
    assert np.allclose(bd09_to_gcj02(blon, blat), (glon, glat), rtol=0, atol=1e-10)


def test_scalars_and_outside_china():
    lon, _ = wgs84_to_gcj02(114.05, 22.55)
    assert lon.shape == () and lon != 114.05
    for x, y in [(2.35, 48.86), (139.69, 35.69), (-74.0, 40.7)]:  # Paris, Tokyo, New York
        assert wgs84_to_gcj02(x, y) == (x, y)
        assert gcj02_to_wgs84(x, y) == (x, y)
    # the coarse rectangle also shifts Seoul (documented)
    assert metres(126.98, 37.57, *wgs84_to_gcj02(126.98, 37.57)) > 100
    # NaN passes through
    assert np.isnan(gcj02_to_wgs84([np.nan], [30.0])[0]).all()


@settings(derandomize=True, max_examples=200, deadline=None)
@given(st.floats(73.0, 135.0), st.floats(3.0, 54.0))
def test_gcj02_round_trip_property(lon, lat):
    wlon, wlat = gcj02_to_wgs84(*wgs84_to_gcj02(lon, lat))
    assert abs(wlon - lon) < 1e-8 and abs(wlat - lat) < 1e-8


def test_convert_web_coordinates_shifts_polygon_and_back():
    wgs = gpd.GeoDataFrame(
        {"id": [1, 2]}, geometry=[square_lonlat(118.78, 32.05), None], crs="EPSG:4326"
    )
    ring = np.asarray(wgs.geometry[0].exterior.coords)
    gcj_geom = Polygon(np.column_stack(wgs84_to_gcj02(ring[:, 0], ring[:, 1])))
    gcj = gpd.GeoDataFrame({"id": [1, 2]}, geometry=[gcj_geom, None])  # no CRS: taken as lon/lat
    out = convert_web_coordinates(gcj, "GCJ-02")
    assert out.crs.to_epsg() == 4326 and gcj.crs is None  # a copy
    assert list(out["id"]) == [1, 2] and out.geometry[1] is None
    back = np.asarray(out.geometry[0].exterior.coords)
    assert metres(back[:, 0], back[:, 1], ring[:, 0], ring[:, 1]).max() < 0.01
    shift = metres(*gcj_geom.centroid.coords[0], *wgs.geometry[0].centroid.coords[0])
    assert 100 < shift < 1000

    bd_ring = np.column_stack(wgs84_to_bd09(ring[:, 0], ring[:, 1]))
    bd = gpd.GeoDataFrame(geometry=[shapely.force_3d(Polygon(bd_ring), 5.0)], crs="EPSG:4326")
    out = convert_web_coordinates(bd, "bd09")
    assert not out.geometry[0].has_z  # Z is dropped
    back = np.asarray(out.geometry[0].exterior.coords)
    assert metres(back[:, 0], back[:, 1], ring[:, 0], ring[:, 1]).max() < 0.01


def test_convert_web_coordinates_empty_and_none():
    for gdf in (gpd.GeoDataFrame(geometry=[]), gpd.GeoDataFrame(geometry=[None, Polygon()])):
        out = convert_web_coordinates(gdf, "bd-09")
        assert out.crs.to_epsg() == 4326 and len(out) == len(gdf)


def test_convert_web_coordinates_errors():
    gdf = gpd.GeoDataFrame(geometry=[Point(114.05, 22.55)], crs="EPSG:4326")
    with pytest.raises(InputError, match=r"gcj02.*bd09"):
        convert_web_coordinates(gdf, "wgs84")
    with pytest.raises(InputError, match="longitude/latitude"):
        convert_web_coordinates(gdf.to_crs("EPSG:4547"), "gcj02")
    with pytest.raises(InputError, match="not longitude/latitude"):
        convert_web_coordinates(gpd.GeoDataFrame(geometry=[Point(500_000, 2_500_000)]), "gcj02")


# --- metric CRS ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("crs", "expected"),
    [
        ("EPSG:4547", True),
        ("EPSG:32650", True),
        ("EPSG:4526", True),
        ("EPSG:4326", False),
        ("EPSG:4490", False),
        ("EPSG:3857", False),
        ("EPSG:900913", False),
        ("EPSG:3785", False),
        ("ESRI:102100", False),
        ("EPSG:3395", False),
        ("EPSG:2263", False),  # US survey feet
        (None, False),
    ],
)
def test_is_metric(crs, expected):
    assert is_metric(crs) is expected


@pytest.mark.parametrize(
    ("lon", "lat", "epsg"),
    [
        (118.78, 32.05, 4549),
        (114.05, 22.55, 4547),
        (24.9, 60.2, 32635),
        (73.2, 39.0, 4534),
        (135.4, 48.0, 4554),
        (-74.0, 40.7, 32618),
        (151.2, -33.9, 32756),
    ],
)
def test_choose_metric_crs(lon, lat, epsg):
    assert choose_metric_crs((lon - 0.01, lat - 0.01, lon + 0.01, lat + 0.01)).to_epsg() == epsg
    gdf = gpd.GeoDataFrame(geometry=[Point(lon, lat)], crs="EPSG:4326").to_crs("EPSG:3857")
    assert choose_metric_crs(gdf).to_epsg() == epsg  # centre computed in EPSG:4326


@pytest.mark.parametrize(
    ("lon", "lat", "epsg"), [(118.78, 32.05, 4549), (114.05, 22.55, 4547), (24.9, 60.2, 32635)]
)
def test_reproject_lonlat_area_matches_geodesic(lon, lat, epsg):
    gdf = gpd.GeoDataFrame(geometry=[square_lonlat(lon, lat)], crs="EPSG:4326")
    with pytest.warns(CRSWarning, match=f"EPSG:{epsg}") as record:
        out = ensure_metric_crs(gdf)
    assert (
        len(record) == 1
        and "EPSG:4326" in str(record[0].message)
        and "target_crs=" in str(record[0].message)
    )
    assert out.crs.to_epsg() == epsg
    geodesic = geodesic_area_m2(gdf)[0]
    assert 0.9e6 < geodesic < 1.1e6
    assert out.area.iloc[0] == pytest.approx(geodesic, rel=0.005)


def test_web_mercator_is_reprojected():
    gdf = gpd.GeoDataFrame(geometry=[square_lonlat(118.78, 32.05)], crs="EPSG:4326").to_crs(
        "EPSG:3857"
    )
    geodesic = geodesic_area_m2(gdf)[0]
    assert gdf.area.iloc[0] / geodesic == pytest.approx(1.40, abs=0.02)  # the naive error
    with pytest.warns(CRSWarning, match=r"EPSG:3857.*EPSG:4549"):
        out = ensure_metric_crs(gdf)
    assert out.area.iloc[0] == pytest.approx(geodesic, rel=0.005)


def test_target_crs():
    gdf = gpd.GeoDataFrame(geometry=[square_lonlat(114.05, 22.55)], crs="EPSG:4326")
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        out = ensure_metric_crs(gdf, target_crs=32650)
    assert out.crs.to_epsg() == 32650
    assert ensure_metric_crs(out, target_crs="EPSG:4547").crs.to_epsg() == 4547
    with pytest.raises(InputError, match="target_crs"):
        ensure_metric_crs(gdf, target_crs="EPSG:3857")


def test_missing_crs():
    gk = gpd.GeoDataFrame(geometry=[box(500_000, 2_494_000, 501_000, 2_495_000)])
    with pytest.raises(InputError, match="source_crs") as exc:
        ensure_metric_crs(gk, name="plots")
    assert (
        "no CRS" in str(exc.value)
        and "plots" in str(exc.value)
        and "longitude/latitude" not in str(exc.value)
    )
    assert "EPSG:4547" in str(exc.value) and "--source-crs" in str(exc.value)
    ll = gpd.GeoDataFrame(geometry=[square_lonlat(114.05, 22.55)])
    with pytest.raises(InputError, match=r"look like longitude/latitude.*source_crs='EPSG:4326'"):
        ensure_metric_crs(ll)
    with pytest.raises(InputError, match="source_crs"):
        ensure_metric_crs(gpd.GeoDataFrame(geometry=[]))
    out = ensure_metric_crs(gk, source_crs="EPSG:4547")
    assert out.crs.to_epsg() == 4547 and gk.crs is None
    with pytest.raises(InputError, match="not a CRS"):
        ensure_metric_crs(gk, source_crs="EPSG:99999999")


def test_source_crs_gcj02_on_frame_without_crs():
    wgs = square_lonlat(114.05, 22.55)
    ring = np.asarray(wgs.exterior.coords)
    gcj = gpd.GeoDataFrame(
        geometry=[Polygon(np.column_stack(wgs84_to_gcj02(ring[:, 0], ring[:, 1])))]
    )
    with pytest.warns(CRSWarning, match="EPSG:4547"):
        out = ensure_metric_crs(gcj, source_crs="gcj02")
    expected = gpd.GeoSeries([wgs], crs="EPSG:4326").to_crs(4547)
    assert out.geometry[0].hausdorff_distance(expected[0]) < 0.01


def test_source_crs_conflict():
    gdf = gpd.GeoDataFrame(geometry=[box(500_000, 2_494_000, 501_000, 2_495_000)], crs="EPSG:4547")
    with pytest.raises(InputError, match=r"EPSG:4549.*EPSG:4547.*to_crs"):
        ensure_metric_crs(gdf, source_crs="EPSG:4549")
    # the same CRS spelt differently is not a conflict
    assert ensure_metric_crs(gdf, source_crs=pyproj.CRS(gdf.crs.to_wkt())) is gdf


def test_metres_declared_as_degrees():
    gdf = gpd.GeoDataFrame(geometry=[box(500_000, 2_494_000, 501_000, 2_495_000)], crs="EPSG:4326")
    with pytest.raises(InputError, match=r"not longitude/latitude.*EPSG:4547"):
        ensure_metric_crs(gdf)
    with pytest.raises(InputError, match="not longitude/latitude"):
        ensure_metric_crs(gdf.set_crs("EPSG:4490", allow_override=True))


def test_degrees_declared_as_projected():
    gdf = gpd.GeoDataFrame(geometry=[square_lonlat(114.05, 22.55)], crs="EPSG:4547")
    with pytest.raises(InputError, match=r"look like longitude/latitude.*mis-declared"):
        ensure_metric_crs(gdf)


def test_zone_prefixed_gauss_kruger():
    # a parcel near 114E in 3-degree zone 38, exported with the zone prefix (38 500 000 + ...)
    plain = gpd.GeoDataFrame(geometry=[square_lonlat(114.05, 22.55)], crs="EPSG:4326").to_crs(4547)
    prefixed = plain.set_geometry(plain.translate(xoff=38_000_000))
    assert prefixed.total_bounds[0] // 1e6 == 38
    with pytest.raises(InputError, match=r"zone prefix.*EPSG:4526") as exc:
        ensure_metric_crs(prefixed)
    assert "EPSG:4547" in str(exc.value)  # names the declared CRS
    # declared with the right prefixed CRS, it is accepted and metric
    fixed = prefixed.set_crs("EPSG:4526", allow_override=True)
    assert ensure_metric_crs(fixed) is fixed
    assert fixed.to_crs(4547).geometry[0].hausdorff_distance(plain.geometry[0]) < 0.01


def test_already_metric_is_unchanged_without_warning():
    gdf = gpd.GeoDataFrame(
        {"a": [1]}, geometry=[box(500_000, 2_494_000, 501_000, 2_495_000)], crs="EPSG:4547"
    )
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert ensure_metric_crs(gdf) is gdf
        assert ensure_metric_crs(gdf, source_crs="EPSG:4547") is gdf
        assert ensure_metric_crs(gdf, target_crs=4547) is gdf


def test_empty_frames_do_not_crash():
    empty = gpd.GeoDataFrame(geometry=[], crs="EPSG:4326")
    assert ensure_metric_crs(empty) is empty
    assert ensure_metric_crs(empty, target_crs=4547).crs.to_epsg() == 4547
    only_none = gpd.GeoDataFrame(geometry=[None, Polygon()], crs="EPSG:4547")
    assert ensure_metric_crs(only_none) is only_none
    assert np.isnan(geodesic_area_m2(only_none)[0]) and geodesic_area_m2(only_none)[1] == 0


def test_geodesic_area_orientation_and_holes():
    outer = square_lonlat(118.78, 32.05)
    hole = shapely.affinity.scale(outer, 0.5, 0.5)
    donut_cw = shapely.orient_polygons(
        Polygon(outer.exterior.coords, [hole.exterior.coords]), exterior_cw=True
    )
    areas = geodesic_area_m2(gpd.GeoSeries([outer, donut_cw], crs="EPSG:4326"))
    assert areas[1] == pytest.approx(0.75 * areas[0], rel=1e-3)


ESRI_4547_PRJ = (
    'PROJCS["CGCS2000_3_Degree_GK_CM_114E",GEOGCS["GCS_China_Geodetic_Coordinate_System_2000",'
    'DATUM["D_China_2000",SPHEROID["CGCS2000",6378137.0,298.257222101]],PRIMEM["Greenwich",0.0],'
    'UNIT["Degree",0.0174532925199433]],PROJECTION["Gauss_Kruger"],PARAMETER["False_Easting",500000.0],'
    'PARAMETER["False_Northing",0.0],PARAMETER["Central_Meridian",114.0],PARAMETER["Scale_Factor",1.0],'
    'PARAMETER["Latitude_Of_Origin",0.0],UNIT["Meter",1.0]]'
)


def test_esri_prj_is_metric_and_matches_epsg_code():
    gdf = gpd.GeoDataFrame(
        geometry=[box(500_000, 2_494_000, 501_000, 2_495_000)], crs=ESRI_4547_PRJ
    )
    assert is_metric(gdf.crs)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert ensure_metric_crs(gdf, source_crs="EPSG:4547") is gdf


def test_swapped_xy_raises():
    gdf = gpd.GeoDataFrame(geometry=[box(2_494_000, 500_000, 2_495_000, 501_000)], crs="EPSG:4547")
    with pytest.raises(InputError, match="swapped"):
        ensure_metric_crs(gdf)


def test_choose_metric_crs_errors_and_polar():
    with pytest.raises(InputError, match="no CRS"):
        choose_metric_crs(gpd.GeoDataFrame(geometry=[Point(114, 22)]))
    with pytest.raises(InputError, match="bounds"):
        choose_metric_crs((114, 22))
    with pytest.raises(InputError, match="non-empty"):
        choose_metric_crs(gpd.GeoDataFrame(geometry=[None], crs="EPSG:4326"))
    polar = choose_metric_crs((10.0, 86.0, 11.0, 87.0))
    assert is_metric(polar)
