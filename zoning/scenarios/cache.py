"""Cached stages: validate and compute indicators once, then re-run only what a scenario changes.

A scenario (threshold overrides, a mode) changes the criteria, the grouping and the zone tests —
never the validated parcels, the indicators or the neighbour graph of the layer (which depends
only on the geometry and ``gap_m``). :class:`CachedStages` keeps those and runs
:func:`zoning.classify` and :func:`zoning.form_zones` per scenario with the neighbour pairs
computed once per gap. The zones equal, parcel for parcel, what :func:`zoning.run` gives with the
same overrides (the same functions run; only the spatial query is shared).
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

import geopandas as gpd
import numpy as np
import pandas as pd

from zoning.rules import load_rules
from zoning.rules.schema import RulePack
from zoning.stages.classify import Classification, classify
from zoning.stages.cluster import neighbour_pairs
from zoning.stages.indicators import compute_indicators
from zoning.stages.result import ZoningResult
from zoning.stages.run import reference_year_for, run_overrides
from zoning.stages.summary import summarise_zones
from zoning.stages.validate import ValidationReport, validate_parcels
from zoning.stages.zones import Layout, Zones, form_zones
from zoning.units import ZONES

__all__ = ["CachedStages", "Scenario"]


@dataclass(frozen=True)
class Scenario:
    """One scenario's outcome: the pack it ran with, its classification, zones and summary."""

    overrides: dict[str, Any]
    rules: RulePack
    classification: Classification = field(repr=False)
    zones: Zones = field(repr=False)
    summary: pd.DataFrame = field(repr=False)

    @property
    def zone(self) -> pd.Series:
        """The zone of every parcel (categorical over :data:`zoning.ZONES`)."""
        return self.zones.parcels["zone"]

    def shares(self) -> dict[str, float]:
        """Each zone's share of the industrial stock."""
        return {z: float(self.summary.loc[z, "share_of_stock"]) for z in ZONES[:4]}


class CachedStages:
    """The stages that do not change between scenarios, computed once.

    Parameters
    ----------
    parcels
        A GeoDataFrame, a path, or a :class:`zoning.ZoningResult` (its validated parcels and
        indicators are reused).
    rules
        Rule pack (name, path or object) the scenarios start from.
    reference_year
        Year building ages are counted to (default: the pack's base year).
    columns, check_overlaps, units
        As for :func:`zoning.run` (``units``: plan-unit column for contiguity across wider roads).

    Examples
    --------
    >>> import zoning
    >>> from zoning.scenarios import CachedStages
    >>> stages = CachedStages(zoning.datasets.get_path("parcels"), reference_year=2025)
    >>> s = stages.run({"SZ-C5": 1.2})
    >>> r = zoning.run(zoning.datasets.get_path("parcels"), overrides={"SZ-C5": 1.2}, reference_year=2025)
    >>> bool((s.zone == r.parcels["zone"]).all())
    True
    """

    def __init__(self, parcels: gpd.GeoDataFrame | str | os.PathLike[str] | ZoningResult,
                 rules: str | os.PathLike[str] | RulePack = "shenzhen-2020", *, reference_year: int | None = None,
                 columns: dict[str, str] | None = None, check_overlaps: bool | str = "auto",
                 units: str | None = None) -> None:
        if isinstance(parcels, ZoningResult):
            self.rules = load_rules(rules) if not isinstance(rules, str) or rules != "shenzhen-2020" else parcels.rules
            self.reference_year = int(parcels.settings.reference_year)
            self.validation: ValidationReport = parcels.validation
            self.parcels: gpd.GeoDataFrame = parcels.validation.parcels
            self.indicators: pd.DataFrame = parcels.indicators
            self.source = ""
        else:
            self.rules = load_rules(rules)
            self.reference_year = reference_year_for(self.rules, reference_year)
            self.source = "" if isinstance(parcels, gpd.GeoDataFrame) else os.fspath(parcels)
            if not isinstance(parcels, gpd.GeoDataFrame):
                from zoning.io.read import read_parcels

                parcels = read_parcels(parcels, columns=columns)
                columns = None
            report = validate_parcels(parcels, rules=self.rules, reference_year=self.reference_year, columns=columns,
                                      check_overlaps=check_overlaps)
            report.raise_for_errors()
            self.validation = report
            self.parcels = report.parcels
            self.indicators = compute_indicators(report.parcels, reference_year=self.reference_year,
                                                 landuse=report.landuse)
        self._geoms = self.parcels.geometry.to_numpy()
        self.layout = Layout.of(self.parcels)
        self.units = units
        if units is not None and units not in self.parcels:
            from zoning.errors import InputError

            msg = f"units={units!r}: no such column; columns: {', '.join(map(str, self.parcels.columns))}"
            raise InputError(msg)
        self._pairs: dict[tuple[float, float | None], tuple[np.ndarray, np.ndarray]] = {}

    def __repr__(self) -> str:
        return (f"CachedStages({len(self.parcels)} parcels, rules '{self.rules.pack.name}', reference year "
                f"{self.reference_year}, neighbour graphs for gap {sorted(k[0] for k in self._pairs) or '—'} m)")

    @property
    def land_area_m2(self) -> pd.Series:
        return self.indicators["land_area_m2"]

    def neighbours(self, gap_m: float, unit_gap_m: float | None = None) -> tuple[np.ndarray, np.ndarray]:
        """Neighbour pairs of the whole layer at ``gap_m`` (computed once per gap)."""
        key = (float(gap_m), float(unit_gap_m) if self.units is not None and unit_gap_m is not None else None)
        if key not in self._pairs:
            units = self.parcels[self.units].to_numpy() if key[1] is not None and self.units else None
            self._pairs[key] = neighbour_pairs(self._geoms, gap_m=key[0], units=units, unit_gap_m=key[1])
        return self._pairs[key]

    def pack(self, overrides: Mapping[str, Any] | None = None) -> RulePack:
        """The starting pack with ``overrides`` applied (validated like the file)."""
        return load_rules(self.rules, overrides=overrides or None)

    def run(self, overrides: Mapping[str, Any] | None = None, *, mode: Literal["threshold", "quota"] = "threshold",
            gap_m: float | None = None, min_zone_ha: float | None = None,
            lang: Literal["en", "zh"] = "en", notes: bool = False) -> Scenario:
        """Classify and form zones with ``overrides``; what :func:`zoning.run` does after the indicators.

        ``notes=True`` also writes the area notes (why each area is or is not a zone).
        """
        ov = run_overrides(self.rules, overrides, gap_m=gap_m, min_zone_ha=min_zone_ha)
        pack = self.pack(ov)
        cls = classify(self.indicators, rules=pack)
        p = pack.parameter("gap_m")
        gap = float(p.value) if p is not None else 25.0
        u = pack.parameter("unit_gap_m")
        z = form_zones(self.parcels, self.indicators, cls, rules=pack, mode=mode, lang=lang,
                       neighbours=self.neighbours(gap, float(u.value) if u is not None else 50.0),
                       layout=self.layout, notes=notes)
        summary = summarise_zones(z.parcels["zone"], self.land_area_m2, z.parcels["cluster_id"], pack, z.targets)
        return Scenario(dict(ov), pack, cls, z, summary)
