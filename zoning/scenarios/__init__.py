"""Scenarios: calibration to the targets, sensitivity, comparison — reusing the stages that do not change.

- :class:`CachedStages` validates and computes indicators once and keeps the neighbour graph
  per ``gap_m``; each scenario re-runs only the criteria, the grouping and the zone tests.
- :func:`sensitivity`: one-at-a-time threshold scenarios, zone areas, per-parcel stability.
- :func:`calibrate`: thresholds that bring each zone's share of the stock to its target.
- :func:`compare`: what changed between two runs, and where.
- :func:`threshold_explorer`: sliders over the cached stages in Jupyter (extra ``zoning[explorer]``).
"""

from __future__ import annotations

from typing import Any

from zoning.scenarios.cache import CachedStages, Scenario
from zoning.scenarios.calibrate import Calibration, calibrate
from zoning.scenarios.compare import Comparison, compare
from zoning.scenarios.sensitivity import Sensitivity, sensitivity

__all__ = ["CachedStages", "Calibration", "Comparison", "Scenario", "Sensitivity", "ThresholdExplorer", "calibrate",
           "compare", "sensitivity", "threshold_explorer"]


def __getattr__(name: str) -> Any:
    if name in ("ThresholdExplorer", "threshold_explorer"):  # needs ipywidgets (optional)
        from zoning.scenarios import explorer

        return getattr(explorer, name)
    msg = f"module 'zoning.scenarios' has no attribute {name!r}"
    raise AttributeError(msg)
