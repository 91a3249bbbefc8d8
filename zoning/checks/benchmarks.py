"""Shenzhen High-Tech Park per-km² benchmarks for any set of parks, zones or districts."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from zoning.errors import (
    InputError,
)
from zoning.units import M2_PER_MU

if TYPE_CHECKING:  # pragma: no cover

    from zoning.rules.schema import RulePack
from zoning.checks._common import (
    _ALL,
    _BLOCK_ID_NAMES,
    _DISTRICT_NAMES,
    _columns_text,
    _compare,
    _find_column,
    _fmt,
    _geoms,
    _land_area,
    _load,
    _number,
    _prepare_blocks,
    _table_input,
    _thr,
)


def benchmark_table(
    parcels: Any,
    *,
    by: str | Sequence[Any] | pd.Series | gpd.GeoDataFrame = "park",
    rules: str | Path | RulePack = "shenzhen-htp-2012",
    overrides: Mapping[str, Any] | None = None,
    id_column: str | None = None,
) -> pd.DataFrame:
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
    DataFrame
        One row per group plus ``(all)``: ``parcels``, ``land_km2``, ``data_share`` (land with
        economic data), totals (``output_yi``, ``value_added_yi``, ``tax_yi``, ``energy_tce``),
        for each criterion the observed indicator, ``<code>_pct`` (observed as a share of the
        benchmark) and ``<code>_meets``, and ``gap`` (text).

    Notes
    -----
    Per-km² values divide by all parcel land of the group (a gross figure, like the park's);
    energy intensity is Σ energy ÷ Σ value added over parcels with both.

    Examples
    --------
    >>> import zoning
    >>> t = benchmark_table(zoning.read_parcels(zoning.datasets.get_path("parcels")), by="park")
    >>> bool(t.loc["(all)", "HTP-T1_meets"]), round(float(t.loc["(all)", "tax_yi_per_km2"]), 1)
    (False, 3.3)
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
    cols = {k: _number(df, k) for k in ("output_wan", "value_added_wan", "tax_wan", "energy_tce")}
    data = pd.DataFrame({"group": group, "land": area, **cols}, index=df.index)
    data["has"] = np.isfinite(cols["output_wan"]) | np.isfinite(cols["tax_wan"])
    data["land_has"] = np.where(data["has"], data["land"], 0.0)
    both = np.isfinite(cols["energy_tce"]) & np.isfinite(cols["value_added_wan"])
    data["e_both"] = np.where(both, cols["energy_tce"], 0.0)
    data["va_both"] = np.where(both, cols["value_added_wan"], 0.0)

    def agg(d: pd.DataFrame) -> dict[str, float]:
        land_km2 = d["land"].sum() / 1e6
        res = {"parcels": len(d), "land_km2": land_km2,
               "data_share": d["land_has"].sum() / d["land"].sum() if d["land"].sum() > 0 else np.nan,
               "output_yi": d["output_wan"].sum() / 1e4, "value_added_yi": d["value_added_wan"].sum() / 1e4,
               "tax_yi": d["tax_wan"].sum() / 1e4, "energy_tce": d["energy_tce"].sum()}
        with np.errstate(invalid="ignore", divide="ignore"):
            res["output_yi_per_km2"] = res["output_yi"] / land_km2 if land_km2 > 0 else np.nan
            res["value_added_yi_per_km2"] = res["value_added_yi"] / land_km2 if land_km2 > 0 else np.nan
            res["tax_yi_per_km2"] = res["tax_yi"] / land_km2 if land_km2 > 0 else np.nan
            res["energy_tce_per_wan_va"] = d["e_both"].sum() / d["va_both"].sum() if d["va_both"].sum() > 0 else np.nan
            mu = d["land"].sum() / M2_PER_MU
            res["output_wan_per_mu"] = d["output_wan"].sum() / mu if mu > 0 else np.nan
            res["tax_wan_per_mu"] = d["tax_wan"].sum() / mu if mu > 0 else np.nan
            res["value_added_wan_per_mu"] = d["value_added_wan"].sum() / mu if mu > 0 else np.nan
        return res

    rows = {str(k): agg(g) for k, g in data[data["group"].notna()].groupby("group", sort=True)}
    rows[_ALL] = agg(data)
    t = pd.DataFrame.from_dict(rows, orient="index")
    t.index.name = str(by) if isinstance(by, str) else "group"
    gaps: list[list[str]] = [[] for _ in range(len(t))]
    for code in bm.criteria:
        c = pack.criterion(code)
        thr = _thr(c)
        v = t[c.indicator].to_numpy(dtype="float64")
        with np.errstate(invalid="ignore", divide="ignore"):
            t[f"{code}_pct"] = v / thr if thr else np.nan
        t[f"{code}_meets"] = _compare(v, c.op, thr)
        for k, (vv, ok) in enumerate(zip(v, t[f"{code}_meets"], strict=True)):
            if not ok:
                rel = f"{vv / thr:.0%} of" if np.isfinite(vv) and thr else "vs"
                gaps[k].append(f"{c.name_en} {_fmt(c, vv)} = {rel} {_fmt(c, thr)}")
    t["gap"] = ["; ".join(g) for g in gaps]
    return t


# ---------------------------------------------------------------------------------------
# tenants in retain-upgrade areas


