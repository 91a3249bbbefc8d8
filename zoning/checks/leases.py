"""Tenants in retain-upgrade areas with leases shorter than the pack's minimum."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import geopandas as gpd
import numpy as np
import pandas as pd

from zoning.errors import (
    InputError,
    RulePackError,
)

if TYPE_CHECKING:  # pragma: no cover

    from zoning.rules.schema import Criterion, RulePack
from zoning.checks._common import (
    _columns_text,
    _evaluate,
    _number,
    _table_input,
    _thr,
)
from zoning.checks.blocks import _parcel_ids


def _lease_rule(pack: RulePack) -> tuple[Criterion, list[str]]:
    if pack.tenants is not None:
        return pack.criterion(pack.tenants.min_lease), list(pack.tenants.zones)
    msg = f"rule pack '{pack.pack.name}' has no [tenants] lease rule; use rules='shenzhen-2020'"
    raise RulePackError(msg)


def short_leases(
    parcels: Any,
    *,
    rules: str | Path | RulePack = "shenzhen-2020",
    overrides: Mapping[str, Any] | None = None,
    zone_column: str = "zone",
    zones: Sequence[str] | None = None,
    min_years: float | None = None,
) -> pd.DataFrame:
    """Tenants in retain-upgrade areas with leases shorter than 5 years (Shenzhen 2020, 000 §三(二)).

    Parameters
    ----------
    parcels
        Zoned parcels (a :class:`~zoning.ZoningResult` or its ``.parcels``) with
        ``lease_years`` (租约年限).
    rules, overrides
        The pack holding the lease rule (``shenzhen-2020``: ≥ 5 years, code SZ-L1).
    zone_column, zones
        Column with the zone of each parcel, and the zones checked (default: the rule's,
        ``retain_upgrade``).
    min_years
        Override the minimum lease (years).

    Returns
    -------
    DataFrame
        Aligned to the parcels: ``parcel_id``, ``zone``, ``lease_years``, ``threshold``,
        ``status`` (``short``, ``ok``, ``missing`` or ``""`` outside the zones), ``short_lease``
        and ``fix``.

    Raises
    ------
    InputError
        No lease column or no zone column.

    Examples
    --------
    >>> import geopandas as gpd, shapely
    >>> p = gpd.GeoDataFrame({"parcel_id": ["a", "b", "c"], "zone": ["retain_upgrade", "retain_upgrade", "unzoned"],
    ...                       "lease_years": [3, 8, 1]}, geometry=[shapely.box(0, 0, 1, 1)] * 3, crs=4547)
    >>> short_leases(p)[["status", "short_lease"]].values.tolist()
    [['short', True], ['ok', False], ['', False]]
    """
    from zoning.rules import load_rules

    pack = load_rules(rules)
    c, default_zones = _lease_rule(pack)
    if overrides:
        from zoning.rules.loader import apply_overrides

        holder = pack.model_copy(update={"criteria": [*pack.criteria, c]}) if c.code not in {x.code for x in pack.criteria} else pack
        c = apply_overrides(holder, overrides).criterion(c.code)
    if min_years is not None:
        c = c.model_copy(update={"value": float(min_years), "unit": "years"})
    if hasattr(parcels, "parcels") and hasattr(parcels, "zones"):
        parcels = parcels.parcels
    df = _table_input(parcels, ["lease_years", zone_column], "parcels")
    if "lease_years" not in df.columns:
        msg = f"no lease column (租约年限 / 租期 / lease_years): the short-lease check needs it; columns are {_columns_text(df)}"
        raise InputError(msg)
    if zone_column not in df.columns:
        msg = (f"no {zone_column!r} column: run zoning.run(...) first and pass its result, or name the zone column "
               f"with zone_column=; columns are {_columns_text(df)}")
        raise InputError(msg)
    zs = list(zones) if zones is not None else default_zones
    zone = df[zone_column].astype("string").to_numpy(dtype=object, na_value=None)
    inside = np.isin(zone, zs)
    lease = _number(df, "lease_years")
    st, _ = _evaluate(c, lease, inside)
    thr = _thr(c)
    status = np.where(st == "fail", "short", np.where(st == "pass", "ok", st))
    out = pd.DataFrame({"parcel_id": pd.array(_parcel_ids(df), dtype="string"), "zone": pd.array(zone, dtype="string"),
                        "lease_years": lease, "threshold": thr, "status": status, "short_lease": status == "short"}, index=df.index)
    out["fix"] = [f"{c.code}: lease {lease[i]:.0f} < {thr:.0f} years — the district to broker a lease of at least {thr:.0f} years with the owner"
                  if status[i] == "short" else "" for i in range(len(df))]
    if isinstance(df, gpd.GeoDataFrame):
        out = gpd.GeoDataFrame(out, geometry=df.geometry.array, crs=df.crs, index=df.index)
    return out
