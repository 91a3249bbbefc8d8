"""占补平衡: block area removed and added per district between an old and a revised block layer."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from zoning.errors import (
    InputError,
    Problem,
    RulePackError,
)
from zoning.units import FAIL, M2_PER_MU, PASS

if TYPE_CHECKING:  # pragma: no cover

    from zoning.rules.schema import RulePack
from zoning.checks._common import (
    _ALL,
    _NO_DISTRICT,
    _block_ids,
    _clean_geometries,
    _columns_text,
    _compare,
    _district_of_blocks,
    _geoms,
    _load,
    _prepare_blocks,
    _rule,
    _section,
    _thr,
    area_text,
)
from zoning.checks._result import CheckResult, _deprecated, text_table


@dataclass(repr=False, kw_only=True)
class BalanceCheck(CheckResult):
    """Result of :func:`check_balance` (占补平衡; a :class:`~zoning.checks.CheckResult`).

    Attributes
    ----------
    districts
        Indexed by district: ``before_m2``, ``after_m2`` (block area), ``removed_m2``,
        ``added_m2``, ``net_m2`` (added − removed), ``threshold_m2``, ``passes``, ``status``
        (``pass`` / ``fail``), ``shortfall_m2``, ``shortfall_mu``, ``removed_blocks``,
        ``added_blocks``, ``fix``.
    changes
        The removed and added pieces: ``change`` (``removed`` / ``added``), ``district``,
        ``block_id`` (the old block a removed piece came from, the new block an added piece
        belongs to), ``area_m2``, ``area_mu`` and the geometry.
    blocks
        One row per block id in either layer: ``before_m2``, ``after_m2``, ``removed_m2``,
        ``added_m2`` and ``change`` (``unchanged``, ``removed``, ``new``, ``reduced``,
        ``enlarged`` or ``reshaped``).
    """

    title: ClassVar[str] = "占补平衡"
    districts: pd.DataFrame
    changes: gpd.GeoDataFrame
    blocks: pd.DataFrame

    def layers(self) -> dict[str, pd.DataFrame]:
        """``districts``, ``changes`` and ``blocks``."""
        return {"districts": self.districts, "changes": self.changes, "blocks": self.blocks}

    def summary(self) -> str:
        """Per district: removed, added, net and whether the balance holds.

        Examples
        --------
        >>> import zoning
        >>> bal = zoning.check_balance(zoning.read_blocks(zoning.datasets.get_path("blocks")),
        ...                            zoning.read_blocks(zoning.datasets.get_path("blocks_revised")))
        >>> print(bal.summary().splitlines()[0])
        占补平衡 against guangzhou-2023 GZ-K1 ≥ 0.00 ha: 5 of 6 district(s) balanced
        """
        c = _section(self.rules, "blocks", "balance")
        d = self.districts
        lines = [f"占补平衡 against {self.rules.pack.name} {_rule(c)}: {int(d['passes'].sum())} of {len(d)} district(s) balanced"]
        rows = [[str(k), f"{r['before_m2'] / 1e6:,.3f}", f"{r['after_m2'] / 1e6:,.3f}", f"{r['removed_m2'] / 1e6:,.3f}",
                 f"{r['added_m2'] / 1e6:,.3f}", f"{r['net_m2'] / 1e6:+,.3f}", r["status"]] for k, r in d.iterrows()]
        lines += text_table(rows, ["district", "before km²", "after km²", "removed", "added", "net", "status"], {1, 2, 3, 4, 5})
        for name, r in d.iterrows():
            if r["removed_m2"] > 0 or r["added_m2"] > 0 or not r["passes"]:
                lines.append(f"  {name}: removed {area_text(r['removed_m2'])}, added {area_text(r['added_m2'])}, "
                             f"net {'+' if r['net_m2'] >= 0 else '−'}{area_text(abs(r['net_m2']))}"
                             + (" — balanced" if r["passes"] else f" — NOT balanced: {r['fix']}"))
        ch = self.blocks[self.blocks["change"] != "unchanged"]
        if len(ch):
            lines.append("Changed blocks: " + ", ".join(f"{k} {r['change']}" for k, r in ch.iterrows()))
        lines += self._notes()
        return "\n".join(lines)

    def __repr__(self) -> str:
        d = self.districts
        return f"BalanceCheck({self.rules.pack.name}: {int(d['passes'].sum())} of {len(d)} districts balanced, {len(self.changes)} changed pieces)"


def check_balance(
    old_blocks: gpd.GeoDataFrame,
    new_blocks: gpd.GeoDataFrame,
    *,
    district_column: str | None = None,
    id_column: str | None = None,
    rules: str | Path | RulePack = "guangzhou-2023",
    overrides: Mapping[str, Any] | None = None,
) -> BalanceCheck:
    """占补平衡: block area removed and added per district between two block layers.

    Parameters
    ----------
    old_blocks, new_blocks
        The block layer before and after a revision (see :func:`zoning.read_blocks`). The new
        layer is re-projected to the old one's CRS if they differ.
    district_column
        The district column of both layers (default: the first of district / 行政区 / 所属区 …).
        Without one, the whole layer is one district ``"(all)"``.
    id_column
        The block id column of both layers (default: 区块编号 / block_id / 编号 / id).
    rules, overrides
        A pack with ``[blocks] balance`` (``GZ-K1``: added − removed ≥ 0 per district) and the
        ``min_change_m2`` parameter (smaller pieces are digitising noise).

    Returns
    -------
    BalanceCheck
        ``.districts`` (removed_m2, added_m2, net_m2, passes, status, fix), ``.changes`` (the
        pieces, ``change`` = ``"removed"`` / ``"added"``), ``.blocks`` (change per block id).

    Notes
    -----
    Per district, removed = old blocks minus new blocks, added = new minus old (unions, so
    overlapping blocks count once). The balance is the area test of 占补平衡; 先补后占 (add
    before removing) is about sequence and needs approval dates, which block layers lack.

    Examples
    --------
    >>> import zoning
    >>> old = zoning.read_blocks(zoning.datasets.get_path("blocks"))
    >>> new = zoning.read_blocks(zoning.datasets.get_path("blocks_revised"))
    >>> bal = check_balance(old, new)
    >>> r = bal.districts.loc["龙华区"]
    >>> round(r["removed_m2"]), round(r["added_m2"]), bool(r["passes"])
    (756607, 0, False)
    >>> sorted(bal.changes["change"].unique())
    ['added', 'removed']
    """
    pack = _load(rules, overrides, "blocks", "check 占补平衡")
    assert pack.blocks is not None
    if pack.blocks.balance is None:
        msg = f"rule pack '{pack.pack.name}' has no [blocks] balance criterion (占补平衡)"
        raise RulePackError(msg)
    c = pack.criterion(pack.blocks.balance)
    min_piece = pack.parameter("min_change_m2")
    min_m2 = min_piece.value if min_piece is not None else 0.0
    problems: list[Problem] = []
    from zoning.io.crs import ensure_metric_crs, is_metric

    old = _prepare_blocks(old_blocks, None, problems, what="old blocks")
    if not is_metric(old.crs):
        old = ensure_metric_crs(old, name="old blocks")
    new = _prepare_blocks(new_blocks, old.crs, problems, what="new blocks")
    _, old_ids = _block_ids(old, id_column, problems)
    _, new_ids = _block_ids(new, id_column, problems)
    og = _clean_geometries(_geoms(old), list(old_ids), "old blocks", problems)
    ng = _clean_geometries(_geoms(new), list(new_ids), "new blocks", problems)
    dco, dcn = _district_of_blocks(old, district_column), _district_of_blocks(new, district_column)
    if (dco is None) != (dcn is None):
        which = "old" if dco is None else "new"
        msg = (f"the {which} block layer has no district column while the other has one; columns are "
               f"{_columns_text(old if dco is None else new)}. Pass district_column= (CLI: --district-column)")
        raise InputError(msg)
    if dco is None:
        od = np.full(len(old), _ALL, dtype=object)
        nd = np.full(len(new), _ALL, dtype=object)
        problems.append(Problem("info", "no_district", "the block layers have no district column: one balance for the whole layer"))
    else:
        od = old[dco].astype("string").fillna(_NO_DISTRICT).to_numpy(dtype=object)
        nd = new[dcn].astype("string").fillna(_NO_DISTRICT).to_numpy(dtype=object)

    thr_m2 = _thr(c) * 1e4  # block_area_balance_ha is in ha
    rows, pieces = [], []
    for d in sorted(set(od) | set(nd)):
        before = shapely.union_all(og[od == d]) if (od == d).any() else shapely.Polygon()
        after = shapely.union_all(ng[nd == d]) if (nd == d).any() else shapely.Polygon()
        for kind, geom, src_g, src_ids in (("removed", shapely.difference(before, after), og[od == d], old_ids[od == d]),
                                           ("added", shapely.difference(after, before), ng[nd == d], new_ids[nd == d])):
            parts = [g for g in shapely.get_parts(geom) if g.geom_type == "Polygon"] if geom is not None and not geom.is_empty else []
            for g in parts:
                a = g.area
                if a < min_m2:
                    continue
                ov = shapely.area(shapely.intersection(src_g, g)) if len(src_g) else np.zeros(0)
                bid = str(src_ids[int(np.argmax(ov))]) if len(ov) and ov.max() > 0 else ""
                pieces.append({"change": kind, "district": d, "block_id": bid, "area_m2": a, "area_mu": a / M2_PER_MU, "geometry": g})
        rows.append({"district": d, "before_m2": before.area, "after_m2": after.area})
    changes = gpd.GeoDataFrame(pieces, columns=["change", "district", "block_id", "area_m2", "area_mu", "geometry"],
                               geometry="geometry", crs=old.crs)
    t = pd.DataFrame(rows).set_index("district")
    for kind in ("removed", "added"):
        sel = changes[changes["change"] == kind]
        t[f"{kind}_m2"] = sel.groupby("district")["area_m2"].sum().reindex(t.index).fillna(0.0)
        t[f"{kind}_blocks"] = sel.groupby("district")["block_id"].agg(lambda s: ", ".join(sorted({x for x in s if x}))).reindex(t.index).fillna("")
    t["net_m2"] = t["added_m2"] - t["removed_m2"]
    t["threshold_m2"] = thr_m2
    t["passes"] = _compare(t["net_m2"].to_numpy() / 1e4, c.op, _thr(c))
    t["status"] = np.where(t["passes"], PASS, FAIL)
    t["shortfall_m2"] = np.where(t["passes"], 0.0, np.maximum(thr_m2 - t["net_m2"], 0.0))
    t["shortfall_mu"] = t["shortfall_m2"] / M2_PER_MU
    fixes = []
    for name, r in t.iterrows():
        if r["passes"]:
            fixes.append("")
            continue
        fixes.append(f"add {area_text(r['shortfall_m2'])} of new block area in {name} to offset the removal "
                     f"({r['removed_blocks'] or 'no block id'}), e.g. over planned industrial land outside blocks; "
                     "先补后占: add it before the removal takes effect")
    t["fix"] = fixes
    t = t[["before_m2", "after_m2", "removed_m2", "added_m2", "net_m2", "threshold_m2", "passes", "status", "shortfall_m2",
           "shortfall_mu", "removed_blocks", "added_blocks", "fix"]]
    return BalanceCheck(districts=t, changes=changes, blocks=_block_changes(old_ids, og, new_ids, ng, min_m2),
                        rules=pack, problems=problems)


def _block_changes(old_ids: np.ndarray, og: np.ndarray, new_ids: np.ndarray, ng: np.ndarray, min_m2: float) -> pd.DataFrame:
    old = pd.Series(list(og), index=old_ids).groupby(level=0).agg(lambda s: shapely.union_all(list(s)))
    new = pd.Series(list(ng), index=new_ids).groupby(level=0).agg(lambda s: shapely.union_all(list(s)))
    rows = []
    for bid in sorted(set(old.index) | set(new.index)):
        a = old.get(bid)
        b = new.get(bid)
        before = 0.0 if a is None else a.area
        after = 0.0 if b is None else b.area
        removed = before if b is None else (0.0 if a is None else shapely.difference(a, b).area)
        added = after if a is None else (0.0 if b is None else shapely.difference(b, a).area)
        removed, added = (0.0 if removed < min_m2 else removed), (0.0 if added < min_m2 else added)
        if a is None:
            kind = "new"
        elif b is None:
            kind = "removed"
        elif removed == 0 and added == 0:
            kind = "unchanged"
        elif added == 0:
            kind = "reduced"
        elif removed == 0:
            kind = "enlarged"
        else:
            kind = "reshaped"
        rows.append({"block_id": bid, "before_m2": before, "after_m2": after, "removed_m2": removed, "added_m2": added, "change": kind})
    return pd.DataFrame(rows).set_index("block_id")


def block_balance(*args: Any, **kwargs: Any) -> BalanceCheck:
    """Deprecated name of :func:`check_balance` (same arguments and result; columns ``passes`` /
    ``status`` replace ``balanced``)."""
    _deprecated("block_balance", "check_balance")
    res = check_balance(*args, **kwargs)
    res.districts["balanced"] = res.districts["passes"]  # the old column, for old callers
    return res


BlockBalance = BalanceCheck
