"""ZoningResult: everything one run produced, with its methods to explain, write, map and report."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd

from zoning.rules.schema import RulePack
from zoning.stages.reasons import reasons_table
from zoning.stages.validate import ValidationReport
from zoning.units import op_symbol

__all__ = ["ZoningResult"]


@dataclass
class ZoningResult:
    """Everything one run produced.

    Attributes
    ----------
    parcels
        Every input parcel exactly once, with all its input columns plus ``zone``,
        ``zone_label``, ``cluster_id``, ``reason``, ``criteria_met`` / ``_failed`` / ``_missing``,
        one status column per criterion code and the indicators the decision used.
    zones
        Dissolved zone polygons, one row per contiguous area that became a zone.
    areas
        Every contiguous area (zones and areas that did not qualify), with area-weighted
        indicators and the note explaining the decision.
    summary, by_district
        Area, share of stock and counts per zone (with the pack's targets) and per district.
    validation
        The validation report (warnings and repairs).
    rules
        The rule pack used (after overrides); ``thresholds`` holds resolved thresholds.
    """

    parcels: gpd.GeoDataFrame
    zones: gpd.GeoDataFrame
    areas: pd.DataFrame
    summary: pd.DataFrame
    by_district: pd.DataFrame
    validation: ValidationReport
    rules: RulePack
    thresholds: dict[str, Any]
    settings: dict[str, Any]
    timings: dict[str, float] = field(default_factory=dict)
    _classification: pd.DataFrame | None = field(default=None, repr=False)
    _indicators: pd.DataFrame | None = field(default=None, repr=False)

    def __repr__(self) -> str:
        s = self.summary
        lines = [f"ZoningResult: {len(self.parcels)} parcels, rules '{self.rules.pack.name}', mode {self.settings['mode']}"]
        for z, r in s.iterrows():
            if z == "not_industrial":
                lines.append(f"  {r['label_en']:<20} {r['parcels']:>7} parcels")
                continue
            tgt = f"  target {r['target_km2']:.2f} km² ({r['achieved']:.0%})" if np.isfinite(r["target_km2"]) else ""
            lines.append(f"  {r['label_en']:<20} {r['parcels']:>7} parcels {r['area_km2']:8.2f} km² {r['share_of_stock']:6.1%} of stock{tgt}")
        return "\n".join(lines)

    def reasons(self) -> pd.DataFrame:
        """Long table: one row per industrial parcel and criterion (observed, threshold, status)."""
        return reasons_table(self.parcels, self._indicators, self._classification, rules=self.rules)

    def explain(self, parcel_id: str) -> str:
        """Multi-line explanation of one parcel's zone, criterion by criterion."""
        hit = self.parcels.index[self.parcels["parcel_id"].astype(str) == str(parcel_id)]
        if len(hit) == 0:
            msg = f"no parcel with parcel_id {parcel_id!r}"
            raise KeyError(msg)
        row = self.parcels.loc[hit[0]]
        lines = [f"{parcel_id}: {row['zone_label']} ({row['zone']})", f"  {row['reason']}"]
        t = self.reasons()
        for _, r in t[t["parcel_id"] == str(parcel_id)].iterrows():
            obs, thr, unit = r["observed"], r["threshold"], r["unit"]
            if unit == "share":
                obs = f"{obs:.0%}" if isinstance(obs, float) and obs == obs else obs
                thr, unit = f"{thr:.0%}", ""
            else:
                obs = f"{obs:.3g}" if isinstance(obs, float) else obs
                thr = f"{thr:.3g}" if isinstance(thr, float) else thr
                unit = "" if unit in ("grade", "class", "ratio") else unit
            lines.append(f"  {r['code']:<6} {r['status']:<8} {r['criterion']}: {obs} {op_symbol(r['op']) if r['op'] != '==' else '=='} {thr} {unit}".rstrip()
                         + f"  [{r['threshold_status']}]")
        return "\n".join(lines)

    def to_file(self, path: str | os.PathLike[str], *, overwrite: bool = True) -> Path:
        """Write parcels, zones, areas and summaries to a GeoPackage (layers) or GeoParquet."""
        from zoning.io.write import write_layers

        layers: dict[str, pd.DataFrame] = {"parcels": self.parcels, "zones": self.zones,
                                           "areas": self.areas, "summary": self.summary.reset_index(),
                                           "by_district": self.by_district.reset_index()}
        return write_layers(layers, path, overwrite=overwrite)

    def to_report(self, path: str | os.PathLike[str], **kwargs: Any) -> Path:
        """Report as .html (self-contained, print-ready), .md or .docx (by extension); see :func:`zoning.outputs.report.to_report`."""
        from zoning.outputs.report import to_report

        return to_report(self, path, **kwargs)

    def to_excel(self, path: str | os.PathLike[str], lang: str | None = None, **kwargs: Any) -> Path:
        """Excel workbook of the tables, human headers in ``lang`` (default: the run's); see :func:`zoning.outputs.excel.result_to_excel`."""
        from zoning.outputs.excel import result_to_excel

        return result_to_excel(self, path, lang=lang, **kwargs)

    def plot(self, **kwargs: Any) -> Any:
        """Zone map; see :func:`zoning.plot_zones`."""
        from zoning.outputs.plotting import plot_zones

        return plot_zones(self, **kwargs)

