"""Tests for zoning._encoding: shapefile text encodings, read errors, mojibake repair.

Every file is written by pyogrio/GDAL into tmp_path and then patched (delete the .cpg,
rewrite it, set the DBF code-page byte) to build each case.
"""

from __future__ import annotations

import warnings
import zipfile
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pyogrio
import pytest
from shapely.geometry import Point, box

from zoning.errors import InputError, TextEncodingWarning
from zoning.io._encoding import (
    EncodingInfo,
    _decode_tolerant,
    looks_like_mojibake,
    normalise_encoding,
    read_vector,
    repair_mojibake,
)

RARE = "㐀"  # U+3400: in GB18030 (4 bytes) but not in GBK

# 4-Hanzi names are 8 bytes in GBK/GB18030: they fit the 10-byte DBF field-name limit.
PARCELS = {
    "宗地编号": ["A001", "A002", "B003", "C004"],
    "现状用途": ["一类工业用地", "二类工业用地", "仓储用地", "一类工业用地"],
    "建筑质量": ["较差", "一般", "较好", "较差"],
    "行政区": ["宝安区", "龙岗区", "光明区", "宝安区"],
    "容积率": [1.2, 0.8, 2.5, 1.0],
}
# Same data with rare characters, for GB18030 and UTF-8 files.
PARCELS_RARE = {**PARCELS, "行政区": ["宝安区", f"龙岗区{RARE}村", "光明区", f"{RARE}"]}
# Names of at most 3 Hanzi (9 bytes) survive a UTF-8 DBF.
PARCELS_UTF8 = {
    "编号": ["A001", "A002", "B003", "C004"],
    "用途": ["一类工业用地", "二类工业用地", "仓储用地", "一类工业用地"],
    "质量": ["较差", "一般", "较好", "较差"],
    "行政区": ["宝安区", f"龙岗区{RARE}村", "光明区", "宝安区"],
    "容积率": [1.2, 0.8, 2.5, 1.0],
}

EXTS = (".shp", ".shx", ".dbf", ".prj", ".cpg")


def frame(data: dict) -> gpd.GeoDataFrame:
    n = len(next(iter(data.values())))
    geoms = [box(i, 0, i + 1, 1) for i in range(n)]
    return gpd.GeoDataFrame(dict(data), geometry=geoms, crs="EPSG:4547")


def write_shp(
    directory: Path,
    name: str,
    data: dict,
    encoding: str,
    *,
    cpg: str | bool | None = True,
    ldid: int | None = None,
) -> Path:
    """Write a shapefile with GDAL; cpg=True keeps GDAL's .cpg, None deletes it, str rewrites it."""
    path = directory / f"{name}.shp"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # GDAL's laundering messages
        frame(data).to_file(path, encoding=encoding)
    cpg_path = path.with_suffix(".cpg")
    if cpg is None:
        cpg_path.unlink()
    elif isinstance(cpg, str):
        cpg_path.write_text(cpg, encoding="ascii")
    if ldid is not None:
        with open(path.with_suffix(".dbf"), "r+b") as dbf:
            dbf.seek(29)
            dbf.write(bytes([ldid]))
    return path


def read_quietly(path, **kwargs):
    """read_vector, failing if it emits a TextEncodingWarning."""
    with warnings.catch_warnings():
        warnings.simplefilter("error", TextEncodingWarning)
        return read_vector(path, **kwargs)


def assert_same_text(gdf: gpd.GeoDataFrame, data: dict) -> None:
    """Column names, values and row count exactly as written."""
    assert [c for c in gdf.columns if c != "geometry"] == list(data)
    assert len(gdf) == len(next(iter(data.values())))
    for column, values in data.items():
        assert gdf[column].tolist() == values, column


# --------------------------------------------------------------------------------------
# What GDAL does (documents the behaviour the module relies on)
# --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("encoding", "cpg_text"), [("GBK", "GBK"), ("GB18030", "GB18030"), ("UTF-8", "UTF-8")]
)
def test_gdal_writes_cpg_and_zero_ldid(tmp_path, encoding, cpg_text):
    data = PARCELS_UTF8 if encoding == "UTF-8" else PARCELS
    path = write_shp(tmp_path, "p", data, encoding)
    assert path.with_suffix(".cpg").read_text() == cpg_text
    assert path.with_suffix(".dbf").read_bytes()[29] == 0
    assert pyogrio.read_info(path)["encoding"] == "UTF-8"  # GDAL recodes to UTF-8


def test_gdal_reads_gbk_without_cpg_as_latin1_mojibake(tmp_path):
    path = write_shp(tmp_path, "p", PARCELS, "GBK", cpg=None)
    assert pyogrio.read_info(path)["encoding"] == "ISO-8859-1"
    plain = gpd.read_file(path, use_arrow=False)
    assert "×ÚµØ±àºÅ" in plain.columns  # 宗地编号, silently garbled
    assert plain["ÏÖ×´ÓÃÍ¾"].iloc[0] == "Ò»Àà¹¤ÒµÓÃµØ"


def test_gdal_ldid_0x57_gives_silent_mojibake(tmp_path):
    path = write_shp(tmp_path, "p", PARCELS, "GBK", cpg=None, ldid=0x57)
    assert pyogrio.read_info(path)["encoding"] == "UTF-8"  # looks declared ...
    assert "×ÚµØ±àºÅ" in gpd.read_file(path, use_arrow=False).columns  # ... but is mojibake


def test_gdal_turns_rare_char_into_garbage_when_told_gbk(tmp_path):
    path = write_shp(tmp_path, "p", PARCELS_RARE, "GB18030", cpg="GBK")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        plain = gpd.read_file(path, use_arrow=False)
    assert plain["行政区"].iloc[1] != PARCELS_RARE["行政区"][1]


# --------------------------------------------------------------------------------------
# Shapefile encodings
# --------------------------------------------------------------------------------------


def test_gbk_with_cpg_is_declared(tmp_path):
    gdf, info = read_quietly(write_shp(tmp_path, "p", PARCELS, "GBK"))
    assert_same_text(gdf, PARCELS)
    assert info.how == "declared"
    assert info.encoding == "GB18030"  # GBK declarations are read as the superset
    assert info.share_decoded is None
    assert info.message is None


def test_gbk_cpg_on_gb18030_data_keeps_rare_characters(tmp_path):
    gdf, info = read_quietly(write_shp(tmp_path, "p", PARCELS_RARE, "GB18030", cpg="GBK"))
    assert_same_text(gdf, PARCELS_RARE)
    assert (info.how, info.encoding) == ("declared", "GB18030")


@pytest.mark.parametrize("cpg", ["936", "GB18030", "gb2312"])
def test_other_chinese_cpg_spellings_are_declared(tmp_path, cpg):
    gdf, info = read_quietly(write_shp(tmp_path, "p", PARCELS_RARE, "GB18030", cpg=cpg))
    assert_same_text(gdf, PARCELS_RARE)
    assert (info.how, info.encoding) == ("declared", "GB18030")


def test_gbk_without_cpg_is_detected(tmp_path):
    path = write_shp(tmp_path, "parcels", PARCELS, "GBK", cpg=None)
    with pytest.warns(TextEncodingWarning) as record:
        gdf, info = read_vector(path)
    assert_same_text(gdf, PARCELS)
    assert (info.how, info.encoding, info.share_decoded) == ("detected", "GB18030", 1.0)
    expected = (
        "parcels.shp: no .cpg; detected DBF encoding GB18030 (100% of non-ASCII strings "
        "decode cleanly). Pass encoding='GB18030' to make this explicit."
    )
    assert info.message == expected
    assert str(record[0].message) == expected


def test_gb18030_without_cpg_is_detected(tmp_path):
    path = write_shp(tmp_path, "p", PARCELS_RARE, "GB18030", cpg=None)
    with pytest.warns(TextEncodingWarning, match="detected DBF encoding GB18030"):
        gdf, info = read_vector(path)
    assert_same_text(gdf, PARCELS_RARE)
    assert (info.how, info.encoding) == ("detected", "GB18030")


def test_utf8_without_cpg_is_detected_as_utf8_not_gb18030(tmp_path):
    path = write_shp(tmp_path, "p", PARCELS_UTF8, "UTF-8", cpg=None)
    assert pyogrio.read_info(path)["encoding"] == "ISO-8859-1"
    with pytest.warns(TextEncodingWarning, match="detected DBF encoding UTF-8"):
        gdf, info = read_vector(path)
    assert_same_text(gdf, PARCELS_UTF8)
    assert (info.how, info.encoding, info.share_decoded) == ("detected", "UTF-8", 1.0)
    assert "Pass encoding='UTF-8'" in info.message


def test_utf8_with_cpg_is_declared(tmp_path):
    gdf, info = read_quietly(write_shp(tmp_path, "p", PARCELS_UTF8, "UTF-8"))
    assert_same_text(gdf, PARCELS_UTF8)
    assert (info.how, info.encoding) == ("declared", "UTF-8")


def test_lying_cpg_falls_back_to_detection(tmp_path):
    path = write_shp(tmp_path, "p", PARCELS, "GBK", cpg="UTF-8")
    with pytest.raises(UnicodeDecodeError):
        pyogrio.read_info(path)  # GDAL/pyogrio fail on the field names
    with pytest.warns(TextEncodingWarning) as record:
        gdf, info = read_vector(path)
    assert_same_text(gdf, PARCELS)
    assert (info.how, info.encoding) == ("detected", "GB18030")
    assert "the .cpg says UTF-8, but GDAL cannot decode the text with it" in info.message
    assert str(record[0].message) == info.message


def test_lying_cpg_with_ascii_names_falls_back_to_detection(tmp_path):
    data = {"code": ["A001", "A002"], "use": ["一类工业用地", "仓储用地"]}
    path = write_shp(tmp_path, "p", data, "GBK", cpg="UTF-8")
    assert pyogrio.read_info(path)["encoding"] == "UTF-8"  # only the values lie
    with pytest.warns(TextEncodingWarning, match="GB18030"):
        gdf, info = read_vector(path)
    assert_same_text(gdf, data)
    assert (info.how, info.encoding) == ("detected", "GB18030")


def test_gbk_with_ldid_0x4d_is_declared(tmp_path):
    path = write_shp(tmp_path, "p", PARCELS, "GBK", cpg=None, ldid=0x4D)
    assert pyogrio.read_info(path)["encoding"] == "UTF-8"
    gdf, info = read_quietly(path)
    assert_same_text(gdf, PARCELS)
    assert (info.how, info.encoding) == ("declared", "GB18030")


def test_gbk_with_ldid_0x57_ansi_is_detected(tmp_path):
    path = write_shp(tmp_path, "p", PARCELS, "GBK", cpg=None, ldid=0x57)
    with pytest.warns(TextEncodingWarning, match=r"LDID 0x57\) says ISO-8859-1"):
        gdf, info = read_vector(path)
    assert_same_text(gdf, PARCELS)
    assert (info.how, info.encoding) == ("detected", "GB18030")
    assert "cannot hold Chinese text" in info.message


def test_latin_cpg_on_gbk_data_is_detected(tmp_path):
    path = write_shp(tmp_path, "p", PARCELS, "GBK", cpg="1252")
    with pytest.warns(TextEncodingWarning, match="the .cpg says CP1252"):
        gdf, info = read_vector(path)
    assert_same_text(gdf, PARCELS)
    assert (info.how, info.encoding) == ("detected", "GB18030")


def test_latin_cpg_on_latin_data_is_kept_without_warning(tmp_path):
    data = {"name": ["Café au lait", "déjà vu", "à la carte"]}
    path = write_shp(tmp_path, "p", data, "ISO-8859-1", cpg="88591")
    gdf, info = read_quietly(path)
    assert_same_text(gdf, data)
    assert (info.how, info.encoding) == ("declared", "ISO-8859-1")


def test_unknown_cpg_text_is_detected(tmp_path):
    path = write_shp(tmp_path, "p", PARCELS, "GBK", cpg="FOOBAR")
    with pytest.warns(TextEncodingWarning, match="'FOOBAR', which is not a known encoding"):
        gdf, info = read_vector(path)
    assert_same_text(gdf, PARCELS)
    assert info.encoding == "GB18030"


def test_undeterminable_encoding_keeps_latin1_and_warns(tmp_path):
    data = {"name": ["Café au lait", "déjà vu", "à la carte"]}
    path = write_shp(tmp_path, "p", data, "ISO-8859-1", cpg=None)
    with pytest.warns(TextEncodingWarning, match="could not determine the DBF text encoding"):
        gdf, info = read_vector(path)
    assert_same_text(gdf, data)  # it was Latin-1 after all
    assert (info.how, info.encoding) == ("detected", "ISO-8859-1")
    assert info.share_decoded is not None and info.share_decoded < 0.95
    assert "encoding='GB18030'" in info.message


def test_ascii_only_without_cpg_needs_no_warning(tmp_path):
    data = {"code": ["A001", "A002"], "use": ["M1", "W1"]}
    gdf, info = read_quietly(write_shp(tmp_path, "p", data, "GBK", cpg=None))
    assert_same_text(gdf, data)
    assert (info.how, info.encoding, info.message) == ("detected", "ASCII", None)


def test_user_encoding_overrides(tmp_path):
    path = write_shp(tmp_path, "p", PARCELS, "GBK", cpg=None)
    gdf, info = read_quietly(path, encoding="gbk")
    assert_same_text(gdf, PARCELS)
    assert (info.how, info.encoding) == ("user", "GB18030")
    assert "read as GB18030" in info.message


def test_user_encoding_overrides_lying_cpg(tmp_path):
    path = write_shp(tmp_path, "p", PARCELS_RARE, "GB18030", cpg="UTF-8")
    gdf, info = read_quietly(path, encoding="GB18030")
    assert_same_text(gdf, PARCELS_RARE)
    assert (info.how, info.encoding) == ("user", "GB18030")


def test_wrong_user_encoding_is_an_input_error(tmp_path):
    path = write_shp(tmp_path, "p", PARCELS, "GBK", cpg=None)
    with pytest.raises(InputError, match="does not decode as UTF-8") as excinfo:
        read_vector(path, encoding="utf8")
    assert "Leave encoding= out" in str(excinfo.value)


def test_unknown_user_encoding_is_an_input_error(tmp_path):
    path = write_shp(tmp_path, "p", PARCELS, "GBK")
    with pytest.raises(InputError, match="unknown text encoding 'gbk2312'"):
        read_vector(path, encoding="gbk2312")


@pytest.mark.parametrize("folder", ["", "data/"])
@pytest.mark.parametrize("with_cpg", [True, False])
def test_zipped_shapefile(tmp_path, with_cpg, folder):
    path = write_shp(tmp_path, "parcels", PARCELS, "GBK", cpg=True if with_cpg else None)
    archive = tmp_path / "parcels.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        for ext in EXTS:
            part = path.with_suffix(ext)
            if part.exists():
                zf.write(part, f"{folder}{part.name}")
    if with_cpg:
        gdf, info = read_quietly(archive)
        assert (info.how, info.encoding) == ("declared", "GB18030")
    else:
        with pytest.warns(TextEncodingWarning, match="parcels.zip: no .cpg"):
            gdf, info = read_vector(archive)
        assert (info.how, info.encoding) == ("detected", "GB18030")
    assert_same_text(gdf, PARCELS)


def test_zip_with_several_shapefiles_in_folders(tmp_path):
    first = write_shp(tmp_path, "parcels", PARCELS, "GBK")
    second = write_shp(tmp_path, "blocks", PARCELS_RARE, "GB18030")
    archive = tmp_path / "both.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        for path in (first, second):
            for ext in EXTS:
                zf.write(path.with_suffix(ext), f"export/{path.stem}{ext}")
    with pytest.raises(InputError, match=r"2 datasets in sub-folders.*layer=NAME"):
        read_vector(archive)
    gdf, info = read_quietly(archive, layer="blocks")
    assert_same_text(gdf, PARCELS_RARE)
    assert (info.how, info.encoding) == ("declared", "GB18030")


def test_folder_of_shapefiles(tmp_path):
    folder = tmp_path / "export"
    folder.mkdir()
    write_shp(folder, "parcels", PARCELS, "GBK", cpg=None)
    with pytest.warns(
        TextEncodingWarning, match="export/parcels.shp: no .cpg; detected DBF encoding GB18030"
    ):
        gdf, info = read_vector(folder)
    assert_same_text(gdf, PARCELS)
    assert (info.how, info.encoding) == ("detected", "GB18030")
    write_shp(folder, "blocks", PARCELS_RARE, "GB18030")
    with pytest.raises(InputError, match="2 layers"):
        read_vector(folder)
    gdf, info = read_quietly(folder, layer="blocks")
    assert_same_text(gdf, PARCELS_RARE)
    assert (info.how, info.encoding) == ("declared", "GB18030")


def test_dbf_path_reads_the_shapefile(tmp_path):
    path = write_shp(tmp_path, "p", PARCELS, "GBK", cpg=None)
    with pytest.warns(TextEncodingWarning):
        gdf, info = read_vector(path.with_suffix(".dbf"))
    assert_same_text(gdf, PARCELS)
    assert (info.how, info.encoding) == ("detected", "GB18030")
    assert gdf.geometry.notna().all()


def test_utf8_names_cut_mid_character_are_repaired(tmp_path):
    # geopandas' default UTF-8 write cuts 宗地编号 (12 bytes) after 10 bytes, mid-character.
    path = write_shp(tmp_path, "p", PARCELS, "UTF-8")
    with pytest.raises(UnicodeDecodeError):
        gpd.read_file(path)  # geopandas cannot read its own file back
    with pytest.warns(TextEncodingWarning, match="cut mid-character") as record:
        gdf, info = read_vector(path)
    assert list(gdf.columns) == ["宗地编", "现状用", "建筑质", "行政区", "容积率", "geometry"]
    assert gdf["现状用"].tolist() == PARCELS["现状用途"]
    assert (info.how, info.encoding) == ("declared", "UTF-8")
    assert "'宗地编', '现状用', '建筑质'" in info.message
    assert str(record[0].message) == info.message


def test_names_equal_after_cutting_are_made_unique(tmp_path):
    data = {"宗地编号": ["A1", "A2"], "宗地编码": ["一", "二"]}
    path = write_shp(tmp_path, "p", data, "UTF-8")
    with pytest.warns(TextEncodingWarning, match="renamed"):
        gdf, _ = read_vector(path)
    assert list(gdf.columns) == ["宗地编", "宗地编_1", "geometry"]
    assert gdf["宗地编_1"].tolist() == ["一", "二"]


def test_empty_shapefile_detects_from_field_names(tmp_path):
    path = write_shp(tmp_path, "p", {k: [] for k in ("宗地编号", "现状用途")}, "GBK", cpg=None)
    with pytest.warns(TextEncodingWarning, match="GB18030"):
        gdf, info = read_vector(path)
    assert len(gdf) == 0
    assert list(gdf.columns) == ["宗地编号", "现状用途", "geometry"]
    assert (info.how, info.encoding, info.share_decoded) == ("detected", "GB18030", 1.0)


def test_detection_transcodes_all_rows_beyond_the_sample(tmp_path):
    n = 6_000
    uses = ["M1"] * 5_500 + ["一类工业用地", "二类工业用地"] * 250
    data = {"编号": [f"P{i:05d}" for i in range(n)], "用途": uses}
    path = tmp_path / "big.shp"
    gdf = gpd.GeoDataFrame(data, geometry=[Point(i, 0) for i in range(n)], crs="EPSG:4547")
    gdf.to_file(path, encoding="GBK")
    path.with_suffix(".cpg").unlink()
    with pytest.warns(TextEncodingWarning, match="GB18030"):
        out, info = read_vector(path)
    assert len(out) == n
    assert out["用途"].tolist() == uses
    assert info.encoding == "GB18030"


def test_columns_kwarg_uses_decoded_names(tmp_path):
    path = write_shp(tmp_path, "p", PARCELS, "GBK", cpg=None)
    with pytest.warns(TextEncodingWarning):
        gdf, _ = read_vector(path, columns=["现状用途", "行政区"])
    assert list(gdf.columns) == ["现状用途", "行政区", "geometry"]
    assert gdf["行政区"].tolist() == PARCELS["行政区"]


# --------------------------------------------------------------------------------------
# Formats that are UTF-8 by specification
# --------------------------------------------------------------------------------------


@pytest.mark.parametrize(("suffix", "driver"), [(".gpkg", "GPKG"), (".geojson", "GeoJSON")])
def test_utf8_formats_are_not_applicable(tmp_path, suffix, driver):
    path = tmp_path / f"parcels{suffix}"
    frame(PARCELS_RARE).to_file(path, driver=driver)
    gdf, info = read_quietly(path)
    assert_same_text(gdf, PARCELS_RARE)
    assert info == EncodingInfo("UTF-8", "not-applicable")


def test_encoding_is_ignored_for_geopackage(tmp_path):
    path = tmp_path / "parcels.gpkg"
    frame(PARCELS_RARE).to_file(path)
    gdf, info = read_quietly(path, encoding="GBK")
    assert_same_text(gdf, PARCELS_RARE)
    assert (info.how, info.encoding) == ("not-applicable", "UTF-8")
    assert "ignored" in info.message


def test_geoparquet(tmp_path):
    path = tmp_path / "parcels.parquet"
    frame(PARCELS_RARE).to_parquet(path)
    gdf, info = read_quietly(path)
    assert_same_text(gdf, PARCELS_RARE)
    assert info == EncodingInfo("UTF-8", "not-applicable")


# --------------------------------------------------------------------------------------
# Errors
# --------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["nope.gpkg", "nope.shp", "nope.parquet", "nope.zip"])
def test_missing_file(tmp_path, name):
    path = tmp_path / name
    with pytest.raises(InputError, match="file not found") as excinfo:
        read_vector(path)
    assert str(path) in str(excinfo.value)


def test_missing_shp_mentions_the_parts_that_exist(tmp_path):
    path = write_shp(tmp_path, "p", PARCELS, "GBK")
    path.unlink()
    with pytest.raises(InputError, match=r"file not found.*found p\.shx, p\.dbf"):
        read_vector(path)


def test_shp_without_dbf(tmp_path):
    path = write_shp(tmp_path, "p", PARCELS, "GBK")
    path.with_suffix(".dbf").unlink()
    assert len(gpd.read_file(path).columns) == 1  # GDAL silently drops every attribute
    with pytest.raises(InputError, match=r"p\.dbf \(attribute table\) is missing") as excinfo:
        read_vector(path)
    assert str(path) in str(excinfo.value)


def test_shp_without_shx(tmp_path):
    path = write_shp(tmp_path, "p", PARCELS, "GBK")
    path.with_suffix(".shx").unlink()
    with pytest.raises(InputError, match=r"p\.shx \(index\) is missing.*SHAPE_RESTORE_SHX"):
        read_vector(path)


def test_dbf_without_shp(tmp_path):
    path = write_shp(tmp_path, "p", PARCELS, "GBK")
    path.unlink()
    with pytest.raises(InputError, match=r"p\.shp \(geometry\) is missing"):
        read_vector(path.with_suffix(".dbf"))


@pytest.mark.parametrize("suffix", [".gpkg", ".shp", ".geojson", ".parquet", ".zip"])
def test_corrupt_file(tmp_path, suffix):
    path = tmp_path / f"bad{suffix}"
    path.write_bytes(bytes(range(256)) * 8)
    if suffix == ".shp":  # complete the set so that GDAL, not the sidecar check, complains
        path.with_suffix(".shx").write_bytes(bytes(100))
        path.with_suffix(".dbf").write_bytes(bytes(100))
    with pytest.raises(InputError) as excinfo:
        read_vector(path)
    message = str(excinfo.value)
    assert message.startswith(f"cannot read {path}: ")
    assert message.endswith("Is it a GeoPackage, shapefile, GeoJSON or GeoParquet file?")


def test_two_layer_geopackage_needs_layer(tmp_path):
    path = tmp_path / "two.gpkg"
    frame(PARCELS).to_file(path, layer="parcels")
    frame(PARCELS).iloc[:2].to_file(path, layer="blocks")
    with pytest.raises(InputError) as excinfo:
        read_vector(path)
    message = str(excinfo.value)
    assert "'parcels', 'blocks'" in message
    assert "pass layer=name (cli: --layer name)" in message.lower()
    gdf, info = read_quietly(path, layer="blocks")
    assert len(gdf) == 2
    assert info.how == "not-applicable"
    gdf, _ = read_quietly(path, layer=0)
    assert len(gdf) == 4


def test_bad_layer_name(tmp_path):
    path = tmp_path / "two.gpkg"
    frame(PARCELS).to_file(path, layer="parcels")
    with pytest.raises(InputError, match=r"no layer 'parcel'; its layers are: 'parcels'"):
        read_vector(path, layer="parcel")
    with pytest.raises(InputError, match="no layer number 3"):
        read_vector(path, layer=3)


def test_non_spatial_table_does_not_count_as_a_layer(tmp_path):
    path = tmp_path / "styled.gpkg"
    frame(PARCELS).to_file(path, layer="parcels")
    pyogrio.write_dataframe(pd.DataFrame({"style": ["x"]}), path, layer="layer_styles")
    gdf, _ = read_quietly(path)
    assert len(gdf) == 4


def test_empty_layer_returns_empty_frame(tmp_path):
    path = tmp_path / "empty.gpkg"
    frame(PARCELS).iloc[:0].to_file(path, layer="parcels")
    gdf, info = read_quietly(path)
    assert isinstance(gdf, gpd.GeoDataFrame)
    assert len(gdf) == 0
    assert "宗地编号" in gdf.columns
    assert info.how == "not-applicable"


def test_layer_on_geoparquet_is_an_input_error(tmp_path):
    path = tmp_path / "p.parquet"
    frame(PARCELS).to_parquet(path)
    with pytest.raises(InputError, match="no layers"):
        read_vector(path, layer="x")


# --------------------------------------------------------------------------------------
# Names, tolerant decoding, mojibake
# --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("spelling", "expected"),
    [
        ("gbk", "GBK"),
        ("GBK", "GBK"),
        ("cp936", "GBK"),
        ("936", "GBK"),
        ("gb18030", "GB18030"),
        ("gb2312", "GB18030"),
        ("utf8", "UTF-8"),
        ("utf-8", "UTF-8"),
        ("UTF8", "UTF-8"),
        ("latin1", "ISO-8859-1"),
        ("latin-1", "ISO-8859-1"),
        ("iso-8859-1", "ISO-8859-1"),
        ("iso8859_1", "ISO-8859-1"),
        ("big5", "BIG5"),
        ("cp1252", "CP1252"),
        (" GBK ", "GBK"),
        ("cp949", "CP949"),
        ("euc_kr", "EUC-KR"),
    ],
)
def test_normalise_encoding(spelling, expected):
    assert normalise_encoding(spelling) == expected


@pytest.mark.parametrize("bad", ["gbk2312", "base64", "rot13", "", "  "])
def test_normalise_encoding_rejects(bad):
    with pytest.raises(InputError, match="GBK, GB18030, UTF-8, ISO-8859-1, BIG5, CP1252"):
        normalise_encoding(bad)


@pytest.mark.parametrize(
    ("raw", "codec", "expected"),
    [
        ("宗地编号".encode(), "utf-8", ("宗地编号", 0)),
        ("宗地编号".encode()[:10], "utf-8", ("宗地编", 1)),
        ("宗地编号".encode()[:11], "utf-8", ("宗地编", 2)),
        (f"宝安{RARE}".encode("gb18030")[:-1], "gb18030", ("宝安", 3)),
        (f"宝安{RARE}".encode("gb18030")[:-3], "gb18030", ("宝安", 1)),
        ("一类工业用地".encode("gbk")[:11], "gb18030", ("一类工业用", 1)),
        (b"\xe5", "utf-8", None),  # nothing left after the cut
        (b"A\x81\x30\x20", "gb18030", None),  # not a valid start of a character
        ("一类".encode("gbk"), "utf-8", None),
    ],
)
def test_decode_tolerant(raw, codec, expected):
    assert _decode_tolerant(raw, codec) == expected


def test_looks_like_mojibake():
    for value in ["一类工业用地", "较差", "宝安区", f"{RARE}村"]:
        assert not looks_like_mojibake(value)
        assert looks_like_mojibake(value.encode("gb18030").decode("latin-1"))
        assert looks_like_mojibake(value.encode("utf-8").decode("latin-1"))
    for value in ["A001", "Café", "Müller Straße", "", "1.5 ha", "M1 一类工业"]:
        assert not looks_like_mojibake(value)
    assert not looks_like_mojibake(None)  # type: ignore[arg-type]


@pytest.mark.parametrize("codec", ["gb18030", "gbk", "utf-8"])
def test_repair_mojibake_round_trip(codec):
    originals = ["一类工业用地", "较差", "宝安区", "A001", "较差", "Café"]
    if codec != "gbk":
        originals.append(f"龙岗区{RARE}村")
    garbled = [
        v if v.isascii() or v == "Café" else v.encode(codec).decode("latin-1") for v in originals
    ]
    series = pd.Series(garbled, index=range(10, 10 + len(garbled)), name="现状用途")
    repaired, n = repair_mojibake(series)
    assert repaired.tolist() == originals
    assert n == sum(not v.isascii() and v != "Café" for v in originals)
    assert repaired.name == "现状用途"
    assert list(repaired.index) == list(series.index)
    assert repaired.dtype == series.dtype


def test_repair_mojibake_leaves_other_values_alone():
    series = pd.Series(["一类工业用地", "Café", 3, None, "Müller Straße"], dtype=object)
    repaired, n = repair_mojibake(series)
    assert n == 0
    assert repaired.tolist() == series.tolist()
    assert repaired is not series


def test_encoding_info_is_frozen():
    info = EncodingInfo("GB18030", "detected", 1.0, "msg")
    with pytest.raises(AttributeError):
        info.encoding = "UTF-8"  # type: ignore[misc]
