"""Calibration: thresholds that bring each zone's share of the stock to its target.

The pack's ``[[calibration]]`` steps say which threshold moves which zone(s), within which
bounds (shenzhen-2020: SZ-R3 → retain-upgrade, SZ-A1 → consolidation + renewal, SZ-S1 →
consolidation). Each step is a 1-D search: the zones' share of the stock is a monotone step
function of the threshold, so the bounds are evaluated first (is the target reachable?), then
bisected until the bracket holds no more change; the value whose share is nearest the target
wins. Steps run in pack order and the sequence repeats (a later step changes the pool an
earlier one saw) until no threshold moves or ``rounds`` is reached.

The calibrated pack has those thresholds as absolute values with status ``derived``, and says
in each one's note which data set, date and achieved share it was calibrated on.
"""

from __future__ import annotations

import datetime as _dt
import os
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal, cast

import geopandas as gpd
import numpy as np
import pandas as pd

from zoning.errors import RulePackError
from zoning.rules.schema import INDICATORS, CalibrationStep, RulePack
from zoning.rules.toml import dump_pack
from zoning.scenarios.cache import CachedStages
from zoning.units import ZONES

__all__ = ["Calibration", "calibrate"]


@dataclass(frozen=True)
class Calibration:
    """Output of :func:`calibrate`.

    Attributes
    ----------
    rules
        The calibrated pack (write it with :meth:`to_toml`).
    steps
        One row per calibration step: ``criterion``, ``zones``, ``start`` and calibrated
        ``value`` (criterion's unit), ``bounds``, ``target_share``, ``achieved_share``,
        ``gap_pp`` (achieved − target, percentage points), ``met`` (within the tolerance) and
        ``note`` (why a target is out of reach).
    shares
        Share of the stock per zone before and after, with the targets.
    """

    rules: RulePack
    steps: pd.DataFrame
    shares: pd.DataFrame
    overrides: dict[str, float] = field(default_factory=dict)
    tolerance: float = 0.02
    evaluations: int = 0

    @property
    def met(self) -> bool:
        """Whether every step's target is met within the tolerance."""
        return bool(self.steps["met"].all())

    def __repr__(self) -> str:
        parts = [f"{r.criterion}={r.value:.4g} → {'+'.join(r.zones)} {r.achieved_share:.1%} (target {r.target_share:.1%})"
                 for r in self.steps.itertuples()]
        return "Calibration(" + "; ".join(parts) + ")"

    def to_toml(self, path: str | os.PathLike[str]) -> Path:
        """Write the calibrated pack (atomically: a temporary file beside it, then renamed)."""
        p = Path(path)
        when = _dt.date.today().isoformat()
        text = dump_pack(self.rules, comment=(f"Calibrated by `zoning calibrate` on {when} from pack "
                                              f"'{self.rules.pack.name}'.\nCalibrated thresholds carry status "
                                              "'derived'; their notes give the data set and the achieved shares."))
        tmp = p.with_name(f".{p.name}.tmp")
        tmp.write_text(text, encoding="utf-8")
        os.replace(tmp, p)
        return p


def _share(sc: Any, zones: Sequence[str]) -> float:
    return float(sum(sc.summary.loc[z, "share_of_stock"] for z in zones))


def _search(stages: CachedStages, overrides: dict[str, Any], step: CalibrationStep, target: float, mode: str,
            max_iter: int, current: float) -> tuple[float, float, str, int]:
    """1-D monotone search: (value, share, note, evaluations)."""
    lo, hi = step.bounds
    cache: dict[float, float] = {}

    def f(v: float) -> float:
        if v not in cache:
            cache[v] = _share(stages.run({**overrides, step.criterion: v}, mode=mode), step.zones)  # type: ignore[arg-type]
        return cache[v]

    f_lo, f_hi = f(lo), f(hi)
    note = ""
    if not (min(f_lo, f_hi) <= target <= max(f_lo, f_hi)):
        f(current)
        # nearest the target; among equally near values the one closest to where it was
        best = min(cache, key=lambda v: (round(abs(cache[v] - target), 12), abs(v - current)))
        reach = "at most" if target > max(f_lo, f_hi) else "at least"
        note = (f"target {target:.1%} unreachable within the bounds {lo:g}–{hi:g}: {step.criterion} gives {reach} "
                f"{max(f_lo, f_hi) if reach == 'at most' else min(f_lo, f_hi):.1%}")
        return best, f(best), note, len(cache)
    a, b = lo, hi
    fa = f_lo
    for _ in range(max_iter):
        if abs(b - a) <= 1e-6 * max(1.0, abs(a), abs(b)):
            break
        m = (a + b) / 2
        fm = f(m)
        if (fm - target) * (fa - target) <= 0 and fm != fa:
            b = m
        else:
            a, fa = m, fm
    best = min(cache, key=lambda v: (abs(cache[v] - target), abs(v - (lo + hi) / 2)))
    return best, cache[best], note, len(cache)


def calibrate(
    parcels: gpd.GeoDataFrame | str | os.PathLike[str] | CachedStages | Any,
    rules: str | os.PathLike[str] | RulePack = "shenzhen-2020",
    *,
    steps: Sequence[CalibrationStep] | None = None,
    overrides: dict[str, Any] | None = None,
    mode: Literal["threshold", "quota"] = "threshold",
    tolerance: float = 0.02,
    rounds: int = 3,
    max_iter: int = 24,
    reference_year: int | None = None,
    dataset: str | None = None,
) -> Calibration:
    """Find the thresholds that bring each zone's share of the stock to its target.

    Parameters
    ----------
    parcels
        GeoDataFrame, path, :class:`zoning.ZoningResult` or :class:`CachedStages`.
    rules
        Rule pack with ``[targets]`` and ``[[calibration]]`` steps.
    steps
        Calibration steps to use instead of the pack's.
    overrides
        Overrides applied before calibrating (kept in the calibrated pack).
    mode
        Zoning mode the shares are measured in (``"threshold"``).
    tolerance
        A target counts as met when the share is within this many of the stock (0.02 = 2
        percentage points).
    rounds
        How often the sequence of steps is repeated at most.
    max_iter
        Bisection steps per search.
    reference_year
        Year building ages are counted to (default: the pack's base year).
    dataset
        Name of the data set written into the calibrated thresholds' notes (default: the path).

    Returns
    -------
    Calibration

    Examples
    --------
    >>> import zoning
    >>> cal = zoning.calibrate(zoning.datasets.get_path("parcels"), reference_year=2025)
    >>> cal.rules.criterion("SZ-R3").status
    'derived'
    >>> bool(cal.steps.loc[cal.steps["criterion"] == "SZ-S1", "met"].iloc[0])
    True
    """
    stages = parcels if isinstance(parcels, CachedStages) else CachedStages(parcels, rules, reference_year=reference_year)
    base_pack = stages.pack(overrides)
    plan = list(steps if steps is not None else base_pack.calibration)
    if not plan:
        msg = (f"rule pack '{base_pack.pack.name}' declares no [[calibration]] steps; add them (criterion, zones, "
               "bounds, source) or pass steps=")
        raise RulePackError(msg)
    if base_pack.targets is None:
        msg = f"rule pack '{base_pack.pack.name}' has no [targets] to calibrate to"
        raise RulePackError(msg)
    ov: dict[str, Any] = dict(overrides or {})
    before = stages.run(ov, mode=mode)
    targets = before.zones.targets
    start = {s.criterion: _applied(base_pack, before.classification.thresholds, s.criterion) for s in plan}
    found: dict[str, float] = {}
    records: dict[int, dict[str, Any]] = {}
    evaluations = 1
    for _ in range(max(1, rounds)):
        moved = False
        for k, step in enumerate(plan):
            target = float(sum(targets[z]["share"] for z in step.zones))
            others = {**ov, **{c: v for c, v in found.items() if c != step.criterion}}
            if k in records or step.criterion in found:
                current = found.get(step.criterion, start[step.criterion])
            else:
                current = start[step.criterion]
            now = _share(stages.run({**others, step.criterion: current}, mode=mode), step.zones)
            evaluations += 1
            if abs(now - target) <= tolerance / 2:  # already there (e.g. an earlier step for the same zones)
                value, note = current, ""
                if step.criterion not in found and k not in records:
                    records[k] = {"criterion": step.criterion, "zones": list(step.zones), "start": start[step.criterion],
                                  "value": value, "bounds": f"{step.bounds[0]:g}–{step.bounds[1]:g}",
                                  "target_share": target, "note": "target already met: threshold left as it was"}
                continue
            value, _share_found, note, n = _search(stages, others, step, target, mode, max_iter, current)
            evaluations += n
            if note:
                note += _limit(stages, {**others, step.criterion: value}, step, mode)
            if value != current or step.criterion in found:
                if found.get(step.criterion) != value:
                    moved = True
                found[step.criterion] = value
            records[k] = {"criterion": step.criterion, "zones": list(step.zones), "start": start[step.criterion],
                          "value": value, "bounds": f"{step.bounds[0]:g}–{step.bounds[1]:g}", "target_share": target,
                          "note": note}
        if not moved:
            break
    final = stages.run({**ov, **found}, mode=mode)
    evaluations += 1
    rows = []
    for k in sorted(records):
        r = records[k]
        r["value"] = found.get(r["criterion"], r["value"])
        achieved = _share(final, r["zones"])
        r["achieved_share"] = achieved
        r["gap_pp"] = (achieved - r["target_share"]) * 100
        r["met"] = abs(achieved - r["target_share"]) <= tolerance
        rows.append(r)
    steps_df = pd.DataFrame(rows, columns=["criterion", "zones", "start", "value", "bounds", "target_share",
                                           "achieved_share", "gap_pp", "met", "note"])
    shares = pd.DataFrame({"before": before.shares(), "after": final.shares(),
                           "target": {z: targets[z]["share"] if z in targets else np.nan for z in ZONES[:4]}})
    source = dataset or stages.source or "the given parcels"
    pack = _calibrated_pack(base_pack, found, steps_df, shares, source, stages.reference_year)
    return Calibration(pack, steps_df, shares, found, tolerance, evaluations)


def _limit(stages: CachedStages, overrides: dict[str, Any], step: CalibrationStep, mode: str) -> str:
    """Which other criterion of the zones' candidate class passes the least of the stock (the binding one)."""
    sc = stages.run(overrides, mode=mode)  # type: ignore[arg-type]
    cand = next((c for c in sc.rules.candidates if set(step.zones) <= set(c.zones)), None)
    if cand is None:
        return ""
    t = sc.classification.table
    area = stages.land_area_m2.to_numpy(dtype="float64")
    stock = t["in_stock"].to_numpy(dtype=bool)
    total = float(np.nansum(area[stock]))
    best: tuple[float, str] | None = None
    for code in [*cand.gate, *cand.criteria]:
        if code == step.criterion or code not in t:
            continue
        c = sc.rules.criterion(code)
        st = t[code].astype(str).to_numpy()
        ok = (st == "pass") | ((st == "missing") & (c.missing == "pass"))
        share = float(np.nansum(area[stock & ok])) / total if total > 0 else 0.0
        if best is None or share < best[0]:
            best = (share, code)
    if best is None:
        return ""
    c = sc.rules.criterion(best[1])
    return (f"; the binding criterion is {best[1]} ({c.name_en}, {c.indicator} {c.op} {c.value}): only "
            f"{best[0]:.1%} of the stock passes it, so {' + '.join(step.zones)} cannot reach the target by "
            f"{step.criterion} alone (override {best[1]} or widen the bounds)")


def _applied(pack: RulePack, thresholds: dict[str, Any], code: str) -> float:
    c = pack.criterion(code)
    thr = thresholds.get(code, c.threshold)
    return float(cast("float", thr)) / INDICATORS[c.indicator].units[c.unit]


def _calibrated_pack(pack: RulePack, found: dict[str, float], steps: pd.DataFrame, shares: pd.DataFrame, source: str,
                     year: int) -> RulePack:
    when = _dt.date.today().isoformat()
    achieved = ", ".join(f"{z} {shares.loc[z, 'after']:.1%} (target {shares.loc[z, 'target']:.1%})"
                         for z in ZONES[:3] if np.isfinite(shares.loc[z, "target"]))
    crits = []
    for c in pack.criteria:
        if c.code in found:
            r = steps[steps["criterion"] == c.code].iloc[-1]
            how = (f"calibrated {when} on {source} (reference year {year}) so that {' + '.join(r['zones'])} reach "
                   f"{r['target_share']:.1%} of the stock: achieved {r['achieved_share']:.1%}; all shares: {achieved}")
            if r["note"]:
                how += f". {r['note']}"
            c = c.model_copy(update={"value": float(found[c.code]), "quantile": None, "status": "derived",
                                     "source": f"{c.source} | {how}", "note": (c.note + " " if c.note else "") +
                                     f"Before calibration: {r['start']:.6g} {c.unit}."})
        crits.append(c)
    info = pack.pack.model_copy(update={
        "name": pack.pack.name if pack.pack.name.endswith("-calibrated") else f"{pack.pack.name}-calibrated",
        "notes": (pack.pack.notes + f" Calibrated {when} on {source}: " +
                  ", ".join(f"{k}={v:.6g}" for k, v in found.items()) + ".").strip(),
        "base_year": year})
    return pack.model_copy(update={"criteria": crits, "pack": info})
