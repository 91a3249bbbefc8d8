"""The dask engine against the single-process engine: time and peak memory, same run.

Generated layouts (``zoning.synthetic.synthetic_parcels``) are written as folders of
GeoParquet parts of ``--part-size`` parcels each (tiles of a province side by side, as a
bureau would export them per city or district); for the single-process engine the same rows
are also written as one file. Each measurement runs in a fresh process:

* ``single``: ``zoning.run(file)`` → write the parcels (GeoParquet) and zones;
* ``dask``: ``LocalCluster(W workers, 1 thread each)`` → ``run_distributed(folder)`` →
  write ``parcels/part-*.parquet`` from the workers plus the tables.

Peak memory is the peak resident set (``ru_maxrss``) of the process, plus for ``dask`` the
peaks of every worker process (an upper bound of what was resident at once). Medians over
``--repeat`` runs; the ratio dask / single is taken within the same run.

    python benchmarks/bench_distributed.py 1000000 3000000 --repeat 3 --scaling 1000000
    python benchmarks/bench_distributed.py 10000000 --dask-only --memory-limit 5GB   # more than one process here can hold
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).parent
DATA = HERE / "data"

CHILD_SINGLE = r"""
import json, resource, sys, time, warnings
import zoning
src, dst = sys.argv[1], sys.argv[2]
warnings.simplefilter("ignore")
t0 = time.perf_counter()
r = zoning.run(src)
t_run = time.perf_counter() - t0
r.to_file(dst)
total = time.perf_counter() - t0
print(json.dumps({"total": total, "run": t_run, "stages": r.timings,
                  "peak_gb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1e6}))
"""

CHILD_DASK = r"""
import json, resource, sys, time, warnings
warnings.simplefilter("ignore")
import zoning
from distributed import Client, LocalCluster
from zoning.distributed.engine import run_distributed
import dask
src, dst, workers, parts, mem = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4], sys.argv[5]
if __name__ == "__main__":
    # with a memory limit, partitions not being worked on are spilled to local disk; never kill a worker
    dask.config.set({"distributed.worker.memory.terminate": False})
    with LocalCluster(n_workers=workers, threads_per_worker=1, processes=True, dashboard_address=":0",
                      memory_limit=mem if mem != "0" else 0) as lc, Client(lc) as client:
        t0 = time.perf_counter()
        dr = run_distributed(src, client=client, npartitions=int(parts) if parts != "0" else None)
        t_run = time.perf_counter() - t0
        dr.write(dst)
        total = time.perf_counter() - t0
        peaks = client.run(lambda: __import__("resource").getrusage(__import__("resource").RUSAGE_SELF).ru_maxrss / 1e6)
        def store_bytes(dask_worker, run_id=dr.run_id):
            from pathlib import Path
            return sum(f.stat().st_size for f in (Path(dask_worker.local_directory) / f"zoning-{run_id}").rglob("*") if f.is_file())
        store_gb = sum(client.run(store_bytes).values()) / 1e9
        n_parts = len(dr.states)
        dr.close()
        me = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1e6
        print(json.dumps({"total": total, "run": t_run, "stages": dr.timings, "client_gb": me,
                          "worker_gb": sorted(peaks.values()), "peak_gb": me + sum(peaks.values()), "store_gb": store_gb,
                          "partitions": n_parts, "client_gb_by_phase": dr.client_gb, "cross_pairs": dr.cross_pairs, "parcels": dr.n_parcels}))
"""


def parts_dir(n: int, part_size: int) -> Path:
    """``data/parts_<n>/part-NNN.parquet``: tiles of ``part_size`` parcels, side by side across a 20 m road."""
    from zoning.synthetic import synthetic_parcels

    d = DATA / f"parts_{n}_{part_size}"
    k_parts = -(-n // part_size)
    if d.exists() and len(list(d.glob("part-*.parquet"))) == k_parts:
        return d
    d.mkdir(parents=True, exist_ok=True)
    x = 500_000.0
    t = time.perf_counter()
    for k in range(k_parts):
        m = min(part_size, n - k * part_size)
        g = synthetic_parcels(m, seed=100 + k, origin=(x, 2_490_000.0))
        g["parcel_id"] = [f"T{k:03d}-{i:07d}" for i in range(m)]
        g.to_parquet(d / f"part-{k:03d}.parquet", index=False)
        x = float(g.total_bounds[2]) + 20.0  # the next tile across a 20 m road: pairs cross parts
        del g
    print(f"generated {n:,} parcels in {k_parts} parts in {time.perf_counter() - t:.0f} s -> {d}", flush=True)
    return d


def single_file(parts: Path) -> Path:
    """The same rows as one GeoParquet file (for the single-process engine)."""
    import geopandas as gpd
    import pandas as pd

    f = parts.with_suffix(".parquet")
    if not f.exists():
        gdf = pd.concat([gpd.read_parquet(p) for p in sorted(parts.glob("part-*.parquet"))], ignore_index=True)
        gpd.GeoDataFrame(gdf, geometry="geometry").to_parquet(f, index=False)
    return f


def child(code: str, *args: str) -> dict:
    proc = subprocess.run([sys.executable, "-c", code, *args], capture_output=True, text=True, check=False)
    if proc.returncode != 0:
        raise RuntimeError(proc.stderr[-3000:])
    return json.loads(proc.stdout.strip().splitlines()[-1])


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("sizes", type=int, nargs="+")
    ap.add_argument("--repeat", type=int, default=1)
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--part-size", type=int, default=250_000)
    ap.add_argument("--partitions", type=int, default=0, help="re-cut into this many partitions (default: one per part)")
    ap.add_argument("--dask-only", action="store_true", help="skip the single-process engine (it cannot hold 10M here)")
    ap.add_argument("--scaling", type=int, nargs="*", default=[], help="sizes to also run on 1 worker")
    ap.add_argument("--memory-limit", default="0", help="per dask worker, e.g. 5GB: beyond ~70 %% partitions spill to disk (0: no limit)")
    ap.add_argument("--out", type=Path, default=HERE / "results" / "distributed.json")
    a = ap.parse_args()
    results = json.loads(a.out.read_text()) if a.out.exists() else {}
    for n in a.sizes:
        parts = parts_dir(n, a.part_size)
        src = None if a.dask_only else single_file(parts)
        runs: dict[str, list[dict]] = {"single": [], "dask": [], "dask_1_worker": []}
        for _ in range(a.repeat):
            with tempfile.TemporaryDirectory() as tmp:
                if src is not None:
                    runs["single"].append(child(CHILD_SINGLE, str(src), str(Path(tmp) / "out.parquet")))
                    print("single", n, json.dumps(runs["single"][-1]["total"]), flush=True)
                runs["dask"].append(child(CHILD_DASK, str(parts), str(Path(tmp) / "out"), str(a.workers), str(a.partitions), a.memory_limit))
                print("dask", n, json.dumps({k: runs["dask"][-1][k] for k in ("total", "peak_gb")}), flush=True)
                if n in a.scaling:
                    runs["dask_1_worker"].append(child(CHILD_DASK, str(parts), str(Path(tmp) / "out1"), "1", str(a.partitions), a.memory_limit))
                    print("dask 1 worker", n, runs["dask_1_worker"][-1]["total"], flush=True)
        row: dict[str, object] = {"parcels": n, "parts": len(list(parts.glob("part-*.parquet"))), "workers": a.workers,
                                  "memory_limit": a.memory_limit,
                                  "repeat": a.repeat, "date": time.strftime("%Y-%m-%d %H:%M")}
        for name, rs in runs.items():
            if rs:
                med = sorted(rs, key=lambda r: r["total"])[len(rs) // 2]
                row[name] = {"median_s": statistics.median(r["total"] for r in rs), "all_s": [round(r["total"], 2) for r in rs],
                             "peak_gb": med["peak_gb"], "stages": {k: round(v, 2) for k, v in med["stages"].items()},
                             **({"worker_gb": med["worker_gb"], "client_gb": med["client_gb"], "cross_pairs": med["cross_pairs"],
                                 "store_gb": round(med.get("store_gb", 0.0), 2),
                                 "client_gb_by_phase": {k: round(v, 2) for k, v in med.get("client_gb_by_phase", {}).items()},
                                 "partitions": med["partitions"]} if "worker_gb" in med else {})}
        if runs["single"] and runs["dask"]:
            row["ratio_dask_single"] = round(row["dask"]["median_s"] / row["single"]["median_s"], 2)  # type: ignore[index]
        if runs["dask_1_worker"]:
            row["speedup_2_vs_1_worker"] = round(row["dask_1_worker"]["median_s"] / row["dask"]["median_s"], 2)  # type: ignore[index]
        results[str(n)] = row
        print(json.dumps(row, indent=1), flush=True)
        a.out.parent.mkdir(parents=True, exist_ok=True)
        a.out.write_text(json.dumps(results, indent=1))


if __name__ == "__main__":
    main()
