"""Never lose or silently change a user's data: one catalogue test per class.

1. outputs never touch an input, however spelled (every command that takes ``-o``);
2. outputs are atomic: a writer failing midway, a real SIGINT / SIGTERM during a large write
   and a full disk (``RLIMIT_FSIZE``) leave the previous file byte-identical and no partial
   file; unwritable targets are refused before any computation; GeoPackage column rules;
3. every change to the data is said (column, rows, fix), in every command that acts on it;
4. a ``.cpg`` contradicting the bytes; 5. aliases and closest-column fixes;
6. thresholds are finite numbers; 7. honest exit codes; 8. packs load in linear time.

Subprocess tests (signals, rlimit, a closed pipe) run a fresh interpreter because that is the
only honest way to test them; the rest use click's runner on the real command group.
"""

from __future__ import annotations

import os
import resource
import signal
import subprocess
import sys
import textwrap
import warnings
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pytest
import shapely
from click.testing import CliRunner

import zoning
from zoning.errors import DataRepairWarning, InputError, RulePackError, TextEncodingWarning
from zoning.io.columns import canonical_of, missing_column_fix, protect_input_columns
from zoning.io.paths import check_output, same_file
from zoning.io.read import read_parcels, standardise_parcels
from zoning.io.write import GPKG_MAX_COLUMNS, safe_column_names, write_layers
from zoning.rules import load_rules

ROOT = Path(__file__).resolve().parent.parent
X0, Y0 = 500_000.0, 2_490_000.0
SAMPLE = zoning.datasets.get_path("parcels")


def bureau(n: int = 3, **columns) -> gpd.GeoDataFrame:
    data = {"宗地编号": [f"A{i + 1}" for i in range(n)], "现状用途": ["一类工业用地"] * n, "规划用途": ["M1"] * n,
            "建筑面积": [15_000.0] * n, "建成年代": ["2010"] * n, "合法用地比例": [0.8] * n,
            "建筑质量": ["好"] * n, "产值": [9_000.0] * n, "税收": [450.0] * n, "行政区": ["宝安"] * n}
    data.update(columns)
    geoms = [shapely.box(X0 + 100 * i, Y0, X0 + 100 * (i + 1), Y0 + 100) for i in range(n)]
    return gpd.GeoDataFrame(data, geometry=geoms, crs="EPSG:4547")


def layer(n: int) -> gpd.GeoDataFrame:
    xs = X0 + (pd.RangeIndex(n) % 1000).to_numpy() * 10.0
    ys = Y0 + (pd.RangeIndex(n) // 1000).to_numpy() * 10.0
    return gpd.GeoDataFrame({"parcel_id": [f"P{i}" for i in range(n)], "zone": ["unzoned"] * n},
                            geometry=shapely.box(xs, ys, xs + 9, ys + 9), crs="EPSG:4547")


def old_file(tmp_path: Path, name: str = "out.gpkg") -> tuple[Path, bytes]:
    p = tmp_path / name
    write_layers({"parcels": layer(3)}, p)
    return p, p.read_bytes()


def leftovers(folder: Path, keep: set[str]) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.name not in keep)


def run_py(code: str, **kw) -> subprocess.Popen:
    env = {**os.environ, "PYTHONPATH": str(ROOT), "PYTHONDONTWRITEBYTECODE": "1", "TQDM_DISABLE": "1", "MPLBACKEND": "Agg"}
    return subprocess.Popen([sys.executable, "-c", textwrap.dedent(code)], env=env, text=True,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, **kw)


# ---------------------------------------------------------------------------------------
# 1. no command ever overwrites an input


@pytest.fixture
def inputs(tmp_path):
    d = tmp_path / "data"
    d.mkdir()
    for name, src in [("X.gpkg", SAMPLE), ("B.gpkg", zoning.datasets.get_path("blocks")),
                      ("B2.gpkg", zoning.datasets.get_path("blocks_revised"))]:
        (d / name).write_bytes(Path(src).read_bytes())
    (d / "P.csv").write_text("project_id,固定资产投资,税收,用地面积\nA,1000,10,6667\n", encoding="utf-8")
    return d


# (command args with {d} for the data folder, the input the -o points at)
PROTECTED = [
    (["classify", "{d}/X.gpkg"], "X.gpkg"),
    (["check-blocks", "{d}/X.gpkg", "{d}/B.gpkg"], "B.gpkg"),
    (["check-blocks", "{d}/X.gpkg", "{d}/B.gpkg"], "X.gpkg"),
    (["check-blocks", "{d}/X.gpkg", "{d}/B.gpkg", "--districts", "{d}/B2.gpkg"], "B2.gpkg"),
    (["block-balance", "{d}/B.gpkg", "{d}/B2.gpkg"], "B2.gpkg"),
    (["check-mixed-use", "{d}/X.gpkg"], "X.gpkg"),
    (["check-projects", "{d}/P.csv"], "P.csv"),
    (["screen-enterprises", "{d}/X.gpkg"], "X.gpkg"),
    (["benchmark", "{d}/X.gpkg"], "X.gpkg"),
    (["benchmark", "{d}/X.gpkg", "--areas", "{d}/B.gpkg"], "B.gpkg"),
    (["short-leases", "{d}/X.gpkg"], "X.gpkg"),
]


@pytest.mark.parametrize(("args", "target"), PROTECTED, ids=[f"{a[0]}-{t}" for a, t in PROTECTED])
def test_every_command_refuses_an_output_that_is_an_input(cli, inputs, args, target):
    before = {p.name: p.read_bytes() for p in inputs.iterdir()}
    spelled = f"{inputs}/sub/../{target}"  # however it is spelled
    (inputs / "sub").mkdir()
    res = CliRunner().invoke(cli, [a.format(d=inputs) for a in args] + ["-o", spelled])
    assert res.exit_code == 2, res.output
    assert "is also an input" in res.output and "never overwrites an input" in res.output
    assert {p.name: p.read_bytes() for p in inputs.iterdir() if p.is_file()} == before


@pytest.mark.parametrize("spelling", ["./X.gpkg", "X.gpkg", "sub/../X.gpkg", "link.gpkg", "hard.gpkg"])
def test_input_protection_resolves_every_spelling(inputs, spelling, monkeypatch):
    monkeypatch.chdir(inputs)
    (inputs / "sub").mkdir()
    (inputs / "link.gpkg").symlink_to(inputs / "X.gpkg")
    os.link(inputs / "X.gpkg", inputs / "hard.gpkg")
    with pytest.raises(InputError, match="is also an input"):
        check_output(spelling, inputs=[inputs / "X.gpkg"])


def test_a_shapefile_input_is_protected_through_all_its_parts(tmp_path):
    shp = tmp_path / "p.shp"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        bureau().to_file(shp, encoding="GBK")
    assert same_file(tmp_path / "x" / ".." / "p.dbf", tmp_path / "p.dbf")
    with pytest.raises(InputError, match="is also an input"):
        check_output(tmp_path / "p.dbf", inputs=[shp])


def test_python_api_refuses_to_write_over_the_file_it_read(tmp_path):
    src = tmp_path / "X.gpkg"
    src.write_bytes(Path(SAMPLE).read_bytes())
    before = src.read_bytes()
    result = zoning.run(src, reference_year=2025)
    with pytest.raises(InputError, match="is also an input"):
        result.to_file(tmp_path / "." / "X.gpkg")
    assert src.read_bytes() == before


def test_two_outputs_on_one_file_are_refused(cli, inputs, tmp_path):
    res = CliRunner().invoke(cli, ["classify", f"{inputs}/X.gpkg", "-o", f"{tmp_path}/o.gpkg", "--report", f"{tmp_path}/./o.gpkg"])
    assert res.exit_code == 2 and "both name" in res.output


# ---------------------------------------------------------------------------------------
# 2. atomic outputs


def test_writer_raising_midway_keeps_the_old_file(tmp_path, monkeypatch):
    import pyogrio

    out, before = old_file(tmp_path)
    real, calls = pyogrio.write_dataframe, []

    def second_layer_fails(df, path, *a, **kw):
        calls.append(path)
        if len(calls) == 2:
            raise OSError(28, "No space left on device")
        return real(df, path, *a, **kw)

    monkeypatch.setattr(pyogrio, "write_dataframe", second_layer_fails)
    with pytest.raises(InputError, match=r"No space left on device.*unchanged"):
        write_layers({"parcels": layer(50), "summary": pd.DataFrame({"a": [1]})}, out)
    assert len(calls) == 2 and Path(calls[0]).parent == tmp_path  # the first layer went to a temporary file
    assert out.read_bytes() == before and leftovers(tmp_path, {"out.gpkg"}) == []


def test_a_bug_in_the_writer_is_not_disguised_but_still_leaves_nothing(tmp_path, monkeypatch):
    import pyogrio

    out, before = old_file(tmp_path)
    monkeypatch.setattr(pyogrio, "write_dataframe", lambda *a, **k: (_ for _ in ()).throw(ZeroDivisionError("bug")))
    with pytest.raises(ZeroDivisionError):
        write_layers({"parcels": layer(5)}, out)
    assert out.read_bytes() == before and leftovers(tmp_path, {"out.gpkg"}) == []


def test_geoparquet_side_tables_are_atomic_too(tmp_path, monkeypatch):
    out = tmp_path / "out.parquet"
    write_layers({"parcels": layer(3), "summary": pd.DataFrame({"a": [1]})}, out)
    before = {p.name: p.read_bytes() for p in tmp_path.iterdir()}
    assert sorted(before) == ["out.parquet", "out.summary.parquet"]
    real = gpd.GeoDataFrame.to_parquet
    monkeypatch.setattr(gpd.GeoDataFrame, "to_parquet", lambda *a, **k: (_ for _ in ()).throw(OSError(28, "No space left on device")))
    with pytest.raises(InputError, match="unchanged"):
        write_layers({"parcels": layer(9), "summary": pd.DataFrame({"a": [2]})}, out)
    assert {p.name: p.read_bytes() for p in tmp_path.iterdir()} == before
    monkeypatch.setattr(gpd.GeoDataFrame, "to_parquet", real)


_BIG_WRITE = """
    import signal, sys, time, pyogrio
    # Ctrl-C as in a terminal, even when the tests run in the background (where SIGINT is ignored)
    signal.signal(signal.SIGINT, signal.default_int_handler)
    sys.path.insert(0, {tests!r})
    from test_safety import layer
    from zoning.io.write import write_layers
    big = layer(50_000)
    real = pyogrio.write_dataframe
    calls = []
    def announce(*a, **k):
        calls.append(1)
        if len(calls) == 2:  # the first layer is in the temporary file: wait there for the signal
            print("writing", flush=True)
            time.sleep(60)
        return real(*a, **k)
    pyogrio.write_dataframe = announce
    write_layers({{"parcels": big, "zones": big}}, {out!r})
    print("finished", flush=True)
"""


@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGTERM], ids=["SIGINT", "SIGTERM"])
def test_a_real_signal_during_a_large_write_keeps_the_old_file(tmp_path, sig):
    out, before = old_file(tmp_path)
    proc = run_py(_BIG_WRITE.format(tests=str(ROOT / "tests"), out=str(out)))
    assert proc.stdout is not None
    assert proc.stdout.readline().strip() == "writing"
    proc.send_signal(sig)
    rest, err = proc.communicate(timeout=120)
    assert "finished" not in rest
    assert proc.returncode != 0
    assert ("KeyboardInterrupt" in err) if sig == signal.SIGINT else (proc.returncode == 128 + sig)
    assert out.read_bytes() == before
    assert leftovers(tmp_path, {"out.gpkg"}) == []


def _fsize_limit(limit: int):
    def pre() -> None:
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))
    return pre


def test_a_full_disk_keeps_the_old_file(tmp_path):
    out, before = old_file(tmp_path)
    code = f"""
        import sys
        sys.path.insert(0, {str(ROOT / "tests")!r})
        from test_safety import layer
        from zoning.errors import InputError
        from zoning.io.write import write_layers
        try:
            write_layers({{"parcels": layer(20_000)}}, {str(out)!r})
        except InputError as exc:
            print(exc)
            sys.exit(2)
    """
    proc = run_py(code, preexec_fn=_fsize_limit(len(before) + 4096))
    stdout, stderr = proc.communicate(timeout=120)
    assert proc.returncode == 2, stderr
    assert stdout.startswith(f"could not write {out}") and "unchanged" in stdout
    assert out.read_bytes() == before and leftovers(tmp_path, {"out.gpkg"}) == []


def test_a_full_disk_in_the_cli_is_exit_2_with_the_old_file_intact(tmp_path):
    out, before = old_file(tmp_path, "zones.gpkg")
    env = {**os.environ, "PYTHONPATH": str(ROOT), "PYTHONDONTWRITEBYTECODE": "1", "TQDM_DISABLE": "1", "MPLBACKEND": "Agg"}
    proc = subprocess.run([sys.executable, "-m", "zoning.cli", "classify", str(SAMPLE), "-o", str(out), "-q"],
                          env=env, capture_output=True, text=True, timeout=300, preexec_fn=_fsize_limit(len(before) + 4096))
    assert proc.returncode == 2, proc.stderr
    assert proc.stderr.startswith(f"error: could not write {out}")
    assert "Traceback" not in proc.stderr and "bug" not in proc.stderr
    assert out.read_bytes() == before and leftovers(tmp_path, {"zones.gpkg"}) == []


@pytest.mark.parametrize("case", ["parent-is-a-file", "unwritable-folder", "output-is-a-folder"])
def test_unwritable_targets_are_refused_before_any_computation(cli, tmp_path, monkeypatch, case):
    (tmp_path / "afile").write_text("x")
    (tmp_path / "adir").mkdir()
    out = {"parent-is-a-file": tmp_path / "afile" / "z.gpkg", "unwritable-folder": Path("/proc/zoning-test/z.gpkg"),
           "output-is-a-folder": tmp_path / "adir"}[case]
    import zoning.io.read

    def no_reading(*a, **k):
        raise AssertionError("read before the output was checked")

    monkeypatch.setattr(zoning.io.read, "read_parcels", no_reading)
    res = CliRunner().invoke(cli, ["classify", str(SAMPLE), "-o", str(out)])
    assert res.exit_code == 2, res.output
    assert {"parent-is-a-file": "is a file, not a folder", "unwritable-folder": "is not writable",
            "output-is-a-folder": "is a directory"}[case] in res.output


def test_overwrite_false_does_not_mention_a_flag_that_does_not_exist(tmp_path):
    out, before = old_file(tmp_path)
    with pytest.raises(InputError) as err:
        write_layers({"parcels": layer(3)}, out, overwrite=False)
    assert "--overwrite" not in str(err.value) and "overwrite=True" in str(err.value)
    assert out.read_bytes() == before


def test_geopackage_column_clashes_are_renamed_and_said(tmp_path):
    frame = layer(3).assign(ZONE=["mine"] * 3, FID=["f"] * 3, geom=["g"] * 3)
    with pytest.warns(DataRepairWarning, match=r"renamed ZONE → ZONE_2, FID → FID_2, geom → geom_2"):
        write_layers({"parcels": frame}, tmp_path / "o.gpkg")
    back = gpd.read_file(tmp_path / "o.gpkg", layer="parcels")
    assert back["zone"].tolist() == ["unzoned"] * 3 and back["ZONE_2"].tolist() == ["mine"] * 3
    assert back["FID_2"].tolist() == ["f"] * 3
    assert safe_column_names(["a", "A", "a_2"]) == {"A": "A_3"}


def test_too_many_columns_for_a_geopackage_is_an_error_and_the_old_file_stays(tmp_path):
    out, before = old_file(tmp_path)
    wide = pd.concat([layer(2), pd.DataFrame({f"c{i}": [0, 1] for i in range(GPKG_MAX_COLUMNS)})], axis=1)
    with pytest.raises(InputError, match=r"at most 1998 .* \.parquet"):
        write_layers({"parcels": gpd.GeoDataFrame(wide, geometry="geometry")}, out)
    assert out.read_bytes() == before and leftovers(tmp_path, {"out.gpkg"}) == []
    write_layers({"parcels": gpd.GeoDataFrame(wide, geometry="geometry")}, tmp_path / "wide.parquet")


def test_input_columns_named_like_outputs_are_kept_and_said(tmp_path):
    raw = bureau(far=[9.0, 9.0, 9.0], ZONE=["mine"] * 3, reason=["x"] * 3)
    with pytest.warns(DataRepairWarning) as rec:
        result = zoning.run(raw, reference_year=2025)
    said = "\n".join(str(w.message) for w in rec)
    for col in ("far", "ZONE", "reason"):
        assert f"input column '{col}'" in said and f"'{col}_input'" in said
    assert "A1, A2, A3" in said and "fix: rename" in said
    p = result.parcels
    assert p["far_input"].tolist() == [9.0] * 3 and p["far"].round(2).tolist() == [1.5] * 3
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        result.to_file(tmp_path / "o.gpkg")  # no clash left for the writer to resolve
    assert {"ZONE_input", "zone", "far_input", "far"} <= set(gpd.read_file(tmp_path / "o.gpkg", layer="parcels").columns)
    df = pd.DataFrame({"a": [1]})
    assert protect_input_columns(df, ["zone"]) is df


# ---------------------------------------------------------------------------------------
# 3. every silent change is said: column, rows, fix


def _said(rec, code: str) -> str:
    msgs = [str(w.message) for w in rec if str(w.message).startswith(code)]
    assert msgs, [str(w.message) for w in rec]
    return msgs[0]


def test_decimal_commas_parse_correctly_and_are_said():
    raw = bureau(建筑面积=["8000,5", "7.234,5", "12,345.5"])
    with pytest.warns(DataRepairWarning) as rec:
        std = standardise_parcels(raw)
    msg = _said(rec, "decimal_comma")
    assert "[floor_area_m2]" in msg and "'建筑面积'" in msg and "(parcels A1, A2)" in msg and "fix:" in msg
    assert std["floor_area_m2"].tolist() == [8000.5, 7234.5, 12345.5]
    assert [p.code for p in std.attrs["zoning"]["problems"]] == ["decimal_comma"]


def test_a_thousands_comma_in_a_decimal_comma_column_is_missing_not_guessed():
    with pytest.warns(DataRepairWarning) as rec:
        std = standardise_parcels(bureau(建筑面积=["8000,5", "1,234", "1,2000"]))
    assert "(parcels A2)" in _said(rec, "ambiguous_number")
    assert std["floor_area_m2"].iloc[0] == 8000.5 and pd.isna(std["floor_area_m2"].iloc[1])
    assert std["floor_area_m2"].iloc[2] == 12_000.0  # 万 grouping is not ambiguous


def test_alias_collision_with_different_values_is_said():
    raw = bureau(floor_area_m2=[15_000.0, 1.0, 2.0])
    with pytest.warns(DataRepairWarning) as rec:
        std = standardise_parcels(raw)
    msg = _said(rec, "alias_collision")
    assert "used '建筑面积'" in msg and "kept 'floor_area_m2' as 'floor_area_m2_original'" in msg
    assert "(parcels A2, A3)" in msg and "--col floor_area_m2=floor_area_m2" in msg
    assert std["floor_area_m2_original"].tolist() == [15_000.0, 1.0, 2.0]


def test_stripped_ids_are_said_and_kept_as_written():
    raw = bureau(宗地编号=[" A1", "A2\u200b", "A3"])
    with pytest.warns(DataRepairWarning) as rec:
        std = standardise_parcels(raw)
    msg = _said(rec, "stripped_id")
    assert "[parcel_id]" in msg and "' A1' → 'A1'" in msg and "(parcels A1, A2)" in msg
    assert std["parcel_id"].tolist() == ["A1", "A2", "A3"]
    assert std["parcel_id_source"].tolist() == [" A1", "A2\u200b", "A3"]


@pytest.mark.filterwarnings("default::zoning.errors.ZoningWarning")  # the CLI prints them
def test_unknown_flags_are_said_by_screen_enterprises_not_only_validate(cli, tmp_path):
    path = tmp_path / "e.gpkg"
    bureau(无证无照=["是", "×", "不确定"]).to_file(path)
    res = CliRunner().invoke(cli, ["screen-enterprises", str(path), "-o", str(tmp_path / "o.gpkg"), "--col", "无证无照=licensed"])
    assert "warning: unknown_flag [licensed]" in res.output and "(parcels A2, A3)" in res.output and "fix: use 是/否" in res.output


@pytest.mark.filterwarnings("default::zoning.errors.ZoningWarning")  # the CLI prints them
def test_every_command_that_acts_on_the_data_says_the_change(cli, tmp_path):
    path = tmp_path / "p.gpkg"
    bureau(建筑面积=["8000,5", "15000", "15000"]).to_file(path)
    for args in (["classify", str(path), "-o", str(tmp_path / "c.gpkg"), "-q"],
                 ["check-mixed-use", str(path), "-o", str(tmp_path / "m.gpkg"), "-q", "--exit-zero"]):
        res = CliRunner().invoke(cli, args)
        assert "warning: decimal_comma [floor_area_m2]" in res.output and "(parcels A1)" in res.output, (args, res.output)
    res = CliRunner().invoke(cli, ["validate", str(path)])  # validate lists it in its report, once
    assert res.output.count("decimal_comma") == 1 and "WARNING decimal_comma [floor_area_m2]" in res.output


def test_building_ages_become_years_and_are_said():
    raw = bureau().drop(columns="建成年代").assign(房龄=[10, 20, 30])
    with pytest.warns(DataRepairWarning) as rec:
        std = standardise_parcels(raw)
    assert "'房龄' holds building ages" in _said(rec, "age_as_year")
    assert (std["year_built"].max() - std["year_built"].min()) == 20


# ---------------------------------------------------------------------------------------
# 4. encoding: a .cpg contradicting the bytes


def test_gbk_cpg_over_utf8_bytes_is_detected_and_read_right(tmp_path):
    shp = tmp_path / "u.shp"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        bureau().rename(columns={"宗地编号": "宗地号", "现状用途": "xzyt"}).to_file(shp, encoding="utf-8")
    shp.with_suffix(".cpg").write_text("GBK")
    with pytest.warns(TextEncodingWarning, match="the .cpg says GBK, but the bytes are valid UTF-8") as rec:
        parcels = read_parcels(shp)
    assert parcels["current_use"].tolist() == ["一类工业用地"] * 3
    assert "contradicts the data" in str(rec[0].message)


# ---------------------------------------------------------------------------------------
# 5. aliases and closest-column fixes


@pytest.mark.parametrize(("name", "canonical"), [
    ("合法面积", "legal_area_m2"), ("合法占地面积", "legal_area_m2"), ("合法率", "legal_ratio"), ("合法占比", "legal_ratio"),
    ("占地", "land_area_m2"), ("宗地面积", "land_area_m2"), ("建成年", "year_built"), ("竣工日期", "year_built"),
    ("地号", "parcel_id"), ("宗地编码", "parcel_id"), ("zdh", "parcel_id"), ("hfbl", "legal_ratio"),
])
def test_short_forms_analysts_use_are_recognised(name, canonical):
    assert canonical_of(name)[0] == canonical


def test_missing_column_lists_the_closest_columns_and_both_fixes(cli, tmp_path):
    path = tmp_path / "p.gpkg"
    bureau().rename(columns={"合法用地比例": "合法性比重"}).to_file(path)
    res = CliRunner().invoke(cli, ["validate", str(path)])
    assert res.exit_code == 1
    assert "closest: '合法性比重'" in res.output
    assert "columns={'合法性比重': 'legal_ratio'}" in res.output and "--col 合法性比重=legal_ratio" in res.output
    assert "your name" in missing_column_fix("legal_ratio", ["备注"])


# ---------------------------------------------------------------------------------------
# 6. thresholds and parameters are finite numbers


@pytest.mark.parametrize(("override", "match"), [
    ({"SZ-C5": "nan"}, "override SZ-C5: must be a finite number"), ({"SZ-C5": float("inf")}, "override SZ-C5: must be a finite"),
    ({"gap_m": "inf"}, "override gap_m: must be a finite"), ({"gap_m": float("nan")}, "override gap_m: must be a finite"),
    ({"SZ-R3": "q1.2.3"}, "'q1.2.3' is not a quantile"), ({"SZ-R3": "q1.5"}, "outside q0–q1"),
    ({"SZ-R3": "p101"}, "outside q0–q1"), ({"SZ-C5": "1,5"}, "expects a number"),
])
def test_overrides_must_be_finite_numbers_or_quantiles(override, match):
    with pytest.raises(RulePackError, match=match):
        load_rules("shenzhen-2020", overrides=override)


def test_nan_in_a_pack_file_names_the_file_and_the_code(tmp_path):
    from zoning.rules import pack_source

    src = pack_source("shenzhen-2020").replace('code = "SZ-C5"\nname_zh = "开发强度较低"\nname_en = "low development intensity (FAR)"\nindicator = "far"\nop = "<"\nvalue = 1.5',
                                               'code = "SZ-C5"\nname_zh = "开发强度较低"\nname_en = "low development intensity (FAR)"\nindicator = "far"\nop = "<"\nvalue = nan')
    assert "value = nan" in src
    (tmp_path / "nan.toml").write_text(src, encoding="utf-8")
    with pytest.raises(RulePackError, match=r"(?s)nan\.toml.*\(SZ-C5\)\.value': must be a finite number") as err:
        load_rules(tmp_path / "nan.toml")
    assert str(tmp_path / "nan.toml") in str(err.value)


def test_deeply_nested_toml_is_a_pack_error(tmp_path):
    (tmp_path / "deep.toml").write_text("a = " + "[" * 50_000 + "]" * 50_000)
    with pytest.raises(RulePackError, match="nests tables or arrays too deeply"):
        load_rules(tmp_path / "deep.toml")


@pytest.mark.parametrize("args", [["--set", "SZ-C5=nan"], ["--set", "SZ-C5=inf"], ["--gap-m", "inf"],
                                  ["--set", "SZ-R3=q1.2.3"], ["--min-zone-ha", "nan"]])
def test_cli_thresholds_that_are_not_numbers_exit_2_before_writing(cli, tmp_path, args):
    res = CliRunner().invoke(cli, ["classify", str(SAMPLE), "-o", str(tmp_path / "o.gpkg"), *args])
    assert res.exit_code == 2, res.output
    assert res.output.startswith("error: override ") and "--set" in res.output and "bug" not in res.output
    assert not (tmp_path / "o.gpkg").exists()


def test_a_pack_with_thousands_of_criteria_loads(tmp_path):
    sys.path.insert(0, str(ROOT / "benchmarks"))
    from bench_pack_size import big_pack

    (tmp_path / "big.toml").write_text(big_pack(3_000), encoding="utf-8")
    pack = load_rules(tmp_path / "big.toml")
    assert len(pack.criteria) > 3_000
    dup = big_pack(2).replace('code = "XAA-2"', 'code = "XAA-1"')
    (tmp_path / "dup.toml").write_text(dup, encoding="utf-8")
    with pytest.raises(RulePackError, match=r"duplicate code\(s\) \['XAA-1'\]"):
        load_rules(tmp_path / "dup.toml")


# ---------------------------------------------------------------------------------------
# 7. honest exit codes and messages that point the right way


def test_a_closed_stdout_pipe_ends_quietly():
    r, w = os.pipe()
    os.close(r)
    env = {**os.environ, "PYTHONPATH": str(ROOT), "PYTHONDONTWRITEBYTECODE": "1"}
    proc = subprocess.run([sys.executable, "-m", "zoning.cli", "rules", "show", "shenzhen-2020"], stdout=w,
                          stderr=subprocess.PIPE, text=True, env=env, timeout=120)
    os.close(w)
    assert proc.returncode == 141
    assert proc.stderr == ""


def test_an_environment_error_is_exit_2_not_a_bug(cli, monkeypatch):
    import zoning.rules

    def denied(*a, **k):
        raise PermissionError(13, "Permission denied", "/srv/packs/x.toml")

    monkeypatch.setattr(zoning.rules, "render_rules", denied)
    res = CliRunner().invoke(cli, ["rules", "show", "shenzhen-2020"])
    assert res.exit_code == 2 and res.output.startswith("error: Permission denied (/srv/packs/x.toml)")


def test_blocks_without_crs_point_to_the_blocks_option(cli, tmp_path):
    blocks = gpd.read_file(zoning.datasets.get_path("blocks")).set_crs(None, allow_override=True)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # pyogrio: "'crs' was not provided" -- that is the point
        blocks.to_file(tmp_path / "b.gpkg")
    res = CliRunner().invoke(cli, ["check-blocks", str(SAMPLE), str(tmp_path / "b.gpkg"), "-o", str(tmp_path / "o.gpkg")])
    assert res.exit_code == 2
    assert "--blocks-source-crs EPSG:4547" in res.output and "CLI: --source-crs" not in res.output


def test_a_parcel_a_trillion_metres_away_is_named(cli, tmp_path):
    raw = bureau()
    raw.loc[1, "geometry"] = shapely.box(1e12, 1e12, 1e12 + 100, 1e12 + 100)
    raw.to_file(tmp_path / "far.gpkg")
    res = CliRunner().invoke(cli, ["validate", str(tmp_path / "far.gpkg")])
    assert res.exit_code == 2
    assert "1 feature(s) have coordinates beyond" in res.output and "(A2;" in res.output
    assert "zone-1000000" not in res.output


def test_ctrl_c_in_the_cli_is_exit_130_and_keeps_the_old_output(cli, tmp_path, monkeypatch):
    import zoning.io.write

    out, before = old_file(tmp_path, "zones.gpkg")
    real = zoning.io.write._write_gpkg

    def interrupted(layers, tmp):
        real(dict(list(layers.items())[:1]), tmp)  # the first layer is on disk, in the temporary file
        raise KeyboardInterrupt

    monkeypatch.setattr(zoning.io.write, "_write_gpkg", interrupted)
    res = CliRunner().invoke(cli, ["classify", str(SAMPLE), "-o", str(out), "-q"])
    assert res.exit_code == 130 and "interrupted" in res.output and "Traceback" not in res.output
    assert out.read_bytes() == before and leftovers(tmp_path, {"zones.gpkg"}) == []


def test_replacing_a_file_keeps_its_permissions(tmp_path):
    out, _ = old_file(tmp_path)
    out.chmod(0o640)
    write_layers({"parcels": layer(4)}, out)
    assert out.stat().st_mode & 0o777 == 0o640 and len(gpd.read_file(out)) == 4


def test_values_with_their_own_unit_are_converted_not_stripped():
    raw = bureau(**{"产值(亿元)": ["1.2", "5000万元", "2亿元"]}).drop(columns="产值")
    std = standardise_parcels(raw)
    assert std["output_wan"].tolist() == [12_000.0, 5_000.0, 20_000.0]  # was 5000 亿元 and 2 万元... silently
    assert any("written with their own unit" in n for n in std.attrs["zoning"]["notes"])


def test_tables_read_numbers_with_separators_and_say_decimal_commas(tmp_path):
    from zoning.io.read import read_table

    p = tmp_path / "projects.csv"
    p.write_text('project_id,固定资产投资,税收,备注\nA,"1,000,000","8000,5",x1\nB,2000,10,说明\n', encoding="utf-8")
    with pytest.warns(DataRepairWarning, match=r"decimal_comma \[税收\].*'8000,5' → 8000.5.*\(rows 2\)"):
        df = read_table(p)
    assert df["固定资产投资"].tolist() == [1_000_000.0, 2000.0] and df["税收"].tolist() == [8000.5, 10.0]
    assert df["备注"].tolist() == ["x1", "说明"]


def test_map_and_raster_writes_are_atomic(tmp_path, sample_result, monkeypatch):
    """A failing map or raster write leaves the previous file byte-identical and no partial file."""
    import matplotlib.figure

    from zoning.outputs import raster as zr

    png, tif = tmp_path / "map.png", tmp_path / "zones.tif"
    png.write_bytes(b"previous map")
    tif.write_bytes(b"previous raster")

    def boom(*args, **kwargs):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(matplotlib.figure.Figure, "savefig", boom)
    with pytest.raises((OSError, zoning.InputError)):
        zoning.save_map(sample_result, png, lang="en", districts=False)
    monkeypatch.setattr(zr, "burn", boom)
    with pytest.raises((OSError, zoning.InputError)):
        zoning.rasterize_zones(sample_result, resolution=50, path=tif)
    assert png.read_bytes() == b"previous map" and tif.read_bytes() == b"previous raster"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["map.png", "zones.tif"]
