"""Tenants in retain-upgrade areas with leases shorter than the pack's minimum."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar

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
from zoning.checks._result import CheckResult, _deprecated
from zoning.checks.blocks import _parcel_ids
from zoning.units import FAIL, MISSING, NOT_TESTED, PASS


def _lease_rule(pack: RulePack) -> tuple[Criterion, list[str]]:
    if pack.tenants is not None:
        return pack.criterion(pack.tenants.min_lease), list(pack.tenants.zones)
    msg = f"rule pack '{pack.pack.name}' has no [tenants] lease rule; use rules='shenzhen-2020'"
    raise RulePackError(msg)


@dataclass(repr=False, kw_only=True)
class LeaseCheck(CheckResult):
    """Result of :func:`check_leases` (a :class:`~zoning.checks.CheckResult`).

    ``parcels`` is aligned to the input: ``parcel_id``, ``zone``, ``lease_years``,
    ``threshold``, ``passes``, ``status`` (``fail`` — a lease shorter than the minimum —,
    ``pass``, ``missing`` or ``""`` outside the checked zones) and ``fix``.
    """

    title: ClassVar[str] = "Tenant leases"
    listing: ClassVar[bool] = True
    parcels: pd.DataFrame

    def layers(self) -> dict[str, pd.DataFrame]:
        """``short_leases`` (the tenants to follow up) and ``parcels`` (all in the checked zones)."""
        st = self.parcels["status"].to_numpy()
        return {"short_leases": self.parcels[st == FAIL], "parcels": self.parcels[st != NOT_TESTED]}

    def summary(self, *, max_rows: int = 30) -> str:
        """How many tenants in the checked zones have short leases, and the first of them.

        Examples
        --------
        >>> import geopandas as gpd, shapely
        >>> p = gpd.GeoDataFrame({"parcel_id": ["a"], "zone": ["retain_upgrade"], "lease_years": [3]},
        ...                      geometry=[shapely.box(0, 0, 1, 1)], crs=4547)
        >>> print(check_leases(p).summary().splitlines()[0])
        1 of 1 parcels in the checked zones have a lease under 5 years (0 without lease data) — shenzhen-2020 SZ-L1
        """
        r = self.parcels
        short = r[r["status"] == FAIL]
        checked = int((r["status"] != NOT_TESTED).sum())
        thr = float(r["threshold"].iloc[0]) if len(r) else float("nan")
        c = self.rules.tenants.min_lease if self.rules.tenants else ""
        lines = [f"{len(short)} of {checked} parcels in the checked zones have a lease under {thr:g} years "
                 f"({int((r['status'] == MISSING).sum())} without lease data) — {self.rules.pack.name} {c}"]
        for _, row in short.head(max_rows).iterrows():
            lines.append(f"  {row['parcel_id']}: {row['fix']}")
        if len(short) > max_rows:
            lines.append(f"  … {len(short) - max_rows} more")
        lines += self._notes()
        return "\n".join(lines)


def check_leases(
    parcels: Any,
    *,
    rules: str | Path | RulePack = "shenzhen-2020",
    overrides: Mapping[str, Any] | None = None,
    zone_column: str = "zone",
    zones: Sequence[str] | None = None,
    min_years: float | None = None,
) -> LeaseCheck:
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
    LeaseCheck
        ``.parcels`` aligned to the input: ``parcel_id``, ``zone``, ``lease_years``,
        ``threshold``, ``passes``, ``status`` (``fail`` = a short lease, ``pass``,
        ``missing`` or ``""`` outside the zones) and ``fix``.

    Raises
    ------
    InputError
        No lease column or no zone column.

    Examples
    --------
    >>> import geopandas as gpd, shapely
    >>> p = gpd.GeoDataFrame({"parcel_id": ["a", "b", "c"], "zone": ["retain_upgrade", "retain_upgrade", "unzoned"],
    ...                       "lease_years": [3, 8, 1]}, geometry=[shapely.box(0, 0, 1, 1)] * 3, crs=4547)
    >>> check_leases(p).parcels[["status", "passes"]].values.tolist()
    [['fail', False], ['pass', True], ['', True]]
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
    status, met = _evaluate(c, lease, inside)
    thr = _thr(c)
    out = pd.DataFrame({"parcel_id": pd.array(_parcel_ids(df), dtype="string"), "zone": pd.array(zone, dtype="string"),
                        "lease_years": lease, "threshold": thr, "passes": met, "status": status}, index=df.index)
    out["fix"] = [f"{c.code}: lease {lease[i]:.0f} < {thr:.0f} years — the district to broker a lease of at least {thr:.0f} years with the owner"
                  if status[i] == FAIL else "" for i in range(len(df))]
    if isinstance(df, gpd.GeoDataFrame):
        out = gpd.GeoDataFrame(out, geometry=df.geometry.array, crs=df.crs, index=df.index)
    return LeaseCheck(parcels=out, rules=pack)


def short_leases(*args: Any, **kwargs: Any) -> pd.DataFrame:
    """Deprecated: ``check_leases(...).parcels`` in the old shape (status ``short`` / ``ok``
    and a ``short_lease`` column)."""
    _deprecated("short_leases", "check_leases", "(...).parcels")
    p = check_leases(*args, **kwargs).parcels.copy()
    p["status"] = p["status"].map({FAIL: "short", PASS: "ok"}).fillna(p["status"])
    p["short_lease"] = p["status"] == "short"
    p = p.drop(columns="passes")
    cols = ["parcel_id", "zone", "lease_years", "threshold", "status", "short_lease", "fix"]
    return p[[*cols, *[c for c in p.columns if c not in cols]]]
