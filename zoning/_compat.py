"""Old module paths (before the layout of 0.2) keep working, with a FutureWarning.

``import zoning.blocks`` or ``from zoning.plotting import plot_zones`` load the module's new
home (:mod:`zoning.checks`, :mod:`zoning.outputs.plotting`) and warn once with the new path.
Names imported from the top level (``zoning.check_blocks``) never warn.
"""

from __future__ import annotations

import importlib
import importlib.abc
import importlib.util
import sys
import warnings
from types import ModuleType
from typing import Any

#: old submodule of zoning -> where it lives now
MOVED = {
    "blocks": "zoning.checks",
    "pipeline": "zoning.stages.run",
    "plotting": "zoning.outputs.plotting",
    "raster": "zoning.outputs.raster",
    "report": "zoning.outputs.report",
    "interactive": "zoning.outputs.interactive",
    "schema": "zoning.io.columns",
    "landuse": "zoning.io.landuse",
    "crs": "zoning.io.crs",
    "indicators": "zoning.stages.indicators",
    "reasons": "zoning.stages.reasons",
    "validate": "zoning.stages.validate",
    "zones": "zoning.stages.zones",
}


def load(old: str) -> ModuleType:
    new = MOVED[old]
    warnings.warn(f"zoning.{old} moved to {new}; import it from there (the old path will be removed in 0.3)",
                  FutureWarning, stacklevel=3)
    module = importlib.import_module(new)
    sys.modules[f"zoning.{old}"] = module
    return module


class _Finder(importlib.abc.MetaPathFinder, importlib.abc.Loader):
    def find_spec(self, fullname: str, path: Any = None, target: Any = None) -> Any:
        head, _, tail = fullname.partition(".")
        if head == "zoning" and tail in MOVED:
            return importlib.util.spec_from_loader(fullname, self)
        return None

    def create_module(self, spec: Any) -> ModuleType:
        return load(spec.name.split(".", 1)[1])

    def exec_module(self, module: ModuleType) -> None:
        return None


def install() -> None:
    if not any(isinstance(f, _Finder) for f in sys.meta_path):
        sys.meta_path.append(_Finder())
