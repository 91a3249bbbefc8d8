"""End-to-end benchmark: read GeoParquet → zones (with reasons) → write GeoParquet.

For each size it runs, in fresh processes (so peak memory is per run):

* the baseline — read the input GeoParquet and write it back unchanged;
* the job — ``zoning.run`` on the same file with its defaults (``check_overlaps="auto"``: the
  overlap check runs up to 200,000 parcels; ``--overlaps`` forces it) and writing every parcel with its
  zone, reasons and indicators plus the dissolved zones;

and reports medians over ``--repeat`` runs, the ratio job / baseline, the per-stage times of
the median job run and the peak resident memory (ru_maxrss) of each process. Both runs start
the clock after importing their libraries (``import zoning`` takes about 0.3 s more).

    python benchmarks/bench_pipeline.py 10000 100000 1000000 --repeat 3
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).parent
sys.path.insert(0, str(HERE))

CHILD = r"""
import json, resource, sys, time, warnings
import geopandas as gpd
src, dst, what, overlaps = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4] == "1"
t_import = 0.0
if what != "baseline":  # libraries are loaded before the clock starts, for both runs alike
    t = time.perf_counter()
    import zoning
    t_import = time.perf_counter() - t
t0 = time.perf_counter()
gdf = gpd.read_parquet(src)
t_read = time.perf_counter() - t0
stages = {}
if what == "baseline":
    t = time.perf_counter()
    gdf.to_parquet(dst, index=False)
    t_write = time.perf_counter() - t
else:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        t = time.perf_counter()
        res = zoning.run(gdf, reference_year=2025, check_overlaps=True if overlaps else "auto")
        stages = {k: round(v, 3) for k, v in res.timings.items()}
        t_run = time.perf_counter() - t
        t = time.perf_counter()
        res.parcels.to_parquet(dst, index=False)
        res.zones.to_parquet(dst.replace(".parquet", ".zones.parquet"), index=False)
        t_write = time.perf_counter() - t
    stages["run"] = round(t_run, 3)
total = time.perf_counter() - t0
print(json.dumps({"read": t_read, "write": t_write, "total": total, "stages": stages, "import": t_import,
                  "peak_gb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1e6}))
"""


def one(src: Path, what: str, overlaps: bool) -> dict:
    with tempfile.TemporaryDirectory() as tmp:
        dst = str(Path(tmp) / "out.parquet")
        out = subprocess.run([sys.executable, "-c", CHILD, str(src), dst, what, "1" if overlaps else "0"],
                             check=True, capture_output=True, text=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> None:
    from generate import generate

    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("sizes", nargs="*", type=int, default=[10_000, 100_000])
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--overlaps", action="store_true", help="force the overlapping-parcels check at every size")
    ap.add_argument("--json", type=Path, help="write the raw results here")
    args = ap.parse_args()
    rows = []
    for n in args.sizes:
        src = generate(n)
        base = [one(src, "baseline", args.overlaps) for _ in range(args.repeat)]
        job = [one(src, "job", args.overlaps) for _ in range(args.repeat)]
        b = statistics.median(r["total"] for r in base)
        j = statistics.median(r["total"] for r in job)
        med = sorted(job, key=lambda r: r["total"])[len(job) // 2]
        rows.append({"n": n, "baseline_s": b, "job_s": j, "ratio": j / b,
                     "baseline_peak_gb": max(r["peak_gb"] for r in base), "job_peak_gb": max(r["peak_gb"] for r in job),
                     "job_runs_s": [round(r["total"], 2) for r in job], "stages": med["stages"],
                     "read_s": med["read"], "write_s": med["write"]})
        r = rows[-1]
        print(f"{n:>9,} parcels: read+write {b:6.2f} s | read→zones→write {j:6.2f} s (runs {r['job_runs_s']}) "
              f"| ratio {r['ratio']:.1f}× | peak {r['job_peak_gb']:.2f} GB (baseline {r['baseline_peak_gb']:.2f} GB)")
        print(f"{'':>19}stages: " + ", ".join(f"{k} {v:.2f}" for k, v in r["stages"].items()) + f", write {r['write_s']:.2f}")
    if args.json:
        args.json.write_text(json.dumps(rows, indent=2))


if __name__ == "__main__":
    main()
