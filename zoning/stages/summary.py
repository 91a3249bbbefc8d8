"""Summaries of a run: area, share of stock and counts per zone against targets, and per district."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from zoning.stages.sums import group_limbs, to_float
from zoning.units import M2_PER_MU, ZONES

if TYPE_CHECKING:
    from zoning.rules.schema import RulePack

__all__ = ["combine_zone_totals", "district_totals", "summarise_by_district", "summarise_zones", "zone_totals"]


def zone_totals(zone: pd.Series, land_area_m2: pd.Series, cluster_id: pd.Series) -> pd.DataFrame:
    """Per zone: exact land limbs (``l0``…), ``parcels`` and the set of ``cluster_id`` s.

    Partial totals (e.g. of partitions) combine with :func:`combine_zone_totals`.
    """
    a = pd.to_numeric(land_area_m2, errors="coerce").fillna(0.0).to_numpy(dtype="float64")
    z = pd.Categorical(zone, categories=list(ZONES)).codes.astype(np.int64)
    ok = z >= 0
    limbs = group_limbs(z[ok], a[ok], len(ZONES))
    out = pd.DataFrame(limbs, columns=[f"l{k}" for k in range(limbs.shape[1])], index=pd.Index(ZONES, name="zone"))
    out["parcels"] = np.bincount(z[ok], minlength=len(ZONES))
    cid = pd.Series(cluster_id).astype(object).to_numpy()
    out["cluster_ids"] = [set(pd.unique(cid[(z == k) & pd.notna(cid)])) for k in range(len(ZONES))]
    return out


def combine_zone_totals(parts: list[pd.DataFrame]) -> pd.DataFrame:
    """Sum partial :func:`zone_totals` (limbs and counts add, area sets unite)."""
    out = parts[0].copy()
    for p in parts[1:]:
        for c in out.columns:
            if c == "cluster_ids":
                out[c] = [a | b for a, b in zip(out[c], p[c], strict=True)]
            else:
                out[c] = out[c] + p[c]
    return out


def summarise_zones(zone: pd.Series, land_area_m2: pd.Series, cluster_id: pd.Series, pack: RulePack,
                    targets: dict[str, dict[str, float]], *, totals: pd.DataFrame | None = None) -> pd.DataFrame:
    """Area (km², 亩), share of the industrial stock, parcel and area counts per zone, with targets.

    ``share_of_stock`` is the zone's share of the industrial stock (zones + unzoned);
    ``target_km2`` is the pack's target share applied to this stock; ``achieved`` is
    area / target. Areas are summed exactly (:mod:`zoning.stages.sums`), so the table does
    not depend on row order; ``totals`` (from :func:`zone_totals`) skips the summing.
    """
    t_all = zone_totals(zone, land_area_m2, cluster_id) if totals is None else totals
    land = pd.Series(to_float(t_all[[c for c in t_all.columns if c.startswith("l")]].to_numpy()), index=t_all.index)
    stock = float(to_float(t_all.loc[list(ZONES[:4]), [c for c in t_all.columns if c.startswith("l")]].to_numpy().sum(axis=0)))
    rows = []
    for z in ZONES:
        area = float(land[z])
        t = targets.get(z, {})
        target_km2 = t.get("km2", np.nan)
        rows.append({
            "zone": z,
            "label_zh": pack.zone_label(z, "zh"),
            "label_en": pack.zone_label(z, "en"),
            "parcels": int(t_all.loc[z, "parcels"]),
            "areas": len(t_all.loc[z, "cluster_ids"]) if z in ZONES[:3] else 0,
            "area_km2": area / 1e6,
            "area_mu": area / M2_PER_MU,
            "share_of_stock": area / stock if (stock > 0 and z != "not_industrial") else np.nan,
            "target_share": t.get("share", np.nan),
            "target_km2": target_km2,
            "policy_target_km2": t.get("policy_km2", np.nan),
            "achieved": (area / 1e6) / target_km2 if target_km2 and target_km2 > 0 else np.nan,
        })
    return pd.DataFrame(rows).set_index("zone")


def district_totals(zone: pd.Series, land_area_m2: pd.Series, district: pd.Series | None) -> pd.DataFrame:
    """Exact land limbs per (district, zone); partial tables concatenate."""
    if district is None:
        district = pd.Series("(all)", index=zone.index)
    d = pd.Series(district).astype("string").fillna("(none)").to_numpy(dtype=object)
    z = pd.Categorical(zone, categories=list(ZONES)).codes.astype(np.int64)
    a = pd.to_numeric(land_area_m2, errors="coerce").fillna(0.0).to_numpy(dtype="float64")
    dcodes, dnames = pd.factorize(d)
    key = dcodes.astype(np.int64) * len(ZONES) + z
    ukey, inv = np.unique(key, return_inverse=True)
    limbs = group_limbs(inv.ravel(), a, len(ukey))
    out = pd.DataFrame(limbs, columns=[f"l{k}" for k in range(limbs.shape[1])])
    out.insert(0, "zone", np.asarray(ZONES, dtype=object)[ukey % len(ZONES)])
    out.insert(0, "district", np.asarray(dnames, dtype=object)[ukey // len(ZONES)])
    return out


def summarise_by_district(zone: pd.Series, land_area_m2: pd.Series, district: pd.Series | None, *,
                          totals: pd.DataFrame | None = None) -> pd.DataFrame:
    """Zone areas (km²) per district, with each district's industrial stock and shares.

    Summed exactly; ``totals`` (from :func:`district_totals`, possibly concatenated from
    partitions) skips the summing.
    """
    t = district_totals(zone, land_area_m2, district) if totals is None else totals
    limb_cols = [c for c in t.columns if c.startswith("l")]
    t = t.groupby(["district", "zone"], sort=True)[limb_cols].sum().reset_index()
    t["km2"] = to_float(t[limb_cols].to_numpy()) / 1e6
    pivot = t.pivot_table(index="district", columns="zone", values="km2", aggfunc="sum", fill_value=0.0)
    for z in ZONES:
        if z not in pivot:
            pivot[z] = 0.0
    pivot = pivot[list(ZONES)]
    stock_limbs = t[t["zone"].isin(ZONES[:4])].groupby("district")[limb_cols].sum().reindex(pivot.index, fill_value=0.0)
    pivot["stock_km2"] = to_float(stock_limbs.to_numpy()) / 1e6
    for z in ZONES[:3]:
        pivot[f"{z}_share"] = np.where(pivot["stock_km2"] > 0, pivot[z] / pivot["stock_km2"].where(pivot["stock_km2"] > 0), np.nan)
    pivot.columns.name = None
    return pivot.sort_values(["stock_km2"], ascending=False, kind="stable")


# --- HTML / Markdown report ------------------------------------------------------------
