"""run(): read → validate → indicators → classify → cluster → zones → reasons, in one call.

This is the only place that chains the stages; each stage is a public function usable on its
own. ``run`` returns a :class:`ZoningResult` holding every stage's output.
"""

from __future__ import annotations

import datetime as _dt
import itertools
import logging
import os
import time
from collections.abc import Mapping
from typing import Any, Literal

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from zoning.io.columns import protect_input_columns
from zoning.rules import load_rules
from zoning.rules.schema import RulePack
from zoning.stages.classify import classify
from zoning.stages.indicators import compute_indicators
from zoning.stages.reasons import explain
from zoning.stages.result import RunSettings, ZoningResult
from zoning.stages.summary import summarise_by_district, summarise_zones
from zoning.stages.validate import validate_parcels
from zoning.stages.zones import form_zones
from zoning.units import ZONES

__all__ = ["ZoningResult", "reference_year_for", "run"]

log = logging.getLogger("zoning")

_INDICATOR_OUT = ["land_area_m2", "land_area_mu", "far", "building_age", "legal_ratio", "output_wan_per_mu",
                  "tax_wan_per_mu", "output_yi_per_km2", "tax_yi_per_km2", "current_class", "planned_class"]



def _dissolve(geoms: np.ndarray, groups: np.ndarray, coverage: bool | None) -> list[Any]:
    """Union of ``geoms`` per integer group 0..k-1.

    ``coverage=True`` (parcels known not to overlap): the fast coverage union. ``None``
    (not checked): the coverage union, re-done as a full union where its result is invalid.
    ``False``: the full union.
    """
    from concurrent.futures import ThreadPoolExecutor

    order = np.argsort(groups, kind="stable")
    g_sorted = groups[order]
    bounds = np.flatnonzero(np.r_[True, g_sorted[1:] != g_sorted[:-1], True])
    parts = [geoms[order[a:b]] for a, b in itertools.pairwise(bounds)]

    def union(chunk: list[np.ndarray]) -> list[Any]:
        out = []
        for part in chunk:
            if coverage is not False:
                try:
                    u = shapely.coverage_union_all(part)
                    if coverage or u.is_valid:
                        out.append(u)
                        continue
                except shapely.errors.GEOSException:
                    pass
            out.append(shapely.union_all(part))
        return out

    if len(parts) > 200:
        chunks = [parts[i::2] for i in range(2)]
        with ThreadPoolExecutor(2) as ex:
            res = list(ex.map(union, chunks))
        merged: list[Any] = [None] * len(parts)
        merged[0::2], merged[1::2] = res[0], res[1]
        return merged
    return union(parts)


def assemble_parcels(clean: gpd.GeoDataFrame, ind: pd.DataFrame, cls: Any, zparcels: pd.DataFrame, why: pd.DataFrame,
                     pack: RulePack, lang: str) -> gpd.GeoDataFrame:
    """``ZoningResult.parcels``: the input columns, indicators, zone, reasons, criterion statuses."""
    out = clean.copy(deep=False)  # copy-on-write: the validated frame is not changed
    out = protect_input_columns(out, [*_INDICATOR_OUT, "zone", "zone_label", "cluster_id", "enclave", "candidate", *why.columns, *cls.columns])
    for col in _INDICATOR_OUT:
        out[col] = ind[col]
    out["zone"] = zparcels["zone"]
    out["zone_label"] = out["zone"].map({z: pack.zone_label(z, lang) for z in ZONES})
    out["cluster_id"] = zparcels["cluster_id"]
    out["enclave"] = zparcels["enclave"]
    out["contradicts"] = zparcels["contradicts"]
    out["relocation"] = zparcels["relocation"]
    for col in why.columns:
        out[col] = why[col]
    for code in cls.columns:
        if code not in ("in_stock", "candidate"):
            out[code] = cls[code]
    out["candidate"] = zparcels["candidate"]
    geom_name = out.geometry.name
    return out[[c for c in out.columns if c != geom_name] + [geom_name]]


def reference_year_for(pack: RulePack, reference_year: int | None) -> int:
    """The year building ages are counted to: the given one, else the pack's base year, else
    this year (with a :class:`~zoning.errors.ZoningWarning`, since ages then drift year by year)."""
    if reference_year:
        return int(reference_year)
    if pack.pack.base_year:
        return int(pack.pack.base_year)
    year = _dt.date.today().year
    if not pack.candidates:  # the pack cannot zone; classify says so
        return year
    import warnings

    from zoning.errors import ZoningWarning

    warnings.warn(f"rule pack '{pack.pack.name}' gives no base_year; building ages are counted to this year ({year}). "
                  "Pass reference_year= (CLI --reference-year) to fix the year the data describes.", ZoningWarning, stacklevel=3)
    return year


def run_overrides(pack: RulePack, overrides: Mapping[str, Any] | None, *, gap_m: float | None = None,
                       min_zone_ha: float | None = None) -> dict[str, Any]:
    """The overrides :func:`run` applies for its options (``min_zone_ha`` sets every area criterion)."""
    ov: dict[str, Any] = dict(overrides or {})
    if min_zone_ha is not None:
        for c in pack.criteria:
            if c.indicator == "zone_area_ha":
                ov.setdefault(c.code, float(min_zone_ha))
    if gap_m is not None:
        ov.setdefault("gap_m", float(gap_m))
    return ov


def run(
    parcels: gpd.GeoDataFrame | str | os.PathLike[str],
    rules: str | os.PathLike[str] | RulePack = "shenzhen-2020",
    *,
    overrides: dict[str, Any] | None = None,
    mode: Literal["threshold", "quota"] = "threshold",
    reference_year: int | None = None,
    gap_m: float | None = None,
    min_zone_ha: float | None = None,
    lang: Literal["en", "zh"] = "en",
    columns: dict[str, str] | None = None,
    check_overlaps: bool | str = "auto",
    progress: bool = False,
    units: str | None = None,
    engine: Literal["single", "dask"] = "single",
    client: Any = None,
    npartitions: int | None = None,
) -> ZoningResult:
    """Sort parcels into zones and explain every decision.

    Parameters
    ----------
    parcels
        A GeoDataFrame or a path (read with :func:`zoning.read_parcels`).
    rules
        Rule pack name (``"shenzhen-2020"``), path to a TOML pack, or a loaded pack.
    overrides
        ``{criterion code or parameter key: value}``, e.g. ``{"SZ-C5": 1.2, "SZ-R3": "q0.6"}``.
    mode
        ``"threshold"`` (every qualifying area is a zone) or ``"quota"`` (areas ranked by score
        fill the pack's area targets).
    reference_year
        Year building ages are counted to (default: the pack's ``base_year``, 2020 for
        shenzhen-2020 — the situation the policy describes; this year, with a warning, for a
        pack without one).
    gap_m
        Contiguity distance tolerance in metres (pack parameter ``gap_m``).
    min_zone_ha
        Minimum area of a zone in hectares: sets every zone-area criterion.
    lang
        Language of the ``reason`` and ``zone_label`` columns: ``"en"`` or ``"zh"``.
    columns
        ``{source column: canonical name}`` mapping (see :func:`zoning.read_parcels`).
    check_overlaps
        Check for overlapping parcels during validation: ``"auto"`` (default) checks layers of
        up to 200,000 parcels and reports that larger ones were not checked; ``True`` always.
    progress
        Show a progress bar over the stages (``tqdm.auto``; the CLI turns it on in a terminal).
    units
        Column naming each parcel's plan unit (法定图则 unit, industrial block): parcels of one
        unit count as contiguous across roads up to the pack's ``unit_gap_m`` (SZ-P4, 50 m),
        wider than ``gap_m``.
    engine
        ``"single"`` (default): this process. ``"dask"``: partition by partition on a
        ``dask.distributed`` cluster (the ``dask`` extra), with the same results; a path may
        then be a GeoParquet file or a folder of parts (see "Running a province" in the docs).
    client
        The ``dask.distributed.Client`` for ``engine="dask"`` (default: the current client,
        else a local cluster of 2 worker processes for this call).
    npartitions
        Partitions for ``engine="dask"`` (default: one per worker for a GeoDataFrame, one per
        file or row group for GeoParquet).

    Returns
    -------
    ZoningResult

    Raises
    ------
    ValidationError
        When validation finds errors; ``err.report`` lists all of them.

    Examples
    --------
    >>> import zoning
    >>> result = zoning.run(zoning.datasets.get_path("parcels"), reference_year=2025)
    >>> sorted(set(result.parcels["zone"])) == sorted(zoning.ZONES)
    True
    >>> len(result.parcels) == len(zoning.read_parcels(zoning.datasets.get_path("parcels")))
    True
    """
    if engine == "dask":
        from zoning.distributed.engine import cluster_client, run_distributed

        with cluster_client(client) as c, \
                run_distributed(parcels, rules, client=c, npartitions=npartitions, overrides=overrides, mode=mode,
                                reference_year=reference_year, gap_m=gap_m, min_zone_ha=min_zone_ha, lang=lang,
                                columns=columns, check_overlaps=check_overlaps, units=units, progress=progress) as dr:
            return dr.to_result()  # gathered: the partition stores go on leaving
    if engine != "single":
        msg = f"engine must be 'single' or 'dask', got {engine!r}"
        raise ValueError(msg)
    t0 = time.perf_counter()
    timings: dict[str, float] = {}

    from tqdm.auto import tqdm

    bar = tqdm(total=8, desc="zoning", unit="stage", disable=not progress, leave=False)

    def tick(name: str, start: float) -> float:
        now = time.perf_counter()
        timings[name] = now - start
        log.info("%s: %.2f s", name, now - start)
        bar.set_postfix_str(name)
        bar.update(1)
        return now

    pack = load_rules(rules)
    pack = load_rules(pack, overrides=run_overrides(pack, overrides, gap_m=gap_m, min_zone_ha=min_zone_ha))
    year = reference_year_for(pack, reference_year)

    t = time.perf_counter()
    if not isinstance(parcels, gpd.GeoDataFrame):
        from zoning.io.read import read_parcels

        parcels = read_parcels(parcels, columns=columns)
        columns = None
        t = tick("read", t)
    report = validate_parcels(parcels, rules=pack, reference_year=year, columns=columns, check_overlaps=check_overlaps)
    report.raise_for_errors()
    clean = report.parcels
    t = tick("validate", t)
    ind = compute_indicators(clean, reference_year=year, landuse=report.landuse)
    t = tick("indicators", t)
    cls = classify(ind, rules=pack)
    t = tick("classify", t)
    zres = form_zones(clean, ind, cls, rules=pack, mode=mode, lang=lang, units=units)
    t = tick("cluster+zones", t)
    # the dissolve (GEOS) runs on a second thread while the reasons (Arrow) are assembled
    from concurrent.futures import ThreadPoolExecutor

    zoned = (zres.parcels["zone"].cat.codes.to_numpy() <= 2)
    codes_found = {p.code for p in report.problems}
    coverage = False if "overlap" in codes_found else (None if "overlaps_not_checked" in codes_found else True)
    codes = zres.parcels["cluster_id"].cat.codes.to_numpy()
    with ThreadPoolExecutor(1) as ex:
        fut = ex.submit(_dissolve, clean.geometry.to_numpy()[zoned], codes[zoned], coverage) if zoned.any() else None
        why = explain(clean, ind, cls, zres.parcels, rules=pack, lang=lang, mode=mode)
        t = tick("reasons", t)
        polys = fut.result() if fut is not None else []

    out = assemble_parcels(clean, ind, cls, zres.parcels, why, pack, lang)

    # dissolved zones, one row per contiguous area that became a zone
    areas = zres.areas
    zone_rows = areas.iloc[np.unique(codes[zoned])].copy() if zoned.any() else areas.iloc[:0].copy()
    zone_rows["zone_label_zh"] = zone_rows["zone"].map({z: pack.zone_label(z, "zh") for z in ZONES})
    zone_rows["zone_label_en"] = zone_rows["zone"].map({z: pack.zone_label(z, "en") for z in ZONES})
    zones_gdf = gpd.GeoDataFrame(zone_rows.reset_index(drop=True), geometry=polys, crs=clean.crs)
    t = tick("dissolve", t)

    summary = summarise_zones(out["zone"], out["land_area_m2"], out["cluster_id"], pack, zres.targets)
    by_district = summarise_by_district(out["zone"], out["land_area_m2"], out["district"] if "district" in out else None)
    tick("summary", t)
    bar.close()
    timings["total"] = time.perf_counter() - t0
    settings = RunSettings(mode=mode, reference_year=year, lang=lang, gap_m=zres.settings["gap_m"],
                           min_core_neighbours=zres.settings["min_core_neighbours"],
                           enclave_max_ha=zres.settings["enclave_max_ha"])
    return ZoningResult(parcels=out, zones=zones_gdf, areas=areas, summary=summary, by_district=by_district,
                        stock_km2=zres.stock_km2, validation=report, rules=pack, thresholds=dict(cls.thresholds),
                        settings=settings, indicators=ind, classification=cls, timings=timings)
