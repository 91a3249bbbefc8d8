"""zoning — sort industrial land into policy zones, check industrial-block rules, map the results.

The public API, in pipeline order::

    read_parcels → validate_parcels → compute_indicators → classify → form_zones → explain
    run()  chains them and returns a ZoningResult
    calibrate, sensitivity, compare   scenarios on cached stages (zoning.scenarios)
    check_blocks, check_balance, check_mixed_use, …   policy checks, each returning a CheckResult
    plot_zones, rasterize_zones, ZoningResult.to_report   maps, rasters, reports

Rule packs (policy as data): ``load_rules``, ``available_rules``.

Names are loaded on first use (PEP 562), so ``import zoning`` and ``zoning --help`` stay fast;
``dir(zoning)`` and ``zoning.__all__`` list everything.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from zoning import _compat

__version__ = "0.1.0"

#: public name -> module that defines it
_API: dict[str, str] = {
    # errors and warnings
    **dict.fromkeys(["CRSWarning", "DataRepairWarning", "FontWarning", "InputError", "Problem", "RulePackError",
                     "TextEncodingWarning", "ValidationError", "ZoningError", "ZoningWarning"], "zoning.errors"),
    "ZONES": "zoning.units",
    # read
    **dict.fromkeys(["read_parcels", "read_blocks", "read_table", "standardise_parcels"], "zoning.io.read"),
    "parse_landuse": "zoning.io.landuse",
    **dict.fromkeys(["choose_metric_crs", "ensure_metric_crs", "gcj02_to_wgs84", "wgs84_to_gcj02"], "zoning.io.crs"),
    # stages
    **dict.fromkeys(["Problem_", "ValidationReport", "validate_parcels"], "zoning.stages.validate"),
    "compute_indicators": "zoning.stages.indicators",
    "classify": "zoning.stages.classify",
    **dict.fromkeys(["adjacency", "cluster"], "zoning.stages.cluster"),
    "form_zones": "zoning.stages.zones",
    **dict.fromkeys(["explain", "reasons_table"], "zoning.stages.reasons"),
    "run": "zoning.stages.run",
    "explore": "zoning.outputs.interactive",
    "ZoningResult": "zoning.stages.result",
    # rule packs
    **dict.fromkeys(["available_rules", "load_rules", "render_rules", "rules_table"], "zoning.rules"),
    # policy checks
    "CheckResult": "zoning.checks._result",
    **dict.fromkeys(["BlockCheck", "check_blocks"], "zoning.checks.blocks"),
    **dict.fromkeys(["BalanceCheck", "check_balance", "block_balance"], "zoning.checks.balance"),
    **dict.fromkeys(["MixedUseCheck", "check_mixed_use"], "zoning.checks.mixed_use"),
    **dict.fromkeys(["ProjectCheck", "check_projects"], "zoning.checks.projects"),
    **dict.fromkeys(["EnterpriseCheck", "check_enterprises", "screen_enterprises"], "zoning.checks.enterprises"),
    **dict.fromkeys(["BenchmarkCheck", "check_benchmarks", "benchmark_table"], "zoning.checks.benchmarks"),
    **dict.fromkeys(["LeaseCheck", "check_leases", "short_leases"], "zoning.checks.leases"),
    **dict.fromkeys(["FirmEvaluation", "evaluate_firms"], "zoning.checks.firms"),
    **dict.fromkeys(["LowEfficiencyCheck", "check_low_efficiency"], "zoning.checks.low_efficiency"),
    **dict.fromkeys(["TargetProgress", "check_progress"], "zoning.checks.progress"),
    # scenarios
    **dict.fromkeys(["CachedStages", "Calibration", "Comparison", "Sensitivity", "calibrate", "compare", "sensitivity",
                     "threshold_explorer"], "zoning.scenarios"),
    # outputs
    **dict.fromkeys(["plot_blocks", "plot_zones", "save_map"], "zoning.outputs.plotting"),
    **dict.fromkeys(["cjk_style", "register_font", "show_versions"], "zoning.outputs._fonts"),
    **dict.fromkeys(["ZONE_VALUES", "estimate_floor_area", "rasterize_zones", "zonal_stats"], "zoning.outputs.raster"),
}
_API.pop("Problem_")
_SUBMODULES = {"datasets", "synthetic", "units", "errors", "rules", "io", "stages", "checks", "outputs", "scenarios",
               "cli"}

__all__ = sorted([*_API, "datasets"])


#: deprecated class names (the functions warn when called) -> the new name
_DEPRECATED = {"BlockBalance": ("zoning.checks.balance", "BalanceCheck"),
               "EnterpriseScreening": ("zoning.checks.enterprises", "EnterpriseCheck")}


def __getattr__(name: str) -> Any:
    if name in _DEPRECATED:
        import warnings

        mod_name, new = _DEPRECATED[name]
        warnings.warn(f"zoning.{name} is deprecated; use zoning.{new} (the old name will be removed in 0.3)",
                      FutureWarning, stacklevel=2)
        return getattr(importlib.import_module(mod_name), new)
    mod = _API.get(name)
    if mod is not None:
        value = getattr(importlib.import_module(mod), name)
        globals()[name] = value
        return value
    if name in _SUBMODULES:
        return importlib.import_module(f"zoning.{name}")
    old = _compat.MOVED.get(name)
    if old is not None:
        return _compat.load(name)
    msg = f"module 'zoning' has no attribute {name!r}"
    raise AttributeError(msg)


def __dir__() -> list[str]:
    return sorted({*globals(), *_API, *_SUBMODULES})


_compat.install()

if TYPE_CHECKING:  # static checkers and IDEs see the real names
    from zoning import datasets
    from zoning.checks._result import CheckResult
    from zoning.checks.balance import BalanceCheck, block_balance, check_balance
    from zoning.checks.benchmarks import BenchmarkCheck, benchmark_table, check_benchmarks
    from zoning.checks.blocks import BlockCheck, check_blocks
    from zoning.checks.enterprises import EnterpriseCheck, check_enterprises, screen_enterprises
    from zoning.checks.firms import FirmEvaluation, evaluate_firms
    from zoning.checks.leases import LeaseCheck, check_leases, short_leases
    from zoning.checks.low_efficiency import LowEfficiencyCheck, check_low_efficiency
    from zoning.checks.mixed_use import MixedUseCheck, check_mixed_use
    from zoning.checks.progress import TargetProgress, check_progress
    from zoning.checks.projects import ProjectCheck, check_projects
    from zoning.errors import (
        CRSWarning,
        DataRepairWarning,
        FontWarning,
        InputError,
        Problem,
        RulePackError,
        TextEncodingWarning,
        ValidationError,
        ZoningError,
        ZoningWarning,
    )
    from zoning.io.crs import choose_metric_crs, ensure_metric_crs, gcj02_to_wgs84, wgs84_to_gcj02
    from zoning.io.landuse import parse_landuse
    from zoning.io.read import read_blocks, read_parcels, read_table, standardise_parcels
    from zoning.outputs._fonts import cjk_style, register_font, show_versions
    from zoning.outputs.interactive import explore
    from zoning.outputs.plotting import plot_blocks, plot_zones, save_map
    from zoning.outputs.raster import ZONE_VALUES, estimate_floor_area, rasterize_zones, zonal_stats
    from zoning.rules import available_rules, load_rules, render_rules, rules_table
    from zoning.scenarios.cache import CachedStages
    from zoning.scenarios.calibrate import Calibration, calibrate
    from zoning.scenarios.compare import Comparison, compare
    from zoning.scenarios.explorer import threshold_explorer
    from zoning.scenarios.sensitivity import Sensitivity, sensitivity
    from zoning.stages.classify import classify
    from zoning.stages.cluster import adjacency, cluster
    from zoning.stages.indicators import compute_indicators
    from zoning.stages.reasons import explain, reasons_table
    from zoning.stages.result import ZoningResult
    from zoning.stages.run import run
    from zoning.stages.validate import ValidationReport, validate_parcels
    from zoning.stages.zones import form_zones
    from zoning.units import ZONES
