"""Rule-pack schema: criteria, parameters, zones, block and project rules as typed data.

A pack is a TOML file validated into these frozen pydantic models. Every threshold carries
a stable code, Chinese and English names, a unit, its source clause and a status
(``official`` / ``derived`` / ``heuristic``). Unknown keys are errors (``extra="forbid"``).
"""

from __future__ import annotations

import datetime as _dt
import re
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

__all__ = [
    "INDICATORS",
    "BlockRules",
    "CandidateClass",
    "Criterion",
    "Indicator",
    "MixedUseRules",
    "PackInfo",
    "Parameter",
    "ProjectRules",
    "RulePack",
    "Stock",
    "ZoneStyle",
]

Status = Literal["official", "derived", "heuristic"]
Op = Literal["<", "<=", ">", ">=", "==", "!=", "in", "not in"]
ZONE_IDS = ("retain_upgrade", "land_consolidation", "contiguous_renewal", "unzoned", "not_industrial")
_CODE = re.compile(r"^[A-Z]{2,4}-[A-Z0-9]{1,5}$")


class Indicator(BaseModel):
    """An indicator a criterion can test, with its unit and accepted unit spellings."""

    model_config = ConfigDict(frozen=True)
    name: str
    kind: Literal["number", "grade", "class"]
    unit: str
    #: accepted units -> factor converting a threshold in that unit to ``unit``
    units: dict[str, float]
    name_zh: str
    name_en: str
    fmt: str = "{:.2f}"


def _ind(name: str, kind: str, unit: str, zh: str, en: str, units: dict[str, float] | None = None,
         fmt: str = "{:.2f}") -> Indicator:
    return Indicator(name=name, kind=kind, unit=unit, units=units or {unit: 1.0}, name_zh=zh,
                     name_en=en, fmt=fmt)  # type: ignore[arg-type]


_SHARE = {"share": 1.0, "fraction": 1.0, "%": 0.01}
_PER_MU = {"万元/亩": 1.0, "万元/ha": 1 / 15, "万元/公顷": 1 / 15, "亿元/km2": 1e4 / 1500,
           "亿元/km²": 1e4 / 1500, "元/m2": 666.67 / 1e4, "元/m²": 666.67 / 1e4}
_PER_KM2 = {"亿元/km2": 1.0, "亿元/km²": 1.0, "万元/亩": 1500 / 1e4}
_AREA_HA = {"ha": 1.0, "公顷": 1.0, "亩": 1 / 15, "mu": 1 / 15, "m2": 1e-4, "m²": 1e-4, "km2": 100.0,
            "km²": 100.0}

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
    ]
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
}


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class PackInfo(_Model):
    """Identity and provenance of a pack."""

    name: str = Field(pattern=r"^[a-z0-9][a-z0-9\-]*$")
    title_zh: str
    title_en: str
    jurisdiction: str
    policy: str
    source: str
    effective: _dt.date
    version: str = "1"
    notes: str = ""


class Criterion(_Model):
    """One test on a parcel or a contiguous area."""

    code: str
    name_zh: str
    name_en: str
    level: Literal["parcel", "zone"] = "parcel"
    indicator: str
    op: Op
    value: float | str | list[str] | None = None
    quantile: float | None = Field(default=None, ge=0.0, le=1.0)
    unit: str
    missing: Literal["fail", "pass"] = "fail"
    status: Status
    source: str
    note: str = ""

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
            from zoning.landuse import landuse_classes

            bad = sorted(set(self.value) - set(landuse_classes().index))
            if bad:
                msg = f"unknown land-use class(es) {bad}; valid: {', '.join(landuse_classes().index)}"
                raise ValueError(msg)
        elif ind.kind == "grade":
            from zoning.schema import QUALITY_LEVELS

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
        if self.level == "zone" and self.indicator not in ("zone_area_ha", "legal_ratio", "far",
                                                           "output_wan_per_mu", "tax_wan_per_mu",
                                                           "building_age"):
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

    @field_validator("code")
    @classmethod
    def _code(cls, v: str) -> str:
        return Criterion._code(v)  # type: ignore[operator]


class ZoneStyle(_Model):
    """How a zone is shown: labels and its one fixed colour."""

    label_zh: str
    label_en: str
    color: str = Field(pattern=r"^#[0-9a-fA-F]{6}$")
    description_zh: str = ""
    description_en: str = ""


class CandidateClass(_Model):
    """Parcel criteria that make a parcel a candidate for a zone, and how areas become zones."""

    name: Literal["retain", "redevelop"]
    gate: list[str] = []
    criteria: list[str]
    min_met: int = Field(ge=1)
    zone_criteria: list[str] = []
    #: zone-level criterion deciding between two zones: pass -> first, fail -> second
    split: str | None = None
    zones: list[str]

    @model_validator(mode="after")
    def _check(self) -> CandidateClass:
        if self.min_met > len(self.criteria):
            msg = f"min_met = {self.min_met} but only {len(self.criteria)} criteria are listed"
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
    """An area target for a zone."""

    km2: float | None = Field(default=None, gt=0)
    share: float | None = Field(default=None, gt=0, le=1)
    source: str
    status: Status = "official"

    @model_validator(mode="after")
    def _one(self) -> Target:
        if self.km2 is None and self.share is None:
            msg = "give 'km2' or 'share'"
            raise ValueError(msg)
        return self


class Targets(_Model):
    """Area targets: the stock they refer to and one target per zone."""

    stock_km2: float | None = Field(default=None, gt=0)
    source: str
    zones: dict[str, Target]

    @field_validator("zones")
    @classmethod
    def _zones(cls, v: dict[str, Target]) -> dict[str, Target]:
        bad = [z for z in v if z not in ZONE_IDS[:3]]
        if bad:
            msg = f"unknown zone(s) {bad}; valid: {', '.join(ZONE_IDS[:3])}"
            raise ValueError(msg)
        return v


class BlockRules(_Model):
    """Industrial-block (工业产业区块) rules."""

    use: Literal["planned_use", "current_use"] = "planned_use"
    codes: list[str]
    codes_source: str
    min_block_share: str  # criterion code
    min_district_coverage: str  # criterion code


class MixedUseRules(_Model):
    """Mixed industrial land (混合产业用地) and park-level balancing."""

    min_industrial_floor_share: str
    max_land_term: str
    balance: list[str] = []  # criterion codes that may be balanced over a park


class ProjectRules(_Model):
    """Project / enterprise / benchmark tests."""

    tests: list[str] = []


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
    blocks: BlockRules | None = None
    mixed_use: MixedUseRules | None = None
    projects: ProjectRules | None = None

    @model_validator(mode="after")
    def _refs(self) -> RulePack:
        codes = [c.code for c in self.criteria] + [p.code for p in self.parameters]
        dup = sorted({c for c in codes if codes.count(c) > 1})
        if dup:
            msg = f"duplicate code(s) {dup}"
            raise ValueError(msg)
        known = {c.code: c for c in self.criteria}
        for cand in self.candidates:
            for ref in [*cand.gate, *cand.criteria, *cand.zone_criteria, *([cand.split] if cand.split else [])]:
                if ref not in known:
                    msg = f"candidates '{cand.name}' refers to unknown criterion '{ref}'"
                    raise ValueError(msg)
            for ref in [*cand.gate, *cand.criteria]:
                if known[ref].level != "parcel":
                    msg = f"criterion '{ref}' is zone-level and cannot be a parcel gate/criterion"
                    raise ValueError(msg)
            for ref in [*cand.zone_criteria, *([cand.split] if cand.split else [])]:
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
        for sect in (self.blocks, self.mixed_use):
            if sect is None:
                continue
            for field_name, ref in sect:
                if isinstance(ref, str) and field_name not in ("use", "codes_source") and ref not in known:
                    msg = f"{field_name} refers to unknown criterion '{ref}'"
                    raise ValueError(msg)
        if self.projects:
            for ref in self.projects.tests:
                if ref not in known:
                    msg = f"projects.tests refers to unknown criterion '{ref}'"
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

    def zone_label(self, zone: str, lang: str = "zh") -> str:
        """Display label of a zone id in ``lang`` ("zh" or "en")."""
        style = self.zones[zone]
        return style.label_zh if lang == "zh" else style.label_en
