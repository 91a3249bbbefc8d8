"""The dask engine gives exactly the single-machine results, for any partitioning.

A ``LocalCluster`` of 2 worker processes (this machine has 2 cores). Compared parcel for
parcel: zone, cluster_id, reasons, criteria, flags; the areas table bit for bit; the zone
outlines with ``shapely.equals``; the summary tables bit for bit; the validation findings
(severity, code, column, count and parcel ids).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import shapely
from conftest import industrial, make_parcels
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import zoning
from zoning.synthetic import synthetic_parcels

distributed = pytest.importorskip("distributed")
pytest.importorskip("dask_geopandas")

from zoning.distributed.engine import run_distributed  # noqa: E402

FIXED = {"SZ-R3": 400, "SZ-C2": 400, "SZ-A1": 400}  # absolute output thresholds: crafted layouts do not hinge on the median
PARCEL_COLUMNS = ["zone", "zone_label", "cluster_id", "reason", "criteria_met", "criteria_failed", "criteria_missing",
                  "enclave", "candidate", "land_area_m2", "far", "legal_ratio", "output_wan_per_mu"]


@pytest.fixture(scope="module")
def client():
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=":0") as lc, \
            distributed.Client(lc) as c:
        yield c


def _findings(result) -> list[tuple]:
    return sorted((p.severity, p.code, p.column or "", len(p.ids), tuple(sorted(p.ids))) for p in result.validation.problems)


def differences(a, b) -> dict[str, object]:
    """What differs between two results (empty when they are the same)."""
    out: dict[str, object] = {}
    pa = pd.DataFrame(a.parcels).set_index("parcel_id")
    pb = pd.DataFrame(b.parcels).set_index("parcel_id")
    if sorted(pa.index) != sorted(pb.index):
        return {"parcels": "different parcel ids"}
    pb = pb.loc[pa.index]
    cols = PARCEL_COLUMNS + sorted(c for c in pa.columns if c.startswith("SZ-"))
    for c in cols:
        x = pa[c].astype(object).where(pa[c].notna(), None).to_numpy()
        y = pb[c].astype(object).where(pb[c].notna(), None).to_numpy()
        n = int(sum(u != v for u, v in zip(x, y, strict=True)))
        if n:
            out[c] = n
    for name in ("areas", "summary", "by_district"):
        try:
            pd.testing.assert_frame_equal(getattr(a, name).reset_index(drop=name == "areas"),
                                          getattr(b, name).reset_index(drop=name == "areas"),
                                          check_dtype=False, check_exact=True, check_categorical=False)
        except AssertionError as exc:
            out[name] = str(exc)[:400]
    za, zb = a.zones, b.zones
    if len(za) != len(zb) or list(za["cluster_id"]) != list(zb["cluster_id"]):
        out["zones"] = (len(za), len(zb))
    elif len(za) and not shapely.equals(za.geometry.to_numpy(), zb.geometry.to_numpy()).all():
        out["zone outlines"] = int((~shapely.equals(za.geometry.to_numpy(), zb.geometry.to_numpy())).sum())
    if _findings(a) != _findings(b):
        out["validation"] = (_findings(a), _findings(b))
    if a.thresholds != b.thresholds:
        out["thresholds"] = (a.thresholds, b.thresholds)
    if a.stock_km2 != b.stock_km2:
        out["stock_km2"] = (a.stock_km2, b.stock_km2)
    return out


def dask_run(client, parcels, **kw):
    with run_distributed(parcels, client=client, **kw) as dr:
        return dr.to_result()


def _stores(client) -> dict:
    return client.run(lambda dask_worker: sorted(str(p) for p in __import__("pathlib").Path(dask_worker.local_directory).glob("zoning-*/part-*")))


# --- a generated layout of 200k parcels ---------------------------------------------------

@pytest.fixture(scope="module")
def layout():
    return synthetic_parcels(200_000, seed=7)


@pytest.fixture(scope="module")
def single(layout):
    return zoning.run(layout, reference_year=2025)


@pytest.mark.slow
@pytest.mark.parametrize(("npartitions", "how"), [(1, "hilbert"), (4, "hilbert"), (16, "hilbert"), (4, "random"), (16, "random")])
def test_200k_parcels_same_as_one_machine(client, layout, single, npartitions, how):
    r = dask_run(client, layout, reference_year=2025, npartitions=npartitions, partitioning=how)
    assert differences(single, r) == {}
    assert r.parcels.index.equals(layout.index)  # every row once, in input order
    assert (single.zones["zone"] != "unzoned").all() and len(single.zones) > 100  # the layout has zones to compare


@pytest.mark.slow
def test_dropping_cross_partition_pairs_is_noticed(client, layout, single):
    """The comparison above is not vacuous: without the halo pairs the results differ."""
    dr = run_distributed(layout, client=client, reference_year=2025, npartitions=16, partitioning="hilbert",
                         drop_cross_pairs=True)
    diff = differences(single, dr.to_result())
    dr.close()
    assert dr.cross_pairs == 0
    assert diff.get("cluster_id", 0) > 0 and "areas" in diff


# --- the sample city ----------------------------------------------------------------------

def test_sample_city_identical_on_both_engines(client):
    path = zoning.datasets.get_path("parcels")
    one = zoning.run(path, reference_year=2025)
    before = _stores(client)
    for n in (1, 3):
        other = zoning.run(path, reference_year=2025, engine="dask", client=client, npartitions=n)
        assert differences(one, other) == {}
    assert _stores(client) == before  # zoning.run gathers the parcels and removes the stores
    # one partition: even the validation messages are word for word the same
    assert [str(p) for p in one.validation.problems] == [str(p) for p in zoning.run(path, reference_year=2025, engine="dask", client=client, npartitions=1).validation.problems]


# --- crafted layouts: what crosses partitions ----------------------------------------------

def _grid(nx: int, ny: int, *, w: float = 100.0, x0: float = 0.0, y0: float = 0.0, kind: str = "poor", prefix: str = "P") -> list[dict]:
    rows = []
    for i in range(nx):
        for j in range(ny):
            box = (x0 + i * w, y0 + j * w, x0 + (i + 1) * w, y0 + (j + 1) * w)
            if kind == "poor":  # a consolidation / renewal candidate
                rows.append(industrial(f"{prefix}{i:02d}{j:02d}", box, quality="poor", year=1990, far=0.8, legal=0.4, output_per_mu=100))
            else:  # a retain candidate
                rows.append(industrial(f"{prefix}{i:02d}{j:02d}", box))
    return rows


def _same_for(client, gdf, parts: np.ndarray, **kw) -> tuple:
    one = zoning.run(gdf, reference_year=2025, overrides=FIXED, **kw)
    other = dask_run(client, gdf, reference_year=2025, overrides=FIXED, partitioning=parts, **kw)
    assert differences(one, other) == {}
    return one, other


def test_zone_of_exactly_10_ha_split_across_partitions(client):
    gdf = make_parcels(_grid(5, 2))  # ten 1-ha parcels: 10.000 ha exactly
    parts = np.arange(len(gdf)) % 3  # every neighbour pair crosses a boundary
    _, other = _same_for(client, gdf, parts, min_zone_ha=10)
    assert other.areas["area_ha"].tolist() == [10.0]
    assert other.zones["zone"].tolist() == ["land_consolidation"]
    assert (other.parcels["zone"] == "land_consolidation").all()


def test_area_spanning_four_partitions_at_a_corner(client):
    gdf = make_parcels(_grid(6, 6, w=60.0))
    b = shapely.bounds(gdf.geometry.to_numpy())
    cx, cy = (b[:, 0].min() + b[:, 2].max()) / 2, (b[:, 1].min() + b[:, 3].max()) / 2
    parts = ((b[:, 0] >= cx).astype(int) + 2 * (b[:, 1] >= cy).astype(int))  # four quadrants meeting at a corner
    _, other = _same_for(client, gdf, parts, min_zone_ha=10)
    assert len(set(parts)) == 4 and other.areas["n_parcels"].tolist() == [36]


def test_equal_area_tie_across_partitions(client):
    """Two equal 3×3 blocks joined by a thin strip: the strip joins the western block on both engines."""
    rows = _grid(3, 3, w=50.0, prefix="W") + _grid(3, 3, w=50.0, x0=200.0, prefix="E")
    rows.append(industrial("S", (150.0, 65.0, 200.0, 85.0), quality="poor", year=1990, far=0.8, legal=0.4, output_per_mu=100))
    gdf = make_parcels(rows)
    for parts in (np.r_[np.zeros(9), np.ones(9), [2]].astype(int), np.r_[np.ones(9), np.zeros(9), [1]].astype(int)):
        _, other = _same_for(client, gdf, parts, gap_m=1.0, min_zone_ha=1)
        p = other.parcels.set_index("parcel_id")
        assert p.loc["S", "cluster_id"] == p.loc["W0000", "cluster_id"] != p.loc["E0000", "cluster_id"]


def test_enclave_whose_neighbours_are_in_another_partition(client):
    rows = [r for r in _grid(5, 5) if r["parcel_id"] != "P0202"]
    rows.append(industrial("HOLE", (200.0, 200.0, 300.0, 300.0), planned="W1", current="M1"))
    gdf = make_parcels(rows)
    parts = np.where(gdf["parcel_id"] == "HOLE", 0, 1)
    _, other = _same_for(client, gdf, parts, min_zone_ha=10)
    hole = other.parcels.set_index("parcel_id").loc["HOLE"]
    assert bool(hole["enclave"]) and hole["zone"] == "land_consolidation"


def test_empty_partitions(client):
    gdf = make_parcels(_grid(4, 4) + _grid(2, 2, x0=2000.0, kind="good", prefix="R"))
    parts = np.where(np.arange(len(gdf)) < 16, 1, 3)  # partitions 0, 2 and 4 are empty
    _same_for(client, gdf, parts)
    with run_distributed(gdf, client=client, reference_year=2025, overrides=FIXED, partitioning=parts, npartitions=5) as dr:
        assert len(dr.states) == 5


@settings(max_examples=12, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(seed=st.integers(0, 10_000), n=st.integers(30, 400), nparts=st.integers(1, 6), ties=st.booleans())
def test_small_layouts_any_partitioning(client, seed, n, nparts, ties):
    """Random small layouts, random partitions (some empty); ``ties`` makes every parcel 1 ha
    so equal-area areas and equal weights abound."""
    gdf = synthetic_parcels(n, seed=seed)
    if ties:
        b = shapely.bounds(gdf.geometry.to_numpy())
        cx, cy = np.round((b[:, 0] + b[:, 2]) / 2 / 100) * 100, np.round((b[:, 1] + b[:, 3]) / 2 / 100) * 100
        gdf = gdf.set_geometry(shapely.box(cx - 50, cy - 50, cx + 50, cy + 50))
        gdf = gdf.iloc[~pd.Series(list(zip(cx, cy, strict=True))).duplicated().to_numpy()].reset_index(drop=True)
    parts = np.random.default_rng(seed).integers(0, nparts, len(gdf))
    one = zoning.run(gdf, reference_year=2025, min_zone_ha=3)
    other = dask_run(client, gdf, reference_year=2025, min_zone_ha=3, partitioning=parts, npartitions=nparts)
    assert differences(one, other) == {}


# --- validation across partitions ----------------------------------------------------------

def test_duplicate_ids_and_overlaps_across_partitions(client):
    rows = _grid(3, 3)
    rows.append(dict(rows[0]))  # the same id and shape again
    rows.append(industrial("OV", (150.0, 150.0, 250.0, 250.0)))  # overlaps four parcels
    gdf = make_parcels(rows)
    parts = np.r_[np.zeros(9), [1, 2]].astype(int)
    with pytest.raises(zoning.ValidationError) as one:
        zoning.run(gdf, reference_year=2025)
    with pytest.raises(zoning.ValidationError) as other:
        dask_run(client, gdf, reference_year=2025, partitioning=parts)
    key = lambda r: sorted((p.severity, p.code, len(p.ids), tuple(sorted(p.ids))) for p in r.problems)  # noqa: E731
    assert key(one.value.report) == key(other.value.report)
    codes = {p.code for p in other.value.report.problems}
    assert {"duplicate_id", "overlap"} <= codes
    dup = next(p for p in other.value.report.problems if p.code == "duplicate_id")
    assert str(dup) == str(next(p for p in one.value.report.problems if p.code == "duplicate_id"))


# --- files in, files out --------------------------------------------------------------------

def test_cli_folder_of_parts_to_folder_of_parts(client, tmp_path, cli):
    import geopandas as gpd

    gdf = synthetic_parcels(3000, seed=5)
    (tmp_path / "parts").mkdir()
    for k in range(3):
        gdf.iloc[k * 1000:(k + 1) * 1000].to_parquet(tmp_path / "parts" / f"p{k}.parquet")
    gdf.to_parquet(tmp_path / "all.parquet")
    one = zoning.run(tmp_path / "all.parquet", reference_year=2025)
    from click.testing import CliRunner

    res = CliRunner().invoke(cli, ["classify", str(tmp_path / "parts"), "-o", str(tmp_path / "out"), "--engine", "dask",
                                   "--scheduler", client.scheduler.address, "--reference-year", "2025"])
    assert res.exit_code == 0, res.output
    assert "dask: 2 worker(s)" in res.output
    parts = gpd.read_parquet(tmp_path / "out" / "parcels").set_index("parcel_id").loc[one.parcels["parcel_id"]]
    for c in ("zone", "cluster_id", "reason"):
        assert (parts[c].fillna("").to_numpy() == one.parcels[c].astype(object).fillna("").to_numpy()).all()
    import dask_geopandas

    assert len(dask_geopandas.read_parquet(tmp_path / "out" / "parcels")) == len(gdf)
    zones = gpd.read_parquet(tmp_path / "out" / "zones.parquet")
    assert shapely.equals(zones.geometry.to_numpy(), one.zones.geometry.to_numpy()).all()
    s = pd.read_csv(tmp_path / "out" / "summary.csv").set_index("zone")
    assert (s["parcels"] == one.summary["parcels"]).all()
    # a second run writes over its own previous output, and removes its partition stores
    before = _stores(client)
    res = CliRunner().invoke(cli, ["classify", str(tmp_path / "parts"), "-o", str(tmp_path / "out"), "--engine", "dask",
                                   "--scheduler", client.scheduler.address, "--reference-year", "2025", "-q"])
    assert res.exit_code == 0, res.output
    assert _stores(client) == before


@pytest.mark.parametrize("where", ["input", "holds input", "inside input", "other files"])
def test_cli_refuses_an_output_folder_it_would_harm(tmp_path, cli, where):
    """The output folder is replaced whole: refused (exit 2, nothing computed, nothing
    touched) when it is, holds or lies in the input, or holds files zoning did not write."""
    from click.testing import CliRunner

    data = tmp_path / "data"
    parts = data / "parts"
    parts.mkdir(parents=True)
    synthetic_parcels(200, seed=1).to_parquet(parts / "p0.parquet")
    (data / "notes.txt").write_text("mine")
    out = {"input": parts, "holds input": data, "inside input": parts / "out", "other files": tmp_path / "o"}[where]
    if where == "other files":
        out.mkdir()
        (out / "keep.csv").write_text("a,b")
    before = {p: p.read_bytes() for p in tmp_path.rglob("*") if p.is_file()}
    res = CliRunner().invoke(cli, ["classify", str(parts), "-o", str(out), "--engine", "dask", "--workers", "1"])
    assert res.exit_code == 2, res.output
    assert ("input" in res.output) if where != "other files" else ("did not write" in res.output and "keep.csv" in res.output)
    assert "dask:" not in res.output  # refused before a cluster was started
    assert {p: p.read_bytes() for p in tmp_path.rglob("*") if p.is_file()} == before


def test_defaults_are_the_single_engine_defaults(client):
    """Without a reference year both engines count ages to the pack's base year."""
    gdf = make_parcels(_grid(4, 4))
    one = zoning.run(gdf)
    other = zoning.run(gdf, engine="dask", client=client, npartitions=2)
    assert one.settings.reference_year == other.settings.reference_year == 2020  # shenzhen-2020's base year
    assert one.parcels["zone"].astype(str).tolist() == other.parcels["zone"].astype(str).tolist()


# --- quota mode ---------------------------------------------------------------------------

def test_global_percentile_ranks_as_pandas_does():
    """Percentile ranks from merged per-partition value counts equal ``rank(pct=True)`` over
    the whole stock, bit for bit, with ties and missing values."""
    from zoning.distributed.engine import _global_percentile, rank_table
    from zoning.stages.zones import _percentile

    rng = np.random.default_rng(1)
    v = rng.integers(0, 40, 5000).astype(float) / 7
    v[::9] = np.nan
    v[::31] = np.inf
    in_stock = rng.random(5000) < 0.8
    parts = np.array_split(np.arange(5000), 3)
    tables = []
    for idx in parts:
        x = v[idx][in_stock[idx]]
        tables.append(np.unique(x[np.isfinite(x)], return_counts=True))
    got = _global_percentile(v, in_stock, rank_table(tables))
    want = _percentile(v, in_stock)
    assert np.array_equal(got, want, equal_nan=True)
    # per-partition ranks would not do: the first partition ranked alone differs
    assert not np.array_equal(_percentile(v[parts[0]], in_stock[parts[0]]), want[parts[0]], equal_nan=True)


@pytest.mark.parametrize(("npartitions", "how"), [(4, "hilbert"), (5, "random")])
def test_quota_mode_same_as_one_machine(client, npartitions, how):
    gdf = synthetic_parcels(20_000, seed=3)
    one = zoning.run(gdf, reference_year=2025, mode="quota")
    assert one.areas["rank"].notna().sum() > 10  # areas were ranked against the targets
    assert (one.areas["note"].str.contains("beyond the")).any()  # and some fell outside a quota
    other = dask_run(client, gdf, reference_year=2025, mode="quota", npartitions=npartitions, partitioning=how)
    assert differences(one, other) == {}
    assert [c for c in other.areas.columns if c.startswith("score_")]


# --- coordinates in degrees ---------------------------------------------------------------

def test_layer_in_degrees_is_reprojected_once_for_the_whole_layer(client):
    """Each partition alone would choose its own Gauss-Krüger zone; the engine chooses one
    CRS from the whole layer's extent, as one machine does, and reports it the same way."""
    gdf = synthetic_parcels(4000, seed=5).to_crs(4326)
    one = zoning.run(gdf, reference_year=2025)
    other = dask_run(client, gdf, reference_year=2025, npartitions=4, partitioning="random")
    assert differences(one, other) == {}
    assert other.parcels.crs == one.parcels.crs and other.parcels.crs.is_projected
    for r in (one, other):
        assert [p.code for p in r.validation.problems if p.code == "reprojected"] == ["reprojected"]
    assert [str(p) for p in one.validation.problems if p.code == "reprojected"] == \
        [str(p) for p in other.validation.problems if p.code == "reprojected"]


def test_geoparquet_in_degrees_warns_as_reading_it_does(client, tmp_path):
    gdf = synthetic_parcels(3000, seed=6).to_crs(4326)
    f = tmp_path / "degrees.parquet"
    gdf.to_parquet(f)
    with pytest.warns(zoning.CRSWarning) as w_one:
        one = zoning.run(f, reference_year=2025)
    with pytest.warns(zoning.CRSWarning) as w_dask:
        dr = run_distributed(f, client=client, reference_year=2025, npartitions=3)  # re-cut in Hilbert order
    other = dr.to_result()
    dr.close()
    assert str(w_one[0].message) == str(w_dask[0].message)
    assert differences(one, other) == {}


# --- partition stores ---------------------------------------------------------------------

def test_workers_hold_no_partition_between_phases(client):
    """Between tasks a worker's memory holds paths and small tables, not partitions: each
    partition's state is in its store on the worker's disk."""
    from dask.sizeof import sizeof

    gdf = synthetic_parcels(20_000, seed=2)
    with run_distributed(gdf, client=client, reference_year=2025, npartitions=2) as dr:
        held = client.run(lambda dask_worker: max((sizeof(v) for v in dask_worker.data.values()), default=0))
        assert max(held.values()) < 1_000_000  # a 10,000-parcel partition's outputs are many MB
        roots = client.gather(dr.states)
        on_disk = [client.submit(lambda r: sorted(p.name for p in __import__("pathlib").Path(r).iterdir()), r,
                                 workers=[dr.home[k]], pure=False).result() for k, r in enumerate(roots)]
        assert all({"clean.pkl", "out.pkl", "label.pkl"} <= set(names) for names in on_disk)
        r = dr.to_result()
        assert len(r.parcels) == 20_000
    exists = [client.submit(lambda p: __import__("os").path.exists(p), root, workers=[dr.home[k]], pure=False).result()
              for k, root in enumerate(roots)]
    assert exists == [False, False]  # closing removed the stores
    with pytest.raises(zoning.InputError, match="closed"):
        dr.to_result()


def test_stores_in_a_shared_scratch_folder(client, tmp_path):
    gdf = synthetic_parcels(5000, seed=8)
    one = zoning.run(gdf, reference_year=2025)
    dr = run_distributed(gdf, client=client, reference_year=2025, npartitions=3, scratch=tmp_path)
    assert len(list(tmp_path.glob("zoning-*/part-*"))) == 3
    assert differences(one, dr.to_result()) == {}
    dr.close()
    assert list(tmp_path.iterdir()) == []


def test_a_failed_run_removes_its_stores(client, tmp_path):
    gdf = make_parcels(_grid(3, 3))
    gdf.loc[gdf.index[4], "floor_area_m2"] = -5.0  # a validation error
    with pytest.raises(zoning.ValidationError):
        run_distributed(gdf, client=client, reference_year=2025, npartitions=2, scratch=tmp_path)
    assert list(tmp_path.iterdir()) == []


def test_folder_output_is_replaced_whole_or_not_at_all(client, tmp_path, monkeypatch):
    import zoning.io.write

    gdf = synthetic_parcels(3000, seed=9)
    out = tmp_path / "out"
    with run_distributed(gdf, client=client, reference_year=2025, npartitions=2) as dr:
        dr.write(out)
        before = {p.relative_to(out): p.read_bytes() for p in out.rglob("*") if p.is_file()}
        assert len([p for p in before if p.parts[0] == "parcels"]) == 2

        def boom(*a, **k):
            raise OSError("disk full")

        monkeypatch.setattr(zoning.io.write, "write_layers", boom)  # fails after the parts were written
        with pytest.raises(OSError, match="disk full"):
            dr.write(out)
    after = {p.relative_to(out): p.read_bytes() for p in out.rglob("*") if p.is_file()}
    assert after == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out"]  # no temporary folder left


def test_a_file_of_many_row_groups_is_cut_at_row_groups(tmp_path):
    import pandas as pd

    from zoning.distributed.partitions import plan_parts, read_rows

    gdf = synthetic_parcels(1000, seed=1)
    f = tmp_path / "p.parquet"
    gdf.to_parquet(f, row_group_size=100)
    plan = plan_parts([f], part_rows=250)
    assert [(groups, first) for _, groups, first in plan] == [([0, 1, 2], 0), ([3, 4, 5], 300), ([6, 7, 8], 600), ([9], 900)]
    back = pd.concat([read_rows(*p) for p in plan])
    assert back.index.equals(pd.RangeIndex(1000))
    assert shapely.equals(back.geometry.to_numpy(), gdf.geometry.to_numpy()).all()
    assert plan_parts([f]) == [(str(f), None, 0)]  # small files are one partition


# --- validation findings ------------------------------------------------------------------

def test_findings_word_for_word_as_on_one_machine(client):
    """Same findings, same order, same ids in layer order, and the same words: a message
    quotes the layer's first parcels flagged even when they sit in different partitions."""
    gdf = synthetic_parcels(3000, seed=4)
    gdf = gdf.reset_index(drop=True)
    gdf.loc[[5, 1400, 2900, 77, 2200, 960, 1830, 2601], "year_built"] = 2031  # future_year: 8 parcels, "…" after 5
    area = gdf.geometry.area
    gdf.loc[[700, 20], "floor_area_m2"] = area[[700, 20]] * 30  # implausible FAR
    gdf.loc[[2500], "legal_area_m2"] = area[[2500]] * 3  # legal share above 100 %
    gdf.loc[[11, 2999, 1500], "output_wan"] = np.nan  # missing values
    one = zoning.run(gdf, reference_year=2025)
    keys = [(p.severity, p.code, p.column) for p in one.validation.problems]
    assert {"future_year", "implausible_far", "implausible_share", "missing_value"} <= {k[1] for k in keys}
    for n, how in ((4, "random"), (3, "hilbert")):
        other = dask_run(client, gdf, reference_year=2025, npartitions=n, partitioning=how)
        assert [(p.severity, p.code, p.column) for p in other.validation.problems] == keys
        assert [list(p.ids) for p in other.validation.problems] == [list(p.ids) for p in one.validation.problems]
        assert [str(p) for p in other.validation.problems] == [str(p) for p in one.validation.problems]
    fy = next(p.message for p in one.validation.problems if p.code == "future_year")
    assert fy.startswith("8 parcel(s)") and "…" in fy


# --- plan units -----------------------------------------------------------------------------

def test_plan_units_bridge_a_road_across_partitions(client):
    """Two halves of one plan unit across a 35 m road (wider than gap_m) in two partitions:
    the unit's pairs cross the boundary, so it is one area on both engines."""
    def half(prefix: str, x0: float) -> list[dict]:
        return [industrial(f"{prefix}{r}{c}", (x0 + c * 60, r * 60, x0 + (c + 1) * 60, (r + 1) * 60), quality="poor",
                           year=1990, far=0.7, legal=0.2, output_per_mu=100) | {"unit": "DY-01"}
                for r in range(4) for c in range(2)]

    gdf = make_parcels(half("A", 0) + half("B", 155))
    parts = np.where(gdf["parcel_id"].str.startswith("A"), 0, 1)
    _, other = _same_for(client, gdf, parts, min_zone_ha=5, units="unit")
    assert (other.parcels["zone"] == "land_consolidation").all() and other.parcels["cluster_id"].nunique() == 1
    apart = dask_run(client, gdf, reference_year=2025, overrides=FIXED, partitioning=parts, min_zone_ha=5)
    assert apart.parcels["cluster_id"].nunique() == 2  # without units the road splits them
    with pytest.raises(zoning.InputError, match="no such column"):
        dask_run(client, gdf, reference_year=2025, overrides=FIXED, partitioning=parts, units="plan_unit")


def test_plan_units_on_a_generated_layout(client):
    gdf = synthetic_parcels(20_000, seed=12)
    b = shapely.bounds(gdf.geometry.to_numpy())
    gdf["unit"] = [f"U{int(x // 600)}-{int(y // 600)}" if k % 10 else None
                   for k, (x, y) in enumerate(zip(b[:, 0], b[:, 1], strict=True))]  # 600 m units, some parcels in none
    one = zoning.run(gdf, reference_year=2025, units="unit", gap_m=10)
    plain = zoning.run(gdf, reference_year=2025, gap_m=10)
    assert one.areas.shape[0] != plain.areas.shape[0]  # the units join areas
    for n, how in ((4, "hilbert"), (6, "random")):
        other = dask_run(client, gdf, reference_year=2025, units="unit", gap_m=10, npartitions=n, partitioning=how)
        assert differences(one, other) == {}


def test_partition_store_keeps_geometries_bit_for_bit(tmp_path):
    """Geometry arrays are stored as WKB (fast to write and read) and come back exactly."""
    from shapely import box

    from zoning.distributed.store import PartState

    g = synthetic_parcels(500, seed=3).geometry.to_numpy()
    g = np.concatenate([g, np.array([None, shapely.Polygon(), shapely.MultiPolygon([box(0.1, 0.2, 1.3, 1.7)])], dtype=object)])
    st = PartState(tmp_path / "p")
    st["geoms"], st["ids"], st["n"] = g, np.array(["a", None, "c"], dtype=object), 3
    st.flush()
    back = PartState(tmp_path / "p")
    assert shapely.to_wkb(back["geoms"]).tolist() == shapely.to_wkb(g).tolist()
    assert back["ids"].tolist() == ["a", None, "c"] and back["n"] == 3
    assert sorted(back) == ["geoms", "ids", "n"]
    back.discard("ids")
    back.flush()
    assert sorted(PartState(tmp_path / "p")) == ["geoms", "n"]


# --- progress -------------------------------------------------------------------------------

def test_progress_bar_over_partitions_and_phases(client, capsys):
    gdf = synthetic_parcels(2000, seed=13)
    with run_distributed(gdf, client=client, reference_year=2025, npartitions=3, progress=True):
        pass
    err = capsys.readouterr().err
    assert "zoning (dask)" in err and "outputs" in err  # the bar names the phase it is in
    assert "/27" in err  # 3 partitions × 9 phases


def test_cli_prints_the_workers_and_the_dashboard(tmp_path, cli):
    from click.testing import CliRunner

    (tmp_path / "parts").mkdir()
    synthetic_parcels(300, seed=14).to_parquet(tmp_path / "parts" / "p0.parquet")
    res = CliRunner().invoke(cli, ["classify", str(tmp_path / "parts"), "-o", str(tmp_path / "out"), "--engine", "dask",
                                   "--workers", "1", "--reference-year", "2025"])
    assert res.exit_code == 0, res.output
    assert "dask: 1 worker(s) at tcp://" in res.output
    assert "; dashboard http://" in res.output  # the dask extra brings bokeh, so the dashboard runs
