"""Stage 3 — per-parcel indicators: land area, FAR, building age, legal share, output and tax per 亩.

Every indicator is computed from the geometry in a projected metric CRS and the canonical
columns, and returned aligned to the parcel index. Missing inputs give missing indicators
(never zero); nothing is dropped.

Units: 1 亩 = 666.67 m² (10,000 / 15); money in 万元 per year; per-area values in 万元/亩 and
亿元/km².
"""

from __future__ import annotations

import datetime as _dt

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from zoning.io.columns import QUALITY_LEVELS, parse_quality
from zoning.units import M2_PER_MU

__all__ = ["M2_PER_MU", "compute_indicators"]

#: square metres per 亩 (mu)

_OUTPUT_COLUMNS = [
    "land_area_m2", "land_area_mu", "land_area_ha", "far", "building_age", "legal_ratio",
    "quality_rank", "output_wan_per_mu", "tax_wan_per_mu", "output_yi_per_km2", "tax_yi_per_km2",
    "value_added_wan_per_mu", "energy_tce_per_wan_va", "value_added_wan_per_tce", "current_class",
    "planned_class",
]


def _col(parcels: pd.DataFrame, name: str) -> np.ndarray:
    if name in parcels:
        return pd.to_numeric(parcels[name], errors="coerce").to_numpy(dtype="float64")
    return np.full(len(parcels), np.nan)


def _div(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    with np.errstate(divide="ignore", invalid="ignore"):
        out = a / b
    out[~np.isfinite(out)] = np.nan
    return out


def compute_indicators(parcels: gpd.GeoDataFrame, *, reference_year: int | None = None,
                       landuse: dict | None = None) -> pd.DataFrame:
    """Compute the indicators the rule packs test, aligned to ``parcels.index``.

    Parameters
    ----------
    parcels
        Canonical parcels (see :func:`zoning.read_parcels`). Data in degrees or Web Mercator
        is re-projected for the areas (with a :class:`~zoning.errors.CRSWarning`).
    reference_year
        Year building ages are counted to (default: this year).
    landuse
        Land-use columns already parsed, e.g. ``ValidationReport.landuse`` (saves parsing
        them again); columns not in it are parsed here.

    Returns
    -------
    DataFrame
        ``land_area_m2`` / ``_mu`` / ``_ha`` (from the geometry), ``far`` (floor area / land
        area), ``building_age`` (reference year − year built), ``legal_ratio`` (given, or legal
        area / land area), ``quality_rank`` (poor 1, fair 2, good 3), ``output_wan_per_mu``,
        ``tax_wan_per_mu``, ``output_yi_per_km2``, ``tax_yi_per_km2``,
        ``value_added_wan_per_mu``, ``energy_tce_per_wan_va`` (tce per 万元 value added, the
        High-Tech Park benchmark is 0.113), its inverse ``value_added_wan_per_tce`` (万元 per
        tce) and the parsed land-use classes ``current_class`` / ``planned_class``. A missing
        or zero input gives NaN, never 0; a parcel without area (no geometry) gives NaN for
        every per-area indicator.

    Examples
    --------
    >>> import geopandas as gpd
    >>> from shapely import box
    >>> p = gpd.GeoDataFrame({"floor_area_m2": [15000.0], "year_built": [2000.0],
    ...                       "legal_area_m2": [4000.0], "output_wan": [3000.0], "tax_wan": [150.0]},
    ...                      geometry=[box(0, 0, 100, 100)], crs="EPSG:4547")
    >>> ind = compute_indicators(p, reference_year=2025)
    >>> ind.loc[0, ["far", "building_age", "legal_ratio", "output_wan_per_mu", "tax_wan_per_mu"]].round(2).tolist()
    [1.5, 25.0, 0.4, 200.0, 10.0]
    """
    from zoning.io.crs import ensure_metric_crs, is_metric
    from zoning.io.landuse import parse_landuse

    geo = parcels if (parcels.crs is not None and is_metric(parcels.crs)) else ensure_metric_crs(parcels)
    year = reference_year or _dt.date.today().year
    area = shapely.area(geo.geometry.to_numpy())
    area = np.where(np.isfinite(area) & (area > 0), area, np.nan)
    mu = area / M2_PER_MU
    out: dict[str, object] = {
        "land_area_m2": area,
        "land_area_mu": mu,
        "land_area_ha": area / 1e4,
        "far": _div(_col(parcels, "floor_area_m2"), area),
        "building_age": year - _col(parcels, "year_built"),
    }
    if "legal_ratio" in parcels:
        legal = _col(parcels, "legal_ratio")
        if "legal_area_m2" in parcels:  # fill gaps from the area column
            legal = np.where(np.isnan(legal), _div(_col(parcels, "legal_area_m2"), area), legal)
    else:
        legal = _div(_col(parcels, "legal_area_m2"), area)
    out["legal_ratio"] = legal
    if "building_quality" in parcels:  # good/fair/poor, or raw labels such as 好/一般/差
        labels, uniques = pd.factorize(parcels["building_quality"].astype(object), use_na_sentinel=True)
        ranks = np.array([QUALITY_LEVELS.get(parse_quality(u) or "", np.nan) for u in uniques] + [np.nan], dtype="float64")
        out["quality_rank"] = ranks[labels]
    else:
        out["quality_rank"] = np.full(len(parcels), np.nan)
    output, tax = _col(parcels, "output_wan"), _col(parcels, "tax_wan")
    km2 = area / 1e6
    out["output_wan_per_mu"] = _div(output, mu)
    out["tax_wan_per_mu"] = _div(tax, mu)
    out["output_yi_per_km2"] = _div(output / 1e4, km2)
    out["tax_yi_per_km2"] = _div(tax / 1e4, km2)
    va = _col(parcels, "value_added_wan")
    out["value_added_wan_per_mu"] = _div(va, mu)
    energy = _col(parcels, "energy_tce")
    out["energy_tce_per_wan_va"] = _div(energy, va)
    out["value_added_wan_per_tce"] = _div(va, energy)
    for col, name in (("current_use", "current_class"), ("planned_use", "planned_class")):
        if col not in parcels:
            out[name] = pd.Categorical([None] * len(parcels))
            continue
        lu = (landuse or {}).get(col)
        code = (lu if lu is not None and len(lu.code) == len(parcels) else parse_landuse(parcels[col])).code
        out[name] = pd.Categorical(code)  # a few distinct classes: categorical is small and fast
    df = pd.DataFrame(out, index=parcels.index)[_OUTPUT_COLUMNS]
    if "firm_score" in parcels:  # optional: a per-mu score carried to the parcels (zoning.evaluate_firms)
        df["firm_score"] = _col(parcels, "firm_score")
    return df
