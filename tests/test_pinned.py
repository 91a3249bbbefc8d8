"""Pinned results: the zones, reasons and check verdicts a user sees, frozen as CSV.

A refactor that should not change results must leave these tables byte-for-byte equal (floats
to 1e-9 relative). A change that *should* change results regenerates them deliberately and says
why in its commit::

    python tests/test_pinned.py --write

The tables are plain CSV (gzip), never pickles, so a diff of a regenerated pin is readable.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

HERE = Path(__file__).parent / "data" / "pinned"

PARCEL_COLUMNS = ["parcel_id", "zone", "cluster_id", "criteria_met", "criteria_failed", "criteria_missing", "contradicts",
                  "relocation", "reason"]


def _parcels(result) -> pd.DataFrame:
    cols = [c for c in PARCEL_COLUMNS if c in result.parcels.columns]
    crit = sorted(c for c in result.parcels.columns if c.startswith("SZ-") and c.count("-") == 1)
    return pd.DataFrame(result.parcels[cols + crit]).reset_index(drop=True)


def _sample_threshold() -> pd.DataFrame:
    import zoning

    return _parcels(zoning.run(zoning.datasets.get_path("parcels"), reference_year=2025))


def _sample_threshold_zh() -> pd.DataFrame:
    import zoning

    r = zoning.run(zoning.datasets.get_path("parcels"), reference_year=2025, lang="zh")
    return pd.DataFrame(r.parcels[["parcel_id", "reason"]]).reset_index(drop=True)


def _sample_reasons() -> pd.DataFrame:
    import zoning

    r = zoning.run(zoning.datasets.get_path("parcels"), reference_year=2025)
    return pd.DataFrame(r.reasons()).reset_index(drop=True)


def _sample_areas() -> pd.DataFrame:
    import zoning

    r = zoning.run(zoning.datasets.get_path("parcels"), reference_year=2025)
    return pd.DataFrame(r.areas).reset_index(drop=True)


def _sample_summary() -> pd.DataFrame:
    import zoning

    r = zoning.run(zoning.datasets.get_path("parcels"), reference_year=2025)
    return pd.DataFrame(r.summary).reset_index()


def _sample_quota() -> pd.DataFrame:
    import zoning

    return _parcels(zoning.run(zoning.datasets.get_path("parcels"), reference_year=2025, mode="quota"))


def _synthetic() -> pd.DataFrame:
    import zoning
    from zoning.synthetic import synthetic_parcels

    r = zoning.run(synthetic_parcels(20_000, seed=3), reference_year=2025)
    return pd.DataFrame(r.parcels[["parcel_id", "zone", "cluster_id", "criteria_met", "criteria_failed"]]).reset_index(drop=True)


def _blocks(pack: str) -> Callable[[], pd.DataFrame]:
    def make() -> pd.DataFrame:
        import zoning

        parcels = zoning.read_parcels(zoning.datasets.get_path("parcels"))
        blocks = zoning.read_blocks(zoning.datasets.get_path("blocks"))
        check = zoning.check_blocks(parcels, blocks, rules=pack)
        return pd.DataFrame(check.blocks.drop(columns="geometry", errors="ignore")).reset_index(drop=True)

    return make


# The pins were written before the checks shared one shape (0.2: ``passes`` + ``status``
# pass/fail/missing everywhere, functions named check_*). The functions below map the new
# names back to the pinned ones, so the pins keep proving that the reshaping changed no
# number and no verdict.


def _balance() -> pd.DataFrame:
    import zoning

    old = zoning.read_blocks(zoning.datasets.get_path("blocks"))
    new = zoning.read_blocks(zoning.datasets.get_path("blocks_revised"))
    d = pd.DataFrame(zoning.check_balance(old, new).districts).reset_index(drop=True)
    assert (d["status"] == d["passes"].map({True: "pass", False: "fail"})).all()
    # GZ-K1 (the pinned block-area verdict) is the only criterion tested without parcels and dates
    assert (d["GZ-K1"] == d["status"]).all() and (d["GZ-K2"] == "").all()
    return d.rename(columns={"passes": "balanced"}).drop(columns=["status", "GZ-K1", "GZ-K2", "GZ-K3", "add_before_remove_m2"])


def _mixed_use() -> pd.DataFrame:
    import zoning

    parcels = zoning.read_parcels(zoning.datasets.get_path("parcels"))
    check = zoning.check_mixed_use(parcels)
    p = pd.DataFrame(check.parcels.drop(columns="geometry", errors="ignore")).reset_index(drop=True)
    for code in ("JX-F1", "JX-G1"):  # pinned as "pass (park)"; now "pass" with the code in met_through_park
        via = p["met_through_park"].str.split(";").map(lambda v, code=code: code in v)
        assert (p.loc[via, code] == "pass").all()
        p.loc[via, code] = "pass (park)"
    return p.drop(columns=["met_through_park", "status"])


def _projects() -> pd.DataFrame:
    import zoning

    projects = pd.DataFrame({
        "project": ["甲", "乙", "丙", "丁", "戊"],
        "investment_wan": [60_000, 50_000, 49_999.9999999999, 6_000, np.nan],
        "tax_wan": [3_000, 1_000, 2_000, 100, 10],
        "land_area_m2": [100_000, 83_333.5, 50_000, 5_000, 1_000],
    })
    t = pd.DataFrame(zoning.check_projects(projects).projects).reset_index(drop=True)
    assert (t["passes"] == (t["tier"] != "none")).all()
    return t.drop(columns=["passes", "status"])


def _enterprises() -> pd.DataFrame:
    import zoning

    parcels = zoning.read_parcels(zoning.datasets.get_path("parcels"))
    s = zoning.check_enterprises(parcels)
    p = pd.DataFrame(s.parcels.drop(columns="geometry", errors="ignore")).reset_index(drop=True)
    for code in ("SZE-1", "SZE-2", "SZE-3", "SZE-4"):  # flag raised: pinned "yes", now "fail"
        p[code] = p[code].map({"fail": "yes", "pass": "no", "missing": "missing"})
    p.insert(p.columns.get_loc("passes"), "low_end", p["status"] == "fail")
    return p.drop(columns=["passes", "status"])


def _benchmark() -> pd.DataFrame:
    import zoning

    parcels = zoning.read_parcels(zoning.datasets.get_path("parcels"))
    t = pd.DataFrame(zoning.check_benchmarks(parcels, by="park").groups).reset_index(drop=True)
    codes = [c[:-4] for c in t.columns if c.endswith("_pct")]
    for code in codes:  # pinned as <code>_meets booleans
        t[f"{code}_meets"] = t[code] == "pass"
    head = [c for c in t.columns if c not in codes and not c.endswith(("_pct", "_meets")) and c not in ("passes", "status", "gap")]
    return t[[*head, *[f"{c}{s}" for c in codes for s in ("_pct", "_meets")], "gap"]]


def _leases() -> pd.DataFrame:
    import zoning

    r = zoning.run(zoning.datasets.get_path("parcels"), reference_year=2025)
    p = pd.DataFrame(zoning.check_leases(r).parcels).drop(columns="geometry", errors="ignore").reset_index(drop=True)
    p["status"] = p["status"].map({"fail": "short", "pass": "ok"}).fillna(p["status"])  # pinned words
    p.insert(p.columns.get_loc("status") + 1, "short_lease", p["status"] == "short")
    return p.drop(columns="passes")


PINS: dict[str, Callable[[], pd.DataFrame]] = {
    "sample_threshold": _sample_threshold,
    "sample_threshold_zh": _sample_threshold_zh,
    "sample_reasons": _sample_reasons,
    "sample_areas": _sample_areas,
    "sample_summary": _sample_summary,
    "sample_quota": _sample_quota,
    "synthetic_20k": _synthetic,
    "blocks_guangzhou_2023": _blocks("guangzhou-2023"),
    "blocks_guangzhou_2024": _blocks("guangzhou-2024"),
    "balance": _balance,
    "mixed_use": _mixed_use,
    "projects": _projects,
    "enterprises": _enterprises,
    "benchmark": _benchmark,
    "leases": _leases,
}


def _normalise(df: pd.DataFrame) -> pd.DataFrame:
    """What a CSV round trip keeps: text as str, missing as NaN, numbers as float."""
    out = pd.DataFrame(index=range(len(df)))
    for c in df.columns:
        s = df[c].reset_index(drop=True)
        if pd.api.types.is_bool_dtype(s):
            out[str(c)] = s.astype(str)
        elif pd.api.types.is_numeric_dtype(s):
            out[str(c)] = pd.to_numeric(s, errors="coerce").astype("float64")
        else:
            out[str(c)] = s.astype(object).where(s.notna(), None).map(lambda v: None if v is None else str(v))
    return out


def _read(name: str) -> pd.DataFrame:
    df = pd.read_csv(HERE / f"{name}.csv.gz", dtype=str, keep_default_na=False, na_values=[""])
    return df


def _assert_same(name: str, got: pd.DataFrame) -> None:
    want = _read(name)
    got = _normalise(got)
    assert list(got.columns) == list(want.columns), f"{name}: columns changed"
    assert len(got) == len(want), f"{name}: {len(got)} rows, pinned {len(want)}"
    for c in want.columns:
        g, w = got[c], want[c]
        if pd.api.types.is_float_dtype(g):
            wf = pd.to_numeric(w, errors="coerce").to_numpy(dtype="float64")
            gf = g.to_numpy(dtype="float64")
            same = np.isclose(gf, wf, rtol=1e-9, atol=1e-9, equal_nan=True)
        else:
            gs = g.where(g.notna(), "").astype(str).to_numpy()
            ws = w.where(w.notna(), "").astype(str).to_numpy()
            same = gs == ws
        bad = np.flatnonzero(~same)
        assert len(bad) == 0, f"{name}.{c}: {len(bad)} rows differ, first row {bad[0]}: got {g.iloc[bad[0]]!r}, pinned {w.iloc[bad[0]]!r}"


@pytest.mark.parametrize("name", sorted(PINS))
def test_results_match_the_pinned_tables(name):
    _assert_same(name, PINS[name]())


def _write() -> None:
    HERE.mkdir(parents=True, exist_ok=True)
    for name, make in PINS.items():
        df = _normalise(make())
        df.to_csv(HERE / f"{name}.csv.gz", index=False, float_format="%.17g", compression={"method": "gzip", "mtime": 0})
        print(f"{name}: {len(df)} rows, {len(df.columns)} columns")


if __name__ == "__main__":
    if "--write" in sys.argv:
        sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
        _write()
    else:
        print(__doc__)
