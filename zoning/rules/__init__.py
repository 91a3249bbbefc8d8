"""Rule packs: policy as versioned data (TOML), a strict loader and readable rendering."""

from typing import Any

from zoning.rules.loader import (
    DEFAULT_RULES,
    apply_overrides,
    available_rules,
    load_rules,
    pack_source,
    parse_override,
)
from zoning.rules.schema import INDICATORS, Criterion, Parameter, RulePack

__all__ = [
    "DEFAULT_RULES",
    "INDICATORS",
    "Criterion",
    "Parameter",
    "RulePack",
    "apply_overrides",
    "available_rules",
    "load_rules",
    "pack_source",
    "parse_override",
    "render_rules",
    "rules_table",
]


def __getattr__(name: str) -> Any:  # rendering needs pandas; loading a pack does not
    if name in ("render_rules", "rules_table"):
        from zoning.rules import render

        return getattr(render, name)
    msg = f"module 'zoning.rules' has no attribute {name!r}"
    raise AttributeError(msg)
