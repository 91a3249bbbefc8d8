"""Time industrial-block checks on 100k and 1M parcels: zoning's method against geopandas.overlay.

Run from the repository root::

    python benchmarks/bench_blocks.py                       # 100k and 1M parcels, 3 runs each
    python benchmarks/bench_blocks.py --sizes 100000 --repeat 5

Parcels come from ``benchmarks/generate.py`` (``zoning.synthetic.synthetic_parcels``, seed 7,
cached as GeoParquet). Blocks are irregular: Voronoi cells of a jittered 2 km grid, 60 % of
them kept, shrunk by 20–120 m, densified to 40 m and wiggled by up to ±23 m, so their edges
cut parcels everywhere (about 185 vertices per block; ≈150 blocks at 100k, ≈1,400 at 1M).

Each method runs in its own process (so peak memory is its own) on the loaded data:

- ``intersections`` — :func:`zoning.blocks.block_intersections`: representative points for
  parcels inside or outside a block, exact intersections only for parcels a block edge
  passes through (found with an STRtree of edge segments);
- ``check_blocks`` — the whole :func:`zoning.blocks.check_blocks` (land-use parsing, block,
  district and parcel tables, drivers and fix texts);
- ``overlay`` — the textbook way: ``geopandas.overlay(parcels, blocks, how="intersection")``
  and a group-by of the pieces' areas.

Reported: the median wall time of ``--repeat`` runs, peak resident memory above the loaded
data (``ru_maxrss`` minus the RSS after loading), and the largest difference of the
per-block industrial areas from the overlay's.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
INDUSTRIAL = ["M", "M0", "M1", "M2", "M3", "W", "W1", "W2", "W3"]


def synthetic_blocks(parcels, *, spacing: float = 2000.0, keep: float = 0.6, seed: int = 0):
    """Irregular industrial blocks over the parcels' extent (see the module docstring)."""
    import geopandas as gpd
    import numpy as np
    import shapely

    rng = np.random.default_rng(seed)
    x0, y0, x1, y1 = parcels.total_bounds
    nx, ny = int((x1 - x0) // spacing) + 1, int((y1 - y0) // spacing) + 1
    gx, gy = np.meshgrid(x0 + (np.arange(nx) + 0.5) * spacing, y0 + (np.arange(ny) + 0.5) * spacing)
    pts = shapely.points(gx.ravel() + rng.uniform(-0.35, 0.35, gx.size) * spacing,
                         gy.ravel() + rng.uniform(-0.35, 0.35, gy.size) * spacing)
    frame = shapely.box(x0, y0, x1, y1)
    cells = shapely.get_parts(shapely.voronoi_polygons(shapely.multipoints(pts), extend_to=frame))
    cells = shapely.intersection(cells, frame)
    cells = cells[rng.random(cells.size) < keep]
    cells = shapely.buffer(cells, -rng.uniform(20, 120, cells.size), join_style="mitre")
    cells = shapely.segmentize(cells, 40.0)
    ph = rng.uniform(0, 2 * np.pi, 4)

    def wiggle(c):
        x, y = c[:, 0], c[:, 1]
        return np.column_stack([x + 15 * np.sin(y / 97.0 + ph[0]) + 8 * np.sin(y / 23.0 + ph[1]),
                                y + 15 * np.sin(x / 89.0 + ph[2]) + 8 * np.sin(x / 19.0 + ph[3])])

    cells = shapely.make_valid(shapely.transform(cells, wiggle))
    cells = cells[~shapely.is_empty(cells) & (shapely.area(cells) > 0)]
    return gpd.GeoDataFrame({"区块编号": [f"GB-{i:05d}" for i in range(cells.size)]}, geometry=cells, crs=parcels.crs)


def _rss_kb() -> int:
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0  # pragma: no cover


def worker(method: str, parcels_path: str, blocks_path: str, repeat: int, out: str) -> None:
    import geopandas as gpd
    import numpy as np
    import pandas as pd

    import zoning.checks  # noqa: F401 - imported before the baseline: its modules are not the method's memory

    parcels = gpd.read_parquet(parcels_path)
    blocks = gpd.read_parquet(blocks_path)
    industrial = parcels["planned_use"].isin(INDUSTRIAL).to_numpy()
    base = _rss_kb()
    times, result = [], None
    for _ in range(repeat):
        t0 = time.perf_counter()
        if method == "intersections":
            from zoning.checks._common import block_intersections

            P, B, A, _ = block_intersections(parcels.geometry, blocks.geometry)
            result = np.bincount(B, A * industrial[P], minlength=len(blocks))
        elif method == "check_blocks":
            from zoning.checks.blocks import check_blocks

            result = check_blocks(parcels, blocks).blocks["industrial_area_m2"].to_numpy()
        else:
            p = gpd.GeoDataFrame({"ind": industrial}, geometry=parcels.geometry.to_numpy(), crs=parcels.crs)
            b = gpd.GeoDataFrame({"j": np.arange(len(blocks))}, geometry=blocks.geometry.to_numpy(), crs=blocks.crs)
            ov = gpd.overlay(p, b, how="intersection", keep_geom_type=True)
            area = ov.geometry.area.to_numpy()
            result = pd.Series(area * ov["ind"].to_numpy()).groupby(ov["j"].to_numpy()).sum().reindex(range(len(blocks)), fill_value=0.0).to_numpy()
        times.append(time.perf_counter() - t0)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    np.save(out + ".npy", result)
    Path(out + ".json").write_text(json.dumps({"times": times, "peak_mb": (peak - base) / 1024}))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", type=int, nargs="+", default=[100_000, 1_000_000])
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--methods", nargs="+", default=["intersections", "check_blocks", "overlay"])
    ap.add_argument("--worker", nargs=5, help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.worker:
        method, pp, bp, rep, out = args.worker
        worker(method, pp, bp, int(rep), out)
        return

    import geopandas as gpd
    import numpy as np

    sys.path.insert(0, str(HERE))
    from generate import generate

    tmp = Path(tempfile.mkdtemp(prefix="zoning-bench-blocks-"))
    rows = []
    for n in args.sizes:
        pp = generate(n)
        blocks = synthetic_blocks(gpd.read_parquet(pp, columns=["geometry"]))
        bp = tmp / f"blocks_{n}.parquet"
        blocks.to_parquet(bp)
        results = {}
        for m in args.methods:
            out = str(tmp / f"{m}_{n}")
            subprocess.run([sys.executable, __file__, "--worker", m, str(pp), str(bp), str(args.repeat), out], check=True)
            info = json.loads(Path(out + ".json").read_text())
            results[m] = np.load(out + ".npy")
            rows.append((n, len(blocks), m, statistics.median(info["times"]), info["times"], info["peak_mb"]))
            print(f"{n:>9,} parcels {len(blocks):>5} blocks  {m:<14} median {statistics.median(info['times']):6.2f} s  "
                  f"runs {', '.join(f'{t:.2f}' for t in info['times'])}  peak +{info['peak_mb']:,.0f} MB", flush=True)
        if "overlay" in results:
            for m, r in results.items():
                if m != "overlay":
                    diff = np.abs(r - results["overlay"]).max()
                    print(f"          {m} vs overlay: max |Δ industrial area per block| = {diff:.2e} m²")
    print("\n| parcels | blocks | method | median s | runs | peak MB above data |\n|---:|---:|---|---:|---|---:|")
    for n, nb, m, med, times, peak in rows:
        print(f"| {n:,} | {nb:,} | {m} | {med:.2f} | {', '.join(f'{t:.2f}' for t in times)} | {peak:,.0f} |")


if __name__ == "__main__":
    os.environ.setdefault("TQDM_DISABLE", "1")
    main()
