"""Shenzhen 2011 low-end enterprise screening and the floor space its clearance frees."""

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
    Problem,
)

if TYPE_CHECKING:  # pragma: no cover

    from zoning.rules.schema import RulePack
from zoning.checks._common import (
    _ALL,
    _columns_text,
    _compare,
    _load,
    _number,
    _table_input,
    _thr,
)
from zoning.checks._result import CheckResult, _deprecated, text_table
from zoning.checks.blocks import _parcel_ids
from zoning.units import FAIL, MISSING, NOT_TESTED, PASS


@dataclass(repr=False, kw_only=True)
class EnterpriseCheck(CheckResult):
    """Result of :func:`check_enterprises` (a :class:`~zoning.checks.CheckResult`).

    Attributes
    ----------
    parcels
        Aligned to the input: ``parcel_id``, ``district``, one status column per flag
        criterion (``fail`` — the flag is raised, e.g. unlicensed —, ``pass`` — it is not —,
        ``missing``), ``screened`` (any flag answered), ``passes`` (screened and no flag
        raised; False for rows not screened), ``status`` (``pass`` / ``fail`` / ``""`` not
        screened), ``grounds`` (the raised flags, in Chinese and English), ``floor_area_m2``
        and ``freed_m2`` (floor space freed if the enterprise is cleared); the geometry when
        the input has one.
    targets
        One row per space target: ``target_m2``, ``freed_m2``, ``share``, ``passes``,
        ``status``, ``shortfall_m2``, ``fix``.
    by_district
        Per district: ``screened``, ``flagged``, one count per flag, ``freed_m2``.
    """

    title: ClassVar[str] = "Low-end enterprise screening"
    listing: ClassVar[bool] = True
    parcels: pd.DataFrame
    targets: pd.DataFrame
    by_district: pd.DataFrame

    def layers(self) -> dict[str, pd.DataFrame]:
        """``parcels`` (the flagged sites), ``targets`` and ``by_district``."""
        return {"parcels": self.parcels[(self.parcels["status"] == FAIL).to_numpy()], "targets": self.targets,
                "by_district": self.by_district}

    @property
    def passed(self) -> bool:
        """Every space target is met (a screening lists sites; flagged sites are not a failure).
        The CLI exits 0 either way (a listing): the targets are city-wide."""
        return bool(self.targets["passes"].all()) if len(self.targets) else True

    def summary(self) -> str:
        """Flag counts, freed floor space and the targets.

        Examples
        --------
        >>> import zoning
        >>> s = zoning.check_enterprises(zoning.read_parcels(zoning.datasets.get_path("parcels")))
        >>> print(s.summary().splitlines()[0])  # doctest: +ELLIPSIS
        Low-end enterprise screening against shenzhen-2011: ... of 3546 screened parcels flagged, freeing ... m² of floor space
        """
        p = self.parcels
        screened = int(p["screened"].sum())
        flagged = int((p["status"] == FAIL).sum())
        lines = [f"Low-end enterprise screening against {self.rules.pack.name}: {flagged} of {screened} "
                 f"screened parcels flagged, freeing {p['freed_m2'].sum():,.0f} m² of floor space"]
        sc = self.rules.screening
        assert sc is not None
        for code in sc.flags:
            c = self.rules.criterion(code)
            lines.append(f"  {code} {c.name_zh} {c.name_en}: {int((p[code] == FAIL).sum())}")
        for code, r in self.targets.iterrows():
            lines.append(f"  {code} {r['name']}: {r['freed_m2']:,.0f} of {r['target_m2']:,.0f} m² ({r['share']:.1%})"
                         + ("" if r["passes"] else f" — {r['fix']}"))
        bd = self.by_district
        rows = [[str(k), str(int(r["screened"])), str(int(r["flagged"])), f"{r['freed_m2']:,.0f}"] for k, r in bd.iterrows()]
        lines += text_table(rows, [str(bd.index.name or "district"), "screened", "flagged", "freed m²"], {1, 2, 3})
        lines += self._notes()
        return "\n".join(lines)


def check_enterprises(
    parcels: pd.DataFrame,
    *,
    rules: str | Path | RulePack = "shenzhen-2011",
    overrides: Mapping[str, Any] | None = None,
    by: str = "district",
) -> EnterpriseCheck:
    """Flag low-end enterprises (无证无照、安全隐患严重、高污染、高能耗) and sum the space they free.

    Parameters
    ----------
    parcels
        One row per enterprise site with the yes/no columns ``licensed`` (证照齐全),
        ``safety_hazard`` (安全隐患), ``high_pollution`` (高污染), ``high_energy`` (高能耗) and
        ``floor_area_m2`` (建筑面积).
    rules, overrides
        A pack with ``[screening]`` (``shenzhen-2011``): the flag criteria and the space
        targets (SZE-T13: 500万 m² by 2013; SZE-T15: 750万 m² by 2015).
    by
        Column to break the counts down by (default ``district``).

    Returns
    -------
    EnterpriseCheck
        ``.parcels`` (aligned to the input), ``.targets``, ``.by_district``, ``.summary()``.

    Notes
    -----
    Freed space counts the whole floor area of a flagged site. A row with no answer to any
    flag (e.g. a non-industrial parcel) is not screened. The targets are city-wide.

    Examples
    --------
    >>> import zoning
    >>> s = check_enterprises(zoning.read_parcels(zoning.datasets.get_path("parcels")))
    >>> int((s.parcels["SZE-1"] == "fail").sum()), bool(s.targets.loc["SZE-T13", "passes"])
    (155, False)
    """
    from zoning.rules.schema import FLAG_COLUMNS

    pack = _load(rules, overrides, "screening", "screen enterprises")
    sc = pack.screening
    assert sc is not None
    flag_cs = [pack.criterion(c) for c in sc.flags]
    cols = [FLAG_COLUMNS[c.indicator][0] for c in flag_cs]
    df = _table_input(parcels, [*cols, "floor_area_m2"], "parcels")
    if not any(col in df.columns for col in cols):
        msg = (f"none of the enterprise flag columns ({', '.join(cols)}; 证照齐全 / 安全隐患 / 高污染 / 高能耗) is in the data; "
               f"columns are {_columns_text(df)}")
        raise InputError(msg)
    problems: list[Problem] = []
    n = len(df)
    out = pd.DataFrame({"parcel_id": pd.array(_parcel_ids(df), dtype="string"),
                        by: df[by].astype("string") if by in df.columns else pd.array([_ALL] * n, dtype="string")}, index=df.index)
    low = np.zeros(n, dtype=bool)
    answered = np.zeros(n, dtype=bool)
    grounds: list[list[str]] = [[] for _ in range(n)]
    for c in flag_cs:
        col, adverse = FLAG_COLUMNS[c.indicator]
        if col not in df.columns:
            out[c.code] = MISSING
            problems.append(Problem("warning", "missing_flag", f"no {col!r} column: {c.code} ({c.name_zh}) cannot flag anyone", col))
            continue
        v = df[col].astype("boolean")
        known = v.notna().to_numpy()
        raised = (v == adverse).fillna(False).to_numpy(dtype=bool)
        if c.value == "no":
            raised = known & ~raised
        if c.op == "!=":
            raised = known & ~raised
        out[c.code] = np.where(~known, MISSING, np.where(raised, FAIL, PASS))
        answered |= known
        flagged = raised | (~known & (c.missing == "fail"))
        low |= flagged
        for i in np.flatnonzero(flagged):
            grounds[i].append(f"{c.name_zh} {c.name_en}")
    floor = _number(df, "floor_area_m2")
    low &= answered
    out["screened"] = answered
    out["passes"] = answered & ~low
    out["status"] = np.where(~answered, NOT_TESTED, np.where(low, FAIL, PASS))
    out["grounds"] = ["; ".join(g) if low[i] else "" for i, g in enumerate(grounds)]
    out["floor_area_m2"] = floor
    out["freed_m2"] = np.where(low, np.nan_to_num(floor, nan=0.0), 0.0)
    no_floor = low & ~np.isfinite(floor)
    if no_floor.any():
        problems.append(Problem("warning", "missing_floor_area", f"{no_floor.sum()} flagged site(s) have no floor area; they free 0 m² in the totals", "floor_area_m2", list(out["parcel_id"][no_floor])))
    if isinstance(df, gpd.GeoDataFrame):
        out = gpd.GeoDataFrame(out, geometry=df.geometry.array, crs=df.crs, index=df.index)
    freed = float(out["freed_m2"].sum())
    trow = []
    for code in sc.targets:
        c = pack.criterion(code)
        thr = _thr(c)
        ok = bool(_compare(np.array([freed]), c.op, thr)[0])
        short = 0.0 if ok else max(thr - freed, 0.0)
        extra = ""
        if not ok:
            cand = out[out["passes"]]
            extra = (f"free {short:,.0f} m² more: the flagged sites give {freed:,.0f} m²; this is a city-wide target, so on a "
                     f"study area compare with its share of the city, or screen further sites ({len(cand)} screened sites are not flagged)")
        trow.append({"code": code, "name": c.name_zh, "name_en": c.name_en, "target_m2": thr, "freed_m2": freed,
                     "share": freed / thr if thr else np.nan, "passes": ok, "status": PASS if ok else FAIL,
                     "shortfall_m2": short, "fix": extra})
    targets = pd.DataFrame(trow).set_index("code") if trow else pd.DataFrame(columns=["target_m2", "freed_m2", "share", "passes", "status", "shortfall_m2", "fix"])
    g = out.groupby(by, dropna=False)
    bd = pd.DataFrame({"screened": g["screened"].sum(), "flagged": (out["status"] == FAIL).groupby(out[by], dropna=False).sum(),
                       "freed_m2": g["freed_m2"].sum()})
    for c in flag_cs:
        bd[c.code] = (out[c.code] == FAIL).groupby(out[by], dropna=False).sum()
    return EnterpriseCheck(parcels=out, targets=targets, by_district=bd, rules=pack, problems=problems)


def screen_enterprises(*args: Any, **kwargs: Any) -> EnterpriseCheck:
    """Deprecated name of :func:`check_enterprises`. Its result also carries the old
    ``low_end`` column (and ``by_district["low_end"]``) and flag words ``yes`` / ``no``
    are now ``fail`` / ``pass``."""
    _deprecated("screen_enterprises", "check_enterprises")
    res = check_enterprises(*args, **kwargs)
    res.parcels["low_end"] = res.parcels["status"] == FAIL
    res.by_district["low_end"] = res.by_district["flagged"]
    return res


EnterpriseScreening = EnterpriseCheck
