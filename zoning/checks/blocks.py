"""Guangzhou industrial blocks (工业产业区块): each block's industrial share and each district's coverage."""

from __future__ import annotations

import time
import warnings
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from zoning.errors import (
    InputError,
    Problem,
    ZoningWarning,
)
from zoning.units import FAIL, M2_PER_MU, MISSING, NOT_TESTED, PASS

if TYPE_CHECKING:  # pragma: no cover

    from zoning.rules.schema import Criterion, RulePack
from zoning.checks._common import (
    _ALL,
    _DISTRICT_NAMES,
    _NO_DISTRICT,
    _block_ids,
    _block_overlaps,
    _canonical,
    _clean_geometries,
    _codes,
    _columns_text,
    _compare,
    _evaluate,
    _find_column,
    _fmt,
    _geoms,
    _load,
    _op,
    _pct,
    _prepare_blocks,
    _rule,
    _section,
    _thr,
    _use_column,
    area_text,
    block_intersections,
    newest_pack,
)
from zoning.checks._result import CheckResult, text_table

_BLOCK_COLUMNS = ["block_id", "district", "basis", "block_area_m2", "parcel_land_m2", "unparcelled_m2",
                  "industrial_area_m2", "industrial_share", "industrial_share_of_parcel_land", "n_parcels",
                  "criterion", "threshold", "passes", "status", "shortfall_m2", "shortfall_mu", "drivers", "fix"]


@dataclass(repr=False, kw_only=True)
class BlockCheck(CheckResult):
    """Result of :func:`check_blocks` (a :class:`~zoning.checks.CheckResult`).

    Attributes
    ----------
    blocks
        Every input block row with its own columns, plus ``block_id`` (text), ``district``,
        ``basis``, ``block_area_m2``, ``parcel_land_m2`` (parcel land inside, clipped),
        ``unparcelled_m2`` (roads and other land without parcels), ``industrial_area_m2``,
        ``industrial_share`` (of the block area, 0–1; NaN for a block without geometry),
        ``industrial_share_of_parcel_land``, ``n_parcels``, ``criterion`` (e.g.
        ``"GZ-B1 ≥ 55.0%"``), ``threshold``, ``passes``, ``status`` (``pass`` / ``fail`` /
        ``missing`` — a block without geometry), ``shortfall_m2`` and ``shortfall_mu``
        (industrial land missing to reach the threshold), ``drivers`` (the largest
        non-industrial parcels inside) and ``fix``.
    districts
        Indexed by district: ``planned_industrial_m2`` (industrial land on the basis used),
        ``inside_blocks_m2`` (of it inside blocks, counted once where blocks overlap),
        ``coverage``, ``threshold``, ``passes``, ``shortfall_m2``, ``shortfall_mu``,
        ``outside_parcels`` / ``outside_m2`` (industrial parcels wholly outside every block),
        ``largest_outside``, ``blocks``, ``blocks_failing``, ``status`` (``pass`` / ``fail``,
        ``""`` — not tested — for a district without industrial land), ``fix``, ``basis``,
        ``criterion``.
    parcels
        Aligned to the parcel index: ``parcel_id``, ``district``, ``land_class``,
        ``industrial``, ``block_id`` (the block holding most of the parcel, ``""`` if none),
        ``block_ids`` (all, ``;``-separated), ``n_blocks``, ``land_area_m2``,
        ``inside_blocks_m2``, ``share_inside_blocks``, ``straddles`` (clipped by a block edge),
        ``outside_blocks``, and the geometry.
    rules, basis
        The rule pack (after overrides) and the land-use basis, ``"planned_use"`` or
        ``"current_use"``.
    rules_chosen_by_default
        True when no pack was named and :func:`check_blocks` took the newest block pack.
    problems
        What the inputs needed (re-projection, repairs, overlapping or empty blocks) and notes
        (parcels outside every block), as :class:`~zoning.Problem` objects.
    """

    title: ClassVar[str] = "Industrial blocks"
    blocks: gpd.GeoDataFrame
    districts: pd.DataFrame
    parcels: gpd.GeoDataFrame
    basis: str
    rules_chosen_by_default: bool = False
    timings: dict[str, float] = field(default_factory=dict)
    #: the city-level floor on industrial land's share of construction land, when the pack has one
    city: pd.DataFrame | None = None

    @property
    def criteria(self) -> pd.DataFrame:
        """The thresholds used: code, name, test, status and source (one row per criterion)."""
        return _criteria_table(self.rules, "blocks")

    def layers(self) -> dict[str, pd.DataFrame]:
        """``blocks``, ``districts``, ``parcels`` and ``criteria``."""
        out = {"blocks": self.blocks, "districts": self.districts, "parcels": self.parcels, "criteria": self.criteria}
        if self.city is not None:
            out["city"] = self.city
        return out

    @property
    def passed(self) -> bool:
        """Every block and every district passes (and the city floor, when the pack has one)."""
        city = self.city is None or bool(self.city["passes"].all())
        return bool(self.blocks["passes"].all() and self.districts["passes"].all()) and city

    def summary(self, *, max_rows: int = 10) -> str:
        """A readable account: the pack, the rules, blocks and districts with observed, threshold and fix.

        Examples
        --------
        >>> import zoning
        >>> check = zoning.check_blocks(
        ...     zoning.read_parcels(zoning.datasets.get_path("parcels")),
        ...     zoning.read_blocks(zoning.datasets.get_path("blocks")), rules="guangzhou-2023")
        >>> print(check.summary().splitlines()[0])
        Industrial blocks checked against guangzhou-2023 (planned use; industrial land: M, M0, M1, M2, M3, W, W1, W2, W3)
        """
        pack, b, d = self.rules, self.blocks, self.districts
        ind = _section(pack, "blocks", "industrial")
        cb = _section(pack, "blocks", "min_block_share")
        cd = _section(pack, "blocks", "min_district_coverage")
        basis = self.basis.replace("_use", " use")
        lines = [f"Industrial blocks checked against {pack.pack.name} ({basis}; industrial land: {', '.join(_codes(ind))})"]
        from zoning.rules.render import pack_line

        lines.append(f"  {pack_line(pack)}")
        if self.rules_chosen_by_default:
            lines.append("  (no pack named: the newest pack with block rules was used; choose one with rules=… / --rules)")
        lines.append(f"  block rule: {_rule(cb)} — {cb.name_zh} ({cb.status}; {_short_source(cb.source)})")
        br = pack.blocks
        if br is not None and br.tiers:
            for t_name, code in br.tiers.items():
                tc = pack.criterion(code)
                lines.append(f"    {t_name} blocks ({br.tier_column}): {_rule(tc)} — {tc.name_zh} ({tc.status})")
        lines.append(f"  district rule: {_rule(cd)} — {cd.name_zh} ({cd.status}; {_short_source(cd.source)})")
        n_fail = int((b["status"] == "fail").sum())
        n_empty = int((b["status"] == "missing").sum())
        rule_text = (f"their tier's share ({', '.join(f'{t} {c}' for t, c in br.tiers.items())})" if br is not None and br.tiers
                     else f"{cb.code} ({cb.name_en} {_op(cb)} {_fmt(cb, _thr(cb))})")
        lines.append(f"{len(b)} blocks: {int(b['passes'].sum())} pass, {n_fail} fail {rule_text}"
                     + (f", {n_empty} without geometry" if n_empty else ""))
        shown = b.assign(_o=(b["status"] == "pass").astype(int)).sort_values(["_o", "block_id"]).head(max_rows)
        rows = [[r["block_id"], "" if pd.isna(r["district"]) else str(r["district"]),
                 "—" if pd.isna(r["block_area_m2"]) else f"{r['block_area_m2'] / 1e4:,.1f}",
                 "—" if pd.isna(r["industrial_area_m2"]) else f"{r['industrial_area_m2'] / 1e4:,.1f}",
                 _pct(r["industrial_share"]), r["status"], f"{r['shortfall_mu']:,.0f}" if r["shortfall_mu"] > 0 else ""]
                for _, r in shown.iterrows()]
        lines += text_table(rows, ["block", "district", "area ha", "industrial ha", "share", "status", "short 亩"], {2, 3, 4, 6})
        if len(b) > len(shown):
            lines.append(f"  … {len(b) - len(shown)} more blocks (see .blocks / the blocks layer)")
        bad = b[b["status"] != "pass"].sort_values("industrial_share", na_position="last")
        for _, r in bad.head(max_rows).iterrows():
            lines.append(f"  {r['block_id']}: {r['fix']}")
        if len(bad) > max_rows:
            lines.append(f"  … {len(bad) - max_rows} more (see .blocks)")
        lines.append(f"{len(d)} district(s): {int(d['passes'].sum())} pass, {int((~d['passes']).sum())} fail {cd.code} "
                     f"({cd.name_en} {_op(cd)} {_fmt(cd, _thr(cd))})")
        rows = [[str(k), f"{r['planned_industrial_m2'] / 1e6:,.2f}", f"{r['inside_blocks_m2'] / 1e6:,.2f}", _pct(r["coverage"]),
                 r["status"], f"{r['shortfall_mu']:,.0f}" if r["shortfall_mu"] > 0 else "", str(int(r["outside_parcels"])),
                 f"{r['blocks_failing']}/{r['blocks']}"] for k, r in d.iterrows()]
        lines += text_table(rows, ["district", "industrial km²", "in blocks km²", "coverage", "status", "short 亩",
                                   "parcels outside", "blocks failing"], {1, 2, 3, 5, 6, 7})
        for name, r in d[~d["passes"]].iterrows():
            lines.append(f"  {name}: {r['fix']}")
        if self.city is not None:
            r = self.city.iloc[0]
            lines.append(f"City: industrial land {area_text(r['industrial_m2'])} of {area_text(r['construction_m2'])} construction land "
                         f"= {_pct(r['share'])}, {r['criterion']}: {r['status']}")
        p = self.parcels
        if br is not None and br.new_inside_blocks is not None and br.new_inside_blocks in p.columns:
            st = p[br.new_inside_blocks]
            if (st != "").any():
                lines.append(f"New industrial land ({br.new_inside_blocks}): {int((st != '').sum())} parcel(s) supplied since the rule, "
                             f"{int((st == 'fail').sum())} mostly outside every block")
        out = p["industrial"] & p["outside_blocks"]
        lines.append(f"{int(out.sum())} industrial parcel(s), {area_text(float(p.loc[out, 'land_area_m2'].sum()))}, lie outside "
                     f"every block; {int(p['straddles'].sum())} parcel(s) cross a block edge and were clipped.")
        lines += self._notes()
        return "\n".join(lines)

    def __repr__(self) -> str:
        b, d = self.blocks, self.districts
        return (f"BlockCheck({self.rules.pack.name}, {self.basis}: {len(b)} blocks, {int(b['passes'].sum())} pass; "
                f"{len(d)} districts, {int(d['passes'].sum())} pass)")


def _short_source(source: str) -> str:
    return source.split(":")[0].split("；")[0].strip()


def _criteria_table(pack: RulePack, section: str) -> pd.DataFrame:
    from zoning.rules.render import rules_table

    t = rules_table(pack)
    sect = getattr(pack, section)
    codes: list[str] = []
    if sect is not None:
        for _, v in sect:
            for ref in (v if isinstance(v, list) else [v]):
                if isinstance(ref, str) and ref in t.index:
                    codes.append(ref)
                elif hasattr(ref, "criteria"):  # project tiers
                    codes += [c for c in [*ref.criteria, *ref.excluding] if c in t.index]
    codes = list(dict.fromkeys(codes))
    return t.loc[codes, ["name", "name_zh", "level", "test", "status", "source"]]


def check_blocks(
    parcels: gpd.GeoDataFrame,
    blocks: gpd.GeoDataFrame,
    *,
    rules: str | Path | RulePack | None = None,
    overrides: Mapping[str, Any] | None = None,
    use: str | None = None,
    id_column: str | None = None,
    district_column: str | None = None,
    districts: gpd.GeoDataFrame | None = None,
    n_drivers: int = 3,
) -> BlockCheck:
    """Check industrial blocks (工业产业区块): industrial share per block, coverage per district.

    Parameters
    ----------
    parcels
        Parcels with a land-use column (see :func:`zoning.read_parcels`; raw Chinese column
        names are mapped). Areas come from the geometry in a projected metric CRS.
    blocks
        Block polygons (see :func:`zoning.read_blocks`) with an id column. Every row and
        column is kept in the output.
    rules
        A pack with ``[blocks]`` rules: ``"guangzhou-2023"`` (≥ 55 % per block, the 2023 draft),
        ``"guangzhou-2024"`` (≥ 65 %), or a path. Default: the newest packaged pack with block
        rules (by effective date); the result says which (``.rules``,
        ``.rules_chosen_by_default`` and the second line of ``.summary()``).
    overrides
        Threshold overrides, e.g. ``{"GZ-B1": 0.6}`` or ``{"GZ-I1": "M,M0,M1,M2,M3"}`` to count
        only M0–M3 as industrial land.
    use
        ``"planned_use"`` (the pack's default, 规划用途) or ``"current_use"`` (现状用途). The
        basis is reported in ``.basis`` and in the ``basis`` columns.
    id_column
        The block id column; by default the one :func:`~zoning.read_blocks` was told, else the
        first of 区块编号 / block_id / 编号 / id.
    district_column
        Column of ``parcels`` naming the district (default: the canonical ``district``,
        from 行政区 and the like); with ``districts``, the name column of that layer.
    districts
        Optional district polygons: parcels are then assigned to districts by their
        representative point instead of by a column.
    n_drivers
        How many non-industrial parcels to name as drivers per block.

    Returns
    -------
    BlockCheck
        ``.blocks``, ``.districts``, ``.parcels`` (tables and map-ready layers), ``.rules``,
        ``.basis``, ``.problems``, ``.layers()``, ``.summary()`` and ``.to_file(path)``.

    Raises
    ------
    InputError
        Parcels or blocks without a CRS, no block id column, no land-use column.
    RulePackError
        A pack without block rules, or a bad override.

    Notes
    -----
    Block share = industrial land inside the block (parcels clipped to it, so a parcel across
    two blocks counts in each by its part) ÷ the block's whole area, roads included. District
    coverage = industrial land of the district's parcels lying inside any block (counted once
    where blocks overlap) ÷ all its industrial land; parcels outside every block count in the
    denominator and are listed. Blocks in another CRS are re-projected to the parcels' CRS
    (:class:`~zoning.errors.CRSWarning`); overlapping blocks, blocks without geometry and
    duplicate ids are reported with a :class:`~zoning.errors.ZoningWarning` and kept.

    Examples
    --------
    >>> import zoning
    >>> parcels = zoning.read_parcels(zoning.datasets.get_path("parcels"))
    >>> blocks = zoning.read_blocks(zoning.datasets.get_path("blocks"))
    >>> check = check_blocks(parcels, blocks, rules="guangzhou-2023")
    >>> gb14 = check.blocks.set_index("block_id").loc["GB-14"]
    >>> round(float(gb14["industrial_share"]), 3), bool(gb14["passes"]), round(gb14["shortfall_mu"])
    (0.372, False, 202)
    >>> round(float(check.districts.loc["宝安区", "coverage"]), 3), bool(check.districts.loc["宝安区", "passes"])
    (0.724, False)
    >>> strict = check_blocks(parcels, blocks, rules="guangzhou-2024")
    >>> int((~strict.blocks["passes"]).sum())
    3
    """
    t0 = time.perf_counter()
    timings: dict[str, float] = {}
    by_default = rules is None
    pack = _load(newest_pack("blocks") if rules is None else rules, overrides, "blocks", "check industrial blocks")
    br = pack.blocks
    assert br is not None
    basis = _use_column(use, br.use)
    ind_c = pack.criterion(br.industrial)
    share_c = pack.criterion(br.min_block_share)
    cover_c = pack.criterion(br.min_district_coverage)
    problems: list[Problem] = []

    needed = [basis] + ([district_column or "district"] if districts is None else [])
    gdf = _canonical(parcels, needed)
    if basis not in gdf.columns:
        other = "current_use" if basis == "planned_use" else "planned_use"
        hint = f"; '{other}' is there: use={other!r} (CLI --use {other.split('_')[0]})" if other in gdf.columns else ""
        msg = (f"the parcels have no {basis} column ({'规划用途' if basis == 'planned_use' else '现状用途'}); columns are "
               f"{_columns_text(gdf)}{hint}. Map yours with zoning.read_parcels(path, columns={{'your name': '{basis}'}})")
        raise InputError(msg)
    n = len(gdf)
    pid = _parcel_ids(gdf)

    blocks_in = _prepare_blocks(blocks, gdf.crs, problems)
    id_col, bids = _block_ids(blocks_in, id_column, problems)
    pg = _clean_geometries(_geoms(gdf), list(pid), "parcels", problems)
    bg = _clean_geometries(_geoms(blocks_in), list(bids), "blocks", problems)
    timings["prepare"] = time.perf_counter() - t0

    from zoning.io.landuse import parse_landuse

    lu = parse_landuse(gdf[basis])
    industrial = lu.code.isin(_codes(ind_c)).to_numpy(dtype=bool, na_value=False)
    undetermined = np.zeros(n, dtype=bool)
    if br.undetermined is not None and basis == "planned_use" and "current_use" in gdf.columns:
        # 穗工信规字〔2020〕8号 第一条: land whose planned use is not yet determined (GZ-I2)
        und_c = pack.criterion(br.undetermined)
        cur = parse_landuse(gdf["current_use"]).code
        undetermined = (lu.code.isna().to_numpy() & cur.isin(_codes(und_c)).to_numpy(dtype=bool, na_value=False))
        if undetermined.any():
            industrial = industrial | undetermined
            problems.append(Problem("info", "undetermined_planned_use",
                                    f"{undetermined.sum()} parcel(s) without a planned use count as industrial land through their current use "
                                    f"({und_c.code}: {und_c.name_en}, {und_c.status})", basis, list(pid[undetermined]),
                                    "fill in the planned use, or check with use='current_use'"))
    dist = _parcel_districts(gdf, pg, district_column, districts, problems)

    t1 = time.perf_counter()
    P, B, A, _ = block_intersections(pg, bg)
    timings["intersections"] = time.perf_counter() - t1
    t1 = time.perf_counter()
    nb = len(blocks_in)
    parea = shapely.area(pg)
    parea = np.where(np.isfinite(parea), parea, 0.0)
    barea = np.where(shapely.is_missing(bg) | shapely.is_empty(bg), np.nan, shapely.area(bg))
    no_geom = ~np.isfinite(barea)

    # land inside the union of blocks, per parcel (overlapping blocks counted once)
    inside = np.bincount(P, A, minlength=n)
    oi, oj, oa = _block_overlaps(bg)
    if oi.size:
        big = oa > 1.0
        if big.any():
            pairs = ", ".join(f"{bids[a]}×{bids[b]} ({area_text(x).split(' (')[0]})" for a, b, x in zip(oi[big][:8], oj[big][:8], oa[big][:8], strict=True))
            text = (f"{big.sum()} pair(s) of blocks overlap, {area_text(float(oa[big].sum()))} in all: {pairs}"
                    f"{' …' if big.sum() > 8 else ''}. Each block is checked on its own; district coverage counts "
                    "overlapping land once")
            problems.append(Problem("warning", "overlapping_blocks", text, "geometry", [], "clean the block layer so blocks do not overlap"))
            warnings.warn(text, ZoningWarning, stacklevel=2)
        overlapping = np.zeros(nb, dtype=bool)
        overlapping[oi] = overlapping[oj] = True
        counts = np.bincount(P, minlength=n)
        redo = np.flatnonzero((counts > 1) & (np.bincount(P, overlapping[B], minlength=n) > 0))
        lo, hi = np.searchsorted(P, redo, side="left"), np.searchsorted(P, redo, side="right")  # P is sorted
        for i, a, b in zip(redo, lo, hi, strict=True):
            inside[i] = shapely.area(shapely.intersection(pg[i], shapely.union_all(bg[B[a:b]])))
    inside = np.minimum(inside, parea)

    # blocks
    land_in = np.bincount(B, A, minlength=nb)
    ind_in = np.bincount(B, A * industrial[P], minlength=nb)
    n_in = np.bincount(B, minlength=nb)
    with np.errstate(invalid="ignore", divide="ignore"):
        share = np.where(barea > 0, ind_in / barea, np.nan)
        share_land = np.where(land_in > 0, ind_in / land_in, np.nan)
    # the block-share criterion of each block: its tier's (一级 / 二级 …) or the pack's one
    block_crit = [share_c] * nb
    tier = None
    if br.tier_column:
        if br.tier_column in blocks_in.columns:
            tier = blocks_in[br.tier_column].astype("string").str.strip().fillna("").to_numpy(dtype=object)
            unknown = sorted({t for t in tier if t not in br.tiers})
            block_crit = [pack.criterion(br.tiers[t]) if t in br.tiers else share_c for t in tier]
            if unknown:
                text = (f"block tier(s) {unknown} in {br.tier_column!r} are not in the pack's tiers ({', '.join(br.tiers)}): "
                        f"those blocks are checked against {share_c.code}")
                problems.append(Problem("warning", "unknown_block_tier", text, br.tier_column, [], f"use one of {', '.join(br.tiers)}"))
                warnings.warn(text, ZoningWarning, stacklevel=2)
        else:
            text = (f"the blocks have no {br.tier_column!r} column (the tier of each block, {' / '.join(br.tiers)}): every block is "
                    f"checked against {share_c.code}")
            problems.append(Problem("warning", "no_block_tier", text, br.tier_column, [], f"add a {br.tier_column} column"))
            warnings.warn(text, ZoningWarning, stacklevel=2)
    thr_b = np.array([_thr(c) for c in block_crit], dtype="float64")
    passes = np.zeros(nb, dtype=bool)
    for c in {c.code: c for c in block_crit}.values():
        sel_c = np.array([x.code == c.code for x in block_crit])
        passes[sel_c] = _compare(share[sel_c], c.op, _thr(c))
    thr = thr_b
    shortfall = np.where(no_geom | passes, 0.0, np.maximum(thr * barea - ind_in, 0.0))
    status = np.where(no_geom, MISSING, np.where(passes, PASS, FAIL))
    if no_geom.any():
        ids = ", ".join(bids[no_geom][:10])
        text = f"{no_geom.sum()} block(s) have no geometry ({ids}); they are kept with a missing share and fail"
        problems.append(Problem("warning", "empty_block", text, "geometry", [], "draw the blocks or delete the rows"))
        warnings.warn(text, ZoningWarning, stacklevel=2)
    if P.size == 0 and (~no_geom).any():
        text = ("no parcel lies in any block: check that parcels and blocks cover the same area and that both "
                f"declare the right CRS (parcels {gdf.crs.to_string()})")
        problems.append(Problem("warning", "no_overlap", text, "geometry", [], "check the CRS of both layers"))
        warnings.warn(text, ZoningWarning, stacklevel=2)

    # drivers: the largest non-industrial parcels inside each block (by their land inside)
    raw_use = gdf[basis].astype("string")
    label = lu.code.astype("string").fillna(raw_use).fillna("no use").to_numpy(dtype=object)
    non = ~industrial[P]
    dP, dB, dA = P[non], B[non], A[non]
    order = np.lexsort((-dA, dB))
    dP, dB, dA = dP[order], dB[order], dA[order]
    rank = np.arange(dB.size) - np.searchsorted(dB, dB, side="left")
    top = rank < n_drivers
    drivers = [""] * nb
    for b_, p_, a_ in zip(dB[top], dP[top], dA[top], strict=True):
        txt = f"{pid[p_]} ({label[p_]}, {area_text(a_).split(' (')[0]})"
        drivers[b_] = f"{drivers[b_]}, {txt}" if drivers[b_] else txt
    # fixes of failing blocks: non-industrial land by class, and the main industrial class
    failing = np.flatnonzero(status == FAIL)
    sel = np.isin(B, failing)
    comp = pd.DataFrame({"b": B[sel], "cls": label[P[sel]], "a": A[sel], "ind": industrial[P[sel]]})
    by_class = comp.groupby(["b", "ind", "cls"])["a"].sum()
    default_target = next((c for c in ("M1", "M2", "M0", "M") if c in _codes(ind_c)), _codes(ind_c)[0])
    fixes = ["" for _ in range(nb)]
    for j in np.flatnonzero(no_geom):
        fixes[j] = "draw the block (it has no geometry) or delete the row"
    for j in failing:
        mine = by_class.loc[j] if j in by_class.index else pd.Series(dtype=float)
        ind_cls = mine.loc[True] if True in mine.index.get_level_values(0) else pd.Series(dtype=float)
        non_cls = (mine.loc[False] if False in mine.index.get_level_values(0) else pd.Series(dtype=float)).sort_values(ascending=False)
        target = str(ind_cls.idxmax()) if len(ind_cls) else default_target
        fixes[j] = _block_fix(block_crit[j], float(barea[j]), float(land_in[j]), float(ind_in[j]), non_cls, target, drivers[j])
    timings["blocks"] = time.perf_counter() - t1

    # district of each block: its own column, else the district holding most of its parcel land
    bdist_col = _find_column(blocks_in, _DISTRICT_NAMES[:-1])
    if bdist_col is not None:
        bdist = blocks_in[bdist_col].astype("string").fillna("").to_numpy(dtype=object)
    else:
        bdist = np.full(nb, "", dtype=object)
        if P.size:
            major = pd.DataFrame({"b": B, "d": dist[P], "a": A}).groupby(["b", "d"])["a"].sum()
            best = major.groupby(level=0).idxmax()
            for b_, (_, d_) in best.items():
                bdist[b_] = d_

    out = blocks_in.copy()
    clash = [c for c in _BLOCK_COLUMNS if c in out.columns and c not in (id_col,) and not (c == "district" and c == bdist_col)]
    if clash:
        out = out.rename(columns={c: f"{c}_input" for c in clash})
        problems.append(Problem("info", "renamed_columns", f"input block columns {clash} renamed to *_input to make room for the results"))
    out["block_id"] = pd.array(bids, dtype="string")
    if "district" not in out.columns:
        out["district"] = pd.array(bdist, dtype="string")
    out["basis"] = basis
    out["block_area_m2"] = barea
    out["parcel_land_m2"] = np.where(no_geom, np.nan, land_in)
    out["unparcelled_m2"] = np.where(no_geom, np.nan, np.maximum(barea - land_in, 0.0))
    out["industrial_area_m2"] = np.where(no_geom, np.nan, ind_in)
    out["industrial_share"] = share
    out["industrial_share_of_parcel_land"] = share_land
    out["n_parcels"] = n_in
    if tier is not None:
        out["tier"] = pd.array(tier, dtype="string")
    out["criterion"] = [_rule(c) for c in block_crit] if tier is not None else _rule(share_c)
    out["threshold"] = thr
    out["passes"] = passes.astype(bool)
    out["status"] = status
    out["shortfall_m2"] = shortfall
    out["shortfall_mu"] = shortfall / M2_PER_MU
    out["drivers"] = drivers
    out["fix"] = fixes
    geo = out.geometry.name
    out = out[[c for c in out.columns if c != geo] + [geo]]

    # parcels
    counts = np.bincount(P, minlength=n)
    first = np.full(n, -1, dtype=np.int64)
    o = np.lexsort((bids[B] if P.size else B, -A, P))  # largest part first; ties by block id
    if P.size:
        lead = np.r_[True, P[o][1:] != P[o][:-1]]
        first[P[o][lead]] = B[o][lead]
    block_id = np.where(first >= 0, bids[np.maximum(first, 0)], "").astype(object)
    block_ids = block_id.copy()
    several = counts[P[o]] > 1
    if several.any():
        grouped = pd.Series(bids[B[o][several]]).groupby(P[o][several]).agg(";".join)
        block_ids[grouped.index.to_numpy()] = grouped.to_numpy()
    partial = np.bincount(P, A < parea[P] - 1e-6, minlength=n) > 0
    with np.errstate(invalid="ignore", divide="ignore"):
        share_in = np.where(parea > 0, inside / parea, np.nan)
    pout = gpd.GeoDataFrame({
        "parcel_id": pd.array(pid, dtype="string"),
        "district": pd.array(dist, dtype="string"),
        "land_class": lu.code.astype("string").to_numpy(),
        "industrial": industrial,
        "block_id": pd.array(block_id, dtype="string"),
        "block_ids": pd.array(block_ids, dtype="string"),
        "n_blocks": counts,
        "land_area_m2": parea,
        "inside_blocks_m2": inside,
        "share_inside_blocks": share_in,
        "straddles": partial,
        "outside_blocks": counts == 0,
    }, geometry=gpd.GeoSeries(pg, crs=gdf.crs, index=gdf.index), index=gdf.index)

    # 新增工业用地原则上位于工业产业区块内 (GZ-N1): parcels with a supply year
    if br.new_inside_blocks is not None:
        _new_land(pack, gdf, pout, industrial, share_in, pid, problems)

    # districts
    dtab = _district_table(pout, out, cover_c, basis)
    city = None
    if br.city_industrial_share is not None:
        city = _city_share(pack.criterion(br.city_industrial_share), lu, industrial, parea)
    outside = industrial & (counts == 0) & (parea > 0)
    if outside.any():
        problems.append(Problem("info", "outside_blocks", f"{outside.sum()} industrial parcel(s) ({area_text(float(parea[outside].sum()))}) lie outside every block; they count in district coverage", basis, list(pid[outside]), "extend blocks over them if they are to stay industrial"))
    timings["total"] = time.perf_counter() - t0
    return BlockCheck(blocks=out, districts=dtab, parcels=pout, rules=pack, basis=basis, problems=problems, timings=timings,
                      rules_chosen_by_default=by_default, city=city)


_SUPPLY_YEAR_NAMES = ("supply_year", "供地年份", "供地时间", "供地日期", "出让年份", "出让时间", "出让日期", "土地出让时间")


def _years(values: pd.Series) -> np.ndarray:
    """Years from numbers (2023, 2023.0) or dates / date text ("2023-05-01", "2023年")."""
    num = pd.to_numeric(values, errors="coerce").to_numpy(dtype="float64", na_value=np.nan)
    text = values.astype("string").str.extract(r"((?:19|20)\d{2})")[0]
    from_text = pd.to_numeric(text, errors="coerce").to_numpy(dtype="float64", na_value=np.nan)
    return np.where(np.isfinite(num) & (num > 1800) & (num < 2200), num, from_text)


def _new_land(pack: RulePack, gdf: pd.DataFrame, pout: gpd.GeoDataFrame, industrial: np.ndarray, share_in: np.ndarray,
              pid: np.ndarray, problems: list[Problem]) -> None:
    """GZ-N1: industrial parcels supplied since the rule should lie inside blocks; adds columns to ``pout``."""
    br = pack.blocks
    assert br is not None and br.new_inside_blocks is not None
    c = pack.criterion(br.new_inside_blocks)
    since_p = pack.parameter("new_land_since")
    since = since_p.value if since_p is not None else -np.inf
    col = _find_column(gdf, _SUPPLY_YEAR_NAMES)
    if col is None:
        pout["supply_year"] = np.nan
        pout["new_industrial"] = False
        pout[c.code] = ""
        problems.append(Problem("info", "no_supply_year", f"no supply-year column (供地年份 / supply_year): {c.code} "
                                f"({c.name_zh}) not tested", "supply_year", [], "add the year each parcel was supplied"))
        return
    year = _years(gdf[col])
    new = industrial & np.isfinite(year) & (year >= since)
    st, _ = _evaluate(c, share_in, new)
    pout["supply_year"] = year
    pout["new_industrial"] = new
    pout[c.code] = st
    bad = st == FAIL
    if bad.any():
        problems.append(Problem("warning", "new_land_outside_blocks",
                                f"{bad.sum()} industrial parcel(s) supplied since {since:.0f} lie mostly outside every block "
                                f"({c.code} {c.name_zh}; 原则上 — exceptions need a reason)", col, list(pid[bad]),
                                "bring them into a block at the next revision, or record why they are outside"))
        warnings.warn(problems[-1].message, ZoningWarning, stacklevel=3)


def _city_share(c: Criterion, lu: Any, industrial: np.ndarray, parea: np.ndarray) -> pd.DataFrame:
    """Industrial land's share of construction land (all parcel land except water and non-construction E land)."""
    code = lu.code.astype("string").fillna("")
    construction = ~code.str.startswith("E").to_numpy(dtype=bool)
    ind_m2 = float(parea[industrial & construction].sum())
    con_m2 = float(parea[construction].sum())
    share = ind_m2 / con_m2 if con_m2 > 0 else np.nan
    st, met = _evaluate(c, np.array([share]))
    return pd.DataFrame({"industrial_m2": [ind_m2], "construction_m2": [con_m2], "share": [share], "threshold": [_thr(c)],
                         "criterion": [_rule(c)], "passes": [bool(met[0])], "status": [st[0]]},
                        index=pd.Index(["(city)"], name="area"))


def _parcel_ids(gdf: pd.DataFrame) -> np.ndarray:
    """Parcel ids as text (row labels where the id is missing)."""
    if "parcel_id" not in gdf.columns:
        return np.array([f"row {i}" for i in gdf.index], dtype=object)
    pid = gdf["parcel_id"].astype("string").str.strip().fillna("").to_numpy(dtype=object)
    blank = pid == ""
    if blank.any():
        pid[blank] = [f"row {i}" for i in gdf.index[blank]]
    return pid


def _block_fix(c: Criterion, barea: float, land_in: float, ind_in: float, classes: pd.Series, target: str, drivers: str) -> str:
    """What would lift a block to the threshold: convert non-industrial land, or shrink the block."""
    thr = _thr(c)
    if land_in <= 0:
        return ("no parcel lies in this block: check that the parcel and block layers cover the same area "
                "(and the CRS of both), or delete the block")
    if ind_in <= 0:
        return ("the block holds no industrial land on this basis: check the land-use column and the basis "
                "(planned or current use), re-plan land inside as industrial, or redraw the block")
    need = max(thr * barea - ind_in, 0.0)
    shrink = max(barea - ind_in / thr, 0.0) if thr > 0 else 0.0
    non_land = max(land_in - ind_in, 0.0)
    parts = []
    if need <= non_land + 1e-6 and classes.size:
        top = classes.index[0]
        if classes.iloc[0] >= need - 1e-6:
            parts.append(f"convert {area_text(need)} of {top} to {target}")
        else:
            mix = ", ".join(f"{k} {area_text(v).split(' (')[0]}" for k, v in classes.head(3).items())
            parts.append(f"convert {area_text(need)} of non-industrial land ({mix}) to {target}")
    elif classes.size:
        parts.append(f"converting all {area_text(non_land)} of non-industrial parcel land inside is not enough "
                     f"({area_text(max(barea - land_in, 0.0))} of the block is roads or land without parcels)")
    drop = f" (e.g. leave out {drivers})" if drivers else ""
    parts.append(f"shrink the block by {area_text(shrink)} of non-industrial land{drop}")
    return f"{_fmt(c, ind_in / barea)} {('<' if c.op.startswith('>') else '>')} {_fmt(c, thr)}: " + ", or ".join(parts)


def _parcel_districts(gdf: gpd.GeoDataFrame, pg: np.ndarray, district_column: str | None,
                      districts: gpd.GeoDataFrame | None, problems: list[Problem]) -> np.ndarray:
    n = len(gdf)
    if districts is not None:
        dl = _prepare_blocks(districts, gdf.crs, problems, what="districts")
        col = district_column or _find_column(dl, _DISTRICT_NAMES)
        if col is None or col not in dl.columns:
            msg = (f"the districts layer has no name column{f' {district_column!r}' if district_column else ''}; its columns are "
                   f"{_columns_text(dl)}. Name it with district_column='…' (CLI: --district-column)")
            raise InputError(msg)
        names = dl[col].astype("string").fillna(_NO_DISTRICT).to_numpy(dtype=object)
        out = np.full(n, _NO_DISTRICT, dtype=object)
        ok = np.flatnonzero(~(shapely.is_missing(pg) | shapely.is_empty(pg)))
        pts = shapely.point_on_surface(pg[ok])
        dj, pk = shapely.STRtree(pts).query(_geoms(dl), predicate="contains")
        out[ok[pk]] = names[dj]
        return out
    col = district_column or "district"
    if col not in gdf.columns:
        if district_column is not None:
            msg = f"district column {district_column!r} is not in the parcels; columns are {_columns_text(gdf)} (CLI: --district-column)"
            raise InputError(msg)
        problems.append(Problem("info", "no_district", "the parcels have no district column (行政区 / district): the whole layer is one district '(all)'", "district", [], "add a district column, pass district_column= or a districts layer"))
        return np.full(n, _ALL, dtype=object)
    return gdf[col].astype("string").fillna(_NO_DISTRICT).replace("", _NO_DISTRICT).to_numpy(dtype=object)


def _district_table(p: gpd.GeoDataFrame, blocks: gpd.GeoDataFrame, c: Criterion, basis: str) -> pd.DataFrame:
    thr = _thr(c)
    ind = p["industrial"].to_numpy()
    df = pd.DataFrame({"district": p["district"].to_numpy(dtype=object), "ind": ind,
                       "land": p["land_area_m2"].to_numpy() * ind, "inside": p["inside_blocks_m2"].to_numpy() * ind,
                       "out": (ind & p["outside_blocks"].to_numpy() & (p["land_area_m2"].to_numpy() > 0)),
                       "pid": p["parcel_id"].to_numpy(dtype=object)})
    df["out_m2"] = df["land"] * df["out"]
    g = df.groupby("district", sort=True)
    t = pd.DataFrame({"planned_industrial_m2": g["land"].sum(), "inside_blocks_m2": g["inside"].sum()})
    t.index.name = "district"
    with np.errstate(invalid="ignore", divide="ignore"):
        t["coverage"] = np.where(t["planned_industrial_m2"] > 0, t["inside_blocks_m2"] / t["planned_industrial_m2"], np.nan)
    t["threshold"] = thr
    none = t["planned_industrial_m2"] <= 0
    t["passes"] = _compare(t["coverage"].to_numpy(), c.op, thr) | none.to_numpy()
    t["shortfall_m2"] = np.where(t["passes"], 0.0, np.maximum(thr * t["planned_industrial_m2"] - t["inside_blocks_m2"], 0.0))
    t["shortfall_mu"] = t["shortfall_m2"] / M2_PER_MU
    t["outside_parcels"] = g["out"].sum().astype(int)
    t["outside_m2"] = g["out_m2"].sum()
    largest = df[df["out"]].sort_values("out_m2", ascending=False).groupby("district").head(3)
    lab = largest.assign(t=[f"{i} ({area_text(a).split(' (')[0]})" for i, a in zip(largest["pid"], largest["out_m2"], strict=True)])
    joined = lab.groupby("district")["t"].agg(", ".join).to_dict() if len(lab) else {}
    t["largest_outside"] = [joined.get(k, "") for k in t.index]
    bd = blocks[blocks["status"] != MISSING].groupby(blocks["district"].astype(object))
    t["blocks"] = bd.size().reindex(t.index).fillna(0).astype(int)
    t["blocks_failing"] = bd["passes"].apply(lambda s: int((~s).sum())).reindex(t.index).fillna(0).astype(int)
    t["status"] = np.where(none, NOT_TESTED, np.where(t["passes"], PASS, FAIL))
    fixes = []
    for _, r in t.iterrows():
        if r["status"] != FAIL:
            fixes.append("")
            continue
        replan = max(r["planned_industrial_m2"] - r["inside_blocks_m2"] / thr, 0.0) if thr > 0 else 0.0
        ex = f"; largest {r['largest_outside']}" if r["largest_outside"] else ""
        fixes.append(f"{_fmt(c, r['coverage'])} < {_fmt(c, thr)}: bring {area_text(r['shortfall_m2'])} more industrial land "
                     f"into blocks, e.g. extend blocks over the {r['outside_parcels']} industrial parcels outside every block "
                     f"({area_text(r['outside_m2']).split(' (')[0]}{ex}); or re-plan {area_text(replan)} of that land if it is "
                     "not to stay industrial")
    t["fix"] = fixes
    t["basis"] = basis
    t["criterion"] = _rule(c)
    return t


# ---------------------------------------------------------------------------------------
# 占补平衡


