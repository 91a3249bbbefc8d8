"""zoning — sort industrial land into policy zones, check industrial-block rules, map the results.

The public API, in pipeline order::

    read_parcels → validate_parcels → compute_indicators → classify → form_zones → explain
    run()  chains them and returns a ZoningResult

Rule packs (policy as data): ``load_rules``, ``available_rules``.
"""

from zoning import datasets
from zoning._fonts import cjk_style, register_font, show_versions
from zoning.blocks import (
    BlockBalance,
    BlockCheck,
    EnterpriseScreening,
    MixedUseCheck,
    benchmark_table,
    block_balance,
    check_blocks,
    check_mixed_use,
    check_projects,
    screen_enterprises,
    short_leases,
)
from zoning.classify import classify
from zoning.cluster import adjacency, cluster
from zoning.crs import choose_metric_crs, ensure_metric_crs, gcj02_to_wgs84, wgs84_to_gcj02
from zoning.errors import (
    CRSWarning,
    DataRepairWarning,
    FontWarning,
    InputError,
    RulePackError,
    TextEncodingWarning,
    ValidationError,
    ZoningError,
    ZoningWarning,
)
from zoning.indicators import compute_indicators
from zoning.io import read_blocks, read_parcels, standardise_parcels
from zoning.landuse import parse_landuse
from zoning.pipeline import ZoningResult, run
from zoning.plotting import plot_blocks, plot_zones, save_map
from zoning.raster import ZONE_VALUES, estimate_floor_area, rasterize_zones, zonal_stats
from zoning.reasons import explain, reasons_table
from zoning.rules import available_rules, load_rules, render_rules, rules_table
from zoning.validate import Problem, ValidationReport, validate_parcels
from zoning.zones import ZONES, form_zones

__version__ = "0.1.0"

__all__ = [
    "ZONES",
    "ZONE_VALUES",
    "BlockBalance",
    "BlockCheck",
    "CRSWarning",
    "DataRepairWarning",
    "EnterpriseScreening",
    "FontWarning",
    "InputError",
    "MixedUseCheck",
    "Problem",
    "RulePackError",
    "TextEncodingWarning",
    "ValidationError",
    "ValidationReport",
    "ZoningError",
    "ZoningResult",
    "ZoningWarning",
    "adjacency",
    "available_rules",
    "benchmark_table",
    "block_balance",
    "check_blocks",
    "check_mixed_use",
    "check_projects",
    "choose_metric_crs",
    "cjk_style",
    "classify",
    "cluster",
    "compute_indicators",
    "datasets",
    "ensure_metric_crs",
    "estimate_floor_area",
    "explain",
    "form_zones",
    "gcj02_to_wgs84",
    "load_rules",
    "parse_landuse",
    "plot_blocks",
    "plot_zones",
    "rasterize_zones",
    "read_blocks",
    "read_parcels",
    "reasons_table",
    "register_font",
    "render_rules",
    "rules_table",
    "run",
    "save_map",
    "screen_enterprises",
    "short_leases",
    "show_versions",
    "standardise_parcels",
    "validate_parcels",
    "wgs84_to_gcj02",
    "zonal_stats",
]
