"""zoning — sort industrial land into policy zones, check industrial-block rules, map the results.

The public API, in pipeline order::

    read_parcels → validate_parcels → compute_indicators → classify → form_zones → explain
    run()  chains them and returns a ZoningResult

Rule packs (policy as data): ``load_rules``, ``available_rules``.
"""

from zoning import datasets
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
from zoning.reasons import explain, reasons_table
from zoning.rules import available_rules, load_rules, render_rules, rules_table
from zoning.validate import Problem, ValidationReport, validate_parcels
from zoning.zones import ZONES, form_zones

__version__ = "0.1.0"

__all__ = [
    "ZONES",
    "CRSWarning",
    "DataRepairWarning",
    "FontWarning",
    "InputError",
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
    "choose_metric_crs",
    "classify",
    "cluster",
    "compute_indicators",
    "datasets",
    "ensure_metric_crs",
    "explain",
    "form_zones",
    "gcj02_to_wgs84",
    "load_rules",
    "parse_landuse",
    "read_blocks",
    "read_parcels",
    "reasons_table",
    "render_rules",
    "rules_table",
    "run",
    "standardise_parcels",
    "validate_parcels",
    "wgs84_to_gcj02",
]
