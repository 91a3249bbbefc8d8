"""Stage 2 — validate parcels: collect every problem at once, repair what can be repaired.

:func:`validate_parcels` returns a :class:`ValidationReport` listing errors (results would be
untrustworthy: missing columns, duplicate ids, empty or non-polygon geometry, negative
areas, ...) and warnings (repairs made, implausible values, missing values and how the rule
pack treats them), each with the parcel ids, the column and the fix. No row is ever dropped:
``report.parcels`` holds every input row, repaired.
"""

from __future__ import annotations

import datetime as _dt
import warnings
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd
import shapely

from zoning.errors import _SHOW, InputError, Problem, ValidationError

if TYPE_CHECKING:  # pragma: no cover
    import geopandas as gpd

    from zoning.rules.schema import RulePack

__all__ = ["Problem", "ValidationReport", "validate_parcels"]

OVERLAP_AUTO_LIMIT = 200_000  # check_overlaps="auto": largest layer checked by default


@dataclass
class ValidationReport:
    """Everything validation found, plus the repaired parcels (every input row)."""

    problems: list[Problem]
    parcels: gpd.GeoDataFrame
    rules: str = ""
    #: land-use columns as parsed during validation (``{"current_use": LandUse, ...}``)
    landuse: dict[str, Any] = field(default_factory=dict)

    @property
    def errors(self) -> list[Problem]:
        """Problems that make results untrustworthy."""
        return [p for p in self.problems if p.severity == "error"]

    @property
    def warnings(self) -> list[Problem]:
        """Repairs made and implausible or missing values."""
        return [p for p in self.problems if p.severity == "warning"]

    @property
    def ok(self) -> bool:
        """True when there are no errors (warnings allowed)."""
        return not self.errors

    def to_frame(self) -> pd.DataFrame:
        """One row per problem: severity, code, column, count, parcel ids, message, fix."""
        return pd.DataFrame(
            [{"severity": p.severity, "code": p.code, "column": p.column or "", "count": len(p.ids),
              "parcel_ids": ", ".join(p.ids[:50]) + (" …" if len(p.ids) > 50 else ""),
              "message": p.message, "fix": p.fix} for p in self.problems],
            columns=["severity", "code", "column", "count", "parcel_ids", "message", "fix"],
        )

    def summary(self) -> str:
        """One line: counts of parcels, errors and warnings."""
        return (f"{len(self.parcels)} parcels checked against '{self.rules}': "
                f"{len(self.errors)} error(s), {len(self.warnings)} warning(s)")

    def __str__(self) -> str:
        order = {"error": 0, "warning": 1, "info": 2}
        body = "\n".join(f"  {p}" for p in sorted(self.problems, key=lambda p: order[p.severity]))
        return self.summary() + ("\n" + body if body else "")

    def _repr_html_(self) -> str:  # pragma: no cover - notebook display
        return f"<p>{self.summary()}</p>" + self.to_frame().to_html(index=False)

    def raise_for_errors(self) -> None:
        """Raise :class:`~zoning.errors.ValidationError` listing every problem if any is an error."""
        if self.errors:
            raise ValidationError(str(self), report=self)


def _ids(gdf: pd.DataFrame, mask: Any) -> list[str]:
    mask = np.asarray(mask, dtype=bool)
    return [str(v) for v in gdf["parcel_id"].to_numpy()[mask]]


_TYPE_NAMES = {0: "Point", 1: "LineString", 2: "LinearRing", 3: "Polygon", 4: "MultiPoint",
               5: "MultiLineString", 6: "MultiPolygon", 7: "GeometryCollection"}


def _polygons_of(g: Any) -> list[Any]:
    """The polygons inside a geometry, however deeply nested in collections / multi-parts."""
    if g is None or g.is_empty:
        return []
    if g.geom_type == "Polygon":
        return [g]
    if g.geom_type in ("MultiPolygon", "GeometryCollection"):
        return [p for part in shapely.get_parts(g) for p in _polygons_of(part)]
    return []


def _as_polygonal(polys: list[Any]) -> Any:
    """One Polygon, a MultiPolygon, or None when there is nothing."""
    if not polys:
        return None
    return polys[0] if len(polys) == 1 else shapely.MultiPolygon(polys)


def _required_columns(pack: RulePack) -> dict[str, list[str]]:
    """Source columns the pack needs -> criteria codes that need them."""
    from zoning.rules.schema import INDICATOR_COLUMNS

    need: dict[str, list[str]] = {}
    if pack.stock is not None:
        need.setdefault(pack.stock.use, []).append("stock")
    for c in pack.criteria:
        if c.level != "parcel":
            continue
        for alternatives in INDICATOR_COLUMNS.get(c.indicator, ()):
            need.setdefault(" or ".join(alternatives), []).append(c.code)
    return need


def _is_valid(geom: np.ndarray) -> np.ndarray:
    """shapely.is_valid on two threads for large layers (GEOS releases the GIL)."""
    if len(geom) < 50_000:
        return shapely.is_valid(geom)
    from concurrent.futures import ThreadPoolExecutor

    halves = np.array_split(geom, 2)
    with ThreadPoolExecutor(2) as ex:
        return np.concatenate(list(ex.map(shapely.is_valid, halves)))


def _geometry_checks(gdf: gpd.GeoDataFrame, problems: list[Problem]) -> gpd.GeoDataFrame:
    geom = gdf.geometry.to_numpy()
    missing = shapely.is_missing(geom) | shapely.is_empty(geom)
    if missing.any():
        problems.append(Problem("error", "empty_geometry", f"{missing.sum()} parcel(s) have no geometry (null or empty)", "geometry", _ids(gdf, missing), "draw the parcel or delete the row in the source file"))
    types = shapely.get_type_id(geom)
    # 3 Polygon, 6 MultiPolygon, 7 GeometryCollection
    collections = (types == 7) & ~missing
    if collections.any():
        # keep the polygons of a collection; one without any polygon stays as it is (not_polygon)
        reduced = np.array([_as_polygonal(_polygons_of(g)) for g in geom[collections]], dtype=object)
        has_poly = np.array([g is not None for g in reduced], dtype=bool)
        if has_poly.any():
            where = np.flatnonzero(collections)[has_poly]
            geom = geom.copy()
            geom[where] = reduced[has_poly]
            mask = np.zeros(len(geom), dtype=bool)
            mask[where] = True
            problems.append(Problem("warning", "collection_repaired", f"{has_poly.sum()} geometry collection(s) reduced to their polygons (points and lines in them dropped)", "geometry", _ids(gdf, mask), "export polygons only"))
    types = shapely.get_type_id(geom)
    not_poly = ~np.isin(types, [3, 6]) & ~missing
    if not_poly.any():
        kinds = sorted({_TYPE_NAMES.get(int(k), str(k)) for k in types[not_poly]})
        kinds = [k if k != "GeometryCollection" else "GeometryCollection without polygons" for k in kinds]
        problems.append(Problem("error", "not_polygon", f"{not_poly.sum()} parcel(s) are not polygons ({', '.join(kinds)}); they have no land area", "geometry", _ids(gdf, not_poly), "parcels must be Polygon or MultiPolygon; convert lines to polygons (e.g. QGIS 'Lines to polygons') or remove these rows from the source file"))
    has_z = shapely.has_z(geom) & ~missing
    if has_z.any():
        geom = np.where(has_z, shapely.force_2d(geom), geom)
        problems.append(Problem("warning", "z_dropped", f"{has_z.sum()} parcel(s) had Z coordinates; Z was dropped (areas are planimetric)", "geometry", _ids(gdf, has_z), "nothing to do; export 2-D polygons to silence this"))
    poly = np.isin(shapely.get_type_id(geom), [3, 6]) & ~missing
    invalid = poly & ~_is_valid(geom)
    if invalid.any():
        reasons = shapely.is_valid_reason(geom[invalid])
        before = shapely.area(geom[invalid])
        fixed = shapely.make_valid(geom[invalid], method="structure", keep_collapsed=False)
        still = ~shapely.is_valid(fixed)
        if still.any():  # GEOS can return an invalid MultiPolygon; a union resolves it
            fixed[still] = [shapely.union_all(shapely.get_parts(g)) for g in fixed[still]]
        fixed = np.array([g if g is not None and g.geom_type in ("Polygon", "MultiPolygon") else
                          _as_polygonal(_polygons_of(g)) for g in fixed], dtype=object)
        ok = shapely.is_valid(fixed) & ~shapely.is_missing(fixed) & ~shapely.is_empty(fixed)
        idx = np.flatnonzero(invalid)
        geom = geom.copy()
        geom[idx[ok]] = fixed[ok]
        ids = np.array(_ids(gdf, invalid), dtype=object)
        after = shapely.area(fixed[ok]) if ok.any() else np.array([])
        detail = "; ".join(f"{i}: {r} (area {b:.0f} → {a:.0f} m²)" for i, r, b, a in zip(ids[ok][:5], reasons[ok][:5], before[ok][:5], after[:5], strict=False))
        if ok.any():
            problems.append(Problem("warning", "invalid_geometry_repaired", f"{ok.sum()} invalid geometr{'y was' if ok.sum() == 1 else 'ies were'} repaired with make_valid and re-checked ({detail})", "geometry", [str(i) for i in ids[ok]], "check the repaired shapes; fix the source polygons to silence this"))
        if (~ok).any():
            bad = "; ".join(f"{i}: {r}" for i, r in zip(ids[~ok][:5], reasons[~ok][:5], strict=False))
            problems.append(Problem("error", "invalid_geometry", f"{(~ok).sum()} invalid geometr{'y' if (~ok).sum() == 1 else 'ies'} could not be repaired ({bad})", "geometry", [str(i) for i in ids[~ok]], "redraw these parcels"))
    out = gdf.copy()
    out[out.geometry.name] = geom
    out = out.set_geometry(out.geometry.name, crs=gdf.crs)
    # single-part MultiPolygons are how many files store every polygon: only real multi-parts count
    multi = (shapely.get_type_id(geom) == 6) & (shapely.get_num_geometries(geom) > 1)
    if multi.any():
        problems.append(Problem("info", "multipart", f"{multi.sum()} parcel(s) are MultiPolygons of several parts; each is kept and treated as one parcel", "geometry", _ids(gdf, multi)))
    return out


def duplicate_id_problem(ids: pd.Series) -> Problem | None:
    """The ``duplicate_id`` error for parcel ids indexed by row label (``None`` when unique).

    The distributed engine passes only the rows whose id hash repeats across partitions.
    """
    dup = ids.duplicated(keep=False).to_numpy()
    if not dup.any():
        return None
    groups = ids[dup].to_frame("parcel_id").groupby("parcel_id").groups
    ex = "; ".join(f"{k} (rows {', '.join(map(str, v[:4]))})" for k, v in list(groups.items())[:5])
    return Problem("error", "duplicate_id", f"{len(groups)} parcel id(s) are used more than once: {ex}", "parcel_id", sorted(groups), "give every parcel a unique id (results, reasons and maps are keyed by it)")


def local_overlap_pairs(gdf: gpd.GeoDataFrame, tolerance_m2: float, *, threads: int | None = None) -> pd.DataFrame:
    """:func:`overlap_pairs` among the parcels of one frame (valid polygons only)."""
    geom = gdf.geometry.to_numpy()
    ok = np.isin(shapely.get_type_id(geom), [3, 6]) & shapely.is_valid(geom)
    sub = np.flatnonzero(ok)
    ids = np.array([str(v) for v in gdf["parcel_id"].to_numpy()], dtype=object)
    if len(sub) < 2:
        return overlap_pairs(geom[:0], geom[:0], ids[:0], ids[:0], tolerance_m2)
    from zoning.stages.cluster import pairs_within

    # interiors intersect (DE-9IM 2********): overlaps, a parcel inside another, the same polygon twice
    g = geom[sub]
    pi, pj = pairs_within(g, g, distance=0.0, upper=True, threads=threads,
                          exact=lambda a, b: shapely.relate_pattern(a, b, "2********"))
    return overlap_pairs(g[pi], g[pj], ids[sub[pi]], ids[sub[pj]], tolerance_m2)


def _overlaps(gdf: gpd.GeoDataFrame, problems: list[Problem], tolerance_m2: float) -> None:
    p = overlap_problem(local_overlap_pairs(gdf, tolerance_m2), tolerance_m2)
    if p is not None:
        problems.append(p)


def overlap_pairs(a: np.ndarray, b: np.ndarray, ids_a: np.ndarray, ids_b: np.ndarray, tolerance_m2: float) -> pd.DataFrame:
    """Of candidate pairs whose interiors intersect, those overlapping by more than the tolerance.

    Columns ``a``, ``b`` (parcel ids, ``a < b``), ``m2`` and ``identical``. Partial tables
    (e.g. pairs inside and across partitions) concatenate before :func:`overlap_problem`.
    """
    cols = ["a", "b", "m2", "identical"]
    if len(a) == 0:
        return pd.DataFrame({c: [] for c in cols})
    area = shapely.area(shapely.intersection(a, b))
    big = area > tolerance_m2
    a, b, ia, ib, area = a[big], b[big], ids_a[big], ids_b[big], area[big]
    swap = ia > ib
    return pd.DataFrame({"a": np.where(swap, ib, ia), "b": np.where(swap, ia, ib), "m2": area,
                         "identical": shapely.equals(a, b)}, columns=cols)


def overlap_problem(found: pd.DataFrame, tolerance_m2: float) -> Problem | None:
    """The ``overlap`` warning for a table of :func:`overlap_pairs` (in parcel-id order)."""
    if len(found) == 0:
        return None
    f = found.sort_values(["a", "b"], kind="stable")
    i, j, area, same = (f["a"].to_numpy(), f["b"].to_numpy(), f["m2"].to_numpy(dtype="float64"),
                        f["identical"].to_numpy(dtype=bool))
    shown = [f"{a}×{b} ({ar:.0f} m²{', identical shapes' if eq else ''})" for a, b, ar, eq in zip(i[:5], j[:5], area[:5], same[:5], strict=False)]
    involved = sorted(set(i) | set(j))
    dup = f", {same.sum()} of them identical shapes (duplicated parcels?)" if same.any() else ""
    total = float(np.sort(area).sum())
    return Problem("warning", "overlap", f"{len(i)} pair(s) of parcels overlap by more than {tolerance_m2:g} m²{dup}, {total:.0f} m² in all (e.g. {', '.join(shown)}); overlapping land is counted in both parcels", "geometry", involved, "clean the coverage (e.g. QGIS 'Check validity' / geoplanar) so each piece of land is in one parcel")


def _examples(gdf: pd.DataFrame, mask: np.ndarray, values: Any, fmt: str = "{:g}") -> str:
    """``"A: -5; B: -3"`` for the first few flagged parcels."""
    vals = np.asarray(values)[mask][:5]
    more = " …" if mask.sum() > 5 else ""
    return "; ".join(f"{i}: {fmt.format(v)}" for i, v in zip(_ids(gdf, mask)[:5], vals, strict=False)) + more


def percent_evidence(gdf: pd.DataFrame) -> dict[str, tuple[int, int, float]]:
    """Per share column: (non-null values, values above 1, largest value); partial counts add."""
    out = {}
    for col in ("legal_ratio", "green_ratio"):
        if col in gdf:
            v = pd.to_numeric(gdf[col], errors="coerce").dropna()
            out[col] = (len(v), int((v > 1).sum()), float(v.max()) if len(v) else float("nan"))
    return out


def percent_decision(evidence: dict[str, tuple[int, int, float]]) -> dict[str, float]:
    """Share columns that look like percent (most values above 1, none above 100) → their largest value."""
    return {col: mx for col, (n, over, mx) in evidence.items() if n and over / n > 0.5 and mx <= 100}


def _value_checks(gdf: gpd.GeoDataFrame, problems: list[Problem], reference_year: int, area: np.ndarray,
                  percent: dict[str, float] | None = None) -> gpd.GeoDataFrame:
    out = gdf
    for col, what in [("floor_area_m2", "floor area"), ("legal_area_m2", "legal land area"), ("land_area_m2", "land area"),
                      ("industrial_floor_area_m2", "industrial floor area"), ("output_wan", "output")]:
        if col in out:
            neg = (out[col] < 0).fillna(False).to_numpy()
            if neg.any():
                problems.append(Problem("error", "negative_value", f"{neg.sum()} parcel(s) have a negative {what} ({_examples(out, neg, out[col])})", col, _ids(out, neg), f"{what} cannot be negative: correct the source values"))
    if "tax_wan" in out:
        neg = (out["tax_wan"] < 0).fillna(False).to_numpy()
        if neg.any():
            problems.append(Problem("warning", "negative_tax", f"{neg.sum()} parcel(s) have negative tax, refunds? ({_examples(out, neg, out['tax_wan'])})", "tax_wan", _ids(out, neg), "check the values; negative tax lowers tax per mu"))
    for col in ("legal_ratio", "green_ratio"):
        if col not in out:
            continue
        v = out[col]
        decided = percent_decision(percent_evidence(out[[col]])) if percent is None else percent
        if col in decided:
            out = out.copy() if out is gdf else out
            out[col] = v / 100.0
            problems.append(Problem("warning", "percent_converted", f"'{col}' looks like percent (values up to {decided[col]:g}); accepted and divided by 100", col, [], "give shares as 0–1 to silence this"))
            v = out[col]
        neg = (v < 0).fillna(False).to_numpy()
        if neg.any():
            problems.append(Problem("error", "negative_value", f"{neg.sum()} parcel(s) have a negative {col} ({_examples(out, neg, v)})", col, _ids(out, neg), "shares are between 0 and 1: correct the source values"))
        over = (v > 1.0).fillna(False).to_numpy()
        if over.any():
            problems.append(Problem("warning", "implausible_share", f"{over.sum()} parcel(s) have {col} above 100 % ({_examples(out, over, v, '{:.0%}')})", col, _ids(out, over), "a share cannot exceed 100 %: correct the value (criteria still see it as given)"))
    if "legal_area_m2" in out:
        over = (out["legal_area_m2"].to_numpy() > area * 1.01) & (area > 0)
        if over.any():
            share = out["legal_area_m2"].to_numpy(dtype="float64") / np.where(area > 0, area, np.nan)
            problems.append(Problem("warning", "implausible_share", f"{over.sum()} parcel(s) have more legal land than land area, a legal share above 100 % ({_examples(out, over, share, '{:.0%}')})", "legal_area_m2", _ids(out, over), "check legal_area_m2 (unit m²?) against the parcel polygons"))
    if "land_area_m2" in out:
        given = out["land_area_m2"].to_numpy(dtype="float64")
        rel = np.abs(given - area) / np.where(area > 0, area, np.nan)
        off = np.nan_to_num(rel, nan=0.0) > 0.05
        if off.any():
            ex = "; ".join(f"{i}: given {g:.0f} vs {a:.0f} m²" for i, g, a in zip(_ids(out, off)[:3], given[off][:3], area[off][:3], strict=False))
            problems.append(Problem("warning", "area_mismatch", f"{off.sum()} parcel(s) have a recorded land area more than 5 % off the polygon area ({ex}); zoning uses the polygon area", "land_area_m2", _ids(out, off), "check the recorded areas, their unit (m²? 亩? ha?) and the layer's CRS"))
    if "floor_area_m2" in out:
        far = out["floor_area_m2"].to_numpy(dtype="float64") / np.where(area > 0, area, np.nan)
        high = np.nan_to_num(far, nan=0.0) > 20
        if high.any():
            problems.append(Problem("warning", "implausible_far", f"{high.sum()} parcel(s) have FAR above 20 ({_examples(out, high, far, '{:.1f}')})", "floor_area_m2", _ids(out, high), "check floor area (unit m²? 万m²?) and the parcel polygon"))
    if "year_built" in out:
        y = out["year_built"]
        fut = (y > reference_year).fillna(False).to_numpy()
        if fut.any():
            problems.append(Problem("warning", "future_year", f"{fut.sum()} parcel(s) were built after the reference year {reference_year} ({_examples(out, fut, y, '{:.0f}')}); their building age is negative", "year_built", _ids(out, fut), "correct the year, or pass reference_year= (CLI --reference-year) if the data describes a later year"))
        old = (y < 1800).fillna(False).to_numpy()
        if old.any():
            problems.append(Problem("warning", "implausible_year", f"{old.sum()} parcel(s) have a construction year before 1800 ({_examples(out, old, y, '{:.0f}')})", "year_built", _ids(out, old), "check the year values"))
    return out


def validate_parcels(
    parcels: gpd.GeoDataFrame,
    *,
    rules: str | RulePack = "shenzhen-2020",
    reference_year: int | None = None,
    columns: dict[str, str] | None = None,
    check_overlaps: bool | str = True,
    overlap_tolerance_m2: float = 1.0,
    percent_columns: dict[str, float] | None = None,
) -> ValidationReport:
    """Check parcels against the schema and a rule pack; report every problem at once.

    Parameters
    ----------
    parcels
        Parcels as read by :func:`zoning.read_parcels` (or any GeoDataFrame: columns are
        mapped to the canonical schema first).
    rules
        The rule pack whose criteria decide which columns are required.
    reference_year
        Year used for building ages and "built in the future" checks (default: this year).
    columns
        ``{source column: canonical name}`` mapping, as for :func:`zoning.read_parcels`.
    check_overlaps
        Look for overlapping parcels: ``True`` (default), ``False``, or ``"auto"`` — check
        up to 200,000 parcels and above that skip the check and say so (it costs about 6 s
        per million parcels; ``zoning validate`` always checks).
    overlap_tolerance_m2
        Overlaps smaller than this are ignored (digitising noise).
    percent_columns
        Share columns already known to be in percent, with their largest value (the
        distributed engine decides this over the whole layer, see :func:`percent_decision`);
        by default decided on ``parcels``.

    Returns
    -------
    ValidationReport
        ``.errors``, ``.warnings``, ``.to_frame()``, ``.parcels`` (every row, repaired) and
        ``.raise_for_errors()``.

    Missing values
    --------------
    A missing value in a column a criterion needs is never guessed: the criterion's
    ``missing`` setting in the pack decides (``fail``: the parcel does not meet it; ``pass``:
    it does), and the reasons mark the criterion as *missing*. Validation lists the affected
    parcels per column, naming each criterion and its policy (code ``missing_value``).

    Checks
    ------
    Errors (``report.ok`` is False, :meth:`ValidationReport.raise_for_errors` raises):
    ``no_parcels``, ``duplicate_index``, ``duplicate_id``, ``no_crs`` / ``bad_crs``,
    ``empty_geometry``, ``not_polygon`` (points, lines, collections without polygons),
    ``invalid_geometry`` (not repairable), ``negative_value`` (floor, land, legal area, output,
    shares), ``missing_column`` (a column the rule pack needs; the fix lists recognised names).

    Warnings (repairs made, or values that are implausible but kept as given):
    ``reprojected`` (degrees / Web Mercator → a metric CRS, named), ``invalid_geometry_repaired``
    (``make_valid(method="structure")``, re-checked, union as fallback; areas before and after
    listed), ``collection_repaired``, ``z_dropped``, ``overlap`` (pairs with m²),
    ``percent_converted`` (a share column in percent, divided by 100), ``implausible_share``
    (above 100 %), ``implausible_far`` (FAR above 20), ``future_year``, ``implausible_year``,
    ``area_mismatch`` (a recorded land area more than 5 % off the polygon), ``negative_tax``,
    ``blank_parcel_id``, ``no_parcel_id``, ``unknown_landuse``, ``missing_value``, and those found
    while reading (``unparsed_year``, ``unparsed_number``, ``unknown_quality``, ``unknown_flag``).

    Information: ``multipart`` (MultiPolygons are kept, one parcel each), ``landuse_guessed``,
    ``mixed_landuse``.

    Examples
    --------
    >>> import zoning
    >>> report = zoning.validate_parcels(zoning.read_parcels(zoning.datasets.get_path("parcels")))
    >>> report.ok
    True
    """
    import geopandas as gpd

    from zoning.io.crs import ensure_metric_crs
    from zoning.io.landuse import parse_landuse
    from zoning.io.read import standardise_parcels
    from zoning.rules import load_rules

    pack = load_rules(rules)
    ref_year = reference_year or pack.pack.base_year or _dt.date.today().year
    if not isinstance(parcels, gpd.GeoDataFrame):
        msg = f"parcels should be a GeoDataFrame, got {type(parcels).__name__}; read files with zoning.read_parcels(path)"
        raise InputError(msg)
    gdf = standardise_parcels(parcels, columns=columns)
    problems: list[Problem] = list(gdf.attrs.get("zoning", {}).get("problems", []))

    if len(gdf) == 0:
        problems.append(Problem("error", "no_parcels", "the layer has no parcels", None, [], "check the file and layer"))
        return ValidationReport(problems, gdf, pack.pack.name)
    labels = gdf.index
    if not labels.is_unique:
        # reported as an error; the other checks still run (on row positions) so that every
        # problem is listed at once, and the report's parcels keep the original index
        dup = labels[labels.duplicated()].unique()[:_SHOW].tolist()
        problems.append(Problem("error", "duplicate_index", f"the GeoDataFrame index is not unique (labels used more than once, e.g. {dup}); every stage aligns results to the index", None, [], "call parcels.reset_index(drop=True) first (keep the old labels with reset_index() if they matter)"))
        gdf = gdf.reset_index(drop=True)

    if "parcel_id" not in gdf:
        gdf["parcel_id"] = pd.array([str(i) for i in labels], dtype="string")
        problems.append(Problem("warning", "no_parcel_id", "no parcel id column (宗地编号 / parcel_id); row labels are used as ids", "parcel_id", [], "add an id column or map one with columns={'your_id': 'parcel_id'}"))
    else:
        ids = gdf["parcel_id"]
        blank = ids.isna().to_numpy() | (ids.astype("string").str.strip() == "").fillna(True).to_numpy()
        if blank.any():
            gdf["parcel_id"] = gdf["parcel_id"].astype("string")
            gdf.loc[blank, "parcel_id"] = [f"row {i}" for i in labels[blank]]
            problems.append(Problem("warning", "blank_parcel_id", f"{blank.sum()} parcel(s) have no id; their row labels are used", "parcel_id", _ids(gdf, blank), "fill in the ids"))
        p = duplicate_id_problem(gdf["parcel_id"])
        if p is not None:
            problems.append(p)

    crs_ok = True
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            before = gdf.crs
            gdf = ensure_metric_crs(gdf)
            if gdf.crs != before:
                msg = "; ".join(str(w.message) for w in caught) or f"re-projected from {before} to {gdf.crs}"
                problems.append(Problem("warning", "reprojected", msg, "geometry", [], "to choose the CRS yourself, re-project first (parcels.to_crs('EPSG:4547')) or read with zoning.read_parcels(path, target_crs=...)"))
        except InputError as exc:  # no CRS, or coordinates that cannot be in the declared CRS
            crs_ok = False
            if before is None:
                problems.append(Problem("error", "no_crs", str(exc), "geometry", [], "declare the CRS: zoning.read_parcels(path, source_crs='EPSG:4547') (CLI --source-crs EPSG:4547), add a .prj file, or call parcels.set_crs('EPSG:4547')"))
            else:
                problems.append(Problem("error", "bad_crs", str(exc), "geometry", [], "declare the right CRS: fix the .prj, or call parcels.set_crs(<correct CRS>, allow_override=True)"))

    gdf = _geometry_checks(gdf, problems)
    if check_overlaps == "auto":
        check_overlaps = len(gdf) <= OVERLAP_AUTO_LIMIT
        if not check_overlaps:
            problems.append(Problem("info", "overlaps_not_checked", f"overlapping parcels were not checked ({len(gdf):,} parcels > {OVERLAP_AUTO_LIMIT:,}); the zone outlines fall back to a full union if the parcels overlap", "geometry", [], "run `zoning validate` (or validate_parcels(..., check_overlaps=True)) once on this layer"))
    if crs_ok and check_overlaps:
        _overlaps(gdf, problems, overlap_tolerance_m2)
    area = shapely.area(gdf.geometry.to_numpy()) if crs_ok else np.full(len(gdf), np.nan)
    area = np.nan_to_num(area, nan=0.0) if crs_ok else area
    gdf = _value_checks(gdf, problems, ref_year, area, percent_columns)

    # columns the rule pack needs
    need = _required_columns(pack)
    for cols, codes in need.items():
        options = cols.split(" or ")
        if not any(c in gdf for c in options):
            from zoning.io.columns import COLUMNS, missing_column_fix

            aliases = ", ".join(a for c in options if c in COLUMNS for a in COLUMNS[c].aliases[:4]) or "none"
            crit = [c for c in codes if c != "stock"]
            who = " and ".join(
                ([f"criteri{'on' if len(crit) == 1 else 'a'} {', '.join(crit)}"] if crit else [])
                + (["the industrial-stock definition"] if "stock" in codes else [])
            )
            problems.append(Problem("error", "missing_column", f"column {' or '.join(repr(c) for c in options)} is missing; {who} of rule pack '{pack.pack.name}' need{'s' if len(crit) + ('stock' in codes) == 1 else ''} it", cols, [], missing_column_fix([c for c in options if c in COLUMNS], [str(c) for c in gdf.columns if c not in COLUMNS and c != gdf.geometry.name]) if options[0] in COLUMNS else f"add it (recognised names include {aliases})"))

    # land-use codes
    parsed = {}
    for col in ("current_use", "planned_use"):
        if col not in gdf:
            continue
        lu = parsed[col] = parse_landuse(gdf[col])
        if lu.unknown:
            vals = ", ".join(f"'{k}' ×{v}" for k, v in sorted(lu.unknown.items(), key=lambda kv: -kv[1])[:8])
            bad = (lu.how == "unknown").to_numpy()
            problems.append(Problem("warning", "unknown_landuse", f"{bad.sum()} parcel(s) have {col} codes zoning does not understand ({vals}); they count as not industrial", col, _ids(gdf, bad), "use GB 50137-2011 codes (M1), 2020 classification codes (100101) or Chinese names (一类工业用地); recode local codes first, e.g. parcels[col] = zoning.parse_landuse(parcels[col], extra_codes={'X9': 'M1'}).code"))
        if lu.guessed:
            vals = ", ".join(f"'{k}'→{v}" for k, v in list(lu.guessed.items())[:8])
            problems.append(Problem("info", "landuse_guessed", f"{col} names matched by keyword: {vals}", col, _ids(gdf, (lu.how == "keyword").to_numpy())))
        if lu.mixed.any():
            problems.append(Problem("info", "mixed_landuse", f"{int(lu.mixed.sum())} parcel(s) list several uses in {col} (e.g. 'M1/B2'); the first is taken as dominant", col, _ids(gdf, lu.mixed.to_numpy())))

    # missing values in criterion columns, within the stock
    from zoning.rules.schema import INDICATOR_COLUMNS

    in_stock = np.ones(len(gdf), dtype=bool)
    if pack.stock is not None and pack.stock.use in gdf:
        lu_stock = parsed.get(pack.stock.use) or parse_landuse(gdf[pack.stock.use])
        in_stock = lu_stock.code.isin(pack.stock.codes).fillna(False).to_numpy()
    who = "industrial parcel(s)" if pack.stock is not None and pack.stock.use in gdf else "parcel(s)"
    by_columns: dict[tuple[str, ...], list[Any]] = {}
    for c in pack.criteria:
        if c.level != "parcel":
            continue
        for alternatives in INDICATOR_COLUMNS.get(c.indicator, ()):
            present = tuple(a for a in alternatives if a in gdf)
            if present and c not in by_columns.setdefault(present, []):
                by_columns[present].append(c)
    for present, crits in by_columns.items():
        miss = np.all([gdf[a].isna().to_numpy() for a in present], axis=0) & in_stock
        if not miss.any():
            continue
        cols = "/".join(present)
        policy = "; ".join(
            f"criterion {c.code} ({c.name_en}) treats missing as '{c.missing}' (the parcel {'does not meet it' if c.missing == 'fail' else 'meets it'})"
            for c in crits
        )
        listed = ", ".join(c.code for c in crits)
        problems.append(Problem("warning", "missing_value", f"{miss.sum()} {who} have no {cols}; {policy}; reasons mark {'it' if len(crits) == 1 else 'them'} 'missing'", present[0], _ids(gdf, miss), f"fill in {cols}, or override the missing policy of {listed} in a custom pack"))

    meta = dict(gdf.attrs.get("zoning", {}))
    meta["problems"] = []
    gdf.attrs["zoning"] = meta
    if gdf.index is not labels:
        gdf.index = labels
    return ValidationReport(problems, gdf, pack.pack.name, parsed)
