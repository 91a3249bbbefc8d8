"""Summaries of a run: area, share of stock and counts per zone against targets, and per district."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from zoning.units import M2_PER_MU, ZONES

if TYPE_CHECKING:
    from zoning.rules.schema import RulePack

__all__ = ["summarise_by_district", "summarise_zones"]


def summarise_zones(zone: pd.Series, land_area_m2: pd.Series, cluster_id: pd.Series, pack: RulePack,
                    targets: dict[str, dict[str, float]]) -> pd.DataFrame:
    """Area (km², 亩), share of the industrial stock, parcel and area counts per zone, with targets.

    ``share_of_stock`` is the zone's share of the industrial stock (zones + unzoned);
    ``target_km2`` is the pack's target share applied to this stock; ``achieved`` is
    area / target.
    """
    a = pd.to_numeric(land_area_m2, errors="coerce").fillna(0.0)
    stock = float(a[zone.isin(ZONES[:4])].sum())
    rows = []
    for z in ZONES:
        m = (zone == z).to_numpy()
        area = float(a[m].sum())
        t = targets.get(z, {})
        target_km2 = t.get("km2", np.nan)
        rows.append({
            "zone": z,
            "label_zh": pack.zone_label(z, "zh"),
            "label_en": pack.zone_label(z, "en"),
            "parcels": int(m.sum()),
            "areas": int(cluster_id[m].dropna().nunique()) if z in ZONES[:3] else 0,
            "area_km2": area / 1e6,
            "area_mu": area / M2_PER_MU,
            "share_of_stock": area / stock if (stock > 0 and z != "not_industrial") else np.nan,
            "target_share": t.get("share", np.nan),
            "target_km2": target_km2,
            "policy_target_km2": t.get("policy_km2", np.nan),
            "achieved": (area / 1e6) / target_km2 if target_km2 and target_km2 > 0 else np.nan,
        })
    return pd.DataFrame(rows).set_index("zone")


def summarise_by_district(zone: pd.Series, land_area_m2: pd.Series, district: pd.Series | None) -> pd.DataFrame:
    """Zone areas (km²) per district, with each district's industrial stock and shares."""
    if district is None:
        district = pd.Series("(all)", index=zone.index)
    df = pd.DataFrame({"zone": zone.to_numpy(), "district": district.astype("string").fillna("(none)").to_numpy(),
                       "km2": pd.to_numeric(land_area_m2, errors="coerce").fillna(0.0).to_numpy() / 1e6})
    pivot = df.pivot_table(index="district", columns="zone", values="km2", aggfunc="sum", fill_value=0.0)
    for z in ZONES:
        if z not in pivot:
            pivot[z] = 0.0
    pivot = pivot[list(ZONES)]
    pivot["stock_km2"] = pivot[list(ZONES[:4])].sum(axis=1)
    for z in ZONES[:3]:
        pivot[f"{z}_share"] = np.where(pivot["stock_km2"] > 0, pivot[z] / pivot["stock_km2"].where(pivot["stock_km2"] > 0), np.nan)
    pivot.columns.name = None
    return pivot.sort_values("stock_km2", ascending=False)


# --- HTML / Markdown report ------------------------------------------------------------
