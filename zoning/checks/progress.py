"""Progress toward the area targets: delivered vs target area per zone and year.

Shenzhen 2020 (000 §二) sets 100 km² of retained industrial areas to delineate and lock, and
25 km² of land consolidation plus 25 km² of contiguous renewal to *complete* in the 14th
Five-Year Plan (2021–2025). With a delivery status and year per area or parcel, this check
tabulates what was delivered, cumulatively, against the targets.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, ClassVar

import numpy as np
import pandas as pd

from zoning.checks._common import _columns_text, _find_column, _land_area, _table_input
from zoning.checks._result import CheckResult, text_table
from zoning.checks.blocks import _years
from zoning.errors import InputError, RulePackError
from zoning.rules.schema import RulePack
from zoning.units import FAIL, NOT_TESTED, PASS

__all__ = ["TargetProgress", "check_progress"]

_STATUS_NAMES = ("delivery_status", "交付状态", "实施状态", "完成状态", "进度", "status")
_YEAR_NAMES = ("delivery_year", "完成年份", "交付年份", "实施年份", "完成时间", "year")
#: status words that mean delivered (completed); anything else is not yet
DELIVERED = ("delivered", "completed", "complete", "done", "已完成", "完成", "已交付", "已实施", "已整备", "已改造", "已划定", "已锁定")


@dataclass(repr=False, kw_only=True)
class TargetProgress(CheckResult):
    """Result of :func:`check_progress` (a :class:`~zoning.checks.CheckResult`).

    Attributes
    ----------
    zones
        One row per target zone: ``target_km2``, ``period``, ``delivered_km2`` (to date),
        ``share`` of the target, ``expected_km2`` (pro rata of the period elapsed, derived),
        ``passes`` / ``status`` (``pass`` when delivered ≥ expected; ``""`` without a period),
        ``in_progress_km2`` and ``fix``.
    by_year
        Zone × year: ``delivered_km2`` in the year, ``cumulative_km2``, ``target_km2`` and
        ``share`` (cumulative ÷ target).
    """

    title: ClassVar[str] = "Progress toward the targets"
    zones: pd.DataFrame
    by_year: pd.DataFrame
    as_of: int

    def layers(self) -> dict[str, pd.DataFrame]:
        """``zones`` and ``by_year``."""
        return {"zones": self.zones, "by_year": self.by_year}

    def summary(self) -> str:
        """Delivered vs target per zone, and the year-by-year table.

        Examples
        --------
        >>> import pandas as pd
        >>> areas = pd.DataFrame({"zone": ["land_consolidation"] * 2, "land_area_m2": [3e6, 2e6],
        ...                       "delivery_status": ["已完成", "已完成"], "delivery_year": [2021, 2022]})
        >>> print(check_progress(areas, as_of=2022).summary().splitlines()[0])
        Progress toward shenzhen-2020's targets as of 2022
        """
        z, y = self.zones, self.by_year
        lines = [f"Progress toward {self.rules.pack.name}'s targets as of {self.as_of}"]
        rows = [[k, f"{r['target_km2']:g}", r["period"] or "—", f"{r['delivered_km2']:,.2f}", f"{r['share']:.0%}",
                 "—" if r["expected_km2"] != r["expected_km2"] else f"{r['expected_km2']:,.2f}", r["status"] or "—"]
                for k, r in z.iterrows()]
        lines += text_table(rows, ["zone", "target km²", "period", "delivered km²", "share", "expected km²", "status"], {1, 3, 4, 5})
        for k, r in z[z["fix"] != ""].iterrows():
            lines.append(f"  {k}: {r['fix']}")
        if len(y):
            piv = y.pivot_table(index="year", columns="zone", values="cumulative_km2", aggfunc="sum")
            lines.append("Cumulative delivered km² by year:")
            rows = [[str(int(k)), *[f"{v:,.2f}" if v == v else "" for v in r]] for k, r in piv.iterrows()]
            lines += text_table(rows, ["year", *[str(c) for c in piv.columns]], set(range(1, 1 + len(piv.columns))))
        lines += self._notes()
        return "\n".join(lines)


def check_progress(
    areas: Any,
    *,
    rules: str | Path | RulePack = "shenzhen-2020",
    overrides: Mapping[str, Any] | None = None,
    zone_column: str = "zone",
    status_column: str | None = None,
    year_column: str | None = None,
    delivered: Sequence[str] = DELIVERED,
    as_of: int | None = None,
) -> TargetProgress:
    """Delivered vs target area per zone and year (the 2021–2025 targets of Shenzhen 2020).

    Parameters
    ----------
    areas
        Areas or parcels (a GeoDataFrame in a projected CRS, a DataFrame with
        ``land_area_m2``, or a :class:`~zoning.ZoningResult`) with a zone column, a delivery
        status (交付状态 / delivery_status) and a delivery year (完成年份 / delivery_year).
    rules, overrides
        A pack with ``[targets]`` (``shenzhen-2020``: 100 km² retained; 25 + 25 km² in 2021–2025).
    zone_column, status_column, year_column
        The columns (status and year default to the first name found).
    delivered
        Status words that mean delivered (default: 已完成, 已交付, completed …).
    as_of
        The year the progress is judged at (default: the latest delivery year, else this year).

    Returns
    -------
    TargetProgress
        ``.zones`` and ``.by_year``.

    Notes
    -----
    ``expected_km2`` is the target times the share of its period elapsed by the end of
    ``as_of`` (a derived pace, not in the policy); a zone passes when it has delivered at
    least that. Targets without a period (retain-upgrade: delineate and lock 100 km²) are
    reported without a verdict.
    """
    import datetime as _dt

    from zoning.rules import load_rules

    pack = load_rules(rules, overrides=overrides)
    if pack.targets is None:
        msg = f"rule pack '{pack.pack.name}' has no [targets]; use rules='shenzhen-2020'"
        raise RulePackError(msg)
    if hasattr(areas, "parcels") and hasattr(areas, "zones"):  # a ZoningResult
        areas = areas.parcels
    df = _table_input(areas, [zone_column], "areas")
    if zone_column not in df.columns:
        msg = f"no {zone_column!r} column; columns are {_columns_text(df)} (pass zone_column=)"
        raise InputError(msg)
    sc = status_column or _find_column(df, _STATUS_NAMES)
    yc = year_column or _find_column(df, _YEAR_NAMES)
    if sc is None or sc not in df.columns or yc is None or yc not in df.columns:
        msg = (f"progress needs a delivery status column ({' / '.join(_STATUS_NAMES[:3])}) and a delivery year column "
               f"({' / '.join(_YEAR_NAMES[:3])}); columns are {_columns_text(df)}. Pass status_column= / year_column=")
        raise InputError(msg)
    area, _ = _land_area(df)
    words = {w.lower() for w in delivered}
    done = df[sc].astype("string").str.strip().str.lower().isin(words).to_numpy(dtype=bool, na_value=False)
    year = _years(df[yc])
    zone = df[zone_column].astype("string").to_numpy(dtype=object, na_value="")
    if as_of is None:
        as_of = int(np.nanmax(year[done])) if (done & np.isfinite(year)).any() else _dt.date.today().year
    stock = pack.targets.stock_km2
    zrows, yrows = [], []
    for z, tg in pack.targets.zones.items():
        target = tg.km2 if tg.km2 is not None else (tg.share * stock if tg.share is not None and stock else np.nan)
        sel = zone == z
        got = sel & done & np.isfinite(year) & (year <= as_of)
        delivered_km2 = float(np.nansum(area[got])) / 1e6
        in_progress = float(np.nansum(area[sel & ~done])) / 1e6
        if tg.period:
            first, last = tg.period
            elapsed = min(max(as_of - first + 1, 0), last - first + 1) / (last - first + 1)
            expected = target * elapsed
            ok = delivered_km2 >= expected - 1e-9
            status = PASS if ok else FAIL
        else:
            expected, ok, status = np.nan, True, NOT_TESTED
        period = f"{tg.period[0]}–{tg.period[1]}" if tg.period else ""
        fix = "" if ok else (f"{delivered_km2:,.2f} km² delivered by {as_of}, {expected:,.2f} km² expected at an even pace "
                             f"({target:g} km² over {period}): {expected - delivered_km2:,.2f} km² behind"
                             + (f"; {in_progress:,.2f} km² are under way" if in_progress > 0 else ""))
        zrows.append({"zone": z, "target_km2": target, "period": period, "delivered_km2": delivered_km2,
                      "share": delivered_km2 / target if target else np.nan, "expected_km2": expected, "passes": ok,
                      "status": status, "in_progress_km2": in_progress, "source": tg.source, "fix": fix})
        years = sorted({int(v) for v in year[sel & done & np.isfinite(year)]})
        cum = 0.0
        for yy in years:
            a = float(np.nansum(area[sel & done & (year == yy)])) / 1e6
            cum += a
            yrows.append({"zone": z, "year": yy, "delivered_km2": a, "cumulative_km2": cum, "target_km2": target,
                          "share": cum / target if target else np.nan})
    zones = pd.DataFrame(zrows).set_index("zone")
    by_year = pd.DataFrame(yrows, columns=["zone", "year", "delivered_km2", "cumulative_km2", "target_km2", "share"])
    return TargetProgress(zones=zones, by_year=by_year, as_of=as_of, rules=pack)
