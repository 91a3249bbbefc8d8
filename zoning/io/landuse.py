"""Land-use codes: GB 50137-2011, the 2020 national classification and Chinese names.

:func:`parse_landuse` maps whatever a bureau wrote (``"M1"``, ``100101``, ``"一类工业用地"``,
``"M1/B2"``) to one canonical class (GB 50137 style, plus ``M0``). The mapping tables are data
(``zoning/data/landuse_codes.toml``); which classes count as industrial is decided by the rule
pack, never here.
"""

from __future__ import annotations

import re
import sys
import unicodedata
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from zoning.io.codes import code_tables as _tables

if sys.version_info >= (3, 11):
    pass
else:  # pragma: no cover
    pass

__all__ = ["LandUse", "landuse_classes", "parse_landuse"]

_SPLIT = re.compile(r"\s*[/+＋、，,;；|]\s*")
_LETTER_CODE = re.compile(r"^[A-Z]{1,3}[0-9]{0,3}[A-Z]?$")
_DIGIT_CODE = re.compile(r"^[0-9]{1,6}$")




def landuse_classes() -> pd.DataFrame:
    """Canonical land-use classes with Chinese and English names.

    >>> landuse_classes().loc["M0", "zh"]
    '新型产业用地'
    """
    return pd.DataFrame.from_dict(_tables()["classes"], orient="index").rename_axis("code")


@dataclass
class LandUse:
    """Result of :func:`parse_landuse`, aligned to the input index."""

    code: pd.Series  #: canonical class (``pd.NA`` when not understood)
    mixed: pd.Series  #: True where the value listed several uses ("M1/B2"); the first is used
    how: pd.Series  #: "code", "parent", "name", "keyword", "extra", "" (missing) or "unknown"
    unknown: dict[str, int] = field(default_factory=dict)  #: value -> count, not understood
    guessed: dict[str, str] = field(default_factory=dict)  #: value -> class found by keyword


def _clean(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, float):
        if np.isnan(value):
            return None
        if value.is_integer():
            value = int(value)
    s = unicodedata.normalize("NFKC", str(value)).strip()
    if not s or s.lower() in {"nan", "none", "null", "<na>"}:
        return None
    return s


def _one(token: str, extra: dict[str, str]) -> tuple[str | None, str]:
    t = _tables()
    if token in extra:
        return extra[token], "extra"
    up = token.upper().replace(" ", "")
    if up in extra:
        return extra[up], "extra"
    if _LETTER_CODE.match(up):
        gb = t["gb50137"]
        if up in gb:
            return gb[up], "code"
        for k in range(len(up) - 1, 0, -1):
            if up[:k] in gb:
                return gb[up[:k]], "parent"
        return None, "unknown"
    if _DIGIT_CODE.match(up):
        if len(up) % 2 == 1:  # a leading zero lost when the code was stored as a number
            up = "0" + up
        cn = t["cn2020"]
        for k in range(len(up), 0, -2):
            if up[:k] in cn:
                return cn[up[:k]], ("code" if k == len(up) else "parent")
        return None, "unknown"
    name = re.sub(r"\s+", "", token)
    # "M1一类工业用地" / "一类工业用地(M1)": a code written next to its name
    m = re.match(r"^([A-Za-z]{1,3}[0-9]{0,3})[\(（]?", name)
    if m and m.group(1).upper() in t["gb50137"] and len(m.group(1)) < len(name):
        return t["gb50137"][m.group(1).upper()], "code"
    m = re.search(r"[\(（]([A-Za-z]{1,3}[0-9]{0,3})[\)）]$", name)
    if m and m.group(1).upper() in t["gb50137"]:
        return t["gb50137"][m.group(1).upper()], "code"
    if name in t["names"]:
        return t["names"][name], "name"
    if name.startswith(("非", "不含", "除")):  # "非工业用地": a negation is never a keyword match
        return None, "unknown"
    for kw, cls in t["keywords"]["order"]:
        if kw in name:
            return cls, "keyword"
    return None, "unknown"


def parse_landuse(values: pd.Series | list[Any], *, extra_codes: dict[str, str] | None = None) -> LandUse:
    """Map land-use codes or names to canonical classes.

    Parameters
    ----------
    values
        Codes as read from a file: GB 50137-2011 (``M1``, ``B29``), the 2020 national
        classification (``1001``, ``100101``; numbers with a lost leading zero are repaired),
        Chinese names (``一类工业用地``) or combinations (``M1/B2``: the first use is taken and
        the row is marked ``mixed``).
    extra_codes
        Additional ``{raw value: canonical class}`` pairs; they win over the built-in tables.

    Returns
    -------
    LandUse
        ``code``, ``mixed`` and ``how`` Series aligned to ``values``, plus the values not
        understood (``unknown``) and those matched only by keyword (``guessed``).

    Examples
    --------
    >>> lu = parse_landuse(["M1", 100102, "新型产业用地", "M1/B2", "B29", "菜地", None])
    >>> lu.code.tolist()
    ['M1', 'M2', 'M0', 'M1', 'B2', <NA>, <NA>]
    >>> lu.mixed.tolist()
    [False, False, False, True, False, False, False]
    >>> lu.unknown
    {'菜地': 1}
    """
    s = values if isinstance(values, pd.Series) else pd.Series(list(values), dtype=object)
    extra = {str(k): v for k, v in (extra_codes or {}).items()}
    known = set(_tables()["classes"])
    bad = {v for v in extra.values() if v not in known}
    if bad:
        from zoning.errors import InputError

        msg = f"extra_codes maps to unknown class(es) {sorted(bad)}; valid classes: {', '.join(sorted(known))}"
        raise InputError(msg)

    labels, uniques = pd.factorize(s.astype(object), use_na_sentinel=True)
    counts = np.bincount(labels[labels >= 0], minlength=len(uniques))
    unknown: dict[str, int] = {}
    guessed: dict[str, str] = {}
    u_code: list[Any] = []
    u_mixed: list[bool] = []
    u_how: list[str] = []
    for u, n in zip(uniques, counts, strict=True):
        clean = _clean(u)
        if clean is None:
            cls, mix, h = None, False, ""
        elif clean in extra:  # a whole value given in extra_codes wins, even "M1/B2"
            cls, mix, h = extra[clean], False, "extra"
        else:
            parts = [p for p in _SPLIT.split(clean) if p]
            cls, h = _one(parts[0], extra) if parts else (None, "unknown")
            mix = len(parts) > 1
            if cls is None:
                unknown[clean] = unknown.get(clean, 0) + int(n)
            elif h == "keyword":
                guessed[clean] = cls
        u_code.append(cls if cls is not None else pd.NA)
        u_mixed.append(mix)
        u_how.append(h)
    # the NA sentinel (-1) picks the appended "missing" entry
    u_code.append(pd.NA)
    u_mixed.append(False)
    u_how.append("")
    codes = np.asarray(u_code, dtype=object)[labels]
    mixed = np.asarray(u_mixed, dtype=bool)[labels]
    how = np.asarray(u_how, dtype=object)[labels]
    idx = s.index
    return LandUse(
        code=pd.Series(codes, index=idx, dtype="string"),
        mixed=pd.Series(mixed, index=idx, dtype=bool),
        how=pd.Series(how, index=idx, dtype=object),
        unknown=unknown,
        guessed=guessed,
    )
