"""Scenario comparison: what changed between two runs, how much, and where."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import geopandas as gpd
import numpy as np
import pandas as pd

from zoning.errors import InputError
from zoning.units import ZONES

__all__ = ["Comparison", "compare"]


@dataclass(frozen=True)
class Comparison:
    """Output of :func:`compare`.

    Attributes
    ----------
    matrix_parcels, matrix_km2
        From → to matrices (rows: zone in ``a``, columns: zone in ``b``) in parcels and km².
    by_zone
        Per zone: km² and share of the stock in each run, the change, and the target share.
    parcels
        GeoDataFrame of every parcel: ``parcel_id``, ``zone_a``, ``zone_b``, ``changed``,
        ``land_area_m2`` (and ``cluster_id_a`` / ``cluster_id_b`` when known).
    areas
        Per contiguous area of ``a`` that lost or gained land: parcels and km² that changed zone.
    labels
        Names of the two runs.
    """

    matrix_parcels: pd.DataFrame
    matrix_km2: pd.DataFrame
    by_zone: pd.DataFrame
    parcels: gpd.GeoDataFrame
    areas: pd.DataFrame
    labels: tuple[str, str]
    rules_name: str = "shenzhen-2020"

    @property
    def changed(self) -> gpd.GeoDataFrame:
        """The parcels whose zone differs."""
        return self.parcels[self.parcels["changed"]]

    def __repr__(self) -> str:
        n = int(self.parcels["changed"].sum())
        km2 = float(self.parcels.loc[self.parcels["changed"], "land_area_m2"].sum() / 1e6)
        return f"Comparison({self.labels[0]} → {self.labels[1]}: {n} parcels, {km2:.2f} km² changed zone)"

    def summary(self) -> str:
        """Plain-text summary: changed parcels and the change per zone."""
        lines = [repr(self)]
        for z, r in self.by_zone.iterrows():
            if z == "not_industrial":
                continue
            tgt = f", target {r['target_share']:.1%}" if np.isfinite(r["target_share"]) else ""
            lines.append(f"  {z:<20} {r['km2_a']:7.2f} → {r['km2_b']:7.2f} km² ({r['change_km2']:+.2f}); "
                         f"share {r['share_a']:.1%} → {r['share_b']:.1%}{tgt}")
        return "\n".join(lines)

    def plot(self, *, ax: Any = None, lang: Literal["en", "zh"] = "en") -> Any:
        """Diff map: changed parcels in their new zone's colour, outlined in their old one's."""
        from zoning.scenarios.plots import plot_diff

        return plot_diff(self, ax=ax, lang=lang)

    def to_file(self, path: str | os.PathLike[str], *, overwrite: bool = True) -> Path:
        """Write layers ``changed`` (parcels), ``matrix_parcels``, ``matrix_km2``, ``by_zone`` and ``areas``."""
        from zoning.io.write import write_layers

        changed = self.changed.copy()
        for c in changed.columns:
            if isinstance(changed[c].dtype, pd.CategoricalDtype):
                changed[c] = changed[c].astype(str)
        return write_layers({"changed": changed,
                             "matrix_parcels": self.matrix_parcels.rename_axis("from").reset_index(),
                             "matrix_km2": self.matrix_km2.rename_axis("from").reset_index(),
                             "by_zone": self.by_zone.rename_axis("zone").reset_index(),
                             "areas": self.areas}, path, overwrite=overwrite)


def _as_frame(x: Any) -> tuple[gpd.GeoDataFrame, dict[str, Any], str]:
    """(parcels with parcel_id, zone, land_area_m2, cluster_id?, geometry; targets; label)."""
    from zoning.stages.result import ZoningResult

    if isinstance(x, ZoningResult):
        targets = {z: float(x.summary.loc[z, "target_share"]) for z in ZONES[:3]}
        return x.parcels, targets, f"{x.rules.pack.name} {x.settings.mode}"
    if isinstance(x, (str, os.PathLike)):
        import pyogrio

        p = Path(x)
        if not p.exists():
            msg = f"file not found: {p}"
            raise InputError(msg)
        layers = [str(n) for n, _ in pyogrio.list_layers(p)] if p.suffix.lower() == ".gpkg" else []
        gdf = gpd.read_file(p, layer="parcels", engine="pyogrio") if "parcels" in layers else gpd.read_file(p, engine="pyogrio")
        targets = {}
        if "summary" in layers:
            s = pyogrio.read_dataframe(p, layer="summary")
            if "target_share" in s:
                targets = {str(z): float(v) for z, v in zip(s["zone"], s["target_share"], strict=True)}
        return gdf, targets, p.stem
    if isinstance(x, gpd.GeoDataFrame):
        return x, {}, "b"
    msg = f"compare takes ZoningResults, GeoDataFrames or paths to `zoning classify` outputs; got {type(x).__name__}"
    raise InputError(msg)


def compare(a: Any, b: Any, *, labels: tuple[str, str] | None = None) -> Comparison:
    """Compare two zonings of the same parcels.

    Parameters
    ----------
    a, b
        :class:`zoning.ZoningResult`, GeoDataFrames with ``parcel_id`` and ``zone``, or paths to
        files written by ``zoning classify`` / :meth:`ZoningResult.to_file`. Parcels are matched
        by ``parcel_id``.
    labels
        Names of the two runs (default: from the pack and mode, or the file names).

    Returns
    -------
    Comparison

    Examples
    --------
    >>> import zoning
    >>> path = zoning.datasets.get_path("parcels")
    >>> c = zoning.compare(zoning.run(path, reference_year=2025), zoning.run(path, reference_year=2025, mode="quota"))
    >>> int(c.matrix_parcels.to_numpy().sum()) == len(c.parcels)
    True
    """
    fa, ta, la = _as_frame(a)
    fb, tb, lb = _as_frame(b)
    labels = labels or (la, lb if lb != la else f"{lb} (b)")
    for name, f in (("a", fa), ("b", fb)):
        missing = [c for c in ("parcel_id", "zone") if c not in f.columns]
        if missing:
            msg = f"run {name} has no column(s) {missing}; compare needs parcel_id and zone (outputs of zoning classify)"
            raise InputError(msg)
    ida, idb = fa["parcel_id"].astype(str), fb["parcel_id"].astype(str)
    for name, ids in (("a", ida), ("b", idb)):
        if ids.duplicated().any():
            msg = f"run {name} has duplicate parcel_id values (e.g. {ids[ids.duplicated()].iloc[0]!r}); ids must be unique"
            raise InputError(msg)
    only_a, only_b = sorted(set(ida) - set(idb)), sorted(set(idb) - set(ida))
    if only_a or only_b:
        msg = (f"the two runs are not of the same parcels: {len(only_a)} only in {labels[0]} (e.g. {only_a[:3]}), "
               f"{len(only_b)} only in {labels[1]} (e.g. {only_b[:3]})")
        raise InputError(msg)
    pos_b = pd.Series(np.arange(len(idb)), index=idb.to_numpy())[ida.to_numpy()].to_numpy()
    za = pd.Categorical(fa["zone"].astype(str).to_numpy(), categories=list(ZONES))
    zb = pd.Categorical(fb["zone"].astype(str).to_numpy()[pos_b], categories=list(ZONES))
    if "land_area_m2" in fa:
        area = pd.to_numeric(fa["land_area_m2"], errors="coerce").to_numpy(dtype="float64")
    else:
        area = fa.geometry.area.to_numpy(dtype="float64")
    area = np.nan_to_num(area, nan=0.0)
    changed = np.asarray(za) != np.asarray(zb)
    cols: dict[str, Any] = {"parcel_id": ida.to_numpy(), "zone_a": za, "zone_b": zb, "changed": changed,
                            "land_area_m2": area}
    if "cluster_id" in fa:
        cols["cluster_id_a"] = fa["cluster_id"].astype(object).to_numpy()
    if "cluster_id" in fb:
        cols["cluster_id_b"] = fb["cluster_id"].astype(object).to_numpy()[pos_b]
    parcels = gpd.GeoDataFrame(cols, geometry=fa.geometry.to_numpy(), crs=fa.crs, index=fa.index)
    mp = pd.crosstab(pd.Series(za, name="from"), pd.Series(zb, name="to"), dropna=False).reindex(index=list(ZONES), columns=list(ZONES), fill_value=0)
    mk = (pd.crosstab(pd.Series(za, name="from"), pd.Series(zb, name="to"), values=area / 1e6, aggfunc="sum", dropna=False)
          .reindex(index=list(ZONES), columns=list(ZONES)).fillna(0.0))
    mp.index.name = mk.index.name = f"from ({labels[0]})"
    mp.columns.name = mk.columns.name = f"to ({labels[1]})"
    stock_a = float(area[np.isin(np.asarray(za), ZONES[:4])].sum())
    stock_b = float(area[np.isin(np.asarray(zb), ZONES[:4])].sum())
    rows = {}
    for z in ZONES:
        ka = float(area[np.asarray(za) == z].sum() / 1e6)
        kb = float(area[np.asarray(zb) == z].sum() / 1e6)
        t = tb.get(z, ta.get(z, np.nan))
        rows[z] = {"km2_a": ka, "km2_b": kb, "change_km2": kb - ka,
                   "share_a": ka * 1e6 / stock_a if stock_a and z != "not_industrial" else np.nan,
                   "share_b": kb * 1e6 / stock_b if stock_b and z != "not_industrial" else np.nan,
                   "target_share": float(t) if t is not None else np.nan,
                   "parcels_in": int(((np.asarray(zb) == z) & changed).sum()),
                   "parcels_out": int(((np.asarray(za) == z) & changed).sum())}
    by_zone = pd.DataFrame.from_dict(rows, orient="index")
    by_zone["gap_to_target_pp_a"] = (by_zone["share_a"] - by_zone["target_share"]) * 100
    by_zone["gap_to_target_pp_b"] = (by_zone["share_b"] - by_zone["target_share"]) * 100
    if "cluster_id_a" in cols:
        df = pd.DataFrame({"cluster_id": cols["cluster_id_a"], "zone": np.asarray(za), "changed": changed, "km2": area / 1e6})
        df = df[df["cluster_id"].notna() & (df["cluster_id"].astype(str) != "")]
        areas = (df.groupby(["cluster_id", "zone"], observed=True)
                 .agg(parcels=("changed", "size"), changed_parcels=("changed", "sum"), km2=("km2", "sum"),
                      changed_km2=("km2", lambda s: float(s[df.loc[s.index, "changed"]].sum())))
                 .reset_index())
        areas = areas[areas["changed_parcels"] > 0].sort_values("changed_km2", ascending=False).reset_index(drop=True)
    else:
        areas = pd.DataFrame(columns=["cluster_id", "zone", "parcels", "changed_parcels", "km2", "changed_km2"])
    name = "shenzhen-2020"
    from zoning.stages.result import ZoningResult

    if isinstance(a, ZoningResult):
        name = a.rules.pack.name
    return Comparison(mp, mk, by_zone, parcels, areas, (str(labels[0]), str(labels[1])), name)
