"""Time zone maps and zone rasters on synthetic cities of 100k and 1M parcels.

Run from the repository root::

    python benchmarks/bench_maps.py                    # 100k and 1M parcels, 3 runs each
    python benchmarks/bench_maps.py --sizes 100000 --repeat 5

For each size it makes parcels with ``zoning.synthetic.synthetic_parcels`` and runs
``zoning.run(..., check_overlaps=False)`` once (not timed here; see the pipeline benchmarks),
then reports the median of ``--repeat`` runs of

- ``plot_zones`` + ``save_map`` to PNG (200 dpi): every parcel up to 50k parcels; above that
  the dissolved zones plus the unzoned and non-industrial parcels;
- ``rasterize_zones`` to a 10 m GeoTIFF;
- the naive baseline, ``GeoDataFrame.plot(column="zone")`` of every parcel + ``savefig``
  (only at sizes up to ``--naive-max``, 100k by default: at 1M it takes over a minute).
"""

from __future__ import annotations

import argparse
import os
import statistics
import tempfile
import time
from pathlib import Path

os.environ.setdefault("MPLBACKEND", "Agg")
os.environ.setdefault("TQDM_DISABLE", "1")


def _median_time(fn, repeat: int) -> tuple[float, list[float]]:
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times), times


def _fmt(times: list[float]) -> str:
    return "[" + ", ".join(f"{t:.2f}" for t in times) + "]"


def _naive_plot(result, path: Path) -> None:
    """Baseline: GeoDataFrame.plot of every parcel in its zone colour."""
    import matplotlib.pyplot as plt

    colors = {z: s.color for z, s in result.rules.zones.items()}
    fig, ax = plt.subplots(figsize=(10, 10))
    result.parcels.plot(ax=ax, color=result.parcels["zone"].map(colors), linewidth=0)
    fig.savefig(path, dpi=200)
    plt.close(fig)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", type=int, nargs="+", default=[100_000, 1_000_000])
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--naive-max", type=int, default=100_000, help="largest size for the GeoDataFrame.plot baseline")
    ap.add_argument("--seed", type=int, default=7)
    args = ap.parse_args()

    import zoning
    from zoning.outputs.plotting import save_map
    from zoning.outputs.raster import rasterize_zones
    from zoning.synthetic import synthetic_parcels

    out = Path(tempfile.mkdtemp(prefix="zoning-bench-"))
    rows = []
    for n in args.sizes:
        t0 = time.perf_counter()
        parcels = synthetic_parcels(n, seed=args.seed)
        t_make = time.perf_counter() - t0
        t0 = time.perf_counter()
        result = zoning.run(parcels, reference_year=2025, check_overlaps=False)
        t_run = time.perf_counter() - t0
        print(f"{n:>9,} parcels: synthetic {t_make:.1f} s, run {t_run:.1f} s, "
              f"{len(result.zones)} dissolved zones", flush=True)

        png = out / f"map_{n}.png"
        t_map, all_map = _median_time(lambda: save_map(result, png), args.repeat)  # noqa: B023
        tif = out / f"zones_{n}.tif"
        t_tif, all_tif = _median_time(lambda: rasterize_zones(result, resolution=10, path=tif), args.repeat)  # noqa: B023
        row = {"n": n, "map": t_map, "raster": t_tif, "naive": None}
        print(f"    plot_zones + save_map (png) median {t_map:6.2f} s  runs {_fmt(all_map)}  "
              f"({png.stat().st_size / 1e6:.1f} MB)")
        print(f"    rasterize_zones (10 m tif)   median {t_tif:6.2f} s  runs {_fmt(all_tif)}  "
              f"({tif.stat().st_size / 1e6:.1f} MB)")
        if n <= args.naive_max:
            t_naive, all_naive = _median_time(lambda: _naive_plot(result, out / f"naive_{n}.png"), args.repeat)  # noqa: B023
            row["naive"] = t_naive
            print(f"    naive GeoDataFrame.plot      median {t_naive:6.2f} s  runs {_fmt(all_naive)}")
        rows.append(row)

    print("\nsummary (median seconds)")
    print(f"{'parcels':>10} {'map':>8} {'raster':>8} {'naive plot':>11}")
    for r in rows:
        naive = f"{r['naive']:.2f}" if r["naive"] is not None else "—"
        print(f"{r['n']:>10,} {r['map']:>8.2f} {r['raster']:>8.2f} {naive:>11}")
    print(f"outputs in {out}")


if __name__ == "__main__":
    main()
