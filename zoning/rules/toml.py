"""Write a rule pack back to TOML (for calibrated packs); loading it gives the same pack."""

from __future__ import annotations

import datetime as _dt
import math
from typing import Any

from zoning.rules.schema import RulePack

__all__ = ["dump_pack"]


def _key(k: str) -> str:
    return k if k.replace("_", "").replace("-", "").isalnum() and k.isascii() else _str(k)


def _str(s: str) -> str:
    out = s.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n").replace("\t", "\\t")
    return f'"{out}"'


def _value(v: Any) -> str:
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, int):
        return str(v)
    if isinstance(v, float):
        if not math.isfinite(v):
            msg = f"cannot write a non-finite number ({v}) to a rule pack"
            raise ValueError(msg)
        return repr(v)
    if isinstance(v, str):
        return _str(v)
    if isinstance(v, (_dt.date, _dt.datetime)):
        return v.isoformat()
    if isinstance(v, (list, tuple)):
        return "[" + ", ".join(_value(x) for x in v) + "]"
    msg = f"cannot write {type(v).__name__} to TOML"
    raise TypeError(msg)


def _is_table(v: Any) -> bool:
    return isinstance(v, dict)


def _is_table_array(v: Any) -> bool:
    return isinstance(v, list) and bool(v) and all(isinstance(x, dict) for x in v)


def _emit(lines: list[str], path: list[str], table: dict[str, Any], *, header: str | None) -> None:
    scalars = {k: v for k, v in table.items() if v is not None and not _is_table(v) and not _is_table_array(v)}
    if header is not None:
        lines += ["", header]
    lines += [f"{_key(k)} = {_value(v)}" for k, v in scalars.items()]
    for k, v in table.items():
        if _is_table(v) and v:
            sub = [*path, _key(k)]
            _emit(lines, sub, v, header=f"[{'.'.join(sub)}]")
        elif _is_table_array(v):
            sub = [*path, _key(k)]
            for item in v:
                _emit(lines, sub, item, header=f"[[{'.'.join(sub)}]]")


def dump_pack(pack: RulePack, *, comment: str = "") -> str:
    """The pack as TOML text; :func:`zoning.load_rules` on it gives an equal pack.

    >>> from zoning.rules import load_rules
    >>> import tomllib
    >>> pack = load_rules("shenzhen-2020")
    >>> from zoning.rules.schema import RulePack
    >>> RulePack.model_validate(tomllib.loads(dump_pack(pack))) == pack
    True
    """
    data = pack.model_dump(exclude_defaults=False)
    lines = [f"# {line}".rstrip() for line in comment.splitlines()] if comment else []
    _emit(lines, [], data, header=None)
    return "\n".join(lines).lstrip("\n") + "\n"
