"""Sensitivity: how the zones move as each threshold moves, one at a time.

Each scenario changes one criterion's threshold (the others stay at the base); the result
gives each scenario's zone areas and, per parcel, its zone in every scenario and its
*stability* — the share of scenarios in which it keeps its base zone. The thresholds the
zones are most sensitive to are those whose range of values moves the most land between
zones.
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import geopandas as gpd
import numpy as np
import pandas as pd

from zoning.errors import RulePackError
from zoning.rules.schema import INDICATORS, RulePack
from zoning.scenarios.cache import CachedStages, Scenario
from zoning.units import ZONES

__all__ = ["Sensitivity", "numeric_thresholds", "pct_variations", "sensitivity"]

_ZONED = ZONES[:3]


def numeric_thresholds(pack: RulePack) -> list[str]:
    """Codes of the numeric criteria the zoning uses (parcel and area tests, gates, splits)."""
    used: list[str] = []
    for cand in pack.candidates:
        for code in [*cand.gate, *cand.criteria, *cand.zone_criteria, *cand.area_criteria,
                     *([cand.split] if cand.split else [])]:
            c = pack.criterion(code)
            if INDICATORS[c.indicator].kind == "number" and code not in used:
                used.append(code)
    return used


def pct_variations(pack: RulePack, thresholds: Mapping[str, Any], pct: float) -> dict[str, list[float]]:
    """Each numeric threshold at −pct % and +pct % of its value as applied (quantiles: their resolved value)."""
    out: dict[str, list[float]] = {}
    for code in numeric_thresholds(pack):
        c = pack.criterion(code)
        base = thresholds.get(code, c.threshold)
        if base is None or not np.isfinite(float(base)):
            continue
        base_unit = float(base) / INDICATORS[c.indicator].units[c.unit]  # back to the criterion's own unit
        out[code] = [base_unit * (1 - pct / 100), base_unit * (1 + pct / 100)]
    return out


def _fmt_value(v: Any) -> str:
    return f"{v:.6g}" if isinstance(v, float) else str(v)


@dataclass(frozen=True)
class Sensitivity:
    """Output of :func:`sensitivity`.

    Attributes
    ----------
    scenarios
        One row per scenario (``base`` first, then ``s01``, ``s02``, …): ``code``, ``value``,
        ``overrides``, each zone's ``<zone>_km2`` and ``<zone>_share`` of the stock, and
        ``changed_parcels`` / ``changed_km2`` against the base.
    parcels
        GeoDataFrame aligned to the input parcels: ``parcel_id``, base ``zone``, one zone
        column per scenario (``s01`` …) and ``stability`` (share of scenarios keeping the base zone).
    base_thresholds
        The thresholds the base scenario applied (quantiles resolved).
    """

    scenarios: pd.DataFrame
    parcels: gpd.GeoDataFrame
    base_thresholds: dict[str, Any] = field(default_factory=dict)
    rules_name: str = ""

    def __repr__(self) -> str:
        top = ", ".join(self.most_sensitive(3)["code"])
        return f"Sensitivity({len(self.scenarios) - 1} scenarios on {len(self.parcels)} parcels; most sensitive: {top})"

    def swings(self) -> pd.DataFrame:
        """Per threshold: the range (max − min, km²) of each zone's area over its scenarios and the base.

        ``total_km2`` adds the three zones' ranges; rows are sorted by it, largest first.
        """
        s = self.scenarios
        base = s.iloc[0]
        rows = []
        for code, g in s.iloc[1:].groupby("code", sort=False):
            row: dict[str, Any] = {"code": code, "values": ", ".join(g["value"].astype(str))}
            total = 0.0
            for z in _ZONED:
                vals = np.r_[g[f"{z}_km2"].to_numpy(dtype="float64"), float(base[f"{z}_km2"])]
                row[f"{z}_low_km2"] = float(vals.min() - base[f"{z}_km2"])
                row[f"{z}_high_km2"] = float(vals.max() - base[f"{z}_km2"])
                row[f"{z}_range_km2"] = float(vals.max() - vals.min())
                total += row[f"{z}_range_km2"]
            row["total_km2"] = total
            row["max_changed_parcels"] = int(g["changed_parcels"].max())
            rows.append(row)
        out = pd.DataFrame(rows)
        return out.sort_values("total_km2", ascending=False, kind="stable").reset_index(drop=True) if len(out) else out

    def most_sensitive(self, n: int = 3) -> pd.DataFrame:
        """The ``n`` thresholds whose range of values moves the most zone area (see :meth:`swings`)."""
        return self.swings().head(n)

    def to_file(self, path: str | os.PathLike[str], *, overwrite: bool = True) -> Path:
        """Write the ``scenarios`` and ``parcels`` layers to a GeoPackage (or GeoParquet)."""
        from zoning.io.write import write_layers

        scen = self.scenarios.copy()
        scen["overrides"] = scen["overrides"].map(lambda d: ", ".join(f"{k}={_fmt_value(v)}" for k, v in d.items()))
        parcels = self.parcels.copy()
        for c in parcels.columns:
            if isinstance(parcels[c].dtype, pd.CategoricalDtype):
                parcels[c] = parcels[c].astype(str)
        return write_layers({"scenarios": scen, "parcels": parcels}, path, overwrite=overwrite)

    def plot_tornado(self, *, ax: Any = None, lang: Literal["en", "zh"] = "en", n: int | None = None) -> Any:
        """Tornado chart: change of each zone's area (km²) at each threshold's low and high values."""
        from zoning.scenarios.plots import plot_tornado

        return plot_tornado(self, ax=ax, lang=lang, n=n)

    def plot_stability(self, *, ax: Any = None, lang: Literal["en", "zh"] = "en") -> Any:
        """Map of per-parcel stability (share of scenarios keeping the base zone)."""
        from zoning.scenarios.plots import plot_stability

        return plot_stability(self, ax=ax, lang=lang)

    def report_section(self, *, lang: str = "en", maps: bool = True) -> Any:
        """The report's robustness section (tornado, stability map, top thresholds) for
        :func:`zoning.outputs.report.build_report`."""
        from zoning.scenarios.plots import robustness_section

        return robustness_section(self, lang=lang, maps=maps)


def sensitivity(
    parcels: gpd.GeoDataFrame | str | os.PathLike[str] | CachedStages | Any,
    rules: str | os.PathLike[str] | RulePack = "shenzhen-2020",
    *,
    vary: Mapping[str, Sequence[Any]] | None = None,
    pct: float | None = None,
    overrides: Mapping[str, Any] | None = None,
    mode: Literal["threshold", "quota"] = "threshold",
    reference_year: int | None = None,
    progress: bool = False,
) -> Sensitivity:
    """One-at-a-time threshold scenarios: zone areas per scenario and per-parcel stability.

    Parameters
    ----------
    parcels
        GeoDataFrame, path, :class:`zoning.ZoningResult` or :class:`CachedStages` (reused as is).
    rules
        Rule pack the scenarios start from.
    vary
        ``{criterion code or parameter key: [value, …]}``; each value is one scenario with only
        that override changed from the base (values as for ``--set``: numbers, ``"q0.6"``, grades).
    pct
        Shortcut: every numeric threshold the zoning uses at −pct % and +pct % of its applied
        value (quantile thresholds: of their resolved value). Combined with ``vary``.
    overrides
        Base overrides every scenario starts from.
    mode
        ``"threshold"`` or ``"quota"``.
    reference_year
        Year building ages are counted to (default: the pack's base year).
    progress
        Show a progress bar over the scenarios.

    Returns
    -------
    Sensitivity

    Examples
    --------
    >>> import zoning
    >>> s = zoning.sensitivity(zoning.datasets.get_path("parcels"), vary={"SZ-C5": [1.3, 1.7]}, reference_year=2025)
    >>> s.scenarios["scenario"].tolist()
    ['base', 's01', 's02']
    >>> bool(s.parcels["stability"].between(0, 1).all())
    True
    """
    stages = parcels if isinstance(parcels, CachedStages) else CachedStages(parcels, rules, reference_year=reference_year)
    base_ov = dict(overrides or {})
    base = stages.run(base_ov, mode=mode)
    plan: list[tuple[str, Any]] = []
    if pct is not None:
        if not (0 < pct < 100):
            msg = f"pct must be between 0 and 100 (a percentage), got {pct}"
            raise RulePackError(msg)
        for code, pct_values in pct_variations(base.rules, base.classification.thresholds, pct).items():
            plan += [(code, v) for v in pct_values]
    for code, values in (vary or {}).items():
        seq: Sequence[Any] = [values] if isinstance(values, (str, bytes)) or not isinstance(values, Sequence) else values
        plan += [(code, v) for v in seq]
    if not plan:
        msg = "nothing to vary: give vary={'SZ-C5': [1.2, 1.8]} (CLI --vary SZ-C5=1.2,1.8) or pct=10 (CLI --pct 10)"
        raise RulePackError(msg)

    from tqdm.auto import tqdm

    base_zone = base.zone.to_numpy()
    rows = [_row("base", "", "", base_ov, base, None)]
    zone_cols: dict[str, pd.Categorical] = {}
    keep = np.zeros(len(base_zone), dtype=np.int64)
    area = np.nan_to_num(stages.land_area_m2.to_numpy(dtype="float64"), nan=0.0)
    width = max(2, len(str(len(plan))))
    for k, (code, value) in enumerate(tqdm(plan, desc="scenarios", disable=not progress, leave=False), start=1):
        name = f"s{k:0{width}d}"
        sc = stages.run({**base_ov, code: value}, mode=mode)
        z = sc.zone.to_numpy()
        same = z == base_zone
        keep += same
        zone_cols[name] = sc.zone.array
        rows.append(_row(name, code, _fmt_value(value), {**base_ov, code: value}, sc, (~same, area)))
    scen = pd.DataFrame(rows)
    out = gpd.GeoDataFrame({"parcel_id": stages.parcels["parcel_id"] if "parcel_id" in stages.parcels
                            else pd.Series(stages.parcels.index.astype(str), index=stages.parcels.index),
                            "zone": base.zone, **{k: pd.Series(v, index=stages.parcels.index) for k, v in zone_cols.items()},
                            "stability": keep / len(plan)},
                           geometry=stages.parcels.geometry.to_numpy(), crs=stages.parcels.crs, index=stages.parcels.index)
    return Sensitivity(scen, out, dict(base.classification.thresholds), base.rules.pack.name)


def _row(name: str, code: str, value: str, overrides: dict[str, Any], sc: Scenario,
         changed: tuple[np.ndarray, np.ndarray] | None) -> dict[str, Any]:
    row: dict[str, Any] = {"scenario": name, "code": code, "value": value, "overrides": overrides}
    for z in ZONES[:4]:
        row[f"{z}_km2"] = float(sc.summary.loc[z, "area_km2"])
        row[f"{z}_share"] = float(sc.summary.loc[z, "share_of_stock"])
    if changed is None:
        row["changed_parcels"], row["changed_km2"] = 0, 0.0
    else:
        mask, area = changed
        row["changed_parcels"], row["changed_km2"] = int(mask.sum()), float(area[mask].sum() / 1e6)
    return row
