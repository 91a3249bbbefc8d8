"""Start-up time of the ``zoning`` command against a bare ``python -c pass``, median of N runs.

    python benchmarks/bench_import.py [--repeat 5] [--root PATH]

``--root`` points at another checkout (e.g. an older commit) to compare both in one run.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time

CASES = {
    "python -c pass": ["-c", "pass"],
    "zoning --help": ["-m", "zoning.cli", "--help"],
    "zoning rules list": ["-m", "zoning.cli", "rules", "list"],
    "import zoning": ["-c", "import zoning"],
}


def median_time(args: list[str], repeat: int, env: dict[str, str]) -> float:
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        subprocess.run([sys.executable, *args], check=True, capture_output=True, env=env, cwd=tempfile.gettempdir())
        times.append(time.perf_counter() - t0)
    return statistics.median(times)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("--root", action="append", default=[], help="checkout(s) to time; default: this one")
    a = ap.parse_args()
    roots = a.root or [os.path.dirname(os.path.dirname(os.path.abspath(__file__)))]
    for root in roots:
        env = {**os.environ, "PYTHONPATH": root}
        base = median_time(CASES["python -c pass"], a.repeat, env)
        print(f"{root}")
        for name, args in CASES.items():
            t = median_time(args, a.repeat, env)
            print(f"  {name:<20} {t * 1000:7.0f} ms   (+{(t - base) * 1000:.0f} ms over python -c pass)")


if __name__ == "__main__":
    main()
