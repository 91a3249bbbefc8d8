"""Generate benchmark parcel layers as GeoParquet (realistic layouts: irregular parcels, slivers, roads).

    python benchmarks/generate.py 10000 100000 1000000      # -> benchmarks/data/parcels_<n>.parquet
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

from zoning.synthetic import synthetic_parcels

DATA = Path(__file__).parent / "data"


def path_for(n: int) -> Path:
    return DATA / f"parcels_{n}.parquet"


def generate(n: int, *, seed: int = 7) -> Path:
    p = path_for(n)
    if p.exists():
        return p
    DATA.mkdir(parents=True, exist_ok=True)
    t = time.perf_counter()
    gdf = synthetic_parcels(n, seed=seed)
    gdf.to_parquet(p, index=False)
    print(f"generated {n:,} parcels in {time.perf_counter() - t:.1f} s -> {p} ({p.stat().st_size / 1e6:.0f} MB)")
    return p


if __name__ == "__main__":
    for arg in sys.argv[1:] or ["10000", "100000"]:
        generate(int(arg))
