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
from zoning.units import FAIL, M2_PER_MU, MISSING, NOT_TESTED, PASS

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
        br = self.rules.blocks
        k2 = br.balance_industrial if br is not None else None
        if k2 is not None and "industrial_net_m2" in d.columns:
            c2 = self.rules.criterion(k2)
            lines.append(f"Industrial land inside blocks ({_rule(c2)}, {c2.name_zh}):")
            rows = [[str(k), f"{r['industrial_before_m2'] / 1e6:,.3f}", f"{r['industrial_after_m2'] / 1e6:,.3f}",
                     f"{r['industrial_net_m2'] / 1e6:+,.3f}", f"{r['net_m2'] / 1e6:+,.3f}", r[k2]] for k, r in d.iterrows()]
            lines += text_table(rows, ["district", "before km²", "after km²", "industrial net", "block-area net", k2], {1, 2, 3, 4})
        k3 = br.add_before_remove if br is not None else None
        if k3 is not None and k3 in d.columns:
            st = d[k3]
            lines.append(f"先补后占 ({k3}): " + ", ".join(f"{k} {v}" for k, v in st.items() if v) if (st != "").any()
                         else f"先补后占 ({k3}): no removals to sequence")
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
    parcels: gpd.GeoDataFrame | None = None,
    use: str | None = None,
    date_column: str | None = None,
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
        ``min_change_m2`` parameter (smaller pieces are digitising noise); optionally
        ``balance_industrial`` (``GZ-K2``) and ``add_before_remove`` (``GZ-K3``, 先补后占).
    parcels, use
        Parcels with a land-use column: the industrial land (the pack's ``industrial`` classes,
        on ``use``, planned by default) inside the old and the revised blocks is balanced too
        (GZ-K2) — otherwise a new block drawn over R or B land "balances" a lost block of M1.
    date_column
        Column of both layers dating each block's change (调整日期 / 生效日期 / date; default: found
        by name). Removed pieces take the date of their old block row, added pieces that of
        their new block row; with dates, 先补后占 (GZ-K3) is tested: at every removal date, the
        block area added up to that date must be at least the area removed up to it.

    Returns
    -------
    BalanceCheck
        ``.districts`` (removed_m2, added_m2, net_m2, passes, status, fix), ``.changes`` (the
        pieces, ``change`` = ``"removed"`` / ``"added"``), ``.blocks`` (change per block id).

    Notes
    -----
    Per district, removed = old blocks minus new blocks, added = new minus old (unions, so
    overlapping blocks count once). ``passes`` needs every tested criterion: the block-area
    balance (GZ-K1, status column ``GZ-K1``), with parcels the industrial-land balance
    (``GZ-K2``: ``industrial_before_m2``, ``industrial_after_m2``, ``industrial_net_m2``) and
    with dates 先补后占 (``GZ-K3``: ``add_before_remove_m2``, the smallest net of additions over
    removals at a removal date). Untested criteria have status ``""``.

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
    unions: dict[str, tuple[Any, Any]] = {}
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
        unions[d] = (before, after)
    changes = gpd.GeoDataFrame(pieces, columns=["change", "district", "block_id", "area_m2", "area_mu", "geometry"],
                               geometry="geometry", crs=old.crs)
    t = pd.DataFrame(rows).set_index("district")
    for kind in ("removed", "added"):
        sel = changes[changes["change"] == kind]
        t[f"{kind}_m2"] = sel.groupby("district")["area_m2"].sum().reindex(t.index).fillna(0.0)
        t[f"{kind}_blocks"] = sel.groupby("district")["block_id"].agg(lambda s: ", ".join(sorted({x for x in s if x}))).reindex(t.index).fillna("")
    t["net_m2"] = t["added_m2"] - t["removed_m2"]
    t["threshold_m2"] = thr_m2
    area_ok = _compare(t["net_m2"].to_numpy() / 1e4, c.op, _thr(c))
    t["passes"] = area_ok
    t["status"] = np.where(t["passes"], PASS, FAIL)
    t["shortfall_m2"] = np.where(area_ok, 0.0, np.maximum(thr_m2 - t["net_m2"], 0.0))
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
    t[c.code] = np.where(area_ok, PASS, FAIL)
    _industrial_balance(pack, t, unions, parcels, use, problems, old.crs)
    _add_before_remove(pack, t, changes, old, new, od, nd, og, ng, old_ids, new_ids, date_column, problems)
    return BalanceCheck(districts=t, changes=changes, blocks=_block_changes(old_ids, og, new_ids, ng, min_m2),
                        rules=pack, problems=problems)


_DATE_NAMES = ("调整日期", "变更日期", "生效日期", "批准日期", "调整时间", "变更时间", "date", "effective_date", "change_date")


def _combine(t: pd.DataFrame, ok: np.ndarray, tested: np.ndarray) -> None:
    """Fold one more criterion into the districts' overall verdict."""
    t["passes"] = t["passes"].to_numpy() & (ok | ~tested)
    t["status"] = np.where(t["passes"], PASS, FAIL)


def _industrial_balance(pack: RulePack, t: pd.DataFrame, unions: dict[str, tuple[Any, Any]], parcels: Any, use: str | None,
                        problems: list[Problem], crs: Any) -> None:
    """GZ-K2: industrial land inside the revised blocks minus inside the old ones, per district."""
    br = pack.blocks
    assert br is not None
    if br.balance_industrial is None:
        return
    c = pack.criterion(br.balance_industrial)
    if parcels is None:
        t[c.code] = NOT_TESTED
        problems.append(Problem("info", "no_parcels", f"no parcels given: {c.code} ({c.name_zh}) not tested — pass parcels= "
                                "(CLI: --parcels) to balance the industrial land inside blocks, not only their area"))
        return
    from zoning.checks._common import _canonical, _codes, _use_column, block_intersections
    from zoning.io.landuse import parse_landuse

    basis = _use_column(use, br.use)
    gdf = _canonical(parcels, [basis])
    if basis not in gdf.columns:
        msg = f"the parcels have no {basis} column; columns are {_columns_text(gdf)}"
        raise InputError(msg)
    if crs is not None and not gdf.crs.equals(crs):
        gdf = gdf.to_crs(crs)
    lu = parse_landuse(gdf[basis]).code
    ind = lu.isin(_codes(pack.criterion(br.industrial))).to_numpy(dtype=bool, na_value=False).copy()
    if br.undetermined is not None and basis == "planned_use" and "current_use" in gdf.columns:
        cur = parse_landuse(gdf["current_use"]).code
        ind |= lu.isna().to_numpy() & cur.isin(_codes(pack.criterion(br.undetermined))).to_numpy(dtype=bool, na_value=False)
    pg = _geoms(gdf)[ind]
    names = list(unions)
    geoms = [g for d in names for g in unions[d]]
    _, B, A, _ = block_intersections(pg, np.array(geoms, dtype=object))
    per = np.bincount(B, A, minlength=len(geoms))
    before = {d: per[2 * k] for k, d in enumerate(names)}
    after = {d: per[2 * k + 1] for k, d in enumerate(names)}
    t["industrial_before_m2"] = [before[d] for d in t.index]
    t["industrial_after_m2"] = [after[d] for d in t.index]
    t["industrial_net_m2"] = t["industrial_after_m2"] - t["industrial_before_m2"]
    ok = _compare(t["industrial_net_m2"].to_numpy() / 1e4, c.op, _thr(c))
    t[c.code] = np.where(ok, PASS, FAIL)
    _combine(t, ok, np.ones(len(t), dtype=bool))
    for name in t.index[~ok]:
        r = t.loc[name]
        extra = (f"; {c.code}: the revision loses {area_text(-r['industrial_net_m2'])} of industrial land inside blocks "
                 f"({area_text(r['industrial_before_m2'])} → {area_text(r['industrial_after_m2'])}) — draw the added blocks over "
                 "industrial land, or re-plan land inside them as industrial")
        t.loc[name, "fix"] = (t.loc[name, "fix"] + extra).lstrip("; ")


def _add_before_remove(pack: RulePack, t: pd.DataFrame, changes: gpd.GeoDataFrame, old: gpd.GeoDataFrame, new: gpd.GeoDataFrame,
                       od: np.ndarray, nd: np.ndarray, og: np.ndarray, ng: np.ndarray, old_ids: np.ndarray, new_ids: np.ndarray,
                       date_column: str | None, problems: list[Problem]) -> None:
    """GZ-K3 先补后占: at every removal date, the area added so far minus removed so far."""
    br = pack.blocks
    assert br is not None
    if br.add_before_remove is None:
        return
    from zoning.checks._common import _find_column

    c = pack.criterion(br.add_before_remove)
    col_old = date_column if date_column in old.columns else _find_column(old, _DATE_NAMES)
    col_new = date_column if date_column in new.columns else _find_column(new, _DATE_NAMES)
    if date_column is not None and date_column not in old.columns and date_column not in new.columns:
        msg = f"date_column={date_column!r} is in neither block layer; columns are {_columns_text(new)}"
        raise InputError(msg)
    if col_old is None and col_new is None:
        t[c.code] = np.where(t["removed_m2"] > 0, MISSING, NOT_TESTED)
        t["add_before_remove_m2"] = np.nan
        problems.append(Problem("info", "no_change_dates", f"the block layers carry no change dates (调整日期 / 生效日期 / date): "
                                f"{c.code} 先补后占 cannot be judged", "date", [], "date each block's change to test 先补后占"))
        return
    dates_old = pd.to_datetime(old[col_old], errors="coerce") if col_old else pd.Series(pd.NaT, index=old.index)
    dates_new = pd.to_datetime(new[col_new], errors="coerce") if col_new else pd.Series(pd.NaT, index=new.index)
    by_old = dict(zip(old_ids, dates_old, strict=True))
    by_new = dict(zip(new_ids, dates_new, strict=True))
    when = [by_old.get(b) if k == "removed" else by_new.get(b) for k, b in zip(changes["change"], changes["block_id"], strict=True)]
    changes["date"] = pd.to_datetime(pd.Series(when, index=changes.index, dtype=object), errors="coerce")
    net, status = [], []
    for d in t.index:
        ch = changes[changes["district"] == d]
        rem = ch[ch["change"] == "removed"]
        if len(rem) == 0:
            net.append(np.nan)
            status.append(NOT_TESTED)
            continue
        if ch["date"].isna().any():
            net.append(np.nan)
            status.append(MISSING)
            continue
        worst = np.inf
        for when_r in sorted(rem["date"].unique()):
            added = ch.loc[(ch["change"] == "added") & (ch["date"] <= when_r), "area_m2"].sum()
            removed = rem.loc[rem["date"] <= when_r, "area_m2"].sum()
            worst = min(worst, added - removed)
        net.append(worst)
        ok = bool(_compare(np.array([worst / 1e4]), c.op, _thr(c))[0])
        status.append(PASS if ok else FAIL)
    t["add_before_remove_m2"] = net
    st = np.array(status, dtype=object)
    t[c.code] = st
    tested = np.isin(st, [PASS, FAIL]) | ((st == MISSING) & (c.missing == "fail"))
    _combine(t, st == PASS, tested)
    for name in t.index[st == FAIL]:
        extra = (f"; {c.code} 先补后占: at a removal date {area_text(-t.loc[name, 'add_before_remove_m2'])} more was removed "
                 "than added so far — let the additions take effect first")
        t.loc[name, "fix"] = (t.loc[name, "fix"] + extra).lstrip("; ")
    del od, nd, og, ng


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
