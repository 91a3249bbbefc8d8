"""Stage 7 — block and policy checks: industrial blocks, 占补平衡, mixed use, projects, enterprises.

Each check reads its thresholds from a rule pack (every number has a code, names, unit,
source clause and status) and returns tables aligned to its input, where every failing row
states the observed value, the threshold and what would fix it:

- :func:`check_blocks` — Guangzhou's industrial-block (工业产业区块) rules: the industrial
  share of every block (≥ 55 % in ``guangzhou-2023``, ≥ 65 % in ``guangzhou-2024``) and the
  share of each district's planned industrial land lying inside blocks (≥ 80 %).
- :func:`block_balance` — 占补平衡: block area removed and added per district between an old
  and a revised block layer.
- :func:`check_mixed_use` — Jiaxing's mixed industrial land (industrial floor area ≥ 51 %),
  flexible land terms (≤ 30 years) and FAR / green-ratio minimums balanced over a park.
- :func:`check_projects` — Guangzhou's land-quota tiers for manufacturing projects.
- :func:`screen_enterprises` — Shenzhen 2011's low-end enterprise flags and the floor space
  their clearance frees, against the 2013 and 2015 targets.
- :func:`benchmark_table` — the Shenzhen High-Tech Park per-km² benchmarks for any set of
  parks, zones or districts.
- :func:`short_leases` — tenants in retain-upgrade areas with leases under 5 years.

Geometry: parcels are clipped to blocks, so a parcel across two blocks counts in each by its
part. For speed, a parcel is assigned to blocks by its representative point, and exact
intersections are computed only for parcels that a block edge passes through (found with an
STRtree of the blocks' edge segments). Areas are in square metres of the parcels' projected
CRS; shares are fractions (0–1); 1 亩 = 666.67 m² (:data:`zoning.indicators.M2_PER_MU`).

Bounds are explicit: a criterion ``≥ 0.55`` passes at exactly 55 %. Shares are compared with
an absolute tolerance of 1e-9 so that floating-point rounding of areas cannot flip a result
that is exactly on the threshold.
"""

from __future__ import annotations

import time
import warnings
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from zoning.errors import CRSWarning, DataRepairWarning, InputError, RulePackError, ZoningWarning
from zoning.indicators import M2_PER_MU
from zoning.validate import Problem

if TYPE_CHECKING:  # pragma: no cover
    import os

    from zoning.rules.schema import Criterion, RulePack

__all__ = [
    "BlockBalance",
    "BlockCheck",
    "EnterpriseScreening",
    "MixedUseCheck",
    "benchmark_table",
    "block_balance",
    "block_intersections",
    "check_blocks",
    "check_mixed_use",
    "check_projects",
    "screen_enterprises",
    "short_leases",
]

#: absolute tolerance of ≥ / ≤ comparisons (shares, ratios): exactly-on-threshold passes
EPS = 1e-9
_BLOCK_ID_NAMES = ("区块编号", "block_id", "编号", "id", "区块代码", "区块号", "blockid", "block", "工业区块", "区块")
_DISTRICT_NAMES = ("district", "行政区", "所属区", "所在区", "区", "行政区划", "区县", "district_name", "qh", "xzq", "name")
_NO_DISTRICT = "(no district)"
_ALL = "(all)"


# ---------------------------------------------------------------------------------------
# small helpers


def _load(rules: Any, overrides: Mapping[str, Any] | None, section: str, what: str) -> RulePack:
    """Load a pack and make sure it has ``section``; otherwise name the packs that do."""
    from zoning.rules import available_rules, load_rules

    pack = load_rules(rules, overrides=overrides)
    if getattr(pack, section) is None:
        having = [n for n in available_rules() if getattr(load_rules(n), section) is not None]
        msg = (f"rule pack '{pack.pack.name}' has no [{section}] rules, so it cannot {what}; "
               f"packs that can: {', '.join(having) or 'none'}")
        raise RulePackError(msg)
    return pack


def _section(pack: RulePack, section: str, field_name: str) -> Criterion:
    """A criterion a section of the pack must name (the schema guarantees it exists)."""
    c = pack.section_criterion(section, field_name)
    if c is None:
        msg = f"rule pack '{pack.pack.name}' has no {section}.{field_name} criterion"
        raise RulePackError(msg)
    return c


def _codes(c: Criterion) -> list[str]:
    """The land-use classes of a class criterion."""
    return [str(v) for v in c.value] if isinstance(c.value, list) else [str(c.value)]


def _geoms(gdf: gpd.GeoDataFrame) -> np.ndarray:
    return np.asarray(gdf.geometry.array, dtype=object)


def _unit_suffix(unit: str) -> str:
    return "" if unit in ("share", "ratio", "class", "flag", "grade") else f" {unit}"


def _fmt(c: Criterion, value: float | None) -> str:
    """A value in the criterion's indicator unit, formatted as the pack shows it."""
    from zoning.rules.schema import INDICATORS

    if value is None or not np.isfinite(value):
        return "missing"
    ind = INDICATORS[c.indicator]
    return ind.fmt.format(value) + _unit_suffix(ind.unit)


def _op(c: Criterion) -> str:
    return {"<=": "≤", ">=": "≥", "!=": "≠", "==": "="}.get(c.op, c.op)


def _thr_text(c: Criterion) -> str:
    """The threshold as the pack writes it (``5 亿元``, ``55.0%``, ``400 万元/亩``)."""
    from zoning.rules.schema import INDICATORS

    if isinstance(c.value, (int, float)) and c.unit != INDICATORS[c.indicator].unit and c.unit not in ("share", "%"):
        return f"{c.value:g} {c.unit}"
    return _fmt(c, _thr(c))


def _rule(c: Criterion) -> str:
    """``"GZ-B1 ≥ 55.0%"`` — code, comparison and threshold in the indicator's unit."""
    return f"{c.code} {_op(c)} {_thr_text(c)}"


def _thr(c: Criterion) -> float:
    t = c.threshold
    if not isinstance(t, (int, float)):
        msg = f"criterion {c.code} needs a numeric threshold, got {t!r}"
        raise RulePackError(msg)
    return float(t)


def _compare(values: np.ndarray, op: str, thr: float) -> np.ndarray:
    """``values op thr`` with the EPS tolerance on ≥ / ≤; NaN compares False."""
    v = np.asarray(values, dtype="float64")
    with np.errstate(invalid="ignore"):
        if op == ">=":
            out = v >= thr - EPS
        elif op == ">":
            out = v > thr
        elif op == "<=":
            out = v <= thr + EPS
        elif op == "<":
            out = v < thr
        elif op == "==":
            out = np.abs(v - thr) <= EPS
        elif op == "!=":
            out = np.abs(v - thr) > EPS
        else:  # pragma: no cover - the schema allows class ops only on class indicators
            msg = f"op {op!r} cannot compare numbers"
            raise RulePackError(msg)
    return out & np.isfinite(v)


def area_text(m2: float) -> str:
    """An area for people: m², ha or km², always with 亩.

    >>> area_text(23_000), area_text(1_960_000), area_text(1_500)
    ('2.30 ha (34.5 亩)', '1.96 km² (2,940 亩)', '1,500 m² (2.2 亩)')
    """
    if m2 is None or not np.isfinite(m2):
        return "—"
    mu = m2 / M2_PER_MU
    if abs(m2) >= 1e6:
        return f"{m2 / 1e6:.2f} km² ({mu:,.0f} 亩)"
    if abs(m2) >= 1e4:
        return f"{m2 / 1e4:.2f} ha ({mu:,.1f} 亩)"
    return f"{m2:,.0f} m² ({mu:.1f} 亩)"


def _pct(x: float) -> str:
    return "—" if x is None or not np.isfinite(x) else f"{x:.1%}"


def _find_column(df: pd.DataFrame, names: Iterable[str]) -> str | None:
    """First column of ``df`` whose normalised name is one of ``names`` (in the order of names)."""
    from zoning.schema import normalise_name

    cols = {normalise_name(str(c)): c for c in df.columns if c != getattr(df, "_geometry_column_name", None)}
    for n in names:
        c = cols.get(normalise_name(n))
        if c is not None:
            return c
    return None


def _columns_text(df: pd.DataFrame) -> str:
    geo = getattr(df, "_geometry_column_name", None)
    return ", ".join(repr(str(c)) for c in df.columns if c != geo) or "(none)"


def _use_column(use: str | None, default: str) -> str:
    if use is None:
        return default
    u = str(use).strip().lower().replace("-", "_")
    if u in ("planned", "planned_use", "规划", "规划用途"):
        return "planned_use"
    if u in ("current", "current_use", "现状", "现状用途"):
        return "current_use"
    msg = f"use={use!r} is not a land-use basis; choose 'planned_use' (规划用途, the default) or 'current_use' (现状用途)"
    raise InputError(msg)


def _canonical(parcels: Any, needed: Iterable[str], *, what: str = "parcels") -> gpd.GeoDataFrame:
    """Parcels with canonical column names, in a projected metric CRS, with a unique index.

    Files read with :func:`zoning.read_parcels` already use canonical names and are taken as
    they are (``standardise_parcels`` is only run when a needed column is missing, since it
    costs seconds on a million rows).
    """
    from zoning.crs import ensure_metric_crs, is_metric
    from zoning.io import standardise_parcels

    if not isinstance(parcels, gpd.GeoDataFrame):
        msg = f"{what} should be a GeoDataFrame, got {type(parcels).__name__}; read files with zoning.read_parcels(path)"
        raise InputError(msg)
    if len(parcels) == 0:
        msg = f"the {what} layer has no rows: nothing to check"
        raise InputError(msg)
    if not parcels.index.is_unique:
        dup = parcels.index[parcels.index.duplicated()].unique()[:5].tolist()
        msg = f"the {what} index is not unique (e.g. {dup}); results are aligned to it. Call {what}.reset_index(drop=True) first"
        raise InputError(msg)
    gdf = parcels
    if any(c not in gdf.columns for c in needed):
        gdf = standardise_parcels(gdf)
    if gdf.crs is None:
        from zoning.crs import _missing_crs_message

        raise InputError(_missing_crs_message(gdf, what))
    if not is_metric(gdf.crs):
        gdf = ensure_metric_crs(gdf, name=what)
    return gdf


def _clean_geometries(geom: np.ndarray, labels: Sequence[str] | np.ndarray, what: str, problems: list[Problem]) -> np.ndarray:
    """Make invalid polygons valid (with a warning); keep None/empty as they are."""
    present = ~(shapely.is_missing(geom) | shapely.is_empty(geom))
    types = shapely.get_type_id(geom)
    poly = present & np.isin(types, [3, 6])
    other = present & ~poly
    if other.any():
        bad = [str(labels[int(i)]) for i in np.flatnonzero(other)[:10]]
        msg = (f"{other.sum()} {what} are not polygons (e.g. {', '.join(bad)}); zoning needs Polygon or "
               "MultiPolygon geometries. Convert lines to polygons or remove these rows")
        raise InputError(msg)
    invalid = poly & ~shapely.is_valid(geom)
    if invalid.any():
        geom = geom.copy()
        fixed = shapely.make_valid(geom[invalid], method="structure", keep_collapsed=False)
        # keep only the polygonal part of anything make_valid returns
        fixed = np.array([g if g.geom_type in ("Polygon", "MultiPolygon") else
                          shapely.union_all([p for p in shapely.get_parts(g) if p.geom_type == "Polygon"])
                          for g in fixed], dtype=object)
        geom[invalid] = fixed
        ids = [str(labels[int(i)]) for i in np.flatnonzero(invalid)]
        text = f"{invalid.sum()} invalid {what} geometr{'y was' if invalid.sum() == 1 else 'ies were'} repaired with make_valid (e.g. {', '.join(ids[:5])})"
        problems.append(Problem("warning", "invalid_geometry_repaired", text, "geometry", ids if what == "parcels" else [], "fix the source polygons to silence this"))
        warnings.warn(text, DataRepairWarning, stacklevel=4)
    return geom


# ---------------------------------------------------------------------------------------
# geometry core: parcels x blocks


def block_intersections(parcel_geoms: Any, block_geoms: Any) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Area of every parcel inside every block, without a full overlay.

    1. Block edges are cut into segments and put in an STRtree. A parcel that a segment
       passes through (the segment crosses the parcel or lies inside it; touching the
       parcel's outline does not count) straddles the block edge: only these pairs are
       intersected exactly.
    2. Every other parcel lies wholly inside or wholly outside each block, so its
       representative point (``point_on_surface``) decides, with one prepared ``contains``
       query of the blocks against an STRtree of the points.
    3. Multi-part parcels can sit across an edge without an edge passing through them: they
       are intersected exactly with every block whose outline they intersect.

    Parameters
    ----------
    parcel_geoms, block_geoms
        Arrays (or GeoSeries) of valid polygons in the same projected CRS. None and empty
        geometries are allowed and take part in nothing.

    Returns
    -------
    parcel, block, area, straddles
        ``parcel[k]`` lies in ``block[k]`` (positions in the inputs) with ``area[k] > 0`` m²
        of its land; ``straddles`` marks, per parcel, those intersected exactly.

    Examples
    --------
    >>> from shapely import box
    >>> p, b, a, s = block_intersections([box(0, 0, 10, 10), box(10, 0, 20, 10), box(50, 50, 60, 60)],
    ...                                  [box(0, 0, 15, 10)])
    >>> p.tolist(), b.tolist(), a.tolist(), s.tolist()
    ([0, 1], [0, 0], [100.0, 50.0], [False, True, False])
    """
    pg = np.asarray(parcel_geoms.array if hasattr(parcel_geoms, "array") else parcel_geoms, dtype=object)
    bg = np.asarray(block_geoms.array if hasattr(block_geoms, "array") else block_geoms, dtype=object)
    n = pg.size
    straddles = np.zeros(n, dtype=bool)
    empty = (np.zeros(0, np.int64), np.zeros(0, np.int64), np.zeros(0), straddles)
    pok = ~(shapely.is_missing(pg) | shapely.is_empty(pg)) if n else np.zeros(0, bool)
    bok = ~(shapely.is_missing(bg) | shapely.is_empty(bg)) if bg.size else np.zeros(0, bool)
    bidx = np.flatnonzero(bok)
    pidx = np.flatnonzero(pok)
    if bidx.size == 0 or pidx.size == 0:
        return empty
    blocks = bg[bidx]
    nb = np.int64(bidx.size)

    # 1. edge segments of every block; parcels whose interior an edge passes through
    rings, ring_block = shapely.get_parts(shapely.boundary(blocks), return_index=True)
    coords, ring_of = shapely.get_coordinates(rings, return_index=True)
    seg_ok = (ring_of[1:] == ring_of[:-1]) & np.any(coords[1:] != coords[:-1], axis=1)
    segments = shapely.linestrings(np.stack([coords[:-1][seg_ok], coords[1:][seg_ok]], axis=1))
    seg_block = ring_block[ring_of[:-1][seg_ok]]
    # an edge meets a parcel's interior iff it crosses the parcel or lies inside it (touching
    # along the parcel's outline is neither); both are prepared STRtree predicates
    tree = shapely.STRtree(segments)
    crossing = tree.query(pg[pidx], predicate="crosses")
    inside = tree.query(pg[pidx], predicate="contains")
    si, sj = np.concatenate([crossing[0], inside[0]]), np.concatenate([crossing[1], inside[1]])
    cross = np.unique(pidx[si].astype(np.int64) * nb + seg_block[sj])

    # 3. multi-part parcels: exact with every block they meet
    multi = np.zeros(n, dtype=bool)
    multi[pidx] = shapely.get_num_geometries(pg[pidx]) > 1
    if multi.any():
        midx = np.flatnonzero(multi)
        mi, mj = shapely.STRtree(blocks).query(pg[midx], predicate="intersects")
        cross = np.union1d(cross, midx[mi].astype(np.int64) * nb + mj)

    # 2. representative points of the other parcels, inside which blocks
    single = pidx[~multi[pidx]]
    points = shapely.point_on_surface(pg[single])
    bj, pk = shapely.STRtree(points).query(blocks, predicate="contains")
    key = single[pk].astype(np.int64) * nb + bj
    whole = ~np.isin(key, cross, assume_unique=False)
    wp, wb = single[pk][whole], bj[whole]
    wa = shapely.area(pg[wp])

    cp, cb = np.divmod(cross, nb)
    ca = shapely.area(shapely.intersection(pg[cp], blocks[cb])) if cp.size else np.zeros(0)
    straddles[cp] = True
    pos = ca > 0
    parcel = np.concatenate([wp, cp[pos]]).astype(np.int64)
    block = bidx[np.concatenate([wb, cb[pos]])].astype(np.int64)
    area = np.concatenate([wa, ca[pos]])
    order = np.lexsort((block, parcel))
    return parcel[order], block[order], area[order], straddles


def _block_overlaps(bg: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Pairs of blocks (i < j) whose overlap has positive area, and that area."""
    ok = np.flatnonzero(~(shapely.is_missing(bg) | shapely.is_empty(bg)))
    if ok.size < 2:
        return np.zeros(0, np.int64), np.zeros(0, np.int64), np.zeros(0)
    i, j = shapely.STRtree(bg[ok]).query(bg[ok], predicate="intersects")
    keep = i < j
    i, j = ok[i[keep]], ok[j[keep]]
    area = shapely.area(shapely.intersection(bg[i], bg[j])) if i.size else np.zeros(0)
    pos = area > 0
    return i[pos], j[pos], area[pos]


# ---------------------------------------------------------------------------------------
# block inputs


def _block_ids(blocks: gpd.GeoDataFrame, id_column: str | None, problems: list[Problem]) -> tuple[str, np.ndarray]:
    """The id column (given, recorded by read_blocks, or found by name) and its values as text."""
    col = id_column or (blocks.attrs.get("zoning") or {}).get("id_column")
    if col is not None and col not in blocks.columns:
        msg = (f"block id column {col!r} is not in the block layer; its columns are {_columns_text(blocks)}. "
               "Pass the right one with id_column='…' (CLI: --id-column)")
        raise InputError(msg)
    if col is None:
        col = _find_column(blocks, _BLOCK_ID_NAMES)
    if col is None:
        msg = (f"the block layer has no id column (looked for {', '.join(_BLOCK_ID_NAMES[:4])} …); its columns are "
               f"{_columns_text(blocks)}. Name the id column with id_column='…' (CLI: --id-column)")
        raise InputError(msg)
    raw = blocks[col]
    ids = np.array([None if pd.isna(v) else (str(int(v)) if isinstance(v, float) and float(v).is_integer() else str(v).strip())
                    for v in raw], dtype=object)
    blank = np.array([v is None or v == "" for v in ids])
    if blank.any():
        ids[blank] = [f"row {i}" for i in np.flatnonzero(blank)]
        text = f"{blank.sum()} block(s) have no id in {col!r}; their row numbers are used ({', '.join(ids[blank][:5])})"
        problems.append(Problem("warning", "blank_block_id", text, str(col), [], "fill in the block ids"))
        warnings.warn(text, ZoningWarning, stacklevel=4)
    dup = pd.Series(ids).duplicated(keep=False).to_numpy()
    if dup.any():
        groups = pd.Series(np.flatnonzero(dup)).groupby(ids[dup]).agg(list)
        ex = "; ".join(f"{k} (rows {', '.join(map(str, v[:4]))})" for k, v in list(groups.items())[:5])
        text = (f"{len(groups)} block id(s) are used by more than one row: {ex}; each row is checked as its own block "
                "— dissolve the rows first if they are one block")
        problems.append(Problem("warning", "duplicate_block_id", text, str(col), [], "give every block its own id, or dissolve by id"))
        warnings.warn(text, ZoningWarning, stacklevel=4)
    return str(col), ids


def _prepare_blocks(blocks: Any, crs: Any, problems: list[Problem], *, what: str = "blocks") -> gpd.GeoDataFrame:
    """Blocks in ``crs``: checks the CRS (missing → error, other → re-projected with a warning)."""
    if not isinstance(blocks, gpd.GeoDataFrame):
        msg = f"{what} should be a GeoDataFrame, got {type(blocks).__name__}; read files with zoning.read_blocks(path)"
        raise InputError(msg)
    if len(blocks) == 0:
        msg = f"the {what} layer has no rows: there is nothing to check"
        raise InputError(msg)
    if blocks.crs is None:
        msg = (f"the {what} have no CRS (no .prj or CRS metadata), so they cannot be laid over the parcels "
               f"(which are in {crs.to_string() if crs is not None else 'an unknown CRS'}). Declare it: "
               "zoning.read_blocks(path, source_crs='EPSG:4547') (CLI: --blocks-source-crs EPSG:4547) "
               "or blocks.set_crs(...)")
        raise InputError(msg)
    if crs is not None and not blocks.crs.equals(crs):
        text = (f"the {what} are in {blocks.crs.to_string()} and the parcels in {crs.to_string()}: "
                f"the {what} were re-projected to {crs.to_string()}")
        problems.append(Problem("warning", "blocks_reprojected", text, "geometry", [], "give both layers the same CRS to silence this"))
        warnings.warn(text, CRSWarning, stacklevel=4)
        blocks = blocks.to_crs(crs)
    return blocks


def _district_of_blocks(blocks: gpd.GeoDataFrame, district_column: str | None) -> str | None:
    if district_column is not None:
        if district_column not in blocks.columns:
            msg = (f"district column {district_column!r} is not in the block layer; its columns are "
                   f"{_columns_text(blocks)} (CLI: --district-column)")
            raise InputError(msg)
        return district_column
    return _find_column(blocks, _DISTRICT_NAMES[:-1])


# ---------------------------------------------------------------------------------------
# check_blocks


_BLOCK_COLUMNS = ["block_id", "district", "basis", "block_area_m2", "parcel_land_m2", "unparcelled_m2",
                  "industrial_area_m2", "industrial_share", "industrial_share_of_parcel_land", "n_parcels",
                  "criterion", "threshold", "passes", "status", "shortfall_m2", "shortfall_mu", "drivers", "fix"]


@dataclass
class BlockCheck:
    """Result of :func:`check_blocks`.

    Attributes
    ----------
    blocks
        Every input block row with its own columns, plus ``block_id`` (text), ``district``,
        ``basis``, ``block_area_m2``, ``parcel_land_m2`` (parcel land inside, clipped),
        ``unparcelled_m2`` (roads and other land without parcels), ``industrial_area_m2``,
        ``industrial_share`` (of the block area, 0–1; NaN for a block without geometry),
        ``industrial_share_of_parcel_land``, ``n_parcels``, ``criterion`` (e.g.
        ``"GZ-B1 ≥ 55.0%"``), ``threshold``, ``passes``, ``status`` (``pass`` / ``fail`` /
        ``no geometry``), ``shortfall_m2`` and ``shortfall_mu`` (industrial land missing to
        reach the threshold), ``drivers`` (the largest non-industrial parcels inside) and
        ``fix``.
    districts
        Indexed by district: ``planned_industrial_m2`` (industrial land on the basis used),
        ``inside_blocks_m2`` (of it inside blocks, counted once where blocks overlap),
        ``coverage``, ``threshold``, ``passes``, ``shortfall_m2``, ``shortfall_mu``,
        ``outside_parcels`` / ``outside_m2`` (industrial parcels wholly outside every block),
        ``largest_outside``, ``blocks``, ``blocks_failing``, ``status``, ``fix``, ``basis``,
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
    problems
        What the inputs needed (re-projection, repairs, overlapping or empty blocks) and notes
        (parcels outside every block), as :class:`~zoning.validate.Problem` objects.
    """

    blocks: gpd.GeoDataFrame
    districts: pd.DataFrame
    parcels: gpd.GeoDataFrame
    rules: RulePack
    basis: str
    problems: list[Problem] = field(default_factory=list)
    timings: dict[str, float] = field(default_factory=dict)

    @property
    def criteria(self) -> pd.DataFrame:
        """The thresholds used: code, name, test, status and source (one row per criterion)."""
        return _criteria_table(self.rules, "blocks")

    def summary(self, *, max_rows: int = 10) -> str:
        """A readable account: failing blocks and districts with observed, threshold and fix.

        Examples
        --------
        >>> import zoning
        >>> check = zoning.blocks.check_blocks(
        ...     zoning.read_parcels(zoning.datasets.get_path("parcels")),
        ...     zoning.read_blocks(zoning.datasets.get_path("blocks")))
        >>> print(check.summary().splitlines()[0])
        Industrial blocks checked against guangzhou-2023 (planned use; industrial land: M, M0, M1, M2, M3, W, W1, W2, W3)
        """
        pack, b, d = self.rules, self.blocks, self.districts
        ind = _section(pack, "blocks", "industrial")
        cb = _section(pack, "blocks", "min_block_share")
        cd = _section(pack, "blocks", "min_district_coverage")
        basis = self.basis.replace("_use", " use")
        lines = [f"Industrial blocks checked against {pack.pack.name} ({basis}; industrial land: {', '.join(_codes(ind))})"]
        n_fail = int((b["status"] == "fail").sum())
        n_empty = int((b["status"] == "no geometry").sum())
        lines.append(f"{len(b)} blocks: {int(b['passes'].sum())} pass, {n_fail} fail {cb.code} "
                     f"({cb.name_en} {_op(cb)} {_fmt(cb, _thr(cb))})" + (f", {n_empty} without geometry" if n_empty else ""))
        bad = b[b["status"] != "pass"].sort_values("industrial_share", na_position="last")
        for _, r in bad.head(max_rows).iterrows():
            where = f" {r['district']}" if pd.notna(r["district"]) and r["district"] else ""
            lines.append(f"  {r['block_id']}{where}: {r['fix']}")
        if len(bad) > max_rows:
            lines.append(f"  … {len(bad) - max_rows} more (see .blocks)")
        lines.append(f"{len(d)} district(s): {int(d['passes'].sum())} pass, {int((~d['passes']).sum())} fail {cd.code} "
                     f"({cd.name_en} {_op(cd)} {_fmt(cd, _thr(cd))})")
        for name, r in d[~d["passes"]].iterrows():
            lines.append(f"  {name}: {r['fix']}")
        p = self.parcels
        out = p["industrial"] & p["outside_blocks"]
        lines.append(f"{int(out.sum())} industrial parcel(s), {area_text(float(p.loc[out, 'land_area_m2'].sum()))}, lie outside "
                     f"every block; {int(p['straddles'].sum())} parcel(s) cross a block edge and were clipped.")
        for pr in self.problems:
            if pr.severity != "info":
                lines.append(f"{pr.severity}: {pr.message}")
        return "\n".join(lines)

    def to_file(self, path: str | os.PathLike[str], *, overwrite: bool = True) -> Path:
        """Write GeoPackage layers ``blocks``, ``districts``, ``parcels`` and ``criteria``."""
        from zoning.io import write_layers

        return write_layers({"blocks": self.blocks, "districts": self.districts.reset_index(),
                             "parcels": self.parcels, "criteria": self.criteria.reset_index()},
                            path, overwrite=overwrite)

    def __repr__(self) -> str:
        b, d = self.blocks, self.districts
        return (f"BlockCheck({self.rules.pack.name}, {self.basis}: {len(b)} blocks, {int(b['passes'].sum())} pass; "
                f"{len(d)} districts, {int(d['passes'].sum())} pass)")

    def _repr_html_(self) -> str:  # pragma: no cover - notebook display
        cols = ["block_id", "district", "industrial_share", "threshold", "passes", "shortfall_mu", "fix"]
        return (f"<p>{self.summary().splitlines()[0]}</p>" + self.blocks[cols].to_html(index=False)
                + self.districts.drop(columns=["basis", "criterion"]).to_html())


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
    rules: str | Path | RulePack = "guangzhou-2023",
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
        ``"guangzhou-2024"`` (≥ 65 %), or a path.
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
        ``.basis``, ``.problems``, ``.summary()`` and ``.to_file(path)``.

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
    pack = _load(rules, overrides, "blocks", "check industrial blocks")
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

    from zoning.landuse import parse_landuse

    lu = parse_landuse(gdf[basis])
    industrial = lu.code.isin(_codes(ind_c)).to_numpy(dtype=bool, na_value=False)
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
    thr = _thr(share_c)
    passes = _compare(share, share_c.op, thr)
    shortfall = np.where(no_geom | passes, 0.0, np.maximum(thr * barea - ind_in, 0.0))
    status = np.where(no_geom, "no geometry", np.where(passes, "pass", "fail"))
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
    failing = np.flatnonzero(status == "fail")
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
        fixes[j] = _block_fix(share_c, float(barea[j]), float(land_in[j]), float(ind_in[j]), non_cls, target, drivers[j])
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
    out["criterion"] = _rule(share_c)
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

    # districts
    dtab = _district_table(pout, out, cover_c, basis)
    outside = industrial & (counts == 0) & (parea > 0)
    if outside.any():
        problems.append(Problem("info", "outside_blocks", f"{outside.sum()} industrial parcel(s) ({area_text(float(parea[outside].sum()))}) lie outside every block; they count in district coverage", basis, list(pid[outside]), "extend blocks over them if they are to stay industrial"))
    timings["total"] = time.perf_counter() - t0
    return BlockCheck(blocks=out, districts=dtab, parcels=pout, rules=pack, basis=basis, problems=problems, timings=timings)


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
    bd = blocks[blocks["status"] != "no geometry"].groupby(blocks["district"].astype(object))
    t["blocks"] = bd.size().reindex(t.index).fillna(0).astype(int)
    t["blocks_failing"] = bd["passes"].apply(lambda s: int((~s).sum())).reindex(t.index).fillna(0).astype(int)
    t["status"] = np.where(none, "no industrial land", np.where(t["passes"], "pass", "fail"))
    fixes = []
    for _, r in t.iterrows():
        if r["status"] != "fail":
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


@dataclass
class BlockBalance:
    """Result of :func:`block_balance` (占补平衡).

    Attributes
    ----------
    districts
        Indexed by district: ``before_m2``, ``after_m2`` (block area), ``removed_m2``,
        ``added_m2``, ``net_m2`` (added − removed), ``threshold_m2``, ``balanced``,
        ``shortfall_m2``, ``shortfall_mu``, ``removed_blocks``, ``added_blocks``, ``fix``.
    changes
        The removed and added pieces: ``change`` (``removed`` / ``added``), ``district``,
        ``block_id`` (the old block a removed piece came from, the new block an added piece
        belongs to), ``area_m2``, ``area_mu`` and the geometry.
    blocks
        One row per block id in either layer: ``before_m2``, ``after_m2``, ``removed_m2``,
        ``added_m2`` and ``change`` (``unchanged``, ``removed``, ``new``, ``reduced``,
        ``enlarged`` or ``reshaped``).
    """

    districts: pd.DataFrame
    changes: gpd.GeoDataFrame
    blocks: pd.DataFrame
    rules: RulePack
    problems: list[Problem] = field(default_factory=list)

    def summary(self) -> str:
        """Per district: removed, added, net and whether the balance holds.

        Examples
        --------
        >>> import zoning
        >>> bal = zoning.blocks.block_balance(zoning.read_blocks(zoning.datasets.get_path("blocks")),
        ...                                   zoning.read_blocks(zoning.datasets.get_path("blocks_revised")))
        >>> print(bal.summary().splitlines()[0])
        占补平衡 against guangzhou-2023 GZ-K1 ≥ 0.00 ha: 5 of 6 district(s) balanced
        """
        c = _section(self.rules, "blocks", "balance")
        d = self.districts
        lines = [f"占补平衡 against {self.rules.pack.name} {_rule(c)}: {int(d['balanced'].sum())} of {len(d)} district(s) balanced"]
        for name, r in d.iterrows():
            if r["removed_m2"] > 0 or r["added_m2"] > 0 or not r["balanced"]:
                lines.append(f"  {name}: removed {area_text(r['removed_m2'])}, added {area_text(r['added_m2'])}, "
                             f"net {'+' if r['net_m2'] >= 0 else '−'}{area_text(abs(r['net_m2']))}"
                             + (" — balanced" if r["balanced"] else f" — NOT balanced: {r['fix']}"))
        return "\n".join(lines)

    def to_file(self, path: str | os.PathLike[str], *, overwrite: bool = True) -> Path:
        """Write GeoPackage layers ``changes``, ``districts`` and ``blocks``."""
        from zoning.io import write_layers

        return write_layers({"changes": self.changes, "districts": self.districts.reset_index(),
                             "blocks": self.blocks.reset_index()}, path, overwrite=overwrite)

    def __repr__(self) -> str:
        d = self.districts
        return f"BlockBalance({self.rules.pack.name}: {int(d['balanced'].sum())} of {len(d)} districts balanced, {len(self.changes)} changed pieces)"


def block_balance(
    old_blocks: gpd.GeoDataFrame,
    new_blocks: gpd.GeoDataFrame,
    *,
    district_column: str | None = None,
    id_column: str | None = None,
    rules: str | Path | RulePack = "guangzhou-2023",
    overrides: Mapping[str, Any] | None = None,
) -> BlockBalance:
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
    BlockBalance
        ``.districts`` (removed_m2, added_m2, net_m2, balanced, fix), ``.changes`` (the
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
    >>> bal = block_balance(old, new)
    >>> r = bal.districts.loc["龙华区"]
    >>> round(r["removed_m2"]), round(r["added_m2"]), bool(r["balanced"])
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
    from zoning.crs import ensure_metric_crs, is_metric

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
    t["balanced"] = _compare(t["net_m2"].to_numpy() / 1e4, c.op, _thr(c))
    t["shortfall_m2"] = np.where(t["balanced"], 0.0, np.maximum(thr_m2 - t["net_m2"], 0.0))
    t["shortfall_mu"] = t["shortfall_m2"] / M2_PER_MU
    fixes = []
    for name, r in t.iterrows():
        if r["balanced"]:
            fixes.append("")
            continue
        fixes.append(f"add {area_text(r['shortfall_m2'])} of new block area in {name} to offset the removal "
                     f"({r['removed_blocks'] or 'no block id'}), e.g. over planned industrial land outside blocks; "
                     "先补后占: add it before the removal takes effect")
    t["fix"] = fixes
    t = t[["before_m2", "after_m2", "removed_m2", "added_m2", "net_m2", "threshold_m2", "balanced", "shortfall_m2",
           "shortfall_mu", "removed_blocks", "added_blocks", "fix"]]
    return BlockBalance(districts=t, changes=changes, blocks=_block_changes(old_ids, og, new_ids, ng, min_m2),
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


# ---------------------------------------------------------------------------------------
# shared by the policy checks


def _evaluate(c: Criterion, values: np.ndarray, tested: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Status (``pass`` / ``fail`` / ``missing`` / ``""`` where not tested) and the verdict
    after the criterion's missing policy (untested rows pass)."""
    v = np.asarray(values, dtype="float64")
    tested = np.ones(v.size, dtype=bool) if tested is None else np.asarray(tested, dtype=bool)
    ok = _compare(v, c.op, _thr(c))
    missing = ~np.isfinite(v)
    status = np.where(~tested, "", np.where(missing, "missing", np.where(ok, "pass", "fail"))).astype(object)
    met = ~tested | ok | (missing & (c.missing == "pass"))
    return status, met


def _number(df: pd.DataFrame, col: str) -> np.ndarray:
    if col not in df.columns:
        return np.full(len(df), np.nan)
    return pd.to_numeric(df[col], errors="coerce").to_numpy(dtype="float64", na_value=np.nan)


def _land_area(df: pd.DataFrame) -> tuple[np.ndarray, str]:
    """Land area in m² from the geometry (projected CRS) or, without geometry, ``land_area_m2``."""
    if isinstance(df, gpd.GeoDataFrame) and df.geometry.name in df.columns and df.crs is not None and df.geometry.notna().any():
        a = shapely.area(_geoms(df))
        return np.where(np.isfinite(a) & (a > 0), a, np.nan), "geometry"
    if "land_area_m2" in df.columns:
        a = _number(df, "land_area_m2")
        return np.where(a > 0, a, np.nan), "land_area_m2"
    msg = (f"no land area: give polygons in a projected CRS or a land-area column (用地面积 / land_area_m2); "
           f"columns are {_columns_text(df)}")
    raise InputError(msg)


def _table_input(data: Any, needed: Iterable[str], what: str) -> pd.DataFrame:
    """Parcels or projects as a (Geo)DataFrame with canonical names; metric CRS if spatial."""
    if isinstance(data, gpd.GeoDataFrame) and data.geometry.name in data.columns:
        return _canonical(data, list(needed), what=what)
    if not isinstance(data, pd.DataFrame):
        msg = f"{what} should be a DataFrame or GeoDataFrame, got {type(data).__name__}"
        raise InputError(msg)
    if len(data) == 0:
        msg = f"the {what} table has no rows: nothing to check"
        raise InputError(msg)
    if not data.index.is_unique:
        msg = f"the {what} index is not unique; call .reset_index(drop=True) first"
        raise InputError(msg)
    if all(c in data.columns for c in needed):
        return data
    from zoning.io import standardise_parcels

    tmp = gpd.GeoDataFrame(data.copy(), geometry=gpd.GeoSeries([None] * len(data), index=data.index, name="_no_geometry"))
    std = standardise_parcels(tmp)
    return pd.DataFrame(std.drop(columns=[std.geometry.name]))


# ---------------------------------------------------------------------------------------
# Jiaxing: mixed industrial land, flexible terms, park balancing


@dataclass
class MixedUseCheck:
    """Result of :func:`check_mixed_use`.

    Attributes
    ----------
    parcels
        Aligned to the parcel index: ``parcel_id``, ``park``, ``mixed_use`` (tested for the
        floor-area rule), ``industrial`` (tested for the FAR / green minimums),
        ``industrial_floor_share``, ``far``, ``green_ratio``, ``land_term_years``, one status
        column per criterion code (``pass``, ``fail``, ``pass (park)`` — met only through the
        park's aggregate —, ``missing`` or ``""`` where not tested), ``passes``,
        ``passes_by_balance`` (passes only because the park balances it), ``reasons`` (observed
        vs threshold for every failure) and ``fix``; the geometry when the input has one.
    parks
        One row per park: ``parcels``, ``land_m2``, ``floor_m2``, ``far``, ``green_ratio``,
        per balanced criterion ``<code>_passes``, ``below`` (parcels below the minimum) and
        ``balanced`` (of them, carried by the park), ``floor_short_m2`` /
        ``green_short_m2`` and ``fix``.
    """

    parcels: pd.DataFrame
    parks: pd.DataFrame
    rules: RulePack
    basis: str
    problems: list[Problem] = field(default_factory=list)

    def summary(self) -> str:
        """Counts per criterion, parcels that pass only through park balancing, failing parks.

        Examples
        --------
        >>> import zoning
        >>> mu = zoning.blocks.check_mixed_use(zoning.read_parcels(zoning.datasets.get_path("parcels")))
        >>> print(mu.summary().splitlines()[1])
          JX-M1 industrial share of a mixed parcel's floor area ≥ 51.0%: 70 tested, 47 pass, 23 fail
        """
        p, pack = self.parcels, self.rules
        lines = [f"Mixed industrial land and park balancing against {pack.pack.name} ({self.basis.replace('_use', ' use')})"]
        for c in _mixed_criteria(pack):
            st = p[c.code]
            tested = st != ""
            line = (f"  {c.code} {c.name_en} {_op(c)} {_fmt(c, _thr(c))}: {int(tested.sum())} tested, "
                    f"{int((st == 'pass').sum())} pass, {int((st == 'fail').sum())} fail")
            if (st == "pass (park)").any():
                line += f", {int((st == 'pass (park)').sum())} pass only through their park"
            if (st == "missing").any():
                line += f", {int((st == 'missing').sum())} missing ({'counted as pass' if c.missing == 'pass' else 'counted as fail'})"
            lines.append(line)
        for pr in self.problems:
            if pr.severity != "info":
                lines.append(f"{pr.severity}: {pr.message}")
        bad = self.parks[self.parks["fix"] != ""]
        for name, r in bad.iterrows():
            lines.append(f"  park {name}: {r['fix']}")
        return "\n".join(lines)

    def to_file(self, path: str | os.PathLike[str], *, overwrite: bool = True) -> Path:
        """Write layers ``parcels`` (tested parcels only, with geometry if any) and ``parks``."""
        from zoning.io import write_layers

        p = self.parcels
        tested = np.zeros(len(p), dtype=bool)
        for c in _mixed_criteria(self.rules):
            tested |= (p[c.code] != "").to_numpy()
        return write_layers({"parcels": p[tested], "parks": self.parks.reset_index()}, path, overwrite=overwrite)


def _mixed_criteria(pack: RulePack) -> list[Criterion]:
    mu = pack.mixed_use
    assert mu is not None
    refs = [mu.min_industrial_floor_share, mu.min_far, mu.min_green_ratio, mu.max_land_term]
    return [pack.criterion(r) for r in refs if r is not None]


def check_mixed_use(
    parcels: gpd.GeoDataFrame,
    *,
    rules: str | Path | RulePack = "jiaxing-2024",
    overrides: Mapping[str, Any] | None = None,
    use: str | None = None,
    mixed: str | Sequence[bool] | pd.Series | None = None,
    park_column: str | None = None,
) -> MixedUseCheck:
    """Check mixed industrial land (混合产业用地), flexible land terms and park-level balancing.

    Parameters
    ----------
    parcels
        Parcels with ``floor_area_m2`` and, where known, ``industrial_floor_area_m2``
        (工业建筑面积), ``green_ratio`` (绿地率), ``land_term_years`` (出让年期) and ``park``
        (园区).
    rules, overrides
        A pack with ``[mixed_use]`` rules (``jiaxing-2024``): industrial floor area ≥ 51 %
        (JX-M1), flexible terms ≤ 30 years (JX-T1), FAR and green-ratio minimums (JX-F1,
        JX-G1, heuristic numbers) that may be met through the park.
    use
        Land-use basis for "industrial parcel": ``planned_use`` (default) or ``current_use``.
    mixed
        Which parcels are mixed industrial land: a boolean column name or mask. Default:
        parcels with an industrial floor area recorded, or a mixed code such as ``M1/B2``.
    park_column
        Column naming the park to balance over (default: the pack's ``balance_over``,
        ``park`` — 园区).

    Returns
    -------
    MixedUseCheck
        ``.parcels`` (aligned to the input), ``.parks``, ``.summary()``, ``.to_file()``.

    Notes
    -----
    A parcel below the FAR or green-ratio minimum passes when its park's aggregate meets it
    (004 三(三) 在园区、片区范围内统筹平衡): park FAR = Σ floor area ÷ Σ land area of its tested
    parcels; park green ratio = land-weighted mean. Such parcels are marked ``pass (park)``
    and ``passes_by_balance``. Parcels without a park cannot be balanced.

    Examples
    --------
    >>> import zoning
    >>> mu = check_mixed_use(zoning.read_parcels(zoning.datasets.get_path("parcels")))
    >>> int((mu.parcels["JX-M1"] == "fail").sum())
    23
    >>> int(mu.parcels["passes_by_balance"].sum()) > 0
    True
    """
    pack = _load(rules, overrides, "mixed_use", "check mixed industrial land")
    mu = pack.mixed_use
    assert mu is not None
    basis = _use_column(use, mu.use)
    park_col = park_column or mu.balance_over
    df = _table_input(parcels, [basis, "floor_area_m2"], "parcels")
    problems: list[Problem] = []
    n = len(df)
    pid = _parcel_ids(df)
    area, _ = _land_area(df)
    from zoning.landuse import parse_landuse

    if basis in df.columns:
        lu = parse_landuse(df[basis])
        industrial = lu.code.isin(_codes(pack.criterion(mu.industrial))).to_numpy(dtype=bool, na_value=False)
        coded_mixed = (lu.mixed.to_numpy() & industrial)
    else:
        industrial = np.zeros(n, dtype=bool)
        coded_mixed = np.zeros(n, dtype=bool)
        problems.append(Problem("warning", "no_landuse", f"no {basis} column: no parcel is tested as industrial for the FAR / green minimums", basis))
    floor = _number(df, "floor_area_m2")
    ind_floor = _number(df, "industrial_floor_area_m2")
    if mixed is None:
        is_mixed = np.isfinite(ind_floor) | coded_mixed
    elif isinstance(mixed, str):
        if mixed not in df.columns:
            msg = f"mixed={mixed!r} is not a column; columns are {_columns_text(df)}"
            raise InputError(msg)
        is_mixed = df[mixed].astype("boolean").fillna(False).to_numpy(dtype=bool)
    else:
        is_mixed = np.asarray(pd.Series(mixed, index=df.index if len(mixed) == n else None).astype("boolean").fillna(False), dtype=bool)
        if is_mixed.size != n:
            msg = f"mixed has {is_mixed.size} values for {n} parcels"
            raise InputError(msg)
    with np.errstate(invalid="ignore", divide="ignore"):
        ind_share = np.where(floor > 0, ind_floor / floor, np.nan)
        far = np.where(area > 0, floor / area, np.nan)
    green = _number(df, "green_ratio")
    pct = np.isfinite(green) & (green > 1) & (green <= 100)
    if pct.any():
        green = np.where(pct, green / 100, green)
        text = f"{pct.sum()} green ratio(s) above 1 were read as percent (e.g. 25 → 0.25)"
        problems.append(Problem("warning", "green_ratio_percent", text, "green_ratio", list(pid[pct])))
        warnings.warn(text, DataRepairWarning, stacklevel=2)
    term = _number(df, "land_term_years")
    parks = df[park_col].astype("string").str.strip().replace("", pd.NA).to_numpy(dtype=object, na_value=None) if park_col in df.columns else np.full(n, None, dtype=object)
    if park_col not in df.columns:
        problems.append(Problem("warning", "no_park", f"no {park_col!r} column (园区): nothing can be balanced over a park", park_col, [], "add the park of each parcel, or pass park_column="))

    out = pd.DataFrame({"parcel_id": pd.array(pid, dtype="string"), "park": pd.array(parks, dtype="string"),
                        "mixed_use": is_mixed, "industrial": industrial | is_mixed,
                        "industrial_floor_share": ind_share, "far": far, "green_ratio": green,
                        "land_term_years": term}, index=df.index)
    tested_fg = industrial | is_mixed
    reasons: list[list[str]] = [[] for _ in range(n)]
    fixes: list[list[str]] = [[] for _ in range(n)]
    verdict = np.ones(n, dtype=bool)
    by_balance = np.zeros(n, dtype=bool)
    park_rows: dict[str, dict[str, Any]] = {}
    in_park = tested_fg & pd.notna(parks).astype(bool)
    park_ids = sorted({p for p in parks[in_park]}) if in_park.any() else []
    for pk in park_ids:
        park_rows[pk] = {"parcels": int((parks[in_park] == pk).sum())}

    c = pack.criterion(mu.min_industrial_floor_share)
    st, met = _evaluate(c, ind_share, is_mixed)
    out[c.code] = st
    verdict &= met
    thr = _thr(c)
    for i in np.flatnonzero(st == "fail"):
        t_, i_ = floor[i], ind_floor[i]
        convert = thr * t_ - i_
        add = convert / (1 - thr) if thr < 1 else np.inf
        reasons[i].append(f"{c.code} industrial floor share {_fmt(c, ind_share[i])} < {_fmt(c, thr)}")
        fixes[i].append(f"convert {convert:,.0f} m² of other floor space to industrial use (or add {add:,.0f} m² of industrial floor space)")
    for i in np.flatnonzero(st == "missing"):
        reasons[i].append(f"{c.code} industrial floor share missing (floor area {'missing' if not np.isfinite(floor[i]) else 'given'}, industrial floor area {'missing' if not np.isfinite(ind_floor[i]) else 'given'})")

    for ref, values, label in ((mu.min_far, far, "FAR"), (mu.min_green_ratio, green, "green ratio")):
        if ref is None:
            continue
        c = pack.criterion(ref)
        thr = _thr(c)
        st, met = _evaluate(c, values, tested_fg)
        balance = ref in mu.balance
        # park aggregate over its tested parcels with a value
        agg = np.full(n, np.nan)
        if balance and park_ids:
            have = in_park & np.isfinite(values) & np.isfinite(area)
            s = pd.DataFrame({"park": parks[have], "w": area[have], "wv": values[have] * area[have]}).groupby("park").sum()
            park_val = (s["wv"] / s["w"]).to_dict()
            agg = np.array([park_val.get(p, np.nan) if p is not None else np.nan for p in parks])
            park_ok = _compare(agg, c.op, thr)
            carried = (st == "fail") & in_park & park_ok
            st = st.copy()
            st[carried] = "pass (park)"
            met = met | carried
            by_balance |= carried
            for pk in park_ids:
                sel = in_park & (parks == pk)
                v = park_val.get(pk, np.nan)
                w = float(s.loc[pk, "w"]) if pk in s.index else 0.0
                short = max(thr * w - v * w, 0.0) if np.isfinite(v) else np.nan
                park_rows[pk].update({f"{c.code}_value": v, f"{c.code}_passes": bool(_compare(np.array([v]), c.op, thr)[0]) if np.isfinite(v) else None,
                                      f"{c.code}_below": int(((st == "fail") | (st == "pass (park)"))[sel].sum()),
                                      f"{c.code}_balanced": int((st == "pass (park)")[sel].sum()),
                                      f"{c.code}_short_m2": short})
        out[c.code] = st
        verdict &= met
        for i in np.flatnonzero((st == "fail") | (st == "pass (park)")):
            need = (thr - values[i]) * area[i]
            what = "floor area" if label == "FAR" else "green space"
            if st[i] == "pass (park)":
                reasons[i].append(f"{c.code} {label} {_fmt(c, values[i])} < {_fmt(c, thr)}, met through park {parks[i]} ({_fmt(c, agg[i])})")
            else:
                where = f"; park {parks[i]} is at {_fmt(c, agg[i])}, below the minimum too" if parks[i] is not None and balance else (
                    "; no park to balance over" if balance else "")
                reasons[i].append(f"{c.code} {label} {_fmt(c, values[i])} < {_fmt(c, thr)}{where}")
                fixes[i].append(f"add {need:,.0f} m² of {what}" + (" (or raise the park's aggregate above the minimum)" if balance and parks[i] is not None else ""))

    if mu.max_land_term is not None:
        c = pack.criterion(mu.max_land_term)
        has = np.isfinite(term)
        st, met = _evaluate(c, term, has)
        out[c.code] = st
        verdict &= met
        if "land_term_years" not in df.columns:
            problems.append(Problem("info", "no_land_term", f"no land-term column (出让年期 / land_term_years): {c.code} not tested", "land_term_years"))
        for i in np.flatnonzero(st == "fail"):
            reasons[i].append(f"{c.code} land term {_fmt(c, term[i])} > {_fmt(c, _thr(c))}")
            fixes[i].append(f"grant for at most {_fmt(c, _thr(c))} (flexible term), or record why the exception applies")

    out["passes"] = verdict
    out["passes_by_balance"] = by_balance & verdict
    out["reasons"] = ["; ".join(r) for r in reasons]
    out["fix"] = ["; ".join(f) for f in fixes]
    if isinstance(df, gpd.GeoDataFrame):
        out = gpd.GeoDataFrame(out, geometry=df.geometry.array, crs=df.crs, index=df.index)

    prow = []
    for pk in park_ids:
        sel = in_park & (parks == pk)
        row = {"park": pk, **park_rows[pk], "land_m2": float(np.nansum(area[sel])), "floor_m2": float(np.nansum(floor[sel]))}
        fx = []
        for ref, label in ((mu.min_far, "FAR"), (mu.min_green_ratio, "green ratio")):
            if ref is None or ref not in mu.balance or f"{ref}_passes" not in row:
                continue
            c = pack.criterion(ref)
            if not row[f"{ref}_passes"] and np.isfinite(row[f"{ref}_value"]):
                what = "floor area" if label == "FAR" else "green space"
                fx.append(f"park {label} {_fmt(c, row[f'{ref}_value'])} < {_fmt(c, _thr(c))}: the park needs "
                          f"{row[f'{ref}_short_m2']:,.0f} m² more {what} for its {row[f'{ref}_below']} parcels below the minimum to be balanced")
        row["fix"] = "; ".join(fx)
        prow.append(row)
    parks_t = pd.DataFrame(prow).set_index("park") if prow else pd.DataFrame(columns=["parcels", "land_m2", "floor_m2", "fix"]).rename_axis("park")
    return MixedUseCheck(parcels=out, parks=parks_t, rules=pack, basis=basis, problems=problems)


# ---------------------------------------------------------------------------------------
# Guangzhou: land-quota tiers for projects


def check_projects(
    projects: pd.DataFrame,
    *,
    rules: str | Path | RulePack = "guangzhou-2023",
    overrides: Mapping[str, Any] | None = None,
    id_column: str | None = None,
) -> pd.DataFrame:
    """Which land-quota tier each project qualifies for (Guangzhou 2023 draft, 002 二(一)2).

    Parameters
    ----------
    projects
        One row per project: ``investment_wan`` (固定资产投资, 万元; a column named
        ``投资额(亿元)`` is converted), ``tax_wan`` (expected annual tax, 万元) and the land as
        polygons in a projected CRS or a ``land_area_m2`` (用地面积) column.
    rules, overrides
        A pack with ``[projects]`` tiers: ``guangzhou-2023`` — provincial quota when
        investment ≥ 5亿元 (GZ-Q1), intensity ≥ 400万元/亩 (GZ-Q2) and tax ≥ 15万元/亩
        (GZ-Q3); city quota for 5000万元 (GZ-Q4) up to 5亿元.
    id_column
        Column naming the project (default: parcel_id / project_id / 项目编号 / 项目名称).

    Returns
    -------
    DataFrame
        Aligned to the input (a GeoDataFrame if the input has geometry): ``project_id``,
        ``land_area_m2``, ``land_area_mu``, ``investment_wan``, ``investment_wan_per_mu``,
        ``tax_wan``, ``tax_wan_per_mu``, one status column per criterion, ``tier``
        (``province``, ``city`` or ``none``), ``tier_label``, ``reasons`` (observed vs
        threshold of every failed test) and ``fix`` (what would reach the first tier).

    Examples
    --------
    >>> import pandas as pd
    >>> p = pd.DataFrame({"project_id": ["A", "B", "C"], "investment_wan": [80000, 60000, 8000],
    ...                   "tax_wan": [3000, 500, 100], "land_area_m2": [100_000, 100_000, 20_000]})
    >>> check_projects(p)[["project_id", "tier"]].values.tolist()
    [['A', 'province'], ['B', 'none'], ['C', 'city']]
    """
    from zoning.rules.schema import INDICATORS

    pack = _load(rules, overrides, "projects", "test projects")
    pr = pack.projects
    assert pr is not None
    df = _table_input(projects, ["investment_wan"], "projects")
    if "investment_wan" not in df.columns:
        msg = (f"the projects have no investment column (固定资产投资 / 投资额 / investment_wan); columns are "
               f"{_columns_text(df)}")
        raise InputError(msg)
    n = len(df)
    area, _ = _land_area(df)
    mu = area / M2_PER_MU
    inv = _number(df, "investment_wan")
    tax = _number(df, "tax_wan")
    with np.errstate(invalid="ignore", divide="ignore"):
        values = {"investment_wan": inv, "investment_wan_per_mu": inv / mu, "tax_wan_per_mu": tax / mu,
                  "output_wan_per_mu": _number(df, "output_wan") / mu}
    id_col = id_column or ("parcel_id" if "parcel_id" in df.columns else _find_column(df, ("project_id", "项目编号", "项目名称", "项目", "name", "id")))
    if id_column is not None and id_column not in df.columns:
        msg = f"id_column={id_column!r} is not a column of the projects; columns are {_columns_text(df)}"
        raise InputError(msg)
    ids = df[id_col].astype("string").to_numpy(dtype=object, na_value="") if id_col else df.index.astype(str).to_numpy(dtype=object)
    out = pd.DataFrame({"project_id": pd.array(ids, dtype="string"),
                        "land_area_m2": area, "land_area_mu": mu, "investment_wan": inv,
                        "investment_wan_per_mu": values["investment_wan_per_mu"], "tax_wan": tax,
                        "tax_wan_per_mu": values["tax_wan_per_mu"]}, index=df.index)
    met: dict[str, np.ndarray] = {}
    codes = list(dict.fromkeys(c for t in pr.tiers for c in [*t.criteria, *t.excluding]))
    for code in codes:
        c = pack.criterion(code)
        st, m = _evaluate(c, values[c.indicator])
        out[code] = st
        met[code] = m
    tier = np.full(n, "none", dtype=object)
    label = np.full(n, "none", dtype=object)
    for t in reversed(pr.tiers):
        ok = np.all([met[c] for c in t.criteria], axis=0) & ~np.any([met[c] for c in t.excluding] or [np.zeros(n, bool)], axis=0)
        tier = np.where(ok, t.name, tier)
        label = np.where(ok, f"{t.label_zh} {t.label_en}", label)
    out["tier"] = tier
    out["tier_label"] = label
    # a project that a lower tier excludes and a higher one rejects falls between the tiers
    between = np.full(n, "", dtype=object)  # the tier that excludes a project the tiers above reject
    for t in pr.tiers[1:]:
        if t.excluding:
            ok = np.all([met[c] for c in t.criteria], axis=0)
            hit = ok & np.any([met[c] for c in t.excluding], axis=0) & (tier == "none") & (between == "")
            between[hit] = t.label_en
    first = pr.tiers[0]
    reasons, fixes = [], []
    for i in range(n):
        r, f = [], []
        for code in first.criteria:
            c = pack.criterion(code)
            v = values[c.indicator][i]
            if met[code][i]:
                continue
            name = INDICATORS[c.indicator].name_en
            if np.isfinite(v):
                shown = _fmt(c, v) if c.unit == INDICATORS[c.indicator].unit else f"{v / INDICATORS[c.indicator].units[c.unit]:,.2f} {c.unit}"
                r.append(f"{code} {name} {shown} {'<' if c.op.startswith('>') else '>'} {_thr_text(c)}")
            else:
                r.append(f"{code} {name} missing")
            if not np.isfinite(v):
                f.append(f"give {INDICATOR_NAMES.get(c.indicator, c.indicator)}")
            elif c.indicator == "investment_wan":
                f.append(f"raise investment by {(_thr(c) - v):,.0f} 万元")
            elif c.indicator == "investment_wan_per_mu":
                f.append(f"raise investment by {(_thr(c) - v) * mu[i]:,.0f} 万元 or use {mu[i] - inv[i] / _thr(c):,.1f} 亩 less land")
            elif c.indicator == "tax_wan_per_mu":
                f.append(f"raise annual tax by {(_thr(c) - v) * mu[i]:,.0f} 万元 or use {mu[i] - tax[i] / _thr(c):,.1f} 亩 less land")
        if between[i]:
            r.append(f"too large for the {between[i]} and short of the {first.label_en}: the text names no tier for it")
        reasons.append("; ".join(r))
        fixes.append("" if not f else f"for the {first.label_en}: " + "; ".join(f))
    out["reasons"] = reasons
    out["fix"] = fixes
    if isinstance(df, gpd.GeoDataFrame):
        out = gpd.GeoDataFrame(out, geometry=df.geometry.array, crs=df.crs, index=df.index)
    return out


INDICATOR_NAMES = {"investment_wan": "the fixed-asset investment (investment_wan)",
                   "investment_wan_per_mu": "the investment and land area",
                   "tax_wan_per_mu": "the expected annual tax (tax_wan)"}


# ---------------------------------------------------------------------------------------
# Shenzhen 2011: low-end enterprises and freed floor space


@dataclass
class EnterpriseScreening:
    """Result of :func:`screen_enterprises`.

    Attributes
    ----------
    parcels
        Aligned to the input: ``parcel_id``, ``district``, one column per flag criterion
        (``yes`` / ``no`` / ``missing``), ``low_end`` (any flag), ``grounds`` (the flags, in
        Chinese and English), ``floor_area_m2`` and ``freed_m2`` (floor space freed if the
        enterprise is cleared); the geometry when the input has one.
    targets
        One row per space target: ``target_m2``, ``freed_m2``, ``share``, ``passes``,
        ``shortfall_m2``, ``fix``.
    by_district
        Per district: ``screened``, ``low_end``, one count per flag, ``freed_m2``.
    """

    parcels: pd.DataFrame
    targets: pd.DataFrame
    by_district: pd.DataFrame
    rules: RulePack
    problems: list[Problem] = field(default_factory=list)

    def summary(self) -> str:
        """Flag counts, freed floor space and the targets.

        Examples
        --------
        >>> import zoning
        >>> s = zoning.blocks.screen_enterprises(zoning.read_parcels(zoning.datasets.get_path("parcels")))
        >>> print(s.summary().splitlines()[0])  # doctest: +ELLIPSIS
        Low-end enterprise screening against shenzhen-2011: ... of 3546 screened parcels flagged, freeing ... m² of floor space
        """
        p = self.parcels
        screened = int(p["screened"].sum())
        lines = [f"Low-end enterprise screening against {self.rules.pack.name}: {int(p['low_end'].sum())} of {screened} "
                 f"screened parcels flagged, freeing {p['freed_m2'].sum():,.0f} m² of floor space"]
        sc = self.rules.screening
        assert sc is not None
        for code in sc.flags:
            c = self.rules.criterion(code)
            lines.append(f"  {code} {c.name_zh} {c.name_en}: {int((p[code] == 'yes').sum())}")
        for code, r in self.targets.iterrows():
            lines.append(f"  {code} {r['name']}: {r['freed_m2']:,.0f} of {r['target_m2']:,.0f} m² ({r['share']:.1%})"
                         + ("" if r["passes"] else f" — {r['fix']}"))
        return "\n".join(lines)

    def to_file(self, path: str | os.PathLike[str], *, overwrite: bool = True) -> Path:
        """Write layers ``parcels`` (flagged ones), ``targets`` and ``by_district``."""
        from zoning.io import write_layers

        return write_layers({"parcels": self.parcels[self.parcels["low_end"]], "targets": self.targets.reset_index(),
                             "by_district": self.by_district.reset_index()}, path, overwrite=overwrite)


def screen_enterprises(
    parcels: pd.DataFrame,
    *,
    rules: str | Path | RulePack = "shenzhen-2011",
    overrides: Mapping[str, Any] | None = None,
    by: str = "district",
) -> EnterpriseScreening:
    """Flag low-end enterprises (无证无照、安全隐患严重、高污染、高能耗) and sum the space they free.

    Parameters
    ----------
    parcels
        One row per enterprise site with the yes/no columns ``licensed`` (证照齐全),
        ``safety_hazard`` (安全隐患), ``high_pollution`` (高污染), ``high_energy`` (高能耗) and
        ``floor_area_m2`` (建筑面积).
    rules, overrides
        A pack with ``[screening]`` (``shenzhen-2011``): the flag criteria and the space
        targets (SZE-T13: 500万 m² by 2013; SZE-T15: 750万 m² by 2015).
    by
        Column to break the counts down by (default ``district``).

    Returns
    -------
    EnterpriseScreening
        ``.parcels`` (aligned to the input), ``.targets``, ``.by_district``, ``.summary()``.

    Notes
    -----
    Freed space counts the whole floor area of a flagged site. A row with no answer to any
    flag (e.g. a non-industrial parcel) is not screened. The targets are city-wide.

    Examples
    --------
    >>> import zoning
    >>> s = screen_enterprises(zoning.read_parcels(zoning.datasets.get_path("parcels")))
    >>> int((s.parcels["SZE-1"] == "yes").sum()), bool(s.targets.loc["SZE-T13", "passes"])
    (155, False)
    """
    from zoning.rules.schema import FLAG_COLUMNS

    pack = _load(rules, overrides, "screening", "screen enterprises")
    sc = pack.screening
    assert sc is not None
    flag_cs = [pack.criterion(c) for c in sc.flags]
    cols = [FLAG_COLUMNS[c.indicator][0] for c in flag_cs]
    df = _table_input(parcels, [*cols, "floor_area_m2"], "parcels")
    if not any(col in df.columns for col in cols):
        msg = (f"none of the enterprise flag columns ({', '.join(cols)}; 证照齐全 / 安全隐患 / 高污染 / 高能耗) is in the data; "
               f"columns are {_columns_text(df)}")
        raise InputError(msg)
    problems: list[Problem] = []
    n = len(df)
    out = pd.DataFrame({"parcel_id": pd.array(_parcel_ids(df), dtype="string"),
                        by: df[by].astype("string") if by in df.columns else pd.array([_ALL] * n, dtype="string")}, index=df.index)
    low = np.zeros(n, dtype=bool)
    answered = np.zeros(n, dtype=bool)
    grounds: list[list[str]] = [[] for _ in range(n)]
    for c in flag_cs:
        col, adverse = FLAG_COLUMNS[c.indicator]
        if col not in df.columns:
            out[c.code] = "missing"
            problems.append(Problem("warning", "missing_flag", f"no {col!r} column: {c.code} ({c.name_zh}) cannot flag anyone", col))
            continue
        v = df[col].astype("boolean")
        known = v.notna().to_numpy()
        raised = (v == adverse).fillna(False).to_numpy(dtype=bool)
        if c.value == "no":
            raised = known & ~raised
        if c.op == "!=":
            raised = known & ~raised
        out[c.code] = np.where(~known, "missing", np.where(raised, "yes", "no"))
        answered |= known
        flagged = raised | (~known & (c.missing == "fail"))
        low |= flagged
        for i in np.flatnonzero(flagged):
            grounds[i].append(f"{c.name_zh} {c.name_en}")
    floor = _number(df, "floor_area_m2")
    low &= answered
    out["screened"] = answered
    out["low_end"] = low
    out["grounds"] = ["; ".join(g) if low[i] else "" for i, g in enumerate(grounds)]
    out["floor_area_m2"] = floor
    out["freed_m2"] = np.where(low, np.nan_to_num(floor, nan=0.0), 0.0)
    no_floor = low & ~np.isfinite(floor)
    if no_floor.any():
        problems.append(Problem("warning", "missing_floor_area", f"{no_floor.sum()} flagged site(s) have no floor area; they free 0 m² in the totals", "floor_area_m2", list(out["parcel_id"][no_floor])))
    if isinstance(df, gpd.GeoDataFrame):
        out = gpd.GeoDataFrame(out, geometry=df.geometry.array, crs=df.crs, index=df.index)
    freed = float(out["freed_m2"].sum())
    trow = []
    for code in sc.targets:
        c = pack.criterion(code)
        thr = _thr(c)
        ok = bool(_compare(np.array([freed]), c.op, thr)[0])
        short = 0.0 if ok else max(thr - freed, 0.0)
        extra = ""
        if not ok:
            cand = out[out["screened"] & ~out["low_end"]]
            extra = (f"free {short:,.0f} m² more: the flagged sites give {freed:,.0f} m²; this is a city-wide target, so on a "
                     f"study area compare with its share of the city, or screen further sites ({len(cand)} screened sites are not flagged)")
        trow.append({"code": code, "name": c.name_zh, "name_en": c.name_en, "target_m2": thr, "freed_m2": freed,
                     "share": freed / thr if thr else np.nan, "passes": ok, "shortfall_m2": short, "fix": extra})
    targets = pd.DataFrame(trow).set_index("code") if trow else pd.DataFrame(columns=["target_m2", "freed_m2", "share", "passes", "shortfall_m2", "fix"])
    g = out.groupby(by, dropna=False)
    bd = pd.DataFrame({"screened": g["screened"].sum(), "low_end": g["low_end"].sum(), "freed_m2": g["freed_m2"].sum()})
    for c in flag_cs:
        bd[c.code] = (out[c.code] == "yes").groupby(out[by], dropna=False).sum()
    return EnterpriseScreening(parcels=out, targets=targets, by_district=bd, rules=pack, problems=problems)


# ---------------------------------------------------------------------------------------
# Shenzhen High-Tech Park benchmarks


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
