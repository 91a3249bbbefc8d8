"""Rule-pack schema: criteria, parameters, zones, block and project rules as typed data.

A pack is a TOML file validated into these frozen pydantic models. Every threshold carries
a stable code, Chinese and English names, a unit, its source clause and a status
(:data:`STATUSES`: ``official`` — in a policy text that was issued; ``official-draft`` — in a
consultation draft, or seen only in reports of one, so not (yet) in force; ``derived`` —
computed on the study area or from official figures; ``heuristic`` — a documented proposal
of the pack). Unknown keys are errors (``extra="forbid"``).

A criterion's ``level`` says what it is evaluated on: a ``parcel`` or a contiguous ``zone``
(zoning, :mod:`zoning.classify`), an industrial ``block`` or a ``district`` (block rules,
:func:`zoning.check_blocks`), a ``park`` (park-level balancing), a ``project`` (land
quota tests), an ``enterprise`` (screening flags), an ``area`` (per-km² benchmarks of a park
or zone) or the ``city`` (area targets). The sections ``[blocks]``, ``[mixed_use]``,
``[projects]``, ``[screening]``, ``[benchmarks]`` and ``[tenants]`` say which criteria play
which role; the loader checks every reference and that the criterion tests the right
indicator.
"""

from __future__ import annotations

import datetime as _dt
import math
import re
from collections import Counter
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from zoning.units import M2_PER_MU

__all__ = [
    "FIRM_MEASURES",
    "INDICATORS",
    "STATUSES",
    "BenchmarkRules",
    "BlockRules",
    "CalibrationStep",
    "CandidateClass",
    "Criterion",
    "FirmIndicator",
    "FirmRules",
    "FirmTrack",
    "Indicator",
    "LeaseRules",
    "LowEfficiencyRules",
    "MixedUseRules",
    "PackInfo",
    "Parameter",
    "ProjectRules",
    "ProjectTier",
    "Provenance",
    "RulePack",
    "ScreeningRules",
    "Stock",
    "Target",
    "Targets",
    "ZoneStyle",
]

Status = Literal["official", "official-draft", "derived", "heuristic"]
#: the status words, strongest first, with what each means (for rendering and the docs)
STATUSES: dict[str, str] = {
    "official": "the number is in an issued policy text (the clause is cited)",
    "official-draft": "the number is in a consultation draft, or was seen only in reports of one: not (yet) in force",
    "derived": "computed on the study area, or derived from official figures",
    "heuristic": "a documented proposal of the pack, or a number from a secondary source of low confidence",
}
Op = Literal["<", "<=", ">", ">=", "==", "!=", "in", "not in"]
Level = Literal["parcel", "zone", "block", "district", "park", "project", "enterprise", "area", "city"]
#: what a zone-level criterion may test: the area itself, or an area-weighted parcel indicator
ZONE_INDICATORS = ("zone_area_ha", "legal_ratio", "far", "output_wan_per_mu", "tax_wan_per_mu", "building_age",
                   "building_quality")
ZONE_IDS = ("retain_upgrade", "land_consolidation", "contiguous_renewal", "unzoned", "not_industrial")
_CODE = re.compile(r"^[A-Z]{2,4}-[A-Z0-9]{1,5}$")


class Indicator(BaseModel):
    """An indicator a criterion can test, with its unit and accepted unit spellings."""

    model_config = ConfigDict(frozen=True)
    name: str
    kind: Literal["number", "grade", "class", "flag"]
    unit: str
    #: accepted units -> factor converting a threshold in that unit to ``unit``
    units: dict[str, float]
    name_zh: str
    name_en: str
    fmt: str = "{:.2f}"


def _ind(name: str, kind: Literal["number", "grade", "class", "flag"], unit: str, zh: str, en: str,
         units: dict[str, float] | None = None, fmt: str = "{:.2f}") -> Indicator:
    return Indicator(name=name, kind=kind, unit=unit, units=units or {unit: 1.0},
                     name_zh=zh, name_en=en, fmt=fmt)


_SHARE = {"share": 1.0, "fraction": 1.0, "%": 0.01}
_PER_MU = {"万元/亩": 1.0, "万元/ha": 1 / 15, "万元/公顷": 1 / 15, "亿元/km2": 1e4 / 1500,
           "亿元/km²": 1e4 / 1500, "元/m2": M2_PER_MU / 1e4, "元/m²": M2_PER_MU / 1e4}
_PER_KM2 = {"亿元/km2": 1.0, "亿元/km²": 1.0, "万元/亩": 1500 / 1e4}
_AREA_HA = {"ha": 1.0, "公顷": 1.0, "亩": 1 / 15, "mu": 1 / 15, "m2": 1e-4, "m²": 1e-4, "km2": 100.0,
            "km²": 100.0}
_YEARS = {"years": 1.0, "年": 1.0}
_MONEY_WAN = {"万元": 1.0, "亿元": 1e4}
_FLOOR_M2 = {"m2": 1.0, "m²": 1.0, "万m2": 1e4, "万m²": 1e4, "km2": 1e6, "km²": 1e6}
_FLAG = {"flag": 1.0}

#: Indicators criteria may test. Parcel indicators come from ``compute_indicators``; zone
#: indicators are area-weighted over a contiguous area.
INDICATORS: dict[str, Indicator] = {
    i.name: i
    for i in [
        _ind("building_quality", "grade", "grade", "建筑质量", "building quality"),
        _ind("building_age", "number", "years", "建成年限", "building age", {"years": 1.0, "年": 1.0}, "{:.0f}"),
        _ind("year_built", "number", "year", "建成年份", "year built", {"year": 1.0, "年": 1.0}, "{:.0f}"),
        _ind("far", "number", "ratio", "容积率", "FAR", {"ratio": 1.0}),
        _ind("legal_ratio", "number", "share", "合法用地比例", "legal-land share", _SHARE, "{:.0%}"),
        _ind("output_wan_per_mu", "number", "万元/亩", "亩均产值", "output per mu", _PER_MU, "{:.0f}"),
        _ind("tax_wan_per_mu", "number", "万元/亩", "亩均税收", "tax per mu", _PER_MU, "{:.1f}"),
        _ind("output_yi_per_km2", "number", "亿元/km2", "地均产值", "output per km²", _PER_KM2, "{:.1f}"),
        _ind("tax_yi_per_km2", "number", "亿元/km2", "地均税收", "tax per km²", _PER_KM2, "{:.2f}"),
        _ind("value_added_wan_per_mu", "number", "万元/亩", "亩均增加值", "value added per mu", _PER_MU, "{:.0f}"),
        _ind("energy_tce_per_wan_va", "number", "tce/万元", "单位增加值能耗", "energy per value added",
             {"tce/万元": 1.0}, "{:.3f}"),
        _ind("land_area_ha", "number", "ha", "用地面积", "land area", _AREA_HA, "{:.2f}"),
        _ind("zone_area_ha", "number", "ha", "连片面积", "contiguous area", _AREA_HA, "{:.1f}"),
        _ind("current_class", "class", "class", "现状用途", "current use"),
        _ind("planned_class", "class", "class", "规划用途", "planned use"),
        _ind("lease_years", "number", "years", "租约年限", "lease length", {"years": 1.0, "年": 1.0}, "{:.0f}"),
        # industrial blocks (工业产业区块), districts, 占补平衡
        _ind("landuse_class", "class", "class", "用地分类", "land-use class"),
        _ind("block_industrial_share", "number", "share", "区块内工业用地占比", "industrial share of block area",
             _SHARE, "{:.1%}"),
        _ind("district_block_coverage", "number", "share", "纳入区块的工业用地占比",
             "share of the district's industrial land inside blocks", _SHARE, "{:.1%}"),
        _ind("block_area_balance_ha", "number", "ha", "区块面积占补差额", "block area added minus removed",
             _AREA_HA, "{:,.2f}"),
        _ind("industrial_land_balance_ha", "number", "ha", "区块内工业用地占补差额",
             "industrial land inside blocks, added minus removed", _AREA_HA, "{:,.2f}"),
        _ind("add_before_remove_ha", "number", "ha", "先补后占余量", "block area added before each removal, net",
             _AREA_HA, "{:,.2f}"),
        _ind("new_industrial_inside_share", "number", "share", "新增工业用地位于区块内的比例",
             "share of a new industrial parcel inside blocks", _SHARE, "{:.0%}"),
        _ind("city_industrial_share", "number", "share", "工业用地占建设用地比例",
             "industrial land's share of construction land", _SHARE, "{:.1%}"),
        # mixed industrial land, park balancing, flexible terms (Jiaxing)
        _ind("industrial_floor_share", "number", "share", "工业建筑面积占比", "industrial share of floor area",
             _SHARE, "{:.1%}"),
        _ind("green_ratio", "number", "share", "绿地率", "green ratio", _SHARE, "{:.1%}"),
        _ind("land_term_years", "number", "years", "出让年期", "land-grant term", _YEARS, "{:.0f}"),
        # projects (land quota tests)
        _ind("investment_wan", "number", "万元", "固定资产投资额", "fixed-asset investment", _MONEY_WAN, "{:,.0f}"),
        _ind("investment_wan_per_mu", "number", "万元/亩", "投资强度", "investment per mu", _PER_MU, "{:.0f}"),
        # enterprise screening and freed space (Shenzhen 2011)
        _ind("unlicensed", "flag", "flag", "无证无照", "unlicensed", _FLAG),
        _ind("safety_hazard", "flag", "flag", "安全隐患严重", "serious safety hazard", _FLAG),
        _ind("high_pollution", "flag", "flag", "高污染", "high pollution", _FLAG),
        _ind("high_energy", "flag", "flag", "高能耗", "high energy use", _FLAG),
        _ind("freed_floor_area_m2", "number", "m2", "腾出产业空间", "floor space freed", _FLOOR_M2, "{:,.0f}"),
        # per-mu (亩均效益) evaluation of firms
        _ind("firm_score", "number", "points", "亩均效益综合得分", "per-mu composite score", {"points": 1.0}, "{:.1f}"),
        # low-efficiency industrial land (低效用地)
        _ind("overdue_years", "number", "years", "逾期未竣工年限", "years past the contracted completion", _YEARS, "{:.0f}"),
        _ind("investment_share_of_standard", "number", "share", "投资强度达标比例",
             "investment intensity as a share of the standard", _SHARE, "{:.0%}"),
        _ind("output_share_of_standard", "number", "share", "亩均产出达标比例", "output per mu as a share of the standard",
             _SHARE, "{:.0%}"),
        _ind("stopped_years", "number", "years", "停产年限", "years production stopped", _YEARS, "{:.0f}"),
        _ind("years_without_tax", "number", "years", "连续未纳税年限", "consecutive years without tax", _YEARS, "{:.0f}"),
        _ind("eliminated_industry", "flag", "flag", "属淘汰类产业", "industry on an elimination list", _FLAG),
        # per-km² benchmarks (Shenzhen High-Tech Park)
        _ind("value_added_yi_per_km2", "number", "亿元/km2", "地均增加值", "value added per km²", _PER_KM2, "{:.1f}"),
    ]
}

#: Flag indicators -> (canonical column, value of the column that raises the flag).
FLAG_COLUMNS: dict[str, tuple[str, bool]] = {
    "unlicensed": ("licensed", False),
    "safety_hazard": ("safety_hazard", True),
    "high_pollution": ("high_pollution", True),
    "high_energy": ("high_energy", True),
}

#: Source column(s) each parcel indicator needs (any one of a tuple suffices).
INDICATOR_COLUMNS: dict[str, tuple[tuple[str, ...], ...]] = {
    "building_quality": (("building_quality",),),
    "building_age": (("year_built",),),
    "year_built": (("year_built",),),
    "far": (("floor_area_m2",),),
    "legal_ratio": (("legal_ratio", "legal_area_m2"),),
    "output_wan_per_mu": (("output_wan",),),
    "tax_wan_per_mu": (("tax_wan",),),
    "output_yi_per_km2": (("output_wan",),),
    "tax_yi_per_km2": (("tax_wan",),),
    "value_added_wan_per_mu": (("value_added_wan",),),
    "energy_tce_per_wan_va": (("energy_tce",), ("value_added_wan",)),
    "land_area_ha": (),
    "zone_area_ha": (),
    "current_class": (("current_use",),),
    "planned_class": (("planned_use",),),
    "lease_years": (("lease_years",),),
    "firm_score": (("firm_score",),),
}


def _finite(v: object) -> object:
    """Thresholds and parameters are finite numbers: ``nan`` would make every test 'missing'."""
    if isinstance(v, float) and not math.isfinite(v):
        msg = f"must be a finite number, got {v!r}; write the threshold in its unit (or a quantile between 0 and 1)"
        raise ValueError(msg)
    return v


class _Model(BaseModel):
    # every threshold and parameter is a finite number: nan / inf in a pack are errors
    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False)


class PackInfo(_Model):
    """Identity and provenance of a pack."""

    name: str = Field(pattern=r"^[a-z0-9][a-z0-9\-]*$")
    title_zh: str
    title_en: str
    jurisdiction: str
    policy: str
    source: str
    effective: _dt.date
    #: True when ``effective`` stands in for an unknown day (e.g. 1 January of the year)
    effective_placeholder: bool = False
    #: the document as a user can find it: number, publisher, date (e.g. 深府规〔2018〕14号, 深圳市人民政府)
    document: str = ""
    #: the policy text shipped with the package, a file name in ``zoning/rules/texts/``
    text: str = ""
    version: str = "1"
    notes: str = ""
    #: the year the policy describes: building ages are counted to it unless a run says otherwise
    base_year: int | None = Field(default=None, ge=1900, le=2100)


class Criterion(_Model):
    """One test on a parcel or a contiguous area."""

    code: str
    name_zh: str
    name_en: str
    level: Level = "parcel"
    indicator: str
    op: Op
    value: float | str | list[str] | None = None
    quantile: float | None = Field(default=None, ge=0.0, le=1.0)
    unit: str
    missing: Literal["fail", "pass"] = "fail"
    status: Status
    source: str
    note: str = ""

    @field_validator("value", "quantile", mode="before")
    @classmethod
    def _finite(cls, v: object) -> object:
        return _finite(v)

    @field_validator("code")
    @classmethod
    def _code(cls, v: str) -> str:
        if not _CODE.match(v):
            msg = f"code '{v}' must look like 'SZ-R1' (2–4 capitals, '-', 1–5 capitals/digits)"
            raise ValueError(msg)
        return v

    @model_validator(mode="after")
    def _check(self) -> Criterion:
        ind = INDICATORS.get(self.indicator)
        if ind is None:
            msg = f"unknown indicator '{self.indicator}'; valid: {', '.join(INDICATORS)}"
            raise ValueError(msg)
        if (self.value is None) == (self.quantile is None):
            msg = "give exactly one of 'value' (absolute threshold) or 'quantile' (0–1, relative to the study area)"
            raise ValueError(msg)
        if self.unit not in ind.units:
            msg = (f"unit '{self.unit}' does not fit indicator '{self.indicator}' "
                   f"(unit {ind.unit}); accepted units: {', '.join(ind.units)}")
            raise ValueError(msg)
        if ind.kind == "class":
            if self.op not in ("in", "not in") or not isinstance(self.value, list):
                msg = f"indicator '{self.indicator}' is a land-use class: use op 'in' or 'not in' with a list of codes"
                raise ValueError(msg)
            from zoning.io.codes import class_codes

            bad = sorted(set(self.value) - set(class_codes()))
            if bad:
                msg = f"unknown land-use class(es) {bad}; valid: {', '.join(class_codes())}"
                raise ValueError(msg)
        elif ind.kind == "flag":
            if self.op not in ("==", "!=") or self.value not in ("yes", "no"):
                msg = f"indicator '{self.indicator}' is a yes/no flag: use op '==' (or '!=') with value 'yes' or 'no'"
                raise ValueError(msg)
        elif ind.kind == "grade":
            from zoning.io.columns import QUALITY_LEVELS

            if self.quantile is not None or self.value not in QUALITY_LEVELS:
                msg = f"indicator 'building_quality' takes value one of {list(QUALITY_LEVELS)}"
                raise ValueError(msg)
            if self.op in ("in", "not in"):
                msg = "building_quality takes a comparison (<, <=, >, >=, ==, !=) with one grade"
                raise ValueError(msg)
        else:
            if self.op in ("in", "not in"):
                msg = f"op '{self.op}' needs a land-use class indicator; '{self.indicator}' is numeric"
                raise ValueError(msg)
            if self.value is not None and (isinstance(self.value, (str, list)) or isinstance(self.value, bool)):
                msg = f"value must be a number for indicator '{self.indicator}', got {self.value!r}"
                raise ValueError(msg)
        if self.quantile is not None and self.level not in ("parcel", "zone"):
            msg = f"quantile thresholds are for parcel and zone criteria; a {self.level}-level criterion needs an absolute 'value'"
            raise ValueError(msg)
        if self.level == "zone" and self.indicator not in ZONE_INDICATORS:
            msg = f"zone-level criteria can test zone_area_ha or area-weighted numeric indicators, not '{self.indicator}'"
            raise ValueError(msg)
        return self

    @property
    def threshold(self) -> float | str | list[str] | None:
        """Absolute threshold converted to the indicator's unit (None for quantiles)."""
        if self.value is None:
            return None
        if isinstance(self.value, (int, float)):
            return float(self.value) * INDICATORS[self.indicator].units[self.unit]
        return self.value


class Parameter(_Model):
    """A numeric setting (distance tolerance, minimum area, ...), documented like a criterion."""

    code: str
    key: str
    name_zh: str
    name_en: str
    value: float
    unit: str
    status: Status
    source: str
    note: str = ""

    @field_validator("value", mode="before")
    @classmethod
    def _finite(cls, v: object) -> object:
        return _finite(v)

    @field_validator("code")
    @classmethod
    def _code(cls, v: str) -> str:
        return Criterion._code(v)


class ZoneStyle(_Model):
    """How a zone is shown: labels and its one fixed colour."""

    label_zh: str
    label_en: str
    color: str = Field(pattern=r"^#[0-9a-fA-F]{6}$")
    description_zh: str = ""
    description_en: str = ""


class Provenance(_Model):
    """Where a rule that is not a threshold comes from: a combination rule, a target."""

    status: Status
    source: str
    note: str = ""


#: the combination rules of a candidate class that carry provenance
COMBINATION_RULES = ("gate", "min_met", "zone_criteria", "area_criteria", "split", "relocation")


class CandidateClass(_Model):
    """Parcel criteria that make a parcel a candidate for a zone, and how areas become zones.

    Two levels combine: a parcel is a *candidate* when every ``gate`` criterion and at least
    ``min_met`` of ``criteria`` hold for the parcel; contiguous candidates form an area, and
    the area becomes a zone when every ``zone_criteria`` holds and at least ``area_min_met``
    (default: all) of ``area_criteria`` hold for the area as a whole (area-weighted). Parcels
    of a zone that individually fail an area criterion are flagged (``contradicts``); parcels
    of its zones meeting ``relocation`` are relocation (安置) candidates. ``provenance`` gives
    status and source for each of these rules (keys: :data:`COMBINATION_RULES`).
    """

    name: Literal["retain", "redevelop"]
    gate: list[str] = []
    criteria: list[str]
    min_met: int = Field(ge=1)
    zone_criteria: list[str] = []
    #: area-level tests of the area as a whole (area-weighted indicators)
    area_criteria: list[str] = []
    #: how many of ``area_criteria`` must hold (None: all)
    area_min_met: int | None = Field(default=None, ge=1)
    #: zone-level criterion deciding between two zones: pass -> first, fail -> second
    split: str | None = None
    #: parcel criterion marking relocation (安置) candidates among this class's zone parcels
    relocation: str | None = None
    zones: list[str]
    provenance: dict[str, Provenance] = {}

    @model_validator(mode="after")
    def _check(self) -> CandidateClass:
        if self.min_met > len(self.criteria):
            msg = f"min_met = {self.min_met} but only {len(self.criteria)} criteria are listed"
            raise ValueError(msg)
        if self.area_min_met is not None and self.area_min_met > len(self.area_criteria):
            msg = f"area_min_met = {self.area_min_met} but only {len(self.area_criteria)} area_criteria are listed"
            raise ValueError(msg)
        bad_keys = sorted(set(self.provenance) - set(COMBINATION_RULES))
        if bad_keys:
            msg = f"provenance: unknown rule(s) {bad_keys}; valid: {', '.join(COMBINATION_RULES)}"
            raise ValueError(msg)
        want = 2 if self.split else 1
        if len(self.zones) != want:
            msg = f"'zones' must list {want} zone(s) ({'split pass, split fail' if self.split else 'the zone'})"
            raise ValueError(msg)
        bad = [z for z in self.zones if z not in ZONE_IDS[:3]]
        if bad:
            msg = f"unknown zone(s) {bad}; valid: {', '.join(ZONE_IDS[:3])}"
            raise ValueError(msg)
        return self


class Stock(_Model):
    """Which parcels form the industrial stock the pack sorts."""

    use: Literal["current_use", "planned_use"]
    codes: list[str]
    source: str
    status: Status = "official"


class Target(_Model):
    """An area target for a zone.

    ``kind`` says what the number is: ``extent`` — the size of the zone itself (Shenzhen:
    100 km² retained, 划定范围并长期锁定) — or ``completion`` — an area to be delivered in
    ``period`` (Shenzhen: 25 + 25 km² to complete in 2021–2025, 十四五). Quota mode and
    calibration use both as the area to reach; reports say which it is.
    """

    km2: float | None = Field(default=None, gt=0)
    share: float | None = Field(default=None, gt=0, le=1)
    kind: Literal["extent", "completion"] = "extent"
    #: first and last year of a completion target (e.g. [2021, 2025] for the 14th Five-Year Plan)
    period: list[int] = []
    source: str
    status: Status = "official"
    note: str = ""

    @model_validator(mode="after")
    def _one(self) -> Target:
        if self.period and (len(self.period) != 2 or self.period[0] > self.period[1]):
            msg = "period must be [first year, last year]"
            raise ValueError(msg)
        if self.km2 is None and self.share is None:
            msg = "give 'km2' or 'share'"
            raise ValueError(msg)
        return self


class Targets(_Model):
    """Area targets: the stock they refer to and one target per zone."""

    stock_km2: float | None = Field(default=None, gt=0)
    source: str
    status: Status = "official"
    zones: dict[str, Target]

    @field_validator("zones")
    @classmethod
    def _zones(cls, v: dict[str, Target]) -> dict[str, Target]:
        bad = [z for z in v if z not in ZONE_IDS[:3]]
        if bad:
            msg = f"unknown zone(s) {bad}; valid: {', '.join(ZONE_IDS[:3])}"
            raise ValueError(msg)
        return v


class CalibrationStep(_Model):
    """One step of :func:`zoning.calibrate`: move ``criterion`` within ``bounds`` so the zones
    in ``zones`` together reach their targets' share of the stock.

    Steps run in pack order (a later step sees the thresholds an earlier one found) and the
    sequence is repeated until no share moves. Bounds are in the criterion's unit.
    """

    criterion: str
    zones: list[str] = Field(min_length=1)
    bounds: tuple[float, float]
    source: str
    note: str = ""

    @model_validator(mode="after")
    def _check(self) -> CalibrationStep:
        lo, hi = self.bounds
        if not (math.isfinite(lo) and math.isfinite(hi)) or lo >= hi:
            msg = f"bounds must be two finite numbers, low < high; got {list(self.bounds)}"
            raise ValueError(msg)
        bad = [z for z in self.zones if z not in ZONE_IDS[:3]]
        if bad:
            msg = f"unknown zone(s) {bad}; valid: {', '.join(ZONE_IDS[:3])}"
            raise ValueError(msg)
        return self


class BlockRules(_Model):
    """Industrial-block (工业产业区块) rules: block share, district coverage, 占补平衡.

    Each field names a criterion of the pack; the criterion holds the number, unit, source
    and status. ``use`` is the land-use column the rules read by default (planned use).
    """

    use: Literal["planned_use", "current_use"] = "planned_use"
    #: class criterion (indicator ``landuse_class``, op ``in``): what counts as industrial land
    industrial: str
    #: minimum industrial share of each block's area (``block_industrial_share``)
    min_block_share: str
    #: minimum share of a district's industrial land inside blocks (``district_block_coverage``)
    min_district_coverage: str
    #: 占补平衡: block area added minus removed per district (``block_area_balance_ha``)
    balance: str | None = None
    #: 占补平衡 of the industrial land inside blocks (``industrial_land_balance_ha``), with parcels
    balance_industrial: str | None = None
    #: 先补后占: at every removal date, block area added so far minus removed so far (``add_before_remove_ha``)
    add_before_remove: str | None = None
    #: 新增工业用地原则上位于工业产业区块内: share of a new industrial parcel inside blocks (``new_industrial_inside_share``)
    new_inside_blocks: str | None = None
    #: class criterion: current-use classes that count as industrial land where the planned use is not determined
    undetermined: str | None = None
    #: block column holding each block's tier (e.g. 区块级别 一级 / 二级) and, per tier value, its
    #: minimum block share criterion (replacing ``min_block_share`` for blocks of that tier)
    tier_column: str | None = None
    tiers: dict[str, str] = {}
    #: city-level floor on industrial land's share of all parcel land (``city_industrial_share``)
    city_industrial_share: str | None = None


class MixedUseRules(_Model):
    """Mixed industrial land (混合产业用地), flexible land terms and park-level balancing."""

    use: Literal["planned_use", "current_use"] = "planned_use"
    #: class criterion: which parcels are industrial (tested for the FAR / green minimums)
    industrial: str
    #: minimum industrial share of a mixed parcel's floor area (``industrial_floor_share``)
    min_industrial_floor_share: str
    #: maximum flexible land-grant term (``land_term_years``)
    max_land_term: str | None = None
    #: minimum FAR of an industrial parcel (``far``)
    min_far: str | None = None
    #: minimum green ratio of an industrial parcel (``green_ratio``)
    min_green_ratio: str | None = None
    #: criteria a parcel may meet through its park's aggregate (园区、片区范围内统筹平衡)
    balance: list[str] = []
    #: canonical parcel column naming the park (or area) balanced over
    balance_over: Literal["park", "district"] = "park"


class ProjectTier(_Model):
    """One land-quota tier: a project is in it when every criterion passes and none of
    ``excluding`` does (e.g. the provincial investment floor bounds the city tier)."""

    name: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    label_zh: str
    label_en: str
    criteria: list[str] = Field(min_length=1)
    excluding: list[str] = []
    source: str


class ProjectRules(_Model):
    """Project tests (e.g. land-quota tiers); tiers are tried in order, the first that fits wins."""

    tiers: list[ProjectTier] = Field(min_length=1)


class ScreeningRules(_Model):
    """Enterprise screening: any flag marks a low-end enterprise; freed floor space vs targets."""

    flags: list[str] = Field(min_length=1)
    targets: list[str] = []


class BenchmarkRules(_Model):
    """Per-area benchmarks compared for any set of parks, zones or districts.

    ``milestones`` are yearly steps toward a benchmark (shown and given a status column, not
    part of ``passes``); ``note`` says how the benchmarks are meant to be read.
    """

    criteria: list[str] = Field(min_length=1)
    milestones: list[str] = []
    note: str = ""


class FirmIndicator(_Model):
    """One term of a per-mu (亩均效益) score: ``weight × value ÷ benchmark``."""

    code: str
    name_zh: str
    name_en: str
    #: a firm measure, see :data:`FIRM_MEASURES`
    measure: str
    weight: float = Field(gt=0)
    #: the divisor (in ``unit``); None = the mean of the firms evaluated on the track (derived)
    benchmark: float | None = Field(default=None, gt=0)
    unit: str
    status: Status
    source: str
    note: str = ""

    @field_validator("code")
    @classmethod
    def _code(cls, v: str) -> str:
        return Criterion._code(v)

    @model_validator(mode="after")
    def _measure(self) -> FirmIndicator:
        if self.measure not in FIRM_MEASURES:
            msg = f"unknown firm measure '{self.measure}'; valid: {', '.join(FIRM_MEASURES)}"
            raise ValueError(msg)
        return self


class FirmTrack(_Model):
    """A group of firms scored and ranked together (e.g. 规上 above-scale, 规下 below-scale, rented)."""

    name: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    label_zh: str
    label_en: str
    #: which firms: above-scale (规上) or below-scale (规下) firms on their own land, or rented firms
    firms: Literal["above_scale", "below_scale", "rented", "own_land", "all"]
    indicators: list[FirmIndicator] = Field(min_length=1)
    source: str


class FirmRules(_Model):
    """Per-mu (亩均效益) evaluation: score tracks and rank classes A/B/C/D.

    ``class_cuts`` are cumulative rank shares from the top: ``[0.2, 0.6, 0.95]`` puts the best
    20 % of a track in A, the next to 60 % in B, to 95 % in C and the rest in D.
    """

    tracks: list[FirmTrack] = Field(min_length=1)
    classes: list[str] = ["A", "B", "C", "D"]
    class_cuts: list[float]
    class_status: Status
    class_source: str
    #: firms with less own land than this (亩) are not evaluated; 0 = all
    min_land_mu: float = Field(default=0.0, ge=0)
    min_land_source: str = ""

    @model_validator(mode="after")
    def _cuts(self) -> FirmRules:
        c = self.class_cuts
        if len(c) != len(self.classes) - 1 or any(not 0 < x < 1 for x in c) or c != sorted(c):
            msg = f"class_cuts must be {len(self.classes) - 1} increasing shares in (0, 1), one per class boundary"
            raise ValueError(msg)
        return self


class LowEfficiencyRules(_Model):
    """Low-efficiency industrial land (低效用地): a parcel is flagged when any listed criterion fails."""

    criteria: list[str] = Field(min_length=1)
    #: the land-use basis and classes tested (industrial land only)
    industrial: str


class LeaseRules(_Model):
    """Tenant leases in given zones (e.g. ≥ 5 years in retain-upgrade areas)."""

    min_lease: str
    zones: list[str] = ["retain_upgrade"]


#: section field -> (indicators the referenced criterion may test, allowed levels)
_SECTION_REFS: dict[str, dict[str, tuple[tuple[str, ...], tuple[str, ...]]]] = {
    "blocks": {
        "industrial": (("landuse_class",), ("block", "district")),
        "min_block_share": (("block_industrial_share",), ("block",)),
        "min_district_coverage": (("district_block_coverage",), ("district",)),
        "balance": (("block_area_balance_ha",), ("district",)),
        "balance_industrial": (("industrial_land_balance_ha",), ("district",)),
        "add_before_remove": (("add_before_remove_ha",), ("district",)),
        "new_inside_blocks": (("new_industrial_inside_share",), ("parcel",)),
        "undetermined": (("landuse_class",), ("block", "district", "parcel")),
        "city_industrial_share": (("city_industrial_share",), ("city",)),
    },
    "mixed_use": {
        "industrial": (("landuse_class",), ("parcel",)),
        "min_industrial_floor_share": (("industrial_floor_share",), ("parcel",)),
        "max_land_term": (("land_term_years",), ("parcel",)),
        "min_far": (("far",), ("parcel",)),
        "min_green_ratio": (("green_ratio",), ("parcel",)),
    },
    "screening": {
        "flags": (("unlicensed", "safety_hazard", "high_pollution", "high_energy"), ("enterprise",)),
        "targets": (("freed_floor_area_m2",), ("city",)),
    },
    "benchmarks": {
        "criteria": (("output_yi_per_km2", "value_added_yi_per_km2", "tax_yi_per_km2",
                      "energy_tce_per_wan_va", "output_wan_per_mu", "tax_wan_per_mu",
                      "value_added_wan_per_mu"), ("area",)),
    },
    "tenants": {
        "min_lease": (("lease_years",), ("parcel", "enterprise")),
    },
    "low_efficiency": {
        "criteria": (("overdue_years", "investment_share_of_standard", "output_share_of_standard", "stopped_years",
                      "years_without_tax", "eliminated_industry"), ("parcel", "enterprise")),
        "industrial": (("landuse_class",), ("parcel",)),
    },
}

#: measures a per-mu score may use: firm column(s) -> (unit, 中文, English)
FIRM_MEASURES: dict[str, tuple[str, str, str]] = {
    "tax_wan_per_mu": ("万元/亩", "亩均税收", "tax per mu"),
    "value_added_wan_per_mu": ("万元/亩", "亩均增加值", "value added per mu"),
    "sales_wan_per_mu": ("万元/亩", "亩均销售收入", "sales per mu"),
    "value_added_wan_per_tce": ("万元/tce", "单位能耗增加值", "value added per tonne of coal equivalent"),
    "value_added_wan_per_emission_t": ("万元/t", "单位排放增加值", "value added per tonne of emissions"),
    "value_added_wan_per_employee": ("万元/人", "全员劳动生产率", "value added per employee"),
    "rd_share_of_sales": ("share", "研发经费占主营业务收入比重", "R&D spending as a share of sales"),
    "tax_wan_per_10k_kwh": ("万元/万kWh", "单位电耗税收", "tax per 10,000 kWh of electricity"),
    "sales_wan_per_tce": ("万元/tce", "单位能耗销售收入", "sales per tonne of coal equivalent"),
}
_PROJECT_INDICATORS = ("investment_wan", "investment_wan_per_mu", "tax_wan_per_mu", "output_wan_per_mu")


class RulePack(_Model):
    """A whole rule pack."""

    schema_version: Literal[1] = 1
    pack: PackInfo
    stock: Stock | None = None
    zones: dict[str, ZoneStyle] = {}
    criteria: list[Criterion] = []
    parameters: list[Parameter] = []
    candidates: list[CandidateClass] = []
    targets: Targets | None = None
    calibration: list[CalibrationStep] = []
    blocks: BlockRules | None = None
    mixed_use: MixedUseRules | None = None
    projects: ProjectRules | None = None
    screening: ScreeningRules | None = None
    benchmarks: BenchmarkRules | None = None
    tenants: LeaseRules | None = None
    firms: FirmRules | None = None
    low_efficiency: LowEfficiencyRules | None = None

    @model_validator(mode="after")
    def _refs(self) -> RulePack:
        codes = Counter([c.code for c in self.criteria] + [p.code for p in self.parameters])
        dup = sorted(c for c, n in codes.items() if n > 1)  # linear: packs may hold thousands of criteria
        if dup:
            msg = f"duplicate code(s) {dup}"
            raise ValueError(msg)
        known = {c.code: c for c in self.criteria}
        for cand in self.candidates:
            for ref in [*cand.gate, *cand.criteria, *cand.zone_criteria, *([cand.split] if cand.split else [])]:
                if ref not in known:
                    msg = f"candidates '{cand.name}' refers to unknown criterion '{ref}'"
                    raise ValueError(msg)
            for ref in [*cand.area_criteria, *([cand.relocation] if cand.relocation else [])]:
                if ref not in known:
                    msg = f"candidates '{cand.name}' refers to unknown criterion '{ref}'"
                    raise ValueError(msg)
            for ref in [*cand.gate, *cand.criteria, *([cand.relocation] if cand.relocation else [])]:
                if known[ref].level != "parcel":
                    msg = f"criterion '{ref}' is {known[ref].level}-level and cannot be a parcel gate/criterion"
                    raise ValueError(msg)
            for ref in [*cand.zone_criteria, *cand.area_criteria, *([cand.split] if cand.split else [])]:
                if known[ref].level != "zone":
                    msg = f"criterion '{ref}' must have level = 'zone' to be used as a zone criterion or split"
                    raise ValueError(msg)
        if self.candidates:
            missing = [z for z in ZONE_IDS if z not in self.zones]
            if missing:
                msg = f"[zones] must style every zone; missing {missing}"
                raise ValueError(msg)
            if self.stock is None:
                msg = "a pack with [[candidates]] needs a [stock] table"
                raise ValueError(msg)
        for section, fields in _SECTION_REFS.items():
            sect = getattr(self, section)
            if sect is None:
                continue
            for field_name, (indicators, levels) in fields.items():
                value = getattr(sect, field_name)
                refs = value if isinstance(value, list) else ([] if value is None else [value])
                for ref in refs:
                    _check_ref(known, f"{section}.{field_name}", ref, indicators, levels)
        if self.blocks is not None:
            for tier_name, ref in self.blocks.tiers.items():
                _check_ref(known, f"blocks.tiers ({tier_name})", ref, ("block_industrial_share",), ("block",))
            if self.blocks.tiers and not self.blocks.tier_column:
                msg = "blocks.tiers needs blocks.tier_column (the block column naming each block's tier)"
                raise ValueError(msg)
        if self.benchmarks is not None:
            for ref in self.benchmarks.milestones:
                _check_ref(known, "benchmarks.milestones", ref, _SECTION_REFS["benchmarks"]["criteria"][0], ("area",))
        if self.firms is not None:
            fcodes = [i.code for t in self.firms.tracks for i in t.indicators]
            clash = sorted({c for c in fcodes if fcodes.count(c) > 1 or c in codes})
            if clash:
                msg = f"firms: duplicate indicator code(s) {clash}"
                raise ValueError(msg)
        if self.mixed_use is not None:
            balanceable = {c for c in (self.mixed_use.min_far, self.mixed_use.min_green_ratio) if c is not None}
            for ref in self.mixed_use.balance:
                if ref not in balanceable:
                    msg = (f"mixed_use.balance lists '{ref}'; only the FAR and green-ratio minimums "
                           f"({', '.join(sorted(balanceable)) or 'none set'}) can be balanced over a park")
                    raise ValueError(msg)
        if self.projects is not None:
            names = [t.name for t in self.projects.tiers]
            if len(set(names)) != len(names):
                msg = f"projects.tiers: duplicate tier name(s) in {names}"
                raise ValueError(msg)
            for tier in self.projects.tiers:
                for ref in [*tier.criteria, *tier.excluding]:
                    _check_ref(known, f"projects.tiers ({tier.name})", ref, _PROJECT_INDICATORS, ("project",))
        for step in self.calibration:
            c = known.get(step.criterion)
            if c is None:
                msg = f"calibration refers to unknown criterion '{step.criterion}'"
                raise ValueError(msg)
            if INDICATORS[c.indicator].kind != "number" or c.level not in ("parcel", "zone"):
                msg = f"calibration: '{step.criterion}' must be a numeric parcel or zone criterion"
                raise ValueError(msg)
            no_target = [z for z in step.zones if self.targets is None or z not in self.targets.zones]
            if no_target:
                msg = f"calibration of '{step.criterion}': zone(s) {no_target} have no target in [targets]"
                raise ValueError(msg)
        if self.tenants is not None:
            bad = [z for z in self.tenants.zones if z not in ZONE_IDS[:3]]
            if bad:
                msg = f"tenants.zones: unknown zone(s) {bad}; valid: {', '.join(ZONE_IDS[:3])}"
                raise ValueError(msg)
        return self

    # -- convenience -----------------------------------------------------------------------
    def criterion(self, code: str) -> Criterion:
        """Return a criterion by code (``KeyError`` listing valid codes otherwise)."""
        for c in self.criteria:
            if c.code == code:
                return c
        msg = f"no criterion '{code}' in pack {self.pack.name}; codes: {', '.join(c.code for c in self.criteria)}"
        raise KeyError(msg)

    def parameter(self, key: str) -> Parameter | None:
        """Return a parameter by its key (e.g. ``"gap_m"``) or code, or None."""
        for p in self.parameters:
            if key in (p.key, p.code):
                return p
        return None

    def section_criterion(self, section: str, field_name: str) -> Criterion | None:
        """The criterion a section field refers to (e.g. ``("blocks", "min_block_share")``), or None.

        >>> from zoning.rules import load_rules
        >>> load_rules("guangzhou-2024").section_criterion("blocks", "min_block_share").value
        0.65
        """
        sect = getattr(self, section, None)
        ref = getattr(sect, field_name, None) if sect is not None else None
        return self.criterion(ref) if isinstance(ref, str) else None

    def zone_label(self, zone: str, lang: str = "zh") -> str:
        """Display label of a zone id in ``lang`` ("zh" or "en")."""
        style = self.zones[zone]
        return style.label_zh if lang == "zh" else style.label_en


def _check_ref(known: dict[str, Criterion], where: str, ref: str, indicators: tuple[str, ...],
               levels: tuple[str, ...]) -> None:
    """A section's reference must name a criterion testing a fitting indicator at a fitting level."""
    c = known.get(ref)
    if c is None:
        msg = f"{where} refers to unknown criterion '{ref}'; criteria: {', '.join(known) or 'none'}"
        raise ValueError(msg)
    if c.indicator not in indicators:
        msg = f"{where} refers to '{ref}', which tests '{c.indicator}'; it must test {' or '.join(indicators)}"
        raise ValueError(msg)
    if c.level not in levels:
        msg = f"{where} refers to '{ref}' with level '{c.level}'; it must be {' or '.join(repr(x) for x in levels)}"
        raise ValueError(msg)
