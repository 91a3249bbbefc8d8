"""`zoning validate` on broken files: the exit code, the key message, never a traceback.

Exit codes: 0 clean or warnings only, 1 validation errors, 2 input or usage errors. The cases
of the issue each run the real command in a fresh interpreter (``python -m zoning.cli``), all
at once; the further cases share one interpreter that calls the same entry point
(``zoning.cli:main``) in turn, to keep the suite fast. Each test checks one case.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import warnings
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import geopandas as gpd
import numpy as np
import pytest
import shapely

from zoning.io.crs import wgs84_to_gcj02

X0, Y0 = 500_000.0, 2_490_000.0


def bureau(n: int = 3, crs: str | None = "EPSG:4547", **columns) -> gpd.GeoDataFrame:
    """``n`` clean 1-ha industrial parcels with the Chinese column names bureaus use."""
    data = {"宗地编号": [f"A{i + 1}" for i in range(n)], "现状用途": ["一类工业用地"] * n, "规划用途": ["M1"] * n,
            "建筑面积": [15_000.0] * n, "建成年代": ["2010"] * n, "合法用地比例": [0.8] * n,
            "建筑质量": ["好"] * n, "产值": [9_000.0] * n, "税收": [450.0] * n, "行政区": ["宝安"] * n}
    data.update(columns)
    geoms = columns.pop("geometry", None) or [shapely.box(X0 + 100 * i, Y0, X0 + 100 * (i + 1), Y0 + 100) for i in range(n)]
    data.pop("geometry", None)
    return gpd.GeoDataFrame(data, geometry=gpd.GeoSeries(geoms, crs=crs), crs=crs)


def shp(gdf: gpd.GeoDataFrame, path: Path, *, cpg: bool = True, prj: bool = True) -> Path:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        gdf.to_file(path, encoding="GBK", engine="pyogrio")
    if not cpg:
        path.with_suffix(".cpg").unlink()
    if not prj and path.with_suffix(".prj").exists():
        path.with_suffix(".prj").unlink()
    return path


def gpkg(gdf: gpd.GeoDataFrame, path: Path, layer: str = "parcels") -> Path:
    gdf.to_file(path, layer=layer, driver="GPKG")
    return path


def _gcj(d: Path) -> Path:
    g = bureau(crs="EPSG:4547").to_crs(4326)
    g.geometry = [shapely.transform(x, lambda c: np.column_stack(wgs84_to_gcj02(c[:, 0], c[:, 1]))) for x in g.geometry]
    g.to_file(d / "amap.geojson")
    return d / "amap.geojson"


def _two_layers(d: Path) -> Path:
    gpkg(bureau(), d / "two.gpkg", "parcels_2023")
    return gpkg(bureau(), d / "two.gpkg", "parcels_2024")


def _corrupt(d: Path) -> Path:
    (d / "corrupt.gpkg").write_bytes(b"not a geopackage\x00" * 64)
    return d / "corrupt.gpkg"


def _bowtie(d: Path) -> Path:
    g = bureau()
    g.geometry = [g.geometry[0], g.geometry[1], shapely.Polygon([(X0 + 200, Y0), (X0 + 300, Y0 + 100), (X0 + 300, Y0), (X0 + 200, Y0 + 100)])]
    return gpkg(g, d / "bowtie.gpkg")


def _z_multi(d: Path) -> Path:
    g = bureau()
    g.geometry = [shapely.force_3d(g.geometry[0], 8.0), shapely.MultiPolygon([g.geometry[1], shapely.box(X0, Y0 + 500, X0 + 10, Y0 + 510)]), g.geometry[2]]
    return gpkg(g, d / "z_multi.gpkg")


def _points_lines(d: Path) -> Path:
    g = bureau()
    g.geometry = [g.geometry[0], shapely.Point(X0 + 150, Y0 + 50), shapely.LineString([(X0 + 200, Y0), (X0 + 300, Y0 + 100)])]
    return gpkg(g, d / "points_lines.gpkg")


def _no_geometry(d: Path) -> Path:
    g = bureau()
    g.geometry = [None, shapely.Polygon(), None]
    return gpkg(g, d / "no_geometry.gpkg")


@dataclass(frozen=True)
class Case:
    """One broken input: how to make it, the arguments, what the user must see."""

    name: str
    what: str
    make: Callable[[Path], Path | str]
    code: int
    expect: tuple[str, ...]
    args: tuple[str, ...] = ()


CASES = [
    Case("clean", "clean GeoPackage with Chinese column names", lambda d: gpkg(bureau(), d / "clean.gpkg"),
         0, ("3 parcels checked against 'shenzhen-2020': 0 error(s), 0 warning(s)", "宗地编号→parcel_id")),
    Case("no_crs", "shapefile without .prj (no CRS)", lambda d: shp(bureau(), d / "no_prj.shp", prj=False),
         2, ("has no CRS", "--source-crs EPSG:4547")),
    Case("no_crs_declared", "the same with --source-crs EPSG:4547", lambda d: shp(bureau(), d / "no_prj.shp", prj=False),
         0, ("0 error(s)",), ("--source-crs", "EPSG:4547")),
    Case("degrees", "GeoJSON in lon/lat degrees (EPSG:4326)", lambda d: bureau().to_crs(4326).to_file(d / "ll.geojson") or d / "ll.geojson",
         0, ("warning: ll.geojson: CRS EPSG:4326 (WGS 84) is not a projected CRS in metres", "re-projected to EPSG:4547")),
    Case("web_mercator", "GeoPackage in Web Mercator (EPSG:3857)", lambda d: gpkg(bureau().to_crs(3857), d / "wm.gpkg"),
         0, ("EPSG:3857", "re-projected to EPSG:4547")),
    Case("metres_as_degrees", "metre coordinates declared as EPSG:4326", lambda d: gpkg(bureau().set_crs(4326, allow_override=True), d / "lie.gpkg"),
         2, ("a geographic CRS in degrees, but the coordinates", "not longitude/latitude", "EPSG:4547")),
    Case("gcj02", "Amap (GCJ-02) lon/lat with --source-crs gcj02", _gcj, 0, ("re-projected to EPSG:4547", "0 error(s)"), ("--source-crs", "gcj02")),
    Case("bowtie", "a self-intersecting (bow-tie) parcel", _bowtie,
         0, ("invalid_geometry_repaired", "A3: Self-intersection", "area 0 → 5000 m²", "multipart")),
    Case("duplicate_ids", "two parcels with id A1", lambda d: gpkg(bureau(宗地编号=["A1", "A1", "A3"]), d / "dup.gpkg"),
         1, ("ERROR   duplicate_id [parcel_id]", "A1 (rows 0, 1)", "give every parcel a unique id")),
    Case("gbk_no_cpg", "GBK shapefile without .cpg", lambda d: shp(bureau(), d / "gbk.shp", cpg=False),
         0, ("warning: gbk.shp: no .cpg; detected DBF encoding GB18030", "宗地编号→parcel_id", "0 error(s)")),
    Case("negative_floor_area", "negative floor area (建筑面积 -500)", lambda d: gpkg(bureau(建筑面积=[15_000.0, -500.0, 9_000.0]), d / "neg.gpkg"),
         1, ("ERROR   negative_value [floor_area_m2]", "A2: -500", "floor area cannot be negative")),
    Case("far_legal_future", "FAR 25, legal share 140 %, built 2030", lambda d: gpkg(bureau(建筑面积=[250_000.0, 15_000.0, 15_000.0], 合法用地比例=[0.8, 1.4, 0.8], 建成年代=["2010", "2010", "2030"]), d / "implausible.gpkg"),
         0, ("implausible_far", "A1: 25.0", "implausible_share", "A2: 140%", "future_year", "A3: 2030"), ("--reference-year", "2025")),
    Case("percent", "legal ratio in percent (80, 90, 55)", lambda d: gpkg(bureau(合法用地比例=[80.0, 90.0, 55.0]), d / "pct.gpkg"),
         0, ("percent_converted", "looks like percent", "divided by 100")),
    Case("messy_values", "unparsed years and unknown quality", lambda d: gpkg(bureau(建成年代=["1990s", "很久以前", "2005-2008"], 建筑质量=["好", "特级", "差"]), d / "messy.gpkg"),
         0, ("unparsed_year [year_built]", "很久以前", "unknown_quality [building_quality]", "特级", "missing_value")),
    Case("missing_columns", "no floor-area and no legal columns", lambda d: gpkg(bureau().drop(columns=["建筑面积", "合法用地比例"]), d / "cols.gpkg"),
         1, ("ERROR   missing_column [floor_area_m2]", "recognised names include 建筑面积", "'legal_ratio' or 'legal_area_m2'")),
    Case("unknown_landuse", "unknown land-use code X9", lambda d: gpkg(bureau(现状用途=["一类工业用地", "X9", "M1/B2"]), d / "lu.gpkg"),
         0, ("unknown_landuse [current_use]", "'X9' ×1", "mixed_landuse")),
    Case("overlap", "two overlapping parcels", lambda d: gpkg(bureau(geometry=[shapely.box(X0, Y0, X0 + 100, Y0 + 100), shapely.box(X0 + 50, Y0, X0 + 150, Y0 + 100), shapely.box(X0 + 300, Y0, X0 + 400, Y0 + 100)]), d / "ov.gpkg"),
         0, ("WARNING overlap [geometry]", "A1×A2 (5000 m²)",)),
    Case("z_multipolygon", "Z coordinates and a MultiPolygon", _z_multi, 0, ("z_dropped", "multipart")),
    Case("points_lines", "a point and a line among parcels", _points_lines, 1, ("ERROR   not_polygon [geometry]", "LineString, Point")),
    Case("no_geometry", "every geometry null or empty", _no_geometry, 1, ("ERROR   empty_geometry [geometry]", "A1, A2, A3")),
    Case("missing_file", "a file that does not exist", lambda d: d / "nope.gpkg", 2, ("error: file not found:", "nope.gpkg")),
    Case("corrupt_file", "garbage bytes named .gpkg", _corrupt, 2, ("error: cannot read", "not recognized as being in a supported file format", "GeoPackage, shapefile, GeoJSON or GeoParquet")),
    Case("empty_layer", "a layer with no features", lambda d: gpkg(bureau().iloc[:0], d / "empty.gpkg"), 2, ("has no features: nothing to read",)),
    Case("two_layers", "a GeoPackage with two layers, no --layer", _two_layers, 2, ("has 2 layers: 'parcels_2023', 'parcels_2024'", "--layer NAME")),
    Case("unknown_rules", "an unknown rule pack", lambda d: gpkg(bureau(), d / "clean.gpkg"), 2, ("unknown rule pack 'nope'", "shenzhen-2020"), ("--rules", "nope")),
    Case("bad_col", "a --col mapping to an unknown name", lambda d: gpkg(bureau(), d / "clean.gpkg"), 2, ("unknown canonical name(s) ['pid']", "valid names are: parcel_id"), ("--col", "宗地编号=pid")),
    Case("bad_col_syntax", "a --col without '='", lambda d: gpkg(bureau(), d / "clean.gpkg"), 2, ("expected SOURCE=CANONICAL",), ("--col", "宗地编号")),
]


#: the broken inputs the issue lists: each runs in its own interpreter
FRESH = {"no_crs", "degrees", "bowtie", "duplicate_ids", "gbk_no_cpg", "negative_floor_area",
         "missing_file", "corrupt_file", "empty_layer", "unknown_rules"}

# Runs the other cases one after the other through the same entry point, in one interpreter;
# anything escaping main() is recorded with its traceback, so the tests would see it.
_DRIVER = """
import contextlib, io, json, pathlib, sys, traceback, warnings
from zoning.cli.main import main
spec, out = json.loads(pathlib.Path(sys.argv[1]).read_text(encoding="utf-8")), {}
for name, args in spec.items():
    stdout, stderr = io.StringIO(), io.StringIO()
    warnings.resetwarnings()
    warnings.simplefilter("default")
    code = None
    with contextlib.redirect_stdout(stdout), contextlib.redirect_stderr(stderr):
        try:
            main(args, prog_name="zoning")
        except SystemExit as exc:
            code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
        except BaseException:
            stderr.write(traceback.format_exc())
            code = 99
    out[name] = [code, stdout.getvalue(), stderr.getvalue()]
pathlib.Path(sys.argv[2]).write_text(json.dumps(out), encoding="utf-8")
"""


@pytest.fixture(scope="module")
def runs(tmp_path_factory) -> dict[str, subprocess.CompletedProcess]:
    env = {k: v for k, v in os.environ.items() if k != "ZONING_DEBUG"}
    env["PYTHONIOENCODING"] = "utf-8"
    procs, batch = {}, {}
    for case in CASES:
        d = tmp_path_factory.mktemp(case.name)
        args = ["validate", str(case.make(d)), *case.args]
        if case.name in FRESH:
            cmd = [sys.executable, "-m", "zoning.cli", *args]
            procs[case.name] = subprocess.Popen(cmd, cwd=d, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        else:
            batch[case.name] = args
    d = tmp_path_factory.mktemp("batch")
    (d / "spec.json").write_text(json.dumps(batch), encoding="utf-8")
    driver = subprocess.Popen([sys.executable, "-c", _DRIVER, "spec.json", "out.json"], cwd=d, env=env,
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    out = {}
    for name, p in procs.items():
        stdout, stderr = p.communicate(timeout=300)
        out[name] = subprocess.CompletedProcess(p.args, p.returncode, stdout.decode("utf-8"), stderr.decode("utf-8"))
    _, err = driver.communicate(timeout=600)
    assert driver.returncode == 0, err.decode("utf-8")
    for name, (code, stdout, stderr) in json.loads((d / "out.json").read_text(encoding="utf-8")).items():
        out[name] = subprocess.CompletedProcess(["zoning", *batch[name]], code, stdout, stderr)
    return out


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_validate_command(runs, case):
    run = runs[case.name]
    text = run.stdout + run.stderr
    assert "Traceback" not in text
    assert "unexpected" not in text  # the catch-all for bugs
    assert run.returncode == case.code, text
    for needle in case.expect:
        assert needle in text, f"{needle!r} not in:\n{text}"
    if case.code == 2:
        assert run.stderr.startswith(("error: ", "warning: ", "Usage: ")), run.stderr


def test_the_issue_cases_run_in_their_own_interpreter(runs):
    for name in FRESH:
        assert runs[name].args[:3] == [sys.executable, "-m", "zoning.cli"]


def test_errors_go_to_stderr_and_the_report_to_stdout(runs):
    assert runs["missing_file"].stdout == ""
    assert "duplicate_id" in runs["duplicate_ids"].stdout
    assert "re-projected" in runs["degrees"].stderr and "0 error(s)" in runs["degrees"].stdout
