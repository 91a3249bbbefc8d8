"""Shared parts of the policy checks: pack loading, block geometry, the block/parcel intersection core."""

from __future__ import annotations

import warnings
from collections.abc import Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from zoning.errors import (
    DataRepairWarning,
    InputError,
    Problem,
    RulePackError,
    ZoningWarning,
)
from zoning.units import M2_PER_MU, evaluate, op_symbol, status_words

if TYPE_CHECKING:  # pragma: no cover

    from zoning.rules.schema import Criterion, RulePack


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


def newest_pack(section: str) -> str:
    """The packaged pack with a ``[section]`` that took effect last (the default of a check).

    >>> newest_pack("mixed_use")
    'jiaxing-2024'
    """
    from zoning.rules import available_rules, load_rules

    packs = [load_rules(n) for n in available_rules()]
    having = [p for p in packs if getattr(p, section) is not None]
    if not having:
        msg = f"no packaged rule pack has [{section}] rules"
        raise RulePackError(msg)
    return max(having, key=lambda p: (p.pack.effective, p.pack.name)).pack.name


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
    return op_symbol(c.op)


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
    """``values op thr`` through the one evaluator (:func:`zoning.units.evaluate`); NaN is False."""
    met, _ = evaluate(values, op, thr)
    return met & np.isfinite(np.asarray(values, dtype="float64"))


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
    from zoning.io.columns import normalise_name

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


def _rows_and_unique_index(df: pd.DataFrame, what: str, noun: str) -> None:
    """A check's input must have rows and a unique index (results are aligned to it)."""
    if len(df) == 0:
        msg = f"the {what} {noun} has no rows: nothing to check"
        raise InputError(msg)
    if not df.index.is_unique:
        dup = df.index[df.index.duplicated()].unique()[:5].tolist()
        msg = f"the {what} index is not unique (e.g. {dup}); results are aligned to it. Call {what}.reset_index(drop=True) first"
        raise InputError(msg)


def _canonical(parcels: Any, needed: Iterable[str], *, what: str = "parcels") -> gpd.GeoDataFrame:
    """Parcels with canonical column names, in a projected metric CRS, with a unique index.

    Files read with :func:`zoning.read_parcels` already use canonical names and are taken as
    they are (``standardise_parcels`` is only run when a needed column is missing, since it
    costs seconds on a million rows).
    """
    from zoning.io.crs import ensure_metric_crs, is_metric
    from zoning.io.read import standardise_parcels

    if not isinstance(parcels, gpd.GeoDataFrame):
        msg = f"{what} should be a GeoDataFrame, got {type(parcels).__name__}; read files with zoning.read_parcels(path)"
        raise InputError(msg)
    _rows_and_unique_index(parcels, what, "layer")
    gdf = parcels
    if any(c not in gdf.columns for c in needed):
        gdf = standardise_parcels(gdf)
    if gdf.crs is None:
        from zoning.io.crs import missing_crs_message

        raise InputError(missing_crs_message(gdf, what))
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
    from zoning.io.crs import align_crs

    blocks, text = align_crs(blocks, crs, what=what, onto="parcels", stacklevel=5,
                             fix="zoning.read_blocks(path, source_crs='EPSG:4547') (CLI: --blocks-source-crs EPSG:4547) "
                                 "or blocks.set_crs(...)")
    if text is not None:
        problems.append(Problem("warning", "blocks_reprojected", text, "geometry", [], "give both layers the same CRS to silence this"))
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


def _evaluate(c: Criterion, values: np.ndarray, tested: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Status (``pass`` / ``fail`` / ``missing`` / ``""`` where not tested) and the verdict
    after the criterion's missing policy (untested rows pass)."""
    v = np.asarray(values, dtype="float64")
    tested = np.ones(v.size, dtype=bool) if tested is None else np.asarray(tested, dtype=bool)
    ok = _compare(v, c.op, _thr(c))
    missing = ~np.isfinite(v)
    status = status_words(ok, missing, tested)
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
    _rows_and_unique_index(data, what, "table")
    if all(c in data.columns for c in needed):
        return data
    from zoning.io.read import standardise_parcels

    tmp = gpd.GeoDataFrame(data.copy(), geometry=gpd.GeoSeries([None] * len(data), index=data.index, name="_no_geometry"))
    std = standardise_parcels(tmp)
    return pd.DataFrame(std.drop(columns=[std.geometry.name]))


# ---------------------------------------------------------------------------------------
# Jiaxing: mixed industrial land, flexible terms, park balancing


