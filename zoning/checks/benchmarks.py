"""Shenzhen High-Tech Park per-km² benchmarks for any set of parks, zones or districts."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from zoning.errors import (
    InputError,
)
from zoning.units import FAIL, M2_PER_MU, MISSING, PASS

if TYPE_CHECKING:  # pragma: no cover

    from zoning.rules.schema import RulePack
from zoning.checks._common import (
    _ALL,
    _BLOCK_ID_NAMES,
    _DISTRICT_NAMES,
    _columns_text,
    _evaluate,
    _find_column,
    _fmt,
    _geoms,
    _land_area,
    _load,
    _number,
    _op,
    _prepare_blocks,
    _table_input,
    _thr,
)
from zoning.checks._result import CheckResult, _deprecated, overall_status, text_table


@dataclass(repr=False, kw_only=True)
class BenchmarkCheck(CheckResult):
    """Result of :func:`check_benchmarks` (a :class:`~zoning.checks.CheckResult`).

    ``groups`` has one row per group plus ``(all)``: ``parcels``, ``area_km2`` (the
    denominator) and ``area_basis``, ``land_km2``, ``data_land_km2``, ``data_share``, totals, the observed indicators, per criterion ``<code>`` (status
    ``pass`` / ``fail`` / ``missing``) and ``<code>_pct`` (observed ÷ benchmark), ``passes``
    (all benchmarks met), ``status`` and ``gap`` (text).
    """

    title: ClassVar[str] = "Per-km² benchmarks"
    listing: ClassVar[bool] = True
    groups: pd.DataFrame

    def layers(self) -> dict[str, pd.DataFrame]:
        """``groups``."""
        return {"groups": self.groups}

    def summary(self) -> str:
        """The benchmarks and every group's values as a share of them.

        Examples
        --------
        >>> import zoning
        >>> b = zoning.check_benchmarks(zoning.read_parcels(zoning.datasets.get_path("parcels")), by="park")
        >>> print(b.summary().splitlines()[0])  # doctest: +ELLIPSIS
        Benchmarks — shenzhen-htp-2012: HTP-O1 ...
        """
        pack, t = self.rules, self.groups
        assert pack.benchmarks is not None
        crit = [pack.criterion(c) for c in pack.benchmarks.criteria]
        lines = [f"Benchmarks — {pack.pack.name}: " + "; ".join(f"{c.code} {c.name_en} {_op(c)} {c.value:g} {c.unit}" for c in crit)]
        if pack.benchmarks.note:
            lines.append(f"  note: {pack.benchmarks.note}")
        if pack.benchmarks.milestones:
            ms = [pack.criterion(c) for c in pack.benchmarks.milestones]
            lines.append("  milestones: " + "; ".join(f"{c.code} {c.name_en} {_op(c)} {c.value:g} {c.unit}" for c in ms))
        if len(t):
            lines.append(f"  per-km² values divide by: {t['area_basis'].iloc[0]}"
                         + ("; beside them, in brackets after '|', the figure on parcel land with data" if "tax_yi_per_km2_parcel_land" in t.columns else ""))
        def cell(r: pd.Series, c: Any) -> str:
            v = r[c.indicator]
            if v != v:
                return "—"
            txt = f"{v:,.{3 if c.indicator.startswith('energy') else 1}f} ({r[c.code + '_pct']:.0%})"
            side = f"{c.indicator}_parcel_land"
            if side in r.index and r[side] == r[side]:
                txt += f" | {r[side]:,.1f}"
            return txt

        rows = [[str(k), f"{r['area_km2']:,.2f}", f"{r['data_share']:.0%}", *[cell(r, c) for c in crit]] for k, r in t.iterrows()]
        lines += text_table(rows, [str(t.index.name or "group"), "km²", "data", *[f"{c.code} {c.unit}" for c in crit]], set(range(1, 3 + len(crit))))
        lines.append("  (in brackets: observed as a share of the benchmark; energy is better below 100 %)")
        lines += self._notes()
        return "\n".join(lines)


def check_benchmarks(
    parcels: Any,
    *,
    by: str | Sequence[Any] | pd.Series | gpd.GeoDataFrame = "park",
    rules: str | Path | RulePack = "shenzhen-htp-2012",
    overrides: Mapping[str, Any] | None = None,
    id_column: str | None = None,
) -> BenchmarkCheck:
    """Compare parks, zones or districts with per-km² benchmarks (Shenzhen High-Tech Park 2015 targets).

    Parameters
    ----------
    parcels
        Parcels with ``output_wan``, ``value_added_wan``, ``tax_wan`` and ``energy_tce`` (per
        year), or a :class:`~zoning.ZoningResult` (its parcels).
    by
        A column naming the group (``"park"``, ``"zone"``, ``"district"``), values aligned to
        the parcels, or polygons of the areas (parcels join by representative point; name
        column ``id_column``).
    rules, overrides
        A pack with ``[benchmarks]`` (``shenzhen-htp-2012``: output 540, value added 165 and
        tax 30 亿元/km², energy 0.113 tce per 万元 value added).

    Returns
    -------
    BenchmarkCheck
        ``.groups``: one row per group plus ``(all)``: ``parcels``, ``land_km2``,
        ``data_share`` (land with economic data), totals (``output_yi``, ``value_added_yi``,
        ``tax_yi``, ``energy_tce``), for each criterion the observed indicator, ``<code>``
        (status) and ``<code>_pct`` (observed as a share of the benchmark), ``passes``,
        ``status`` and ``gap`` (text).

    Notes
    -----
    The benchmarks are gross: the text's own totals over them give the park's whole area
    (6300亿 ÷ 540 = 11.7 km², roads and housing included). So with polygons (``by`` a
    GeoDataFrame) per-km² values divide by each polygon's area (``area_basis`` ``polygon
    (gross)``; ``(all)`` by the union of the polygons), and the figure on parcel land with
    data is shown beside it (``*_per_km2_parcel_land``). With a column or values, they divide
    by the land of the group's parcels that have economic data (``parcel land with data``);
    ``data_share`` says how much of the land that is. Per-mu values always divide by parcel
    land with data. ``(all)`` covers the parcels in some group only. Energy intensity is
    Σ energy ÷ Σ value added over parcels with both. Yearly milestones (``HTP-E12`` 0.117 in
    2012, ``HTP-E13`` 0.115 in 2013) get status columns but do not count in ``passes``.

    Examples
    --------
    >>> import zoning
    >>> t = check_benchmarks(zoning.read_parcels(zoning.datasets.get_path("parcels")), by="park").groups
    >>> t.loc["(all)", "HTP-T1"], t.loc["(all)", "area_basis"]
    ('fail', 'parcel land with data')
    """
    pack = _load(rules, overrides, "benchmarks", "compare benchmarks")
    bm = pack.benchmarks
    assert bm is not None
    if hasattr(parcels, "parcels") and hasattr(parcels, "zones"):  # a ZoningResult
        parcels = parcels.parcels
    need = ["output_wan", "tax_wan"] + ([by] if isinstance(by, str) else [])
    df = _table_input(parcels, need, "parcels")
    n = len(df)
    area, _ = _land_area(df)
    if isinstance(by, str):
        if by not in df.columns:
            msg = f"by={by!r} is not a column of the parcels; columns are {_columns_text(df)}"
            raise InputError(msg)
        group = df[by].astype("string").to_numpy(dtype=object, na_value=None)
    elif isinstance(by, gpd.GeoDataFrame):
        areas = _prepare_blocks(by, df.crs, [], what="areas")
        col = id_column or _find_column(areas, (*_BLOCK_ID_NAMES, "park", "园区", "zone", "name", *_DISTRICT_NAMES))
        if col is None:
            msg = f"the areas have no name column; columns are {_columns_text(areas)}; pass id_column="
            raise InputError(msg)
        names = areas[col].astype("string").to_numpy(dtype=object)
        ag = _geoms(areas)
        gross = {str(k): float(shapely.union_all(ag[names == k]).area) for k in pd.unique(names) if k is not None}
        gross_all = float(shapely.union_all(ag).area)
        group = np.full(n, None, dtype=object)
        pg = _geoms(df)
        ok = np.flatnonzero(~(shapely.is_missing(pg) | shapely.is_empty(pg)))
        aj, pk = shapely.STRtree(shapely.point_on_surface(pg[ok])).query(_geoms(areas), predicate="contains")
        group[ok[pk]] = names[aj]
    else:
        group = np.asarray(pd.Series(by).astype("string").to_numpy(dtype=object, na_value=None))
        if group.size != n:
            msg = f"by has {group.size} values for {n} parcels"
            raise InputError(msg)
    if not isinstance(by, gpd.GeoDataFrame):
        gross, gross_all = {}, float("nan")
    polygons = isinstance(by, gpd.GeoDataFrame)
    cols = {k: _number(df, k) for k in ("output_wan", "value_added_wan", "tax_wan", "energy_tce")}
    data = pd.DataFrame({"group": group, "land": area, **cols}, index=df.index)
    data["has"] = np.isfinite(cols["output_wan"]) | np.isfinite(cols["tax_wan"])
    data["land_has"] = np.where(data["has"], data["land"], 0.0)
    both = np.isfinite(cols["energy_tce"]) & np.isfinite(cols["value_added_wan"])
    data["e_both"] = np.where(both, cols["energy_tce"], 0.0)
    data["va_both"] = np.where(both, cols["value_added_wan"], 0.0)

    def agg(d: pd.DataFrame, gross_m2: float) -> dict[str, Any]:
        data_m2 = d["land_has"].sum()
        area_m2 = gross_m2 if polygons else data_m2
        res: dict[str, Any] = {
            "parcels": len(d), "area_km2": area_m2 / 1e6, "area_basis": "polygon (gross)" if polygons else "parcel land with data",
            "land_km2": d["land"].sum() / 1e6, "data_land_km2": data_m2 / 1e6,
            "data_share": data_m2 / d["land"].sum() if d["land"].sum() > 0 else np.nan,
            "output_yi": d["output_wan"].sum() / 1e4, "value_added_yi": d["value_added_wan"].sum() / 1e4,
            "tax_yi": d["tax_wan"].sum() / 1e4, "energy_tce": d["energy_tce"].sum()}
        with np.errstate(invalid="ignore", divide="ignore"):
            for k in ("output", "value_added", "tax"):
                res[f"{k}_yi_per_km2"] = res[f"{k}_yi"] / (area_m2 / 1e6) if area_m2 > 0 else np.nan
            if polygons:  # the parcel-land figure beside the gross one
                for k in ("output", "value_added", "tax"):
                    res[f"{k}_yi_per_km2_parcel_land"] = res[f"{k}_yi"] / (data_m2 / 1e6) if data_m2 > 0 else np.nan
            res["energy_tce_per_wan_va"] = d["e_both"].sum() / d["va_both"].sum() if d["va_both"].sum() > 0 else np.nan
            mu = data_m2 / M2_PER_MU
            res["output_wan_per_mu"] = d["output_wan"].sum() / mu if mu > 0 else np.nan
            res["tax_wan_per_mu"] = d["tax_wan"].sum() / mu if mu > 0 else np.nan
            res["value_added_wan_per_mu"] = d["value_added_wan"].sum() / mu if mu > 0 else np.nan
        return res

    grouped = data[data["group"].notna()]
    rows = {str(k): agg(g, gross.get(str(k), np.nan)) for k, g in grouped.groupby("group", sort=True)}
    rows[_ALL] = agg(grouped, gross_all)
    t = pd.DataFrame.from_dict(rows, orient="index")
    t.index.name = str(by) if isinstance(by, str) else "group"
    gaps: list[list[str]] = [[] for _ in range(len(t))]
    all_met = np.ones(len(t), dtype=bool)
    any_fail = np.zeros(len(t), dtype=bool)
    any_missing = np.zeros(len(t), dtype=bool)
    for code in bm.criteria:
        c = pack.criterion(code)
        thr = _thr(c)
        v = t[c.indicator].to_numpy(dtype="float64")
        st, met = _evaluate(c, v)
        t[code] = st
        with np.errstate(invalid="ignore", divide="ignore"):
            t[f"{code}_pct"] = v / thr if thr else np.nan
        all_met &= met
        any_fail |= st == FAIL
        any_missing |= st == MISSING
        for k, (vv, ok) in enumerate(zip(v, st == PASS, strict=True)):
            if not ok:
                rel = f"{vv / thr:.0%} of" if np.isfinite(vv) and thr else "vs"
                gaps[k].append(f"{c.name_en} {_fmt(c, vv)} = {rel} {_fmt(c, thr)}")
    for code in bm.milestones:
        c = pack.criterion(code)
        st, _ = _evaluate(c, t[c.indicator].to_numpy(dtype="float64"))
        t[code] = st
    t["passes"] = all_met
    t["status"] = overall_status(all_met, any_fail, any_missing)
    t["gap"] = ["; ".join(g) for g in gaps]
    return BenchmarkCheck(groups=t, rules=pack)


def benchmark_table(*args: Any, **kwargs: Any) -> pd.DataFrame:
    """Deprecated: ``check_benchmarks(...).groups`` in the old shape (``<code>_meets``
    booleans, no status columns)."""
    _deprecated("benchmark_table", "check_benchmarks", "(...).groups")
    t = check_benchmarks(*args, **kwargs).groups.copy()
    codes = [c[:-4] for c in t.columns if c.endswith("_pct")]
    for code in codes:
        t[f"{code}_meets"] = t[code] == PASS
    keep = [c for c in t.columns if c not in (*codes, "passes", "status", "gap")]
    order = [c for c in keep if not c.endswith(("_pct", "_meets"))]
    for code in codes:
        order += [f"{code}_pct", f"{code}_meets"]
    return t[[*order, "gap"]]
