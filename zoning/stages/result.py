"""ZoningResult: everything one run produced, with its methods to explain, write, map and report."""

from __future__ import annotations

import os
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Literal

import geopandas as gpd
import numpy as np
import pandas as pd

from zoning.rules.schema import RulePack
from zoning.stages.classify import Classification
from zoning.stages.reasons import reasons_table
from zoning.stages.validate import ValidationReport
from zoning.units import op_symbol

__all__ = ["RunSettings", "ZoningResult"]


@dataclass(frozen=True)
class RunSettings:
    """How a run was made: what a reader needs to reproduce it (shown in maps and reports)."""

    mode: str = "threshold"
    reference_year: int = 0
    lang: str = "en"
    gap_m: float = 25.0
    min_core_neighbours: float = 3.0
    enclave_max_ha: float = 0.0

    def __getitem__(self, key: str) -> Any:  # ``settings["mode"]`` as in earlier versions
        try:
            return getattr(self, key)
        except AttributeError:
            raise KeyError(key) from None

    def get(self, key: str, default: Any = None) -> Any:
        return getattr(self, key, default)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True, kw_only=True)
class ZoningResult:
    """Everything one run produced (made by :func:`zoning.run`; read-only).

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
    stock_km2
        The industrial stock (zones + unzoned) the shares and targets refer to.
    validation
        The validation report (warnings and repairs).
    rules
        The rule pack used (after overrides).
    thresholds
        Each parcel criterion's threshold as applied (quantiles resolved on the stock).
    settings
        :class:`RunSettings`: mode, reference year, language, contiguity parameters.
    indicators, classification
        The indicator table and the :class:`~zoning.stages.classify.Classification` the
        zones were formed from (for :meth:`reasons`, :meth:`explain` and scenario tools).
    timings
        Seconds per stage.
    """

    parcels: gpd.GeoDataFrame
    zones: gpd.GeoDataFrame
    areas: pd.DataFrame
    summary: pd.DataFrame
    by_district: pd.DataFrame
    stock_km2: float
    validation: ValidationReport
    rules: RulePack
    thresholds: dict[str, Any]
    settings: RunSettings
    indicators: pd.DataFrame = field(repr=False)
    classification: Classification = field(repr=False)
    timings: dict[str, float] = field(default_factory=dict, repr=False)

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

    def _repr_html_(self) -> str:  # pragma: no cover - notebook display
        import html

        cols = ["label_zh", "label_en", "parcels", "areas", "area_km2", "share_of_stock", "target_km2", "achieved"]
        head = html.escape(f"ZoningResult: {len(self.parcels)} parcels, rules '{self.rules.pack.name}', "
                           f"mode {self.settings.mode}, industrial stock {self.stock_km2:.2f} km²")
        return f"<p>{head}</p>" + self.summary[cols].to_html(float_format=lambda v: f"{v:,.2f}", na_rep="—")

    def summary_text(self, *, lang: Literal["zh", "en"] | None = None) -> str:
        """The run as ``zoning classify`` prints it: zones against targets, districts, example reasons."""
        from zoning.outputs.text import result_text

        return result_text(self, lang)

    def reasons(self) -> pd.DataFrame:
        """Long table: one row per industrial parcel and criterion (observed, threshold, status)."""
        return reasons_table(self.parcels, self.indicators, self.classification, rules=self.rules)

    def explain(self, parcel_id: str) -> str:
        """Multi-line explanation of one parcel's zone, criterion by criterion.

        Only that parcel's rows are built, so this is quick on any layer.
        """
        hit = self.parcels.index[self.parcels["parcel_id"].astype(str) == str(parcel_id)]
        if len(hit) == 0:
            msg = f"no parcel with parcel_id {parcel_id!r}"
            raise KeyError(msg)
        row = self.parcels.loc[hit[0]]
        lines = [f"{parcel_id}: {row['zone_label']} ({row['zone']})", f"  {row['reason']}"]
        one = hit[:1]
        cls = Classification(self.classification.table.loc[one], self.classification.thresholds, self.classification.rules)
        t = reasons_table(self.parcels.loc[one], self.indicators.loc[one], cls, rules=self.rules)
        for _, r in t.iterrows():
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

    def to_report(self, path: str | os.PathLike[str], *, lang: Literal["zh", "en"] | None = None, blocks: Any = None,
                  title: str | None = None, max_areas: int = 40, firms: Any = None, robustness: Any = None) -> Path:
        """Report as .html (self-contained, print-ready), .md or .docx, by extension; see :func:`zoning.outputs.report.to_report`.

        ``lang`` defaults to the run's language; ``robustness`` (a :func:`zoning.sensitivity`
        result) adds the robustness section.
        """
        from zoning.outputs.report import to_report

        return to_report(self, path, lang=lang, blocks=blocks, title=title, max_areas=max_areas, firms=firms,
                         robustness=robustness)

    def to_excel(self, path: str | os.PathLike[str], *, lang: Literal["zh", "en"] | None = None, blocks: Any = None) -> Path:
        """Excel workbook of the tables, human headers in ``lang`` (default: the run's); see :func:`zoning.outputs.excel.result_to_excel`."""
        from zoning.outputs.excel import result_to_excel

        return result_to_excel(self, path, lang=lang, blocks=blocks)

    def plot(self, *, ax: Any = None, lang: Literal["zh", "en"] | None = None, column: str = "zone", districts: Any = None,
             title: str | None = None, note: str | None = None, font: str | os.PathLike[str] | None = None,
             legend: bool = True, scalebar: bool = True, north_arrow: bool = True,
             parcels: Literal["auto", "all", "dissolved"] = "auto") -> Any:
        """Zone map; see :func:`zoning.plot_zones` (``lang`` defaults to the run's language)."""
        from zoning.outputs.plotting import plot_zones

        return plot_zones(self, ax=ax, lang=lang, column=column, districts=districts, title=title, note=note,
                          font=font, legend=legend, scalebar=scalebar, north_arrow=north_arrow, parcels=parcels)
