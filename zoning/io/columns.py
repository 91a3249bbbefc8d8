"""The canonical parcel schema: column names, units, Chinese names and the aliases read maps.

Every stage of zoning speaks these snake_case English column names. ``read_parcels`` maps
Chinese, English and 10-character shapefile names onto them (see :func:`match_columns`);
users can always pass their own mapping, which wins.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

__all__ = [
    "COLUMNS",
    "QUALITY_LEVELS",
    "ColumnMatch",
    "ColumnSpec",
    "canonical_of",
    "closest_columns",
    "match_columns",
    "missing_column_fix",
    "normalise_name",
    "parse_bool",
    "parse_quality",
    "parse_year",
    "parse_years",
    "protect_input_columns",
    "unit_of",
]


@dataclass(frozen=True)
class ColumnSpec:
    """One canonical column."""

    name: str
    zh: str
    unit: str
    kind: str  # "id" | "code" | "number" | "year" | "quality" | "text" | "bool"
    description: str
    aliases: tuple[str, ...] = field(default_factory=tuple)


def _c(name: str, zh: str, unit: str, kind: str, description: str, *aliases: str) -> ColumnSpec:
    return ColumnSpec(name, zh, unit, kind, description, tuple(aliases))


#: The canonical columns, in the order outputs list them.
COLUMNS: dict[str, ColumnSpec] = {
    c.name: c
    for c in [
        _c("parcel_id", "宗地编号", "", "id", "unique parcel id",
           "宗地编号", "宗地号", "宗地代码", "地块编号", "地块号", "地块代码", "图斑编号",
           "宗地编码", "地块编码", "宗地号码", "地号", "宗号", "图斑号", "宗地id", "地块id",
           "parcelid", "parcel", "fid_parcel", "parcel_no", "parcel_num", "parcel_code", "pid", "dkbh", "zdbh", "zdh"),
        _c("current_use", "现状用途", "", "code", "current land use (GB 50137-2011, 2020 national classification or Chinese name)",
           "现状用途", "现状用地性质", "现状用地", "现状地类", "现状用地类型", "用地现状", "现状用地代码",
           "currentuse", "current_landuse", "landuse_current", "xzyt", "current_us"),
        _c("planned_use", "规划用途", "", "code", "planned land use (GB 50137-2011, 2020 national classification or Chinese name)",
           "规划用途", "规划用地性质", "规划用地", "规划地类", "规划用地类型", "规划主导功能", "规划用地代码",
           "plannedused", "planneduse", "planned_landuse", "landuse_planned", "ghyt", "planned_us"),
        _c("floor_area_m2", "建筑面积", "m²", "number", "gross floor area of the buildings on the parcel",
           "建筑面积", "总建筑面积", "现状建筑面积", "建筑总面积", "floorarea", "floor_area", "gfa", "jzmj"),
        _c("year_built", "建成年份", "year", "year", "year of construction (floor-area weighted if several)",
           "建成年份", "建成年代", "建设年代", "建设年份", "建成时间", "竣工年份", "竣工时间", "建造年代",
           "建筑年代", "建成年", "建设时间", "建成日期", "竣工日期", "竣工年", "建造年份", "建筑年份", "建年", "年代",
           "yearbuilt", "year", "built_year", "build_year", "yr_built", "construction_year", "start_date", "jcnf", "jcsj"),
        _c("legal_area_m2", "合法用地面积", "m²", "number", "land with clear legal title",
           "合法用地面积", "合法用地", "已批合法用地面积", "合法面积", "合法占地面积", "合法土地面积",
           "legalarea", "legal_area", "legal_m2", "hfmj", "hfydmj"),
        _c("legal_ratio", "合法用地比例", "0–1", "number", "share of the parcel with clear legal title (0–1; percent accepted)",
           "合法用地比例", "合法用地占比", "合法用地率", "合法比例", "合法占比", "合法率", "合法面积比例",
           "合法面积占比", "legalratio", "legal_share", "legal_rati", "legal_pct", "legal_prop", "hfbl"),
        _c("building_quality", "建筑质量", "good/fair/poor", "quality", "building condition: good / fair / poor (好/一般/差)",
           "建筑质量", "建筑质量评价", "建筑质量等级", "房屋质量", "质量", "buildingquality", "quality",
           "building_q", "condition", "jzzl"),
        _c("output_wan", "产值", "万元/yr", "number", "annual output value",
           "产值", "工业总产值", "年产值", "总产值", "营业收入", "output", "output_value", "gross_output", "output_wa"),
        _c("tax_wan", "税收", "万元/yr", "number", "annual tax paid",
           "税收", "税收总额", "年税收", "纳税额", "实缴税金", "tax", "taxes", "tax_paid"),
        _c("district", "行政区", "", "text", "administrative district",
           "行政区", "所属区", "所在区", "区", "行政区划", "区县", "district_name", "qh", "xzq"),
        _c("value_added_wan", "增加值", "万元/yr", "number", "annual value added",
           "增加值", "工业增加值", "valueadded", "value_added", "value_adde"),
        _c("energy_tce", "综合能耗", "tce/yr", "number", "annual energy use in tonnes of standard coal",
           "综合能耗", "能耗", "能源消费量", "energy", "energy_use", "energy_tc"),
        _c("employees", "从业人员", "persons", "number", "employees",
           "从业人员", "就业人数", "员工人数", "职工人数", "employment", "jobs", "employees"),
        _c("investment_wan", "固定资产投资", "万元", "number", "fixed-asset investment of the project",
           "固定资产投资", "投资额", "总投资", "投资总额", "investment", "investment", "investmen"),
        _c("lease_years", "租约年限", "years", "number", "remaining or contracted lease of the tenant",
           "租约年限", "租期", "租赁年限", "lease", "lease_term", "lease_year"),
        _c("licensed", "证照齐全", "yes/no", "bool", "enterprise holds a business licence (2011 plan: 无证无照)",
           "证照齐全", "有证照", "是否持证", "持证经营", "licence", "license", "licenced"),
        _c("safety_hazard", "安全隐患", "yes/no", "bool", "serious safety hazard (2011 plan: 安全隐患严重)",
           "安全隐患", "安全隐患严重", "safety", "hazard", "safety_haz"),
        _c("high_pollution", "高污染", "yes/no", "bool", "high pollution (2011 plan: 高污染)",
           "高污染", "污染", "pollution", "high_pollu"),
        _c("high_energy", "高能耗", "yes/no", "bool", "high energy use (2011 plan: 高能耗)",
           "高能耗", "high_energ"),
        _c("land_area_m2", "用地面积", "m²", "number", "land area as recorded by the bureau (cross-checked against the geometry)",
           "用地面积", "宗地面积", "地块面积", "土地面积", "占地面积", "占地",
           "landarea", "land_area", "area_m2", "land_m2", "site_area", "shape_area", "ydmj", "zdmj"),
        _c("industrial_floor_area_m2", "工业建筑面积", "m²", "number", "floor area in industrial use (mixed-use parcels, Jiaxing)",
           "工业建筑面积", "工业用房面积", "生产用房面积", "industrial_floor", "ind_floor", "industrial_fa"),
        _c("green_ratio", "绿地率", "0–1", "number", "green space ratio (0–1; percent accepted)",
           "绿地率", "greenratio", "green"),
        _c("land_term_years", "出让年期", "years", "number", "land-grant term",
           "出让年期", "出让年限", "土地使用年限", "land_term", "grant_term", "land_term_"),
        _c("park", "园区", "", "text", "industrial park the parcel belongs to (for park-level balancing)",
           "园区", "所属园区", "产业园区", "园区名称", "park_id", "park_name"),
        _c("block_id", "区块编号", "", "id", "industrial block (工业产业区块) id",
           "区块编号", "区块", "工业区块", "blockid", "block"),
    ]
}

#: Ordered building-quality levels (higher is better).
QUALITY_LEVELS: dict[str, int] = {"poor": 1, "fair": 2, "good": 3}

_QUALITY_ALIASES: dict[str, str] = {
    **{k: "good" for k in ["good", "g", "好", "较好", "良好", "优", "优良", "完好", "new", "excellent"]},
    **{k: "fair" for k in ["fair", "f", "一般", "中", "中等", "较一般", "average", "medium", "moderate"]},
    **{k: "poor" for k in ["poor", "p", "差", "较差", "很差", "破旧", "危房", "bad", "dilapidated"]},
}

_TRUE = {"1", "1.0", "true", "t", "yes", "y", "是", "有", "√"}
_FALSE = {"0", "0.0", "false", "f", "no", "n", "否", "无", ""}

# A unit at the end of a column name. Matched after NFKC folding and lower-casing (so "（㎡）"
# arrives as "(m2)"). In brackets any unit counts (the closing bracket may have been cut off by
# the DBF name limit); bare, only units that cannot be the end of a word: "产值万元", "area_ha",
# "用地面积亩" -- but not the 年 of "建成年" or the "ha" of "alpha".
_UNIT_SUFFIX = re.compile(
    r"(?:[\(\[【]\s*(?P<b>万元|亿元|元|m2|平方米|平米|公顷|ha|亩|%|年|tce|吨标准煤|人)\s*[\)\]】]?"
    r"|(?P<u>万元|亿元|平方米|平米|公顷|亩|%|吨标准煤)"
    r"|(?<![a-z])(?P<a>m2|ha|tce))$"
)


def normalise_name(name: str) -> str:
    """Normalise a column name for alias matching.

    NFKC-folds full-width characters, lower-cases, drops spaces, brackets and a trailing
    unit, and turns ``-`` / ``.`` / spaces into ``_``.

    >>> normalise_name("建筑面积（㎡）")
    '建筑面积'
    >>> normalise_name("Floor Area")
    'floor_area'
    """
    s = unicodedata.normalize("NFKC", str(name)).strip().lower()
    s = _UNIT_SUFFIX.sub("", s).strip()
    s = re.sub(r"[\s\-\.]+", "_", s)
    s = re.sub(r"[()\[\]【】（）]", "", s)
    return s.strip("_")


def unit_of(name: str) -> str | None:
    """Return the unit written in a column name (``"产值(亿元)"`` → ``"亿元"``), if any."""
    m = _UNIT_SUFFIX.search(unicodedata.normalize("NFKC", str(name)).strip().lower())
    return (m.group("b") or m.group("u") or m.group("a")) if m else None


def _alias_index() -> dict[str, str]:
    idx: dict[str, str] = {}
    for spec in COLUMNS.values():
        for a in (spec.name, *spec.aliases):
            idx.setdefault(normalise_name(a), spec.name)
    return idx


_ALIASES = _alias_index()


def _looks_truncated(name: str) -> bool:
    """Whether ``name`` has the length of a name cut by the 10-byte DBF field-name limit.

    10 ASCII characters ("floor_area"); 9–10 bytes in GBK (5 Hanzi, "合法用地面"); 8–10 bytes in
    UTF-8 (3 Hanzi, "宗地编": the character cut in half is dropped when reading). Shorter names
    such as "building" are complete words, never truncations.
    """
    name = unicodedata.normalize("NFC", str(name)).strip()
    if name.isascii():
        return len(name) == 10
    try:
        gbk = len(name.encode("gb18030"))
    except UnicodeEncodeError:  # pragma: no cover - gb18030 encodes all of Unicode
        gbk = 0
    return gbk in (9, 10) or len(name.encode("utf-8")) in (8, 9, 10)


@dataclass
class ColumnMatch:
    """How one source column was mapped."""

    source: str
    canonical: str
    how: str  # "user" | "canonical" | "alias" | "truncated"
    unit: str | None = None


def match_columns(
    names: list[str], user_mapping: dict[str, str] | None = None
) -> tuple[list[ColumnMatch], list[str]]:
    """Map source column names to canonical names.

    Parameters
    ----------
    names
        Column names as read from the file.
    user_mapping
        ``{source name: canonical name}``; always wins. Canonical names are checked.

    Returns
    -------
    matches, notes
        One :class:`ColumnMatch` per mapped column, and human-readable notes (e.g. two source
        columns claiming the same canonical name: the first is used, the second kept as is).

    Examples
    --------
    >>> m, _ = match_columns(["宗地编号", "产值(亿元)", "building_q", "合法用地面", "备注"])
    >>> [(x.source, x.canonical, x.how, x.unit) for x in m]  # doctest: +NORMALIZE_WHITESPACE
    [('宗地编号', 'parcel_id', 'alias', None), ('产值(亿元)', 'output_wan', 'alias', '亿元'),
     ('building_q', 'building_quality', 'alias', None),
     ('合法用地面', 'legal_area_m2', 'truncated', None)]
    """
    from zoning.errors import InputError

    user_mapping = dict(user_mapping or {})
    unknown = {v for v in user_mapping.values() if v not in COLUMNS}
    if unknown:
        msg = (
            f"columns= maps to unknown canonical name(s) {sorted(unknown)}; "
            f"valid names are: {', '.join(COLUMNS)}"
        )
        raise InputError(msg)
    missing_src = [k for k in user_mapping if k not in names]
    if missing_src:
        msg = (
            f"columns= names source column(s) {missing_src} that are not in the file; "
            f"the file has: {', '.join(map(str, names))}"
        )
        raise InputError(msg)

    taken: dict[str, str] = {}
    matches: list[ColumnMatch] = []
    notes: list[str] = []
    for src, dst in user_mapping.items():
        taken[dst] = src
        matches.append(ColumnMatch(src, dst, "user", unit_of(src)))

    for src in names:
        if src in user_mapping or src == "geometry":
            continue
        canonical, how = canonical_of(src)
        if canonical is None:
            continue
        if canonical in taken:
            notes.append(
                f"columns '{taken[canonical]}' and '{src}' both look like '{canonical}'; "
                f"used '{taken[canonical]}', kept '{src}' unchanged (pass columns= to choose)"
            )
            continue
        taken[canonical] = src
        matches.append(ColumnMatch(src, canonical, how, unit_of(src)))
    return matches, notes


def canonical_of(name: str) -> tuple[str | None, str]:
    """The canonical column a source name stands for, and how it was recognised.

    ``how`` is ``"canonical"`` (the name itself), ``"alias"`` or ``"truncated"`` (a unique
    alias cut by the 10-byte DBF limit); ``(None, "")`` when the name is not recognised.

    >>> canonical_of("合法面积"), canonical_of("备注")
    (('legal_area_m2', 'alias'), (None, ''))
    """
    if name in COLUMNS:
        return name, "canonical"
    key = normalise_name(name)
    if key in _ALIASES:
        return _ALIASES[key], "alias"
    if _looks_truncated(name):
        hits = {c for a, c in _ALIASES.items() if a.startswith(key) and len(a) > len(key)}
        if len(hits) == 1:
            return hits.pop(), "truncated"
    return None, ""


def closest_columns(canonical: str, names: list[str], *, n: int = 3) -> list[str]:
    """The user's columns whose names look most like ``canonical`` or one of its aliases.

    >>> closest_columns("legal_area_m2", ["编号", "合法地面积", "备注", "legal_ar"])
    ['合法地面积', 'legal_ar']
    """
    import difflib

    spec = COLUMNS[canonical]
    targets = {normalise_name(a) for a in (spec.name, spec.zh, *spec.aliases)}
    scored = []
    for name in names:
        key = normalise_name(name)
        if not key:
            continue
        best = max(difflib.SequenceMatcher(None, key, t).ratio() for t in targets)
        if best >= 0.5:
            scored.append((-best, names.index(name), name))
    return [name for _, _, name in sorted(scored)[:n]]


def missing_column_fix(canonical: str | list[str], names: list[str]) -> str:
    """How to map a column the data seems to lack: both fixes, with the closest candidates.

    ``canonical`` may list alternatives (``["legal_ratio", "legal_area_m2"]``); ``names`` are
    the user's unmapped columns.

    >>> print(missing_column_fix("legal_area_m2", ["编号", "合法地面积"]))
    your column that looks closest: '合法地面积'; if it is the one, map it: columns={'合法地面积': 'legal_area_m2'} in Python, or --col 合法地面积=legal_area_m2 on the command line (recognised names include 合法用地面积, 合法用地, 已批合法用地面积, 合法面积)
    """
    options = [canonical] if isinstance(canonical, str) else list(canonical)
    best: list[tuple[str, str]] = []  # (column, canonical) closest first
    for c in options:
        best += [(n, c) for n in closest_columns(c, names)]
    close = list(dict.fromkeys(n for n, _ in best))[:3]
    src, dst = (best[0] if best else ("your name", options[0]))
    listed = ", ".join(repr(c) for c in close)
    lead = (f"your column{'s' if len(close) > 1 else ''} that look{'' if len(close) > 1 else 's'} closest: {listed}; "
            f"if {'one' if len(close) > 1 else 'it'} is the one, map it: " if close else "add it, or map your column: ")
    aliases = ", ".join(a for c in options for a in COLUMNS[c].aliases[:4])
    return (f"{lead}columns={{'{src}': '{dst}'}} in Python, or --col {src}={dst} on the command line "
            f"(recognised names include {aliases})")


def protect_input_columns(frame: pd.DataFrame, outputs: list[str], *, suffix: str = "_input") -> pd.DataFrame:
    """Rename input columns that an output of the same name would overwrite, and say so.

    A column the user brought (not one of the canonical inputs zoning reads) whose name is
    the name of an output column (``far``, ``zone``, ``reason``, a criterion code, …) —
    compared case-insensitively, as GeoPackage does — is kept as ``<name>_input`` with a
    :class:`~zoning.errors.DataRepairWarning` naming the column, the first parcels and the fix.

    >>> import pandas as pd, warnings
    >>> df = pd.DataFrame({"parcel_id": ["A1", "A2"], "FAR": [9.0, 8.0]})
    >>> with warnings.catch_warnings(record=True) as w:
    ...     warnings.simplefilter("always")
    ...     out = protect_input_columns(df, ["far", "zone"])
    >>> list(out.columns)
    ['parcel_id', 'FAR_input']
    """
    import warnings

    from zoning.errors import DataRepairWarning

    wanted = {str(o).casefold(): str(o) for o in outputs}
    geom = getattr(frame, "_geometry_column_name", None)
    taken = {str(c).casefold() for c in frame.columns} | set(wanted)
    renames: dict[str, str] = {}
    for c in frame.columns:
        if c == geom or not isinstance(c, str) or c in COLUMNS or c.casefold() not in wanted:
            continue
        new, k = f"{c}{suffix}", 2
        while new.casefold() in taken:
            new, k = f"{c}{suffix}{k}", k + 1
        taken.add(new.casefold())
        renames[c] = new
    if not renames:
        return frame
    ids = frame["parcel_id"].astype(str).tolist() if "parcel_id" in frame.columns else [str(i) for i in frame.index]
    shown = ", ".join(ids[:5]) + (f" … and {len(ids) - 5} more" if len(ids) > 5 else "")
    for old, new in renames.items():
        warnings.warn(
            f"input column '{old}' has the name of the output column '{wanted[old.casefold()]}', which would overwrite it: "
            f"your values are kept as '{new}' (all {len(ids)} parcels: {shown})\n"
            f"  fix: rename '{old}' in the source table to keep your own name",
            DataRepairWarning, stacklevel=3)
    return frame.rename(columns=renames)


def parse_quality(value: object) -> str | None:
    """Map a building-quality value to ``"good"``, ``"fair"`` or ``"poor"`` (None if unknown).

    >>> [parse_quality(v) for v in ["好", "一般", "较差", "Good", None, "A"]]
    ['good', 'fair', 'poor', 'good', None, None]
    """
    if value is None:
        return None
    if isinstance(value, float) and value != value:
        return None
    s = unicodedata.normalize("NFKC", str(value)).strip().lower()
    return _QUALITY_ALIASES.get(s)


def parse_bool(value: object) -> bool | None:
    """Map yes/no style values (是/否, 1/0, true/false, Y/N) to bool (None if unknown or empty).

    >>> [parse_bool(v) for v in ["是", "否", 1, "N", None, "maybe"]]
    [True, False, True, False, None, None]
    """
    if value is None:
        return None
    if isinstance(value, bool):
        return value
    if isinstance(value, float) and value != value:
        return None
    s = unicodedata.normalize("NFKC", str(value)).strip().lower()
    if s in _TRUE:
        return True
    if s in _FALSE and s != "":
        return False
    return None


_Y1 = r"(?P<y1>1[6-9]\d\d|20\d\d)"
_Y2 = r"(?P<y2>1[6-9]\d\d|20\d\d)"
_SEP = r"(?:-|–|—|~|至|到|\.\.)"
_PART = r"(?P<part>初期|初|中期|中|末期|末)"
_BEFORE = r"(?:before|pre|<|早于)"
_AFTER = r"(?:after|post|>|晚于)"
#: (pattern, how). Values are NFKC-folded, stripped and lower-cased before matching.
_YEAR_PATTERNS: list[tuple[re.Pattern[str], str]] = [
    (re.compile(rf"^{_Y1}(?:\.0+)?$"), "year"),
    (re.compile(rf"^{_Y1}[-/.]\d{{1,2}}(?:[-/.]\d{{1,2}})?(?:[ t].*)?$"), "date"),
    (re.compile(rf"^{_Y1}(?:0[1-9]|1[0-2])(?:[0-3]\d)?$"), "date"),  # 20050601, 200506
    (re.compile(rf"^{_Y1}\s*年(?:\s*\d{{1,2}}\s*月(?:\s*\d{{1,2}}\s*日)?)?(?:建成|竣工|建)?$"), "year"),
    (re.compile(rf"^{_Y1}\s*年?\s*{_SEP}\s*{_Y2}\s*年?$"), "range"),
    (re.compile(rf"^(?:(?P<pre>early|mid|late)[\s-]*)?{_Y1}\s*(?:s|'s|年代)\s*{_PART}?$"), "decade"),
    (re.compile(rf"^(?:20世纪|二十世纪)?(?P<d>[1-9]0)\s*(?:年代|s|'s)\s*{_PART}?$"), "cn_decade"),
    (re.compile(rf"^{_BEFORE}\s*-?\s*(?:c\.?\s*)?{_Y1}(?:\s*\.\.\s*{_Y2})?\s*(?:年?\s*(?:前|以前|之前))?$"), "before"),
    (re.compile(rf"^{_Y1}\s*年?\s*(?:前|以前|之前)$"), "before"),
    (re.compile(rf"^{_AFTER}\s*-?\s*{_Y1}(?:\s*\.\.\s*{_Y2})?\s*(?:年?\s*(?:后|以后|之后))?$"), "after"),
    (re.compile(rf"^{_Y1}\s*年?\s*(?:后|以后|之后)$"), "after"),
    (re.compile(rf"^(?:c\.?|ca\.?|circa|~|约|大约)\s*{_Y1}\s*年?$"), "year"),
    (re.compile(rf"^{_Y1}\s*年?\s*(?:\?|左右|前后)$"), "year"),
]
_DECADE_PART = {"early": 2.0, "初": 2.0, "初期": 2.0, "mid": 5.0, "中": 5.0, "中期": 5.0,
                "late": 8.0, "末": 8.0, "末期": 8.0}


def parse_year(value: object) -> tuple[float | None, str]:
    """Parse one messy construction-year value.

    Returns ``(year, how)``; ``year`` is None when the value cannot be read (``how`` then
    says ``"missing"`` or ``"unparsed"``). The documented conventions:

    ===========================================  ======  ==================================================
    value                                        year    rule (``how``)
    ===========================================  ======  ==================================================
    ``1998``, ``"1998年"``, ``"1998年建成"``     1998    as written (year)
    ``"2005-06-01"``, ``"20050601"``             2005    a date: its year (date)
    ``"2005-2008"``, ``"2005至2008"``            2006.5  a range: its midpoint (range)
    ``"1990s"``, ``"90年代"``                    1995    a decade: its midpoint (decade)
    ``"80年代末"``, ``"late 1980s"``             1988    early / mid / late decade: +2 / +5 / +8 (decade)
    ``"before 1939"``, ``"1939年以前"``          1939    an upper bound: the bound (before)
    ``"before 1905..1908"``                      1906.5  an upper bound given as a range: midpoint (before)
    ``"after 1908"``, ``"1908年以后"``           1908    a lower bound: the bound (after)
    ``"after 1905..1908"``                       1906.5  a lower bound given as a range: midpoint (after)
    ``"1865;1890"``                              1877.5  several buildings: the mean (mean)
    ``"c. 1900"``, ``"约1900"``, ``"1900?"``     1900    an approximation: the year (year)
    ``None``, ``""``, ``"unknown"``, ``"不详"``  —       no value (missing)
    ``"abc"``, ``0``, ``1500``                   —       not a year, reported (unparsed)
    ===========================================  ======  ==================================================

    Years outside 1600–2100 are not read as years.

    >>> [parse_year(v)[0] for v in [1998, "2005-2008", "1990s", "before 1939", "1865;1890", "90年代"]]
    [1998.0, 2006.5, 1995.0, 1939.0, 1877.5, 1995.0]
    >>> parse_year("about then")
    (None, 'unparsed')
    """
    if value is None or (isinstance(value, float) and value != value):
        return None, "missing"
    if isinstance(value, bool):
        return None, "unparsed"
    if isinstance(value, (int, float)):
        v = float(value)
        return (v, "year") if 1600 <= v <= 2100 else (None, "unparsed")
    s = unicodedata.normalize("NFKC", str(value)).strip().lower()
    if not s or s in {"nan", "none", "null", "<na>", "nat", "unknown", "n/a", "未知", "不详", "不明", "无", "-", "/"}:
        return None, "missing"
    parts = [p for p in re.split(r"\s*[;,、]\s*", s) if p]  # NFKC folds ； and ，
    if len(parts) > 1:
        years = [parse_year(p)[0] for p in parts]
        known = [y for y in years if y is not None]
        if len(known) == len(years):
            return float(sum(known) / len(known)), "mean"
        return None, "unparsed"
    for pat, how in _YEAR_PATTERNS:
        m = pat.match(s)
        if not m:
            continue
        g = m.groupdict()
        if how == "cn_decade":
            return 1900.0 + int(g["d"]) + _DECADE_PART.get(g.get("part") or "", 5.0), "decade"
        if how == "decade":
            part = g.get("part") or g.get("pre") or ""
            return float(g["y1"]) + _DECADE_PART.get(part, 5.0), how
        if g.get("y2"):
            return (float(g["y1"]) + float(g["y2"])) / 2, how
        return float(g["y1"]), how
    return None, "unparsed"


def parse_years(values: pd.Series) -> tuple[pd.Series, pd.Series]:
    """Vectorised :func:`parse_year`: ``(years as float, how)`` aligned to ``values``.

    Each distinct value is parsed once, so a million parcels with a few hundred distinct
    year strings parse in well under a second.
    """
    import numpy as np
    import pandas as pd

    if pd.api.types.is_numeric_dtype(values):
        v = values.astype("float64")
        ok = v.between(1600, 2100)
        how = pd.Series(np.where(ok, "year", np.where(v.isna(), "missing", "unparsed")), index=values.index)
        return v.where(ok), how
    labels, uniques = pd.factorize(values.astype(object), use_na_sentinel=True)
    parsed = [parse_year(u) for u in uniques] + [(None, "missing")]
    years = np.array([np.nan if y is None else y for y, _ in parsed], dtype="float64")[labels]
    hows = np.array([h for _, h in parsed], dtype=object)[labels]
    return pd.Series(years, index=values.index), pd.Series(hows, index=values.index)
