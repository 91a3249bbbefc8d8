"""Zone GeoTIFFs and raster values per parcel."""

from __future__ import annotations

import numpy as np
import pytest
import rasterio
import shapely

import zoning
from zoning.errors import CRSWarning, InputError
from zoning.outputs import raster as zr
from zoning.outputs.raster import (
    NODATA,
    ZONE_VALUES,
    estimate_floor_area,
    rasterize_zones,
    zonal_stats,
)

HEIGHT = zoning.datasets.get_path("height")


@pytest.fixture(scope="module")
def zone_tif(sample_result, tmp_path_factory):
    return rasterize_zones(sample_result, resolution=10, path=tmp_path_factory.mktemp("r") / "zones.tif")


# -- zone rasters ------------------------------------------------------------------------------

def test_zone_values_are_fixed():
    assert ZONE_VALUES == {"retain_upgrade": 1, "land_consolidation": 2, "contiguous_renewal": 3,
                           "unzoned": 4, "not_industrial": 5}
    assert NODATA == 0


def test_geotiff_profile(sample_result, zone_tif):
    with rasterio.open(zone_tif) as src:
        assert src.crs.to_epsg() == sample_result.parcels.crs.to_epsg() == 4547
        assert src.count == 1
        assert src.dtypes[0] == "uint8"
        assert src.nodata == 0
        assert src.res == (10.0, 10.0)
        assert src.compression.name.lower() == "deflate"
        assert src.colorinterp[0] == rasterio.enums.ColorInterp.palette
        # the grid covers the parcels
        b, (x0, y0, x1, y1) = src.bounds, sample_result.parcels.total_bounds
        assert b.left <= x0 and b.bottom <= y0 and b.right >= x1 and b.top >= y1


def test_colour_table_is_the_pack_colours(sample_result, zone_tif):
    with rasterio.open(zone_tif) as src:
        cmap = src.colormap(1)
    assert cmap[0][3] == 0  # nodata transparent
    for zone, value in ZONE_VALUES.items():
        hexcol = sample_result.rules.zones[zone].color
        assert cmap[value] == (int(hexcol[1:3], 16), int(hexcol[3:5], 16), int(hexcol[5:7], 16), 255)


def test_values_are_documented_in_the_file(zone_tif):
    with rasterio.open(zone_tif) as src:
        assert "1 retain_upgrade" in src.descriptions[0]
        band = src.tags(1)
        tags = src.tags()
    assert band["VALUE_1"] == "retain_upgrade | 保留提升区 | Retain-upgrade"
    assert band["VALUE_5"].startswith("not_industrial | 非工业")
    assert tags["ZONE_VALUES"].startswith("1=retain_upgrade;2=land_consolidation")
    assert tags["RULES"] == "shenzhen-2020"
    assert tags["REFERENCE_YEAR"] == "2025"
    qml = zone_tif.with_suffix(".qml").read_text(encoding="utf-8")
    assert 'type="paletted"' in qml
    assert 'value="2" color="#d7301f"' in qml
    assert "土地整备区" in qml


def test_cell_counts_match_zone_areas(sample_result, zone_tif):
    with rasterio.open(zone_tif) as src:
        grid = src.read(1)
    counts = np.bincount(grid.ravel(), minlength=6)
    for zone, value in ZONE_VALUES.items():
        km2 = counts[value] * 100 / 1e6
        want = sample_result.summary.loc[zone, "area_km2"]
        assert km2 == pytest.approx(want, rel=0.03), zone


def test_array_equals_file_and_tiles_do_not_matter(sample_result, zone_tif, monkeypatch):
    grid = rasterize_zones(sample_result, resolution=10)
    with rasterio.open(zone_tif) as src:
        assert np.array_equal(grid, src.read(1))
    monkeypatch.setattr(zr, "_TILE", 300)  # many small tiles, edges through parcels
    assert np.array_equal(rasterize_zones(sample_result, resolution=10, progress=True), grid)


def test_all_touched_grows_zones(sample_result):
    a = rasterize_zones(sample_result, resolution=25)
    b = rasterize_zones(sample_result, resolution=25, all_touched=True)
    assert (b > 0).sum() > (a > 0).sum()


def test_rasterize_rejects_bad_input(sample_result, tmp_path):
    with pytest.raises(InputError, match="GeoTIFF"):
        rasterize_zones(sample_result, path=tmp_path / "zones.png")
    with pytest.raises(InputError, match="resolution"):
        rasterize_zones(sample_result, resolution=0)


# -- zonal statistics --------------------------------------------------------------------------

def _brute_force(geom, stat):
    """Reference: every cell whose centre is inside the polygon, read straight from the file."""
    with rasterio.open(HEIGHT) as src:
        data = src.read(1)
        rows, cols = np.mgrid[0:src.height, 0:src.width]
        xs, ys = rasterio.transform.xy(src.transform, rows.ravel(), cols.ravel())
        inside = shapely.contains_xy(geom, np.asarray(xs), np.asarray(ys)).reshape(data.shape)
        vals = data[inside & (data != src.nodata)]
    return getattr(np, stat)(vals) if len(vals) else np.nan


@pytest.fixture(scope="module")
def parcels():
    return zoning.read_parcels(zoning.datasets.get_path("parcels"))


def test_zonal_stats_equal_brute_force(parcels):
    stats = zonal_stats(parcels, HEIGHT, stats=("mean", "max", "min", "sum", "count", "median", "std"))
    assert stats.index.equals(parcels.index)
    inside = stats.index[stats["count"] > 0]
    assert len(inside) == 445
    for i in inside[[0, 17, 100, 250, 444]]:
        g = parcels.geometry.loc[i]
        for s in ("mean", "max", "min", "sum", "median", "std"):
            assert stats.loc[i, s] == pytest.approx(_brute_force(g, s)), (i, s)


def test_prefix_and_default_stats(parcels):
    h = zonal_stats(parcels, HEIGHT, prefix="height_")
    assert list(h.columns) == ["height_mean", "height_max"]


def test_parcels_outside_the_raster_get_nan(parcels):
    h = zonal_stats(parcels, HEIGHT, stats=("mean", "count"))
    outside = h["count"] == 0
    assert outside.sum() == len(parcels) - 445
    assert h.loc[outside, "mean"].isna().all()
    far = parcels.iloc[:3].copy()
    far["geometry"] = far.translate(1e6, 0)
    assert zonal_stats(far, HEIGHT)["mean"].isna().all()


def test_crs_mismatch_reprojects_with_a_warning(parcels):
    sub = parcels[zonal_stats(parcels, HEIGHT, stats="count")["count"] > 0]
    want = zonal_stats(sub, HEIGHT)
    with pytest.warns(CRSWarning, match="re-projected"):
        got = zonal_stats(sub.to_crs("EPSG:4490"), HEIGHT)
    assert got.index.equals(sub.index)
    np.testing.assert_allclose(got.to_numpy(), want.to_numpy())


def test_nodata_is_honoured(parcels, tmp_path):
    sub = parcels[zonal_stats(parcels, HEIGHT, stats="count")["count"] > 0].iloc[:2]
    with rasterio.open(HEIGHT) as src:
        profile, data, transform = src.profile, src.read(1), src.transform
    # blank all of the first parcel and the tallest cells of the second
    rows, cols = np.mgrid[0:data.shape[0], 0:data.shape[1]]
    xs, ys = rasterio.transform.xy(transform, rows.ravel(), cols.ravel())
    xs, ys = np.asarray(xs), np.asarray(ys)
    in0 = shapely.contains_xy(sub.geometry.iloc[0], xs, ys).reshape(data.shape)
    in1 = shapely.contains_xy(sub.geometry.iloc[1], xs, ys).reshape(data.shape)
    top = in1 & (data == data[in1].max())
    data[in0 | top] = profile["nodata"]
    path = tmp_path / "holes.tif"
    with rasterio.open(path, "w", **profile) as dst:
        dst.write(data, 1)
    h = zonal_stats(sub, path, stats=("mean", "max", "count"))
    assert np.isnan(h["mean"].iloc[0])
    assert h["count"].iloc[0] == 0
    rest = data[in1 & ~top]
    assert h["max"].iloc[1] == pytest.approx(rest.max())
    assert h["mean"].iloc[1] == pytest.approx(rest.mean())


def test_open_dataset_is_accepted_and_left_open(parcels):
    with rasterio.open(HEIGHT) as src:
        h = zonal_stats(parcels, src, stats="max")
        assert not src.closed
    assert h["max"].max() == 140.0


def test_zonal_stats_errors(parcels, tmp_path):
    with pytest.raises(InputError, match="does not exist"):
        zonal_stats(parcels, tmp_path / "missing.tif")
    with pytest.raises(InputError, match="unknown statistic"):
        zonal_stats(parcels, HEIGHT, stats=("mean", "mode"))
    with pytest.raises(InputError, match="band 2"):
        zonal_stats(parcels, HEIGHT, band=2)
    with pytest.raises(InputError, match="no CRS"):
        zonal_stats(parcels.set_crs(None, allow_override=True), HEIGHT)


# -- floor area from building heights ----------------------------------------------------------

def test_floor_area_estimate_matches_the_parcel_table(parcels):
    est = estimate_floor_area(parcels, HEIGHT)
    assert est.name == "floor_area_m2_est"
    assert est.index.equals(parcels.index)
    inside = est.notna()
    assert inside.sum() == 445
    # sample README: the raster implies 4.985 km² of floor area against 4.972 km² in the table
    assert est[inside].sum() / 1e6 == pytest.approx(4.985, abs=0.001)
    assert est[inside].sum() == pytest.approx(parcels.loc[inside, "floor_area_m2"].sum(), rel=0.01)
    rel = (est[inside] - parcels.loc[inside, "floor_area_m2"]).abs() / parcels.loc[inside, "floor_area_m2"]
    assert rel.median() < 0.1


def test_floor_area_fills_missing_values(parcels):
    p = parcels.copy()
    est = estimate_floor_area(p, HEIGHT)
    first = est.first_valid_index()
    p.loc[first, "floor_area_m2"] = np.nan
    filled = p["floor_area_m2"].fillna(est)
    assert filled.loc[first] == est.loc[first]
    assert filled.drop(index=first).equals(parcels["floor_area_m2"].drop(index=first))


def test_storey_height_scales_the_estimate(parcels):
    a = estimate_floor_area(parcels, HEIGHT)
    b = estimate_floor_area(parcels, HEIGHT, storey_height_m=8.0)
    np.testing.assert_allclose(b.dropna(), a.dropna() / 2)
    with pytest.raises(InputError, match="storey_height_m"):
        estimate_floor_area(parcels, HEIGHT, storey_height_m=0)
