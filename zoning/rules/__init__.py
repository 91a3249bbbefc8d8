"""Rule packs: policy as versioned data (TOML), a strict loader and readable rendering."""

from zoning.rules.loader import (
    DEFAULT_RULES,
    apply_overrides,
    available_rules,
    load_rules,
    pack_source,
    parse_override,
)
from zoning.rules.render import render_rules, rules_table
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
