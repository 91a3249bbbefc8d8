"""Low-efficiency industrial land (低效工业用地): the criteria that recur in public local rules.

Each criterion is tested where its columns exist (on the parcels, or on a firm table whose
values are carried to the parcels they occupy); a criterion without data is listed as not
testable — never counted as passed. Pack: ``low-efficiency-land`` (every number heuristic:
the public sources are of low confidence; set your city's rules with overrides).
"""

from __future__ import annotations

import datetime as _dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, ClassVar

import numpy as np
import pandas as pd

from zoning.checks._common import (
    _codes,
    _evaluate,
    _find_column,
    _fmt,
    _land_area,
    _load,
    _op,
    _table_input,
    _thr,
)
from zoning.checks._result import CheckResult, overall_status, text_table
from zoning.checks.blocks import _parcel_ids, _years
from zoning.errors import Problem
from zoning.rules.schema import RulePack
from zoning.units import FAIL, M2_PER_MU, MISSING, NOT_TESTED

__all__ = ["LowEfficiencyCheck", "check_low_efficiency"]

#: indicator -> (columns it needs, accepted names for each)
_COLUMNS: dict[str, tuple[str, ...]] = {
    "completion_due_year": ("completion_due_year", "约定竣工年份", "约定竣工时间", "合同竣工日期", "约定竣工日期"),
    "contract_investment_wan": ("contract_investment_wan", "约定投资额", "合同投资额", "约定投资总额"),
    "investment_wan": ("investment_wan", "实际投资额", "固定资产投资", "投资额"),
    "stopped_years": ("stopped_years", "停产年限", "停产时间"),
    "years_without_tax": ("years_without_tax", "连续未纳税年数", "未纳税年数"),
    "eliminated_industry": ("eliminated_industry", "淘汰类产业", "属淘汰类产业", "淘汰类"),
}
_NEEDS = {"overdue_years": ["completion_due_year"], "investment_share_of_standard": ["investment_wan", "contract_investment_wan"],
          "output_share_of_standard": ["output_wan"], "stopped_years": ["stopped_years"],
          "years_without_tax": ["years_without_tax"], "eliminated_industry": ["eliminated_industry"]}
_YES = {"是", "yes", "true", "1", "y", "属于", "淘汰"}


@dataclass(repr=False, kw_only=True)
class LowEfficiencyCheck(CheckResult):
    """Result of :func:`check_low_efficiency` (a :class:`~zoning.checks.CheckResult`).

    Attributes
    ----------
    parcels
        Aligned to the parcels: ``parcel_id``, ``industrial`` (tested), the observed value of
        every criterion's indicator, one status column per criterion code, ``passes`` (not
        flagged), ``status`` (``fail`` = low-efficiency land, ``pass``, ``missing``, ``""`` not
        industrial), ``grounds`` and ``fix``; the geometry when the input has one.
    criteria
        One row per criterion: its rule, status, source, ``tested`` (whether the data allow
        it), ``needs`` (the columns), ``flagged`` (parcels failing it) and ``flagged_mu``.
    """

    title: ClassVar[str] = "Low-efficiency industrial land"
    listing: ClassVar[bool] = True
    parcels: pd.DataFrame
    criteria: pd.DataFrame
    untestable: list[str] = field(default_factory=list)

    def layers(self) -> dict[str, pd.DataFrame]:
        """``parcels`` (the flagged ones), ``criteria`` and ``all_parcels`` (every industrial parcel)."""
        p = self.parcels
        st = p["status"].to_numpy()
        return {"parcels": p[st == FAIL], "criteria": self.criteria, "all_parcels": p[st != NOT_TESTED]}

    def summary(self) -> str:
        """Flags per criterion, and the criteria the data could not test.

        Examples
        --------
        >>> import zoning
        >>> le = zoning.check_low_efficiency(zoning.read_parcels(zoning.datasets.get_path("parcels")),
        ...                                  firms=zoning.read_table(zoning.datasets.get_path("firms")))
        >>> print(le.summary().splitlines()[0])  # doctest: +ELLIPSIS
        Low-efficiency industrial land against low-efficiency-land: ... of ... industrial parcels flagged (... 亩)
        """
        p, c = self.parcels, self.criteria
        flagged = p["status"] == FAIL
        area = float(p.loc[flagged, "land_mu"].sum()) if "land_mu" in p.columns else float("nan")
        lines = [f"Low-efficiency industrial land against {self.rules.pack.name}: {int(flagged.sum())} of "
                 f"{int((p['status'] != NOT_TESTED).sum())} industrial parcels flagged ({area:,.0f} 亩)"]
        rows = [[code, r["rule"], r["status"], "yes" if r["tested"] else "NO — needs " + r["needs"], str(int(r["flagged"])),
                 f"{r['flagged_mu']:,.0f}"] for code, r in c.iterrows()]
        lines += text_table(rows, ["code", "test", "status", "tested", "flagged", "亩"], {4, 5})
        lines += self._notes()
        return "\n".join(lines)


def _flag(values: pd.Series) -> np.ndarray:
    """yes/no text or booleans as 1.0 / 0.0, NaN where unknown."""
    s = values.astype("string").str.strip().str.lower()
    out = np.where(s.isin(_YES).to_numpy(dtype=bool, na_value=False), 1.0, np.where(s.notna().to_numpy(), 0.0, np.nan))
    return out.astype("float64")


def _firm_values(firms: pd.DataFrame, pid: np.ndarray, problems: list[Problem]) -> dict[str, np.ndarray]:
    """Per parcel, the worst value over the firms on it (max years stopped, any eliminated industry …)."""
    from zoning.checks.firms import FIRM_COLUMNS

    col = "parcel_id" if "parcel_id" in firms.columns else _find_column(firms, FIRM_COLUMNS["parcel_id"])
    if col is None:
        problems.append(Problem("warning", "firms_no_parcel", "the firm table has no parcel id (宗地编号): firm fields not used"))
        return {}
    fp = firms[col].astype("string").str.strip()
    out: dict[str, np.ndarray] = {}
    for canon in ("stopped_years", "years_without_tax", "eliminated_industry"):
        c = canon if canon in firms.columns else _find_column(firms, _COLUMNS[canon])
        if c is None:
            continue
        v = _flag(firms[c]) if canon == "eliminated_industry" else pd.to_numeric(firms[c], errors="coerce").to_numpy(dtype="float64")
        worst = pd.Series(v, index=fp.to_numpy()).groupby(level=0).max()
        out[canon] = worst.reindex(pid).to_numpy(dtype="float64")
    return out


def check_low_efficiency(
    parcels: Any,
    *,
    firms: pd.DataFrame | None = None,
    rules: str | Path | RulePack = "low-efficiency-land",
    overrides: Mapping[str, Any] | None = None,
    reference_year: int | None = None,
    use: str = "current_use",
) -> LowEfficiencyCheck:
    """Flag low-efficiency industrial land (低效用地), saying which criteria the data cannot test.

    Parameters
    ----------
    parcels
        Parcels (see :func:`zoning.read_parcels`) with ``current_use`` and whichever of these
        exist: ``year_built``, ``completion_due_year`` (约定竣工年份), ``investment_wan`` and
        ``contract_investment_wan`` (约定投资额), ``output_wan``, ``stopped_years`` (停产年限),
        ``years_without_tax`` (连续未纳税年数), ``eliminated_industry`` (淘汰类产业).
    firms
        Optional firm table (see :func:`evaluate_firms`): 停产年限, 连续未纳税年数 and 淘汰类产业 of
        the firms on a parcel are carried to it (the worst of them).
    rules, overrides
        A pack with ``[low_efficiency]`` (``low-efficiency-land``: LE-1 … LE-6).
    reference_year
        The year of the assessment (default: this year) for overdue and since-completion ages.
    use
        Land-use basis of "industrial land" (default the current use, 现状).

    Returns
    -------
    LowEfficiencyCheck
        ``.parcels`` (aligned), ``.criteria`` (tested or not, counts), ``.untestable``.
    """
    pack = _load(rules, overrides, "low_efficiency", "flag low-efficiency land")
    le = pack.low_efficiency
    assert le is not None
    problems: list[Problem] = []
    df = _table_input(parcels, [use, "year_built", "output_wan"], "parcels")
    n = len(df)
    pid = _parcel_ids(df)
    year = reference_year or _dt.date.today().year
    from zoning.io.landuse import parse_landuse

    industrial = (parse_landuse(df[use]).code.isin(_codes(pack.criterion(le.industrial))).to_numpy(dtype=bool, na_value=False)
                  if use in df.columns else np.zeros(n, dtype=bool))
    try:
        area, _ = _land_area(df)
    except Exception:
        area = np.full(n, np.nan)
    mu = area / M2_PER_MU

    def col(canon: str) -> np.ndarray | None:
        c = canon if canon in df.columns else _find_column(df, _COLUMNS.get(canon, (canon,)))
        if c is None:
            return None
        if canon == "eliminated_industry":
            return _flag(df[c])
        if canon == "completion_due_year":
            return _years(df[c])
        return pd.to_numeric(df[c], errors="coerce").to_numpy(dtype="float64")

    firm_vals = _firm_values(firms, pid, problems) if firms is not None else {}
    built = _years(df["year_built"]) if "year_built" in df.columns else np.full(n, np.nan)
    since_p = pack.parameter("years_since_completion")
    since = since_p.value if since_p is not None else 2.0
    completed_long = np.isfinite(built) & (year - built >= since)
    values: dict[str, np.ndarray | None] = {}
    due = col("completion_due_year")
    values["overdue_years"] = None if due is None else np.where(np.isfinite(built) & (built <= due), 0.0, year - due)
    inv, cinv = col("investment_wan"), col("contract_investment_wan")
    values["investment_share_of_standard"] = None if inv is None or cinv is None else np.where(cinv > 0, inv / cinv, np.nan)
    out_w = col("output_wan")
    std_p = pack.parameter("output_standard_wan_per_mu")
    if out_w is not None:
        per_mu = np.where(mu > 0, out_w / mu, np.nan)
        std = std_p.value if std_p is not None and std_p.value > 0 else np.nan
        if not np.isfinite(std):
            ok = industrial & np.isfinite(per_mu) & np.isfinite(mu)
            if ok.any():
                order = np.argsort(per_mu[ok])
                w = np.cumsum(mu[ok][order])
                std = float(per_mu[ok][order][np.searchsorted(w, w[-1] / 2)])
                problems.append(Problem("info", "derived_output_standard", f"LE-3's standard = the area-weighted median output per mu "
                                        f"of the industrial parcels, {std:,.0f} 万元/亩 (derived); set your city's with --set LE-P2=…"))
        values["output_share_of_standard"] = per_mu / std if np.isfinite(std) else None
    else:
        values["output_share_of_standard"] = None
    for canon in ("stopped_years", "years_without_tax", "eliminated_industry"):
        own = col(canon)
        fv = firm_vals.get(canon)
        if own is None and fv is None:
            values[canon] = None
        elif own is None:
            values[canon] = fv
        elif fv is None:
            values[canon] = own
        else:
            values[canon] = np.fmax(own, fv)

    out = pd.DataFrame({"parcel_id": pd.array(pid, dtype="string"), "industrial": industrial, "land_mu": mu}, index=df.index)
    passes = np.ones(n, dtype=bool)
    any_fail = np.zeros(n, dtype=bool)
    any_missing = np.zeros(n, dtype=bool)
    grounds: list[list[str]] = [[] for _ in range(n)]
    crit_rows = []
    untestable = []
    for code in le.criteria:
        c = pack.criterion(code)
        v = values.get(c.indicator)
        needs = ", ".join(_NEEDS.get(c.indicator, [c.indicator]))
        tested_here = industrial.copy()
        if c.indicator in ("investment_share_of_standard", "output_share_of_standard"):
            tested_here &= completed_long
        if v is None:
            out[code] = np.where(industrial, MISSING, NOT_TESTED)
            untestable.append(f"{code} {c.name_en} (needs {needs})")
            crit_rows.append({"code": code, "rule": f"{c.indicator} {_op(c)} {_fmt(c, _thr(c)) if c.indicator != 'eliminated_industry' else 'yes'}",
                              "status": c.status, "source": c.source, "tested": False, "needs": needs, "flagged": 0, "flagged_mu": 0.0})
            continue
        if c.indicator == "eliminated_industry":
            met = ~(v == 1.0)
            miss = ~np.isfinite(v)
            st = np.where(~tested_here, NOT_TESTED, np.where(miss, MISSING, np.where(met, "pass", FAIL))).astype(object)
            ok = ~tested_here | (met & ~miss) | (miss & (c.missing == "pass"))
        else:
            st, ok = _evaluate(c, v, tested_here)
        out[c.indicator] = v
        out[code] = st
        passes &= ok
        any_fail |= st == FAIL
        any_missing |= (st == MISSING) & ~ok
        for i in np.flatnonzero(st == FAIL):
            shown = "yes" if c.indicator == "eliminated_industry" else _fmt(c, v[i])
            grounds[i].append(f"{code} {c.name_zh} ({shown})")
        fl = st == FAIL
        crit_rows.append({"code": code, "rule": f"{c.indicator} {_op(c)} {_fmt(c, _thr(c)) if c.indicator != 'eliminated_industry' else 'yes'}",
                          "status": c.status, "source": c.source, "tested": True, "needs": needs, "flagged": int(fl.sum()),
                          "flagged_mu": float(np.nansum(mu[fl]))})
    out["passes"] = passes
    out["status"] = overall_status(passes, any_fail, any_missing, industrial)
    out["grounds"] = ["; ".join(g) for g in grounds]
    out["fix"] = ["" if not g else "低效用地: consider recovery (收回), redevelopment (再开发) or an upgrade agreement; grounds: " + "; ".join(g)
                  for g in grounds]
    if untestable:
        problems.append(Problem("warning", "untestable_criteria", "not testable with these columns (not counted as passed): "
                                + "; ".join(untestable)))
    import geopandas as gpd

    if isinstance(df, gpd.GeoDataFrame):
        out = gpd.GeoDataFrame(out, geometry=df.geometry.array, crs=df.crs, index=df.index)
    crit = pd.DataFrame(crit_rows).set_index("code")
    return LowEfficiencyCheck(parcels=out, criteria=crit, untestable=untestable, rules=pack, problems=problems)
