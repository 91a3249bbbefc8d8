"""Guangzhou land-quota tiers for manufacturing projects (province / city)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar

import geopandas as gpd
import numpy as np
import pandas as pd

from zoning.errors import (
    InputError,
)
from zoning.units import M2_PER_MU

if TYPE_CHECKING:  # pragma: no cover

    from zoning.rules.schema import RulePack
from zoning.checks._common import (
    _columns_text,
    _evaluate,
    _find_column,
    _fmt,
    _land_area,
    _load,
    _number,
    _table_input,
    _thr,
    _thr_text,
)
from zoning.checks._result import CheckResult, _FrameCompat, overall_status, text_table
from zoning.units import MISSING

INDICATOR_NAMES = {"investment_wan": "the fixed-asset investment (investment_wan)",
                   "investment_wan_per_mu": "the investment and land area",
                   "tax_wan_per_mu": "the expected annual tax (tax_wan)"}


@dataclass(repr=False, kw_only=True)
class ProjectCheck(_FrameCompat, CheckResult):
    """Result of :func:`check_projects` (a :class:`~zoning.checks.CheckResult`).

    ``projects`` is aligned to the input: ``project_id``, ``land_area_m2``,
    ``land_area_mu``, ``investment_wan``, ``investment_wan_per_mu``, ``tax_wan``,
    ``tax_wan_per_mu``, one status column per criterion code (``pass`` / ``fail`` /
    ``missing``), ``tier`` (``province``, ``city`` or ``none``), ``tier_label``, ``passes``
    (fits a tier), ``status`` (``pass``; ``fail``; ``missing`` when no tier fits for want of
    data), ``reasons`` and ``fix``.

    Before 0.2 :func:`check_projects` returned this table itself; DataFrame access on the
    result (``res["tier"]``, ``res.iterrows()``) still works, with a FutureWarning.
    """

    title: ClassVar[str] = "Project land-quota tiers"
    _frame_attr: ClassVar[str] = "projects"
    projects: pd.DataFrame

    def layers(self) -> dict[str, pd.DataFrame]:
        """``projects``."""
        return {"projects": self.projects}

    def summary(self) -> str:
        """The tier of each project, with reasons and fixes for those below the first tier.

        Examples
        --------
        >>> import pandas as pd
        >>> p = pd.DataFrame({"project_id": ["A"], "investment_wan": [80000], "tax_wan": [3000], "land_area_m2": [100_000]})
        >>> print(check_projects(p).summary().splitlines()[0])
        Project land-quota tiers against guangzhou-2023: 1 project(s): 1 province
        """
        t = self.projects
        tiers = [x.name for x in self.rules.projects.tiers] if self.rules.projects else []
        counts = ", ".join(f"{int((t['tier'] == k).sum())} {k}" for k in [*tiers, "none"] if (t["tier"] == k).any())
        lines = [f"Project land-quota tiers against {self.rules.pack.name}: {len(t)} project(s): {counts}"]
        nan = lambda v: v != v  # noqa: E731
        rows = [[str(r["project_id"]), "—" if nan(r["investment_wan"]) else f"{r['investment_wan'] / 1e4:,.2f}",
                 "—" if nan(r["land_area_mu"]) else f"{r['land_area_mu']:,.1f}",
                 "—" if nan(r["investment_wan_per_mu"]) else f"{r['investment_wan_per_mu']:,.0f}",
                 "—" if nan(r["tax_wan_per_mu"]) else f"{r['tax_wan_per_mu']:,.1f}", str(r["tier"])] for _, r in t.iterrows()]
        lines += text_table(rows, ["project", "investment 亿元", "land 亩", "万元/亩", "tax 万元/亩", "tier"], {1, 2, 3, 4})
        first = tiers[0] if tiers else "province"
        for _, r in t[t["tier"] != first].iterrows():
            lines.append(f"  {r['project_id']}: {r['reasons']}" + (f" — {r['fix']}" if r["fix"] else ""))
        lines += self._notes()
        return "\n".join(lines)


def check_projects(
    projects: pd.DataFrame,
    *,
    rules: str | Path | RulePack = "guangzhou-2023",
    overrides: Mapping[str, Any] | None = None,
    id_column: str | None = None,
) -> ProjectCheck:
    """Which land-quota tier each project qualifies for (Guangzhou 2023 draft, 002 二(一)2).

    Parameters
    ----------
    projects
        One row per project: ``investment_wan`` (固定资产投资, 万元; a column named
        ``投资额(亿元)`` is converted), ``tax_wan`` (expected annual tax, 万元) and the land as
        polygons in a projected CRS or a ``land_area_m2`` (用地面积) column.
    rules, overrides
        A pack with ``[projects]`` tiers: ``guangzhou-2023`` — provincial quota when
        investment ≥ 5亿元 (GZ-Q1), intensity ≥ 400万元/亩 (GZ-Q2) and tax ≥ 15万元/亩
        (GZ-Q3); city quota for 5000万元 (GZ-Q4) up to 5亿元.
    id_column
        Column naming the project (default: parcel_id / project_id / 项目编号 / 项目名称).

    Returns
    -------
    ProjectCheck
        ``.projects`` aligned to the input (a GeoDataFrame if the input has geometry):
        ``project_id``, ``land_area_m2``, ``land_area_mu``, ``investment_wan``,
        ``investment_wan_per_mu``, ``tax_wan``, ``tax_wan_per_mu``, one status column per
        criterion, ``tier`` (``province``, ``city`` or ``none``), ``tier_label``, ``passes``,
        ``status``, ``reasons`` (observed vs threshold of every failed test) and ``fix``
        (what would reach the first tier).

    Examples
    --------
    >>> import pandas as pd
    >>> p = pd.DataFrame({"project_id": ["A", "B", "C"], "investment_wan": [80000, 60000, 8000],
    ...                   "tax_wan": [3000, 500, 100], "land_area_m2": [100_000, 100_000, 20_000]})
    >>> check_projects(p).projects[["project_id", "tier"]].values.tolist()
    [['A', 'province'], ['B', 'none'], ['C', 'city']]
    """
    from zoning.rules.schema import INDICATORS

    pack = _load(rules, overrides, "projects", "test projects")
    pr = pack.projects
    assert pr is not None
    df = _table_input(projects, ["investment_wan"], "projects")
    if "investment_wan" not in df.columns:
        msg = (f"the projects have no investment column (固定资产投资 / 投资额 / investment_wan); columns are "
               f"{_columns_text(df)}")
        raise InputError(msg)
    n = len(df)
    area, _ = _land_area(df)
    mu = area / M2_PER_MU
    inv = _number(df, "investment_wan")
    tax = _number(df, "tax_wan")
    with np.errstate(invalid="ignore", divide="ignore"):
        values = {"investment_wan": inv, "investment_wan_per_mu": inv / mu, "tax_wan_per_mu": tax / mu,
                  "output_wan_per_mu": _number(df, "output_wan") / mu}
    id_col = id_column or ("parcel_id" if "parcel_id" in df.columns else _find_column(df, ("project_id", "项目编号", "项目名称", "项目", "name", "id")))
    if id_column is not None and id_column not in df.columns:
        msg = f"id_column={id_column!r} is not a column of the projects; columns are {_columns_text(df)}"
        raise InputError(msg)
    ids = df[id_col].astype("string").to_numpy(dtype=object, na_value="") if id_col else df.index.astype(str).to_numpy(dtype=object)
    out = pd.DataFrame({"project_id": pd.array(ids, dtype="string"),
                        "land_area_m2": area, "land_area_mu": mu, "investment_wan": inv,
                        "investment_wan_per_mu": values["investment_wan_per_mu"], "tax_wan": tax,
                        "tax_wan_per_mu": values["tax_wan_per_mu"]}, index=df.index)
    met: dict[str, np.ndarray] = {}
    codes = list(dict.fromkeys(c for t in pr.tiers for c in [*t.criteria, *t.excluding]))
    for code in codes:
        c = pack.criterion(code)
        st, m = _evaluate(c, values[c.indicator])
        out[code] = st
        met[code] = m
    tier = np.full(n, "none", dtype=object)
    label = np.full(n, "none", dtype=object)
    for t in reversed(pr.tiers):
        ok = np.all([met[c] for c in t.criteria], axis=0) & ~np.any([met[c] for c in t.excluding] or [np.zeros(n, bool)], axis=0)
        tier = np.where(ok, t.name, tier)
        label = np.where(ok, f"{t.label_zh} {t.label_en}", label)
    out["tier"] = tier
    out["tier_label"] = label
    fits = tier != "none"
    any_missing = np.any([out[c].to_numpy() == MISSING for c in codes], axis=0)
    out["passes"] = fits
    out["status"] = overall_status(fits, ~fits & ~any_missing, any_missing)
    # a project that a lower tier excludes and a higher one rejects falls between the tiers
    between = np.full(n, "", dtype=object)  # the tier that excludes a project the tiers above reject
    for t in pr.tiers[1:]:
        if t.excluding:
            ok = np.all([met[c] for c in t.criteria], axis=0)
            hit = ok & np.any([met[c] for c in t.excluding], axis=0) & (tier == "none") & (between == "")
            between[hit] = t.label_en
    first = pr.tiers[0]
    reasons, fixes = [], []
    for i in range(n):
        r, f = [], []
        for code in first.criteria:
            c = pack.criterion(code)
            v = values[c.indicator][i]
            if met[code][i]:
                continue
            name = INDICATORS[c.indicator].name_en
            if np.isfinite(v):
                shown = _fmt(c, v) if c.unit == INDICATORS[c.indicator].unit else f"{v / INDICATORS[c.indicator].units[c.unit]:,.2f} {c.unit}"
                r.append(f"{code} {name} {shown} {'<' if c.op.startswith('>') else '>'} {_thr_text(c)}")
            else:
                r.append(f"{code} {name} missing")
            if not np.isfinite(v):
                f.append(f"give {INDICATOR_NAMES.get(c.indicator, c.indicator)}")
            elif c.indicator == "investment_wan":
                f.append(f"raise investment by {(_thr(c) - v):,.0f} 万元")
            elif c.indicator == "investment_wan_per_mu":
                f.append(f"raise investment by {(_thr(c) - v) * mu[i]:,.0f} 万元 or use {mu[i] - inv[i] / _thr(c):,.1f} 亩 less land")
            elif c.indicator == "tax_wan_per_mu":
                f.append(f"raise annual tax by {(_thr(c) - v) * mu[i]:,.0f} 万元 or use {mu[i] - tax[i] / _thr(c):,.1f} 亩 less land")
        if between[i]:
            r.append(f"too large for the {between[i]} and short of the {first.label_en}: the text names no tier for it")
        reasons.append("; ".join(r))
        fixes.append("" if not f else f"for the {first.label_en}: " + "; ".join(f))
    out["reasons"] = reasons
    out["fix"] = fixes
    if isinstance(df, gpd.GeoDataFrame):
        out = gpd.GeoDataFrame(out, geometry=df.geometry.array, crs=df.crs, index=df.index)
    return ProjectCheck(projects=out, rules=pack)


