"""Scenario benchmark: 20 sensitivity scenarios on cached stages vs one `zoning classify` of the same file.

In one invocation, alternating in fresh processes, ``--repeat`` times each:

* ``classify`` — the command a user runs: ``zoning classify FILE -o out.parquet -q`` (import,
  read, validate, indicators, classify, zones, reasons, dissolve, write), wall time;
* ``scenarios`` — read the same file, build :class:`zoning.scenarios.CachedStages` (validate,
  indicators), then :func:`zoning.sensitivity` with 20 one-at-a-time scenarios (10 thresholds ×
  2 values; the neighbour graph of the layer is computed once, on the first scenario), wall time
  of the whole process, with the parts reported.

Medians are reported with the ratio scenarios / classify (the issue's bar: at most 3×).

    python benchmarks/bench_scenarios.py 1000000 --repeat 3
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
sys.path.insert(0, str(HERE))

VARY = {"SZ-R2": [18, 22], "SZ-R3": [360, 450], "SZ-C2": [360, 450], "SZ-C3": [0.72, 0.88], "SZ-C5": [1.35, 1.65],
        "SZ-C6": [9, 11], "SZ-A1": [360, 450], "SZ-A2": [0.72, 0.88], "SZ-A4": [1.35, 1.65], "SZ-S1": [0.54, 0.66]}

CHILD = r"""
import json, sys, time, warnings
t0 = time.perf_counter()
import geopandas as gpd
import zoning
from zoning.scenarios import CachedStages, sensitivity
vary = json.loads(sys.argv[2])
with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    t = time.perf_counter(); gdf = gpd.read_parquet(sys.argv[1]); t_read = time.perf_counter() - t
    t = time.perf_counter(); stages = CachedStages(gdf, reference_year=2025); t_cache = time.perf_counter() - t
    t = time.perf_counter(); stages.neighbours(25.0); t_graph = time.perf_counter() - t
    t = time.perf_counter(); s = sensitivity(stages, vary=vary); t_scen = time.perf_counter() - t
print(json.dumps({"read": t_read, "cache": t_cache, "graph": t_graph, "scenarios": t_scen,
                  "n": len(s.scenarios) - 1, "total": time.perf_counter() - t0}))
"""


def _classify(src: Path, tmp: Path) -> float:
    t = time.perf_counter()
    subprocess.run([sys.executable, "-m", "zoning.cli", "classify", str(src), "-o", str(tmp / "out.parquet"), "-q",
                    "--reference-year", "2025"], check=True, capture_output=True)
    return time.perf_counter() - t


def _scenarios(src: Path) -> dict[str, float]:
    t = time.perf_counter()
    out = subprocess.run([sys.executable, "-c", CHILD, str(src), json.dumps(VARY)], check=True, capture_output=True, text=True)
    res = json.loads(out.stdout.strip().splitlines()[-1])
    res["wall"] = time.perf_counter() - t
    return res


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("sizes", nargs="*", type=int, default=[1_000_000])
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args()
    from generate import generate

    for n in args.sizes:
        src = generate(n)
        cl, sc = [], []
        with tempfile.TemporaryDirectory() as d:
            for _ in range(args.repeat):
                cl.append(_classify(src, Path(d)))
                sc.append(_scenarios(src))
        c = statistics.median(cl)
        walls = [r["wall"] for r in sc]
        m = statistics.median(walls)
        med = sc[walls.index(sorted(walls)[len(walls) // 2])]
        print(f"{n:>9,} parcels: zoning classify {c:6.1f} s | {med['n']} scenarios {m:6.1f} s "
              f"(read {med['read']:.1f}, validate+indicators {med['cache']:.1f}, neighbour graph {med['graph']:.1f}, "
              f"scenarios {med['scenarios']:.1f} = {med['scenarios'] / med['n']:.2f} s each) | ratio {m / c:.2f}×  "
              f"[medians of {args.repeat}; classify runs {', '.join(f'{x:.1f}' for x in cl)}; "
              f"scenario runs {', '.join(f'{x:.1f}' for x in walls)}]")


if __name__ == "__main__":
    main()
