"""Strict rule-pack loading and overrides.

Packs ship inside the package (``zoning/rules/packs/*.toml``) and load by name; any other
TOML file loads by path. Every problem is a :class:`~zoning.errors.RulePackError` naming the
file and the key. Overrides change thresholds without editing files.
"""

from __future__ import annotations

import math
import os
import re
import sys
from collections.abc import Mapping
from importlib import resources
from pathlib import Path
from typing import Any

from pydantic import ValidationError as _PydanticError

from zoning.errors import RulePackError
from zoning.rules.schema import INDICATORS, Criterion, Parameter, RulePack

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

__all__ = ["available_rules", "load_rules", "pack_source", "parse_override"]

DEFAULT_RULES = "shenzhen-2020"


def available_rules() -> list[str]:
    """Names of the rule packs shipped with zoning.

    >>> "shenzhen-2020" in available_rules()
    True
    """
    root = resources.files("zoning.rules").joinpath("packs")
    return sorted(p.name[:-5] for p in root.iterdir() if p.name.endswith(".toml"))


def pack_source(name: str) -> str:
    """The TOML text of a shipped pack: copy it to start your own pack.

    >>> pack_source("shenzhen-2020").startswith("# Shenzhen 2020")
    True
    """
    return _read(name)[0]


def _loc(raw: Mapping[str, Any], loc: tuple[Any, ...]) -> str:
    """Readable key path; list items of criteria/parameters are named by their code."""
    parts: list[str] = []
    node: Any = raw
    for item in loc:
        if isinstance(item, int):
            code = node[item].get("code") if isinstance(node, list) and item < len(node) and isinstance(node[item], dict) else None
            parts[-1] = f"{parts[-1]}[{item}]" + (f" ({code})" if code else "")
            node = node[item] if isinstance(node, list) and item < len(node) else None
        else:
            parts.append(str(item))
            node = node.get(item) if isinstance(node, dict) else None
    return ".".join(parts)


def _from_mapping(raw: dict[str, Any], source: str) -> RulePack:
    try:
        return RulePack.model_validate(raw)
    except _PydanticError as exc:
        lines = []
        for err in exc.errors():
            loc = tuple(x for x in err["loc"] if not (isinstance(x, str) and x.startswith("function-after")))
            key = _loc(raw, loc) or "(top level)"
            msg = err["msg"].removeprefix("Value error, ")
            if err["type"] == "extra_forbidden":
                msg = "unknown key (typo?); remove it or check the pack reference in the docs"
            lines.append(f"  - key '{key}': {msg}")
        text = f"rule pack {source} is invalid ({len(lines)} problem(s)):\n" + "\n".join(lines)
        raise RulePackError(text, key=None) from None


def load_rules(rules: str | os.PathLike[str] | RulePack = DEFAULT_RULES, *,
               overrides: Mapping[str, Any] | None = None) -> RulePack:
    """Load a rule pack by name or path, strictly, and apply threshold overrides.

    Parameters
    ----------
    rules
        A shipped pack name (see :func:`available_rules`), a path to a ``.toml`` file, or an
        already loaded :class:`RulePack`.
    overrides
        ``{code or parameter key: value}``. A criterion takes a number (absolute threshold in
        its unit), ``"q0.6"`` (a quantile of the study area), a grade (``"good"``) or a
        comma-separated list of land-use classes; a parameter takes a number.

    Raises
    ------
    RulePackError
        Unknown pack, unreadable TOML, unknown key, wrong unit or bad value — naming the file
        and the key.

    Examples
    --------
    >>> pack = load_rules("shenzhen-2020", overrides={"SZ-C5": 1.2, "gap_m": 30})
    >>> pack.criterion("SZ-C5").value, pack.parameter("gap_m").value
    (1.2, 30.0)
    """
    if isinstance(rules, RulePack):
        pack = rules
    else:
        text, source = _read(rules)
        try:
            raw = tomllib.loads(text)
        except tomllib.TOMLDecodeError as exc:
            raise RulePackError(f"is not valid TOML: {exc}", source=source) from None
        except RecursionError:
            msg = ("nests tables or arrays too deeply to read (a pack needs at most a few levels); "
                   "check the file for runaway brackets, e.g. a = [[[[...")
            raise RulePackError(msg, source=source) from None
        pack = _from_mapping(raw, source)
    if overrides:
        pack = apply_overrides(pack, overrides)
    return pack


def _read(rules: str | os.PathLike[str]) -> tuple[str, str]:
    s = os.fspath(rules) if not isinstance(rules, str) else rules
    if isinstance(rules, Path) or s.endswith(".toml") or "/" in s or "\\" in s:
        path = Path(s)
        if not path.exists():
            raise RulePackError(f"file not found: {path}")
        return path.read_text("utf-8"), str(path)
    names = available_rules()
    if s not in names:
        msg = f"unknown rule pack '{s}'; shipped packs: {', '.join(names)} (or give a path to a .toml file)"
        raise RulePackError(msg)
    res = resources.files("zoning.rules").joinpath("packs", f"{s}.toml")
    return res.read_text("utf-8"), f"'{s}'"


_NUM = r"(\d+(?:\.\d*)?|\.\d+)"
_Q = re.compile(rf"^(?:q|quantile[=:]?)\s*{_NUM}$", re.IGNORECASE)
_P = re.compile(rf"^p\s*{_NUM}$", re.IGNORECASE)
_LOOKS_QUANTILE = re.compile(r"^(?:q|p|quantile)[\s=:]*[0-9.]", re.IGNORECASE)


def parse_override(text: str) -> tuple[str, str]:
    """Split a CLI ``CODE=VALUE`` string.

    >>> parse_override("SZ-C5=1.2")
    ('SZ-C5', '1.2')
    """
    if "=" not in text:
        msg = f"--set expects CODE=VALUE (e.g. SZ-C5=1.2), got '{text}'"
        raise RulePackError(msg)
    k, v = text.split("=", 1)
    return k.strip(), v.strip()


def _override_error(key: str, msg: str) -> RulePackError:
    """An override that is not a valid value: name the code and both ways it was given."""
    err = RulePackError(f"override {key}: {msg} (command line: --set {key}=VALUE; Python: overrides={{'{key}': value}})")
    err.key = key
    return err


def _criterion_update(c: Criterion, value: Any) -> dict[str, Any]:
    ind = INDICATORS[c.indicator]
    if ind.kind == "class":
        codes = value if isinstance(value, list) else [x.strip() for x in str(value).split(",") if x.strip()]
        return {"value": codes, "quantile": None}
    if ind.kind == "grade":
        from zoning.io.columns import parse_quality

        g = parse_quality(value)
        if g is None:
            msg = f"expects a grade good/fair/poor (好/一般/差), got {value!r}"
            raise _override_error(c.code, msg)
        return {"value": g, "quantile": None}
    if isinstance(value, str):
        text = value.strip()
        m = _Q.match(text) or _P.match(text)
        if m:
            q = float(m.group(1)) / (100.0 if _P.match(text) else 1.0)
            if not 0.0 <= q <= 1.0:
                msg = f"quantile {value!r} is outside q0–q1 (p0–p100); e.g. q0.6 is the 60th percentile of the study area"
                raise _override_error(c.code, msg)
            return {"value": None, "quantile": q}
        if _LOOKS_QUANTILE.match(text):
            msg = f"{value!r} is not a quantile; write one number between q0 and q1 (e.g. q0.6) or p0–p100 (e.g. p60)"
            raise _override_error(c.code, msg)
        try:
            value = float(text)
        except ValueError:
            msg = f"expects a number in {c.unit} or a quantile like 'q0.5', got {value!r}"
            raise _override_error(c.code, msg) from None
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        msg = f"expects a number in {c.unit} or a quantile like 'q0.5', got {value!r}"
        raise _override_error(c.code, msg)
    if not math.isfinite(value):
        msg = f"must be a finite number in {c.unit} (or a quantile q0–q1), got {value!r}"
        raise _override_error(c.code, msg)
    return {"value": float(value), "quantile": None}


def apply_overrides(pack: RulePack, overrides: Mapping[str, Any]) -> RulePack:
    """Return a copy of ``pack`` with thresholds replaced (validated like the file).

    Keys are criterion codes, parameter codes or keys, and for the per-mu (亩均) score terms
    of a firm-evaluation pack ``CODE.weight`` / ``CODE.benchmark`` (``mean``: the track's mean).
    """
    crits = {c.code: c for c in pack.criteria}
    params = {p.code: p for p in pack.parameters} | {p.key: p for p in pack.parameters}
    firm_terms = {i.code: i for t in (pack.firms.tracks if pack.firms is not None else []) for i in t.indicators}
    new_c: dict[str, Criterion] = {}
    new_p: dict[str, Parameter] = {}
    new_f: dict[str, dict[str, Any]] = {}
    for key, value in overrides.items():
        if key in crits:
            upd = _criterion_update(crits[key], value)
            data = crits[key].model_dump() | upd
            if upd.get("quantile") is None and isinstance(upd.get("value"), float):
                data["unit"] = crits[key].unit
            try:
                new_c[key] = Criterion.model_validate(data)
            except _PydanticError as exc:
                raise _override_error(key, exc.errors()[0]["msg"].removeprefix("Value error, ")) from None
        elif key in params:
            p = params[key]
            try:
                v = float(value)
            except (TypeError, ValueError):
                msg = f"expects a number in {p.unit}, got {value!r}"
                raise _override_error(key, msg) from None
            if not math.isfinite(v):
                msg = f"must be a finite number in {p.unit}, got {value!r}"
                raise _override_error(key, msg)
            if v < 0:
                msg = f"must not be negative, got {v}"
                raise _override_error(key, msg)
            new_p[p.code] = p.model_copy(update={"value": v, "status": p.status})
        elif key.split(".")[0] in firm_terms:
            code, _, field = key.partition(".")
            if field not in ("weight", "benchmark"):
                msg = (f"{code} is a term of the per-mu score; set its weight or its benchmark: "
                       f"--set {code}.weight=VALUE or --set {code}.benchmark=VALUE (or {code}.benchmark=mean)")
                raise _override_error(key, msg)
            new_f.setdefault(code, {})[field] = _firm_term_value(key, field, value, firm_terms[code].unit)
        else:
            valid = [c for c in crits] + [p.key for p in pack.parameters] + [f"{c}.weight" for c in firm_terms] \
                + [f"{c}.benchmark" for c in firm_terms]
            msg = f"no criterion or parameter '{key}' in pack {pack.pack.name}; valid: {', '.join(valid)}"
            raise RulePackError(msg)
    criteria = [new_c.get(c.code, c) for c in pack.criteria]
    parameters = [new_p.get(p.code, p) for p in pack.parameters]
    note = ", ".join(f"{k}={v}" for k, v in overrides.items())
    info = pack.pack.model_copy(update={"notes": (pack.pack.notes + f" Overrides: {note}.").strip()})
    update: dict[str, Any] = {"criteria": criteria, "parameters": parameters, "pack": info}
    if new_f and pack.firms is not None:
        tracks = [t.model_copy(update={"indicators": [i.model_copy(update=new_f.get(i.code, {})) for i in t.indicators]})
                  for t in pack.firms.tracks]
        update["firms"] = pack.firms.model_copy(update={"tracks": tracks})
    return pack.model_copy(update=update)


def _firm_term_value(key: str, field: str, value: Any, unit: str) -> float | None:
    """A per-mu score term's weight (a positive number) or benchmark (positive, or ``mean``:
    the mean of the firms evaluated on the track)."""
    if field == "benchmark" and str(value).strip().lower() in ("mean", "均值", "平均"):
        return None
    try:
        v = float(value)
    except (TypeError, ValueError):
        what = "a positive number" if field == "weight" else f"a positive number in {unit}, or 'mean'"
        raise _override_error(key, f"expects {what}, got {value!r}") from None
    if not math.isfinite(v) or v <= 0:
        raise _override_error(key, f"must be a finite number above 0, got {value!r}")
    return v
