"""Load time of a rule pack with many criteria (packs load in linear time).

    python benchmarks/bench_pack_size.py 20000

Appends N extra criteria (codes XX-A1 …) to the shipped shenzhen-2020 pack, writes it to a
temporary file and times ``load_rules`` on it, then applies one override.
"""

from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path


def big_pack(n: int) -> str:
    from zoning.rules import pack_source

    extra = []
    for i in range(n):
        a, b = divmod(i, 99999)
        code = f"X{chr(65 + a // 26)}{chr(65 + a % 26)}-{b + 1}"
        extra.append(f'\n[[criteria]]\ncode = "{code}"\nname_zh = "测试"\nname_en = "test {i}"\nindicator = "far"\n'
                     f'op = "<"\nvalue = {1 + i % 7 / 10}\nunit = "ratio"\nstatus = "heuristic"\nsource = "benchmark"\n')
    return pack_source("shenzhen-2020") + "".join(extra)


def main(n: int) -> None:
    from zoning.rules import load_rules

    path = Path(tempfile.mkdtemp()) / f"pack-{n}.toml"
    path.write_text(big_pack(n), encoding="utf-8")
    t = time.perf_counter()
    pack = load_rules(path)
    t_load = time.perf_counter() - t
    t = time.perf_counter()
    load_rules(pack, overrides={pack.criteria[-1].code: 2.0})
    t_ov = time.perf_counter() - t
    print(f"{len(pack.criteria):,} criteria: load {t_load:.2f} s, one override {t_ov:.2f} s")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 20_000)
