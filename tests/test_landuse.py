"""zoning/landuse.py: GB 50137-2011 codes, the 2020 national classification and Chinese names."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from zoning.errors import InputError
from zoning.io.landuse import landuse_classes, parse_landuse


def one(value, **kw) -> tuple[object, str, bool]:
    lu = parse_landuse([value], **kw)
    code = lu.code.iloc[0]
    return (None if pd.isna(code) else code), lu.how.iloc[0], bool(lu.mixed.iloc[0])


@pytest.mark.parametrize(("value", "code", "how"), [
    # GB 50137-2011, as written in planning data
    ("M1", "M1", "code"), ("M2", "M2", "code"), ("M3", "M3", "code"), ("M0", "M0", "code"), ("M", "M", "code"),
    ("W1", "W1", "code"), ("R2", "R2", "code"), ("B2", "B2", "code"), ("GIC", "A", "code"),
    ("m1", "M1", "code"), (" M1 ", "M1", "code"), ("Ｍ１", "M1", "code"),
    # unlisted sub-classes fall back to the longest listed prefix
    ("B29", "B2", "parent"), ("R22", "R2", "parent"), ("A33", "A3", "parent"), ("M11", "M1", "parent"),
    # 2020 national classification (用地用海分类)
    ("1001", "M", "code"), ("100101", "M1", "code"), ("100102", "M2", "code"), ("100103", "M3", "code"),
    (100101, "M1", "code"), (100101.0, "M1", "code"), ("1101", "W", "code"), ("110101", "W1", "code"),
    ("1002", "H5", "code"), ("0902", "B2", "code"), ("1208", "S4", "code"),
    # a leading zero lost when the code was stored as a number
    (701, "R", "parent"), ("701", "R", "parent"), (902, "B2", "code"), (80101, "A1", "parent"),
    # unlisted 2020 sub-classes fall back to their parent
    ("090105", "B1", "parent"), ("100199", "M", "parent"),
    # Chinese names
    ("一类工业用地", "M1", "name"), ("二类工业用地", "M2", "name"), ("新型产业用地", "M0", "name"),
    ("工业用地", "M", "name"), ("物流仓储用地", "W", "name"), ("二类居住用地", "R2", "name"),
    ("一类 工业用地", "M1", "name"),
    # a code next to its name
    ("一类工业用地(M1)", "M1", "code"), ("M1一类工业用地", "M1", "code"), ("工业用地（M2）", "M2", "code"),
    # keyword guesses (reported by validation)
    ("工业厂房", "M", "keyword"), ("新型产业园", "M0", "keyword"), ("仓储物流", "W", "keyword"),
    # not understood
    ("X9", None, "unknown"), ("菜地", None, "unknown"), ("industrial", None, "unknown"),
    ("非工业用地", None, "unknown"),  # a negation is never a keyword match
    # missing
    (None, None, ""), (np.nan, None, ""), ("", None, ""), ("  ", None, ""), ("nan", None, ""),
])
def test_parse_one(value, code, how):
    got_code, got_how, mixed = one(value)
    assert (got_code, got_how) == (code, how)
    assert not mixed


@pytest.mark.parametrize(("value", "code"), [("M1/B2", "M1"), ("B2/M1", "B2"), ("M1+M0", "M1"), ("M1、W1", "M1"),
                                            ("100101/0902", "M1"), ("一类工业用地/商务用地", "M1")])
def test_mixed_uses_take_the_first(value, code):
    assert one(value) == (code, "code" if value[0].isascii() else "name", True)


def test_series_alignment_and_counts():
    s = pd.Series(["M1", "X9", None, "X9", "工业厂房", "M1/B2", 100101], index=[5, 3, 9, 1, 7, 2, 8])
    lu = parse_landuse(s)
    for part in (lu.code, lu.mixed, lu.how):
        assert part.index.equals(s.index)
    assert lu.code.tolist() == ["M1", pd.NA, pd.NA, pd.NA, "M", "M1", "M1"]
    assert lu.unknown == {"X9": 2}
    assert lu.guessed == {"工业厂房": "M"}
    assert lu.mixed.tolist() == [False, False, False, False, False, True, False]
    assert str(lu.code.dtype) == "string"


def test_extra_codes_win():
    lu = parse_landuse(["industrial", "X9", "M1", "M1/B2", "m9"], extra_codes={"industrial": "M", "M1": "M2", "M1/B2": "M0", "M9": "M3"})
    assert lu.code.tolist() == ["M", pd.NA, "M2", "M0", "M3"]
    assert lu.how.tolist() == ["extra", "unknown", "extra", "extra", "extra"]
    assert lu.unknown == {"X9": 1}


def test_extra_codes_must_map_to_known_classes():
    with pytest.raises(InputError, match=r"extra_codes maps to unknown class\(es\) \['M9'\]; valid classes: .*M1"):
        parse_landuse(["x"], extra_codes={"x": "M9"})


def test_empty_input():
    lu = parse_landuse(pd.Series([], dtype=object))
    assert len(lu.code) == 0 and lu.unknown == {} and lu.guessed == {}


def test_every_target_is_a_known_class():
    import zoning.io.landuse as mod

    t = mod._tables()
    known = set(t["classes"])
    assert set(t["gb50137"].values()) <= known
    assert set(t["cn2020"].values()) <= known
    assert set(t["names"].values()) <= known
    assert {cls for _, cls in t["keywords"]["order"]} <= known
    classes = landuse_classes()
    assert classes.loc["M1", "zh"] == "一类工业用地" and classes.loc["M0", "en"].startswith("new industrial")
