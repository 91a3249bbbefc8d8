"""Human labels, with units, for the columns a person reads (reports, workbooks, the CLI).

Data files (GeoPackage, GeoParquet) keep the canonical snake_case names so scripts stay
stable; every table a person reads — the HTML / Markdown / Word report, the Excel workbook,
the CLI's printed summaries — takes its headers from :data:`LABELS`, in Chinese or English,
and shows a zone as its label (保留提升区, not ``retain_upgrade``).

Each label also says how its numbers are shown (:attr:`Label.fmt`): ``pct`` (a 0–1 share as
a percentage), ``area`` (two decimals), ``num`` (two decimals), ``num1`` / ``num0`` (one /
no decimal), ``int`` (a count), ``year``, ``auto`` (numbers of mixed units: as they come), ``text``. The same format drives the report's text and the
workbook's number formats, so a share reads 15.2 % in both.

>>> label("area_ha", "zh"), label("area_ha", "en")
('面积（公顷）', 'Area (ha)')
>>> label("output_wan_per_mu", "zh")
'亩均产值（万元/亩）'
>>> label("retain_upgrade_share", "zh")
'保留提升区占比'
"""

from __future__ import annotations

import math
from typing import Any, NamedTuple

__all__ = ["LABELS", "STATUS_WORDS", "TABLE_TITLES", "Label", "fmt_of", "format_value", "label", "table_title", "value_label"]


class Label(NamedTuple):
    """A column's header in Chinese and English and how its values are shown."""

    zh: str
    en: str
    fmt: str = "text"


_ZONE_EN = {"retain_upgrade": "Retain-upgrade", "land_consolidation": "Land consolidation",
            "contiguous_renewal": "Contiguous renewal", "unzoned": "Unzoned", "not_industrial": "Not industrial"}
_ZONE_ZH = {"retain_upgrade": "保留提升区", "land_consolidation": "土地整备区", "contiguous_renewal": "连片改造区",
            "unzoned": "未划定", "not_industrial": "非工业"}

#: canonical column -> label; one table for every output a person reads
LABELS: dict[str, Label] = {
    # zones and their summary against targets
    "zone": Label("分区", "Zone"),
    "zone_label": Label("分区", "Zone"),
    "zone_label_zh": Label("分区（中文）", "Zone (Chinese)"),
    "zone_label_en": Label("分区（英文）", "Zone (English)"),
    "label_zh": Label("分区名称", "Zone (Chinese)"),
    "label_en": Label("分区名称（英文）", "Zone"),
    "parcels": Label("地块数", "Parcels", "int"),
    "areas": Label("连片区域数", "Areas", "int"),
    "area_km2": Label("面积（km²）", "Area (km²)", "area"),
    "area_mu": Label("面积（亩）", "Area (亩)", "num0"),
    "area_ha": Label("面积（公顷）", "Area (ha)", "area"),
    "share_of_stock": Label("占存量比例", "Share of stock", "pct"),
    "target_share": Label("目标占比", "Target share", "pct"),
    "target_km2": Label("目标（km²）", "Target (km²)", "area"),
    "policy_target_km2": Label("政策目标（全市, km²）", "Policy target (city, km²)", "area"),
    "achieved": Label("完成率", "Achieved", "pct"),
    # by district
    "district": Label("行政区", "District"),
    "stock_km2": Label("工业存量（km²）", "Industrial stock (km²)", "area"),
    **{z: Label(f"{_ZONE_ZH[z]}（km²）", f"{_ZONE_EN[z]} (km²)", "area") for z in _ZONE_ZH},
    **{f"{z}_share": Label(f"{_ZONE_ZH[z]}占比", f"{_ZONE_EN[z]} share", "pct") for z in list(_ZONE_ZH)[:3]},
    # contiguous areas
    "cluster_id": Label("区域编号", "Area id"),
    "n_parcels": Label("地块数", "Parcels", "int"),
    "legal_ratio": Label("合法用地比例", "Legal-land share", "pct"),
    "far": Label("容积率", "FAR", "num"),
    "output_wan_per_mu": Label("亩均产值（万元/亩）", "Output per 亩 (万元/亩)", "num0"),
    "tax_wan_per_mu": Label("亩均税收（万元/亩）", "Tax per 亩 (万元/亩)", "num1"),
    "value_added_wan_per_mu": Label("亩均增加值（万元/亩）", "Value added per 亩 (万元/亩)", "num0"),
    "output_yi_per_km2": Label("地均产值（亿元/km²）", "Output per km² (亿元/km²)", "num1"),
    "tax_yi_per_km2": Label("地均税收（亿元/km²）", "Tax per km² (亿元/km²)", "num"),
    "value_added_yi_per_km2": Label("地均增加值（亿元/km²）", "Value added per km² (亿元/km²)", "num1"),
    "energy_tce_per_wan_va": Label("单位增加值能耗（tce/万元）", "Energy per value added (tce/万元)", "num"),
    "building_age": Label("建成年限（年）", "Building age (years)", "num1"),
    "quality_rank": Label("建筑质量等级（1–3）", "Building quality (1–3)", "num"),
    "candidate": Label("候选类型", "Candidate"),
    "passes_area_criteria": Label("满足区域条件", "Meets area criteria"),
    "rank": Label("排序", "Rank", "int"),
    "note": Label("说明", "Note"),
    "enclaves": Label("飞地数", "Enclaves", "int"),
    "enclave_ha": Label("飞地面积（公顷）", "Enclave area (ha)", "area"),
    # parcels and reasons
    "parcel_id": Label("宗地编号", "Parcel id"),
    "code": Label("编号", "Code"),
    "criterion": Label("条件", "Criterion"),
    "indicator": Label("指标", "Indicator"),
    "observed": Label("观测值", "Observed", "auto"),
    "op": Label("比较", "Test"),
    "threshold": Label("阈值", "Threshold", "auto"),
    "unit": Label("单位", "Unit"),
    "status": Label("结果", "Result"),
    "threshold_status": Label("阈值状态", "Threshold status"),
    "reason": Label("理由", "Reason"),
    "reasons": Label("理由", "Reasons"),
    "land_area_m2": Label("用地面积（m²）", "Land area (m²)", "num0"),
    "land_area_mu": Label("用地面积（亩）", "Land area (亩)", "num1"),
    # rule pack
    "name": Label("名称", "Name"),
    "name_zh": Label("名称（中文）", "Name (Chinese)"),
    "name_en": Label("名称（英文）", "Name (English)"),
    "level": Label("层级", "Level"),
    "test": Label("判定条件", "Test"),
    "resolved_threshold": Label("实际阈值", "Threshold used"),
    "missing": Label("缺失值视为", "If missing"),
    "threshold_source": Label("阈值状态", "Status"),
    "source": Label("依据", "Source"),
    # validation
    "severity": Label("级别", "Severity"),
    "column": Label("字段", "Column"),
    "count": Label("数量", "Count", "int"),
    "parcel_ids": Label("地块编号", "Parcel ids"),
    "message": Label("问题", "Problem"),
    "fix": Label("处理建议", "Fix"),
    # industrial blocks
    "block_id": Label("区块编号", "Block id"),
    "basis": Label("用地依据", "Land-use basis"),
    "block_area_m2": Label("区块面积（m²）", "Block area (m²)", "num0"),
    "parcel_land_m2": Label("区块内宗地面积（m²）", "Parcel land inside (m²)", "num0"),
    "unparcelled_m2": Label("无宗地面积（m²）", "Land without parcels (m²)", "num0"),
    "industrial_area_m2": Label("工业用地面积（m²）", "Industrial land (m²)", "num0"),
    "industrial_share": Label("工业用地占比", "Industrial share", "pct"),
    "industrial_share_of_parcel_land": Label("占宗地面积的工业用地比例", "Industrial share of parcel land", "pct"),
    "passes": Label("是否通过", "Passes"),
    "shortfall_m2": Label("缺口（m²）", "Shortfall (m²)", "num0"),
    "shortfall_mu": Label("缺口（亩）", "Shortfall (亩)", "num1"),
    "drivers": Label("主要非工业地块", "Largest non-industrial parcels"),
    "planned_industrial_m2": Label("工业用地（m²）", "Industrial land (m²)", "num0"),
    "inside_blocks_m2": Label("区块内工业用地（m²）", "Inside blocks (m²)", "num0"),
    "coverage": Label("纳入区块比例", "Share inside blocks", "pct"),
    "outside_parcels": Label("区块外工业地块数", "Industrial parcels outside", "int"),
    "outside_m2": Label("区块外工业用地（m²）", "Industrial land outside (m²)", "num0"),
    "largest_outside": Label("区块外最大地块", "Largest outside"),
    "blocks": Label("区块数", "Blocks", "int"),
    "blocks_failing": Label("未达标区块数", "Blocks failing", "int"),
    "land_class": Label("用地分类", "Land-use class"),
    "industrial": Label("工业用地", "Industrial"),
    "block_ids": Label("所在区块", "Blocks"),
    "n_blocks": Label("所在区块数", "Number of blocks", "int"),
    "share_inside_blocks": Label("区块内比例", "Share inside blocks", "pct"),
    "straddles": Label("跨区块边界", "Crosses a block edge"),
    "outside_blocks": Label("位于区块外", "Outside every block"),
    # 占补平衡
    "before_m2": Label("调整前面积（m²）", "Before (m²)", "num0"),
    "after_m2": Label("调整后面积（m²）", "After (m²)", "num0"),
    "removed_m2": Label("调出面积（m²）", "Removed (m²)", "num0"),
    "added_m2": Label("调入面积（m²）", "Added (m²)", "num0"),
    "net_m2": Label("净增面积（m²）", "Net (m²)", "num0"),
    "threshold_m2": Label("阈值（m²）", "Threshold (m²)", "num0"),
    "balanced": Label("占补平衡", "Balanced"),
    "removed_blocks": Label("调出区块", "Blocks removed from"),
    "added_blocks": Label("调入区块", "Blocks added to"),
    "change": Label("变化", "Change"),
    "add_before_remove_m2": Label("先补后占差额（m²）", "Added before removed (m²)", "num0"),
    "supply_year": Label("供地年份", "Year supplied", "year"),
    "year_built": Label("建成年份", "Year built", "year"),
    "new_industrial": Label("新增工业用地", "New industrial land"),
    "area_m2": Label("面积（m²）", "Area (m²)", "num0"),
    # mixed use, enterprises, benchmarks, leases
    "park": Label("园区", "Park"),
    "mixed_use": Label("混合产业用地", "Mixed use"),
    "industrial_floor_share": Label("工业建筑面积占比", "Industrial floor share", "pct"),
    "green_ratio": Label("绿地率", "Green ratio", "pct"),
    "land_term_years": Label("出让年期（年）", "Land term (years)", "num0"),
    "passes_by_balance": Label("经园区统筹达标", "Passes through the park"),
    "land_m2": Label("用地面积（m²）", "Land (m²)", "num0"),
    "floor_m2": Label("建筑面积（m²）", "Floor area (m²)", "num0"),
    "floor_area_m2": Label("建筑面积（m²）", "Floor area (m²)", "num0"),
    "screened": Label("筛查地块数", "Screened", "int"),
    "low_end": Label("低端企业", "Low-end"),
    "grounds": Label("依据", "Grounds"),
    "freed_m2": Label("腾出空间（m²）", "Floor space freed (m²)", "num0"),
    "target_m2": Label("目标（m²）", "Target (m²)", "num0"),
    "share": Label("完成率", "Achieved", "pct"),
    "land_km2": Label("用地面积（km²）", "Land (km²)", "area"),
    "data_share": Label("有数据的面积比例", "Share with data", "pct"),
    "output_yi": Label("产值（亿元）", "Output (亿元)", "num"),
    "value_added_yi": Label("增加值（亿元）", "Value added (亿元)", "num"),
    "tax_yi": Label("税收（亿元）", "Tax (亿元)", "num"),
    "energy_tce": Label("能耗（tce）", "Energy (tce)", "num0"),
    "gap": Label("差距", "Gap"),
    "lease_years": Label("租约年限（年）", "Lease (years)", "num1"),
    "short_lease": Label("租约不足", "Short lease"),
    "investment_wan": Label("固定资产投资（万元）", "Investment (万元)", "num0"),
    "investment_wan_per_mu": Label("投资强度（万元/亩）", "Investment per 亩 (万元/亩)", "num0"),
    "tier": Label("指标保障层级", "Quota tier"),
    "tier_label": Label("层级名称", "Tier"),
    "output_wan": Label("产值（万元）", "Output (万元)", "num0"),
    "tax_wan": Label("税收（万元）", "Tax (万元)", "num0"),
    "value_added_wan": Label("增加值（万元）", "Value added (万元)", "num0"),
    "project_id": Label("项目", "Project"),
    "target": Label("目标", "Target", "num"),
}

#: words in status / flag cells, shown in Chinese in a Chinese table
STATUS_WORDS: dict[str, str] = {
    "pass": "通过", "fail": "未通过", "missing": "缺失", "pass (park)": "通过（园区统筹）", "no geometry": "无几何",
    "official": "政策原文", "official-draft": "征求意见稿", "derived": "推算", "heuristic": "建议值",
    "parcel": "地块", "zone": "区域", "block": "区块", "district": "行政区", "park": "园区", "project": "项目",
    "enterprise": "企业", "area": "片区", "city": "全市", "parameter": "参数",
    "warning": "警告", "error": "错误", "info": "说明",
    "retain": "保留提升", "redevelop": "整备/改造",
    "planned_use": "规划用途", "current_use": "现状用途",
    "removed": "调出", "added": "调入", "unchanged": "未变", "new": "新增", "reduced": "缩减", "enlarged": "扩大",
    "reshaped": "调整",
}


def label(column: str, lang: str = "zh", *, pack: Any = None) -> str:
    """The header of ``column`` in ``lang``; unknown columns keep their name.

    Criterion codes (``SZ-R1``) are shown with the criterion's name when ``pack`` has it.
    """
    lab = LABELS.get(column)
    if lab is not None:
        return lab.zh if lang == "zh" else lab.en
    if pack is not None:
        base, _, suffix = column.partition("_")
        for c in getattr(pack, "criteria", []):
            if c.code == base:
                name = c.name_zh if lang == "zh" else c.name_en
                extra = {"pct": "（占基准）" if lang == "zh" else " (of benchmark)",
                         "meets": "（达标）" if lang == "zh" else " (meets)"}.get(suffix, f" {suffix}" if suffix else "")
                return f"{c.code} {name}{extra}"
    return column


def fmt_of(column: str) -> str:
    """How the values of ``column`` are shown: ``pct``, ``area``, ``num``, ``num1``, ``num0``, ``int`` or ``text``."""
    lab = LABELS.get(column)
    if lab is not None:
        return lab.fmt
    if column.endswith(("_share", "_pct", "_ratio")):
        return "pct"
    if column.endswith(("_m2", "_mu")):
        return "num0"
    if column.endswith(("_km2", "_ha")):
        return "area"
    return "text"


def value_label(value: Any, column: str, lang: str = "zh", *, pack: Any = None) -> Any:
    """A cell as a person reads it: zone ids as zone labels, status words in Chinese for ``zh``.

    Numbers and other values come back unchanged.

    >>> value_label("land_consolidation", "zone", "zh"), value_label("fail", "status", "zh")
    ('土地整备区', '未通过')
    >>> value_label(True, "passes", "en")
    'yes'
    """
    if isinstance(value, bool):
        return ("是" if value else "否") if lang == "zh" else ("yes" if value else "no")
    if not isinstance(value, str):
        return value
    if column == "zone":
        if pack is not None and value in getattr(pack, "zones", {}):
            return pack.zone_label(value, lang)
        return (_ZONE_ZH if lang == "zh" else _ZONE_EN).get(value, value)
    if lang == "zh" and value in STATUS_WORDS and column not in ("code", "parcel_id", "block_id", "cluster_id", "name"):
        return STATUS_WORDS[value]
    return value


def format_value(value: Any, fmt: str) -> str:
    """Text of one value in a format from :func:`fmt_of` (``—`` for missing numbers).

    >>> format_value(0.15197, "pct"), format_value(4.0756, "area"), format_value(float("nan"), "pct")
    ('15.2%', '4.08', '—')
    """
    if value is None:
        return "—" if fmt != "text" else ""
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, (int, float)) or hasattr(value, "dtype"):
        try:
            x = float(value)
        except (TypeError, ValueError):
            return str(value)
        if not math.isfinite(x):
            return "—"
        if fmt == "pct":
            return f"{x:.1%}"
        if fmt == "year":
            return f"{x:.0f}"
        if fmt == "int":
            return f"{x:,.0f}"
        if fmt == "num0":
            return f"{x:,.0f}"
        if fmt == "num1":
            return f"{x:,.1f}"
        if fmt in ("area", "num"):
            return f"{x:,.2f}"
        if float(x).is_integer() and abs(x) < 1e15:
            return f"{int(x):,}"
        return f"{x:,.4g}" if abs(x) < 1e4 else f"{x:,.0f}"
    try:
        import pandas as pd

        if pd.isna(value):
            return "—" if fmt != "text" else ""
    except (TypeError, ValueError):
        pass
    return str(value)


#: named tables of a run and of a check -> (Chinese, English) titles; sheet names and headings
TABLE_TITLES: dict[str, tuple[str, str]] = {
    "summary": ("分区汇总", "Summary"),
    "by_district": ("按行政区", "By district"),
    "areas": ("连片区域", "Contiguous areas"),
    "zones": ("分区区域", "Zone areas"),
    "reasons": ("地块判定理由", "Reasons per parcel"),
    "rules": ("规则包", "Rule pack"),
    "validation": ("数据校验", "Validation"),
    "run": ("运行信息", "About this run"),
    "blocks": ("工业产业区块", "Industrial blocks"),
    "districts": ("行政区检查", "Districts"),
    "parcels": ("地块", "Parcels"),
    "criteria": ("检查条件", "Criteria"),
    "changes": ("区块变化", "Block changes"),
    "parks": ("园区", "Parks"),
    "targets": ("目标", "Targets"),
    "projects": ("项目", "Projects"),
    "benchmarks": ("对标", "Benchmarks"),
    "short_leases": ("短租约", "Short leases"),
}


def table_title(name: str, lang: str = "zh") -> str:
    """Title of a named table (sheet name, heading); unknown names are returned as given.

    >>> table_title("by_district", "zh"), table_title("by_district", "en")
    ('按行政区', 'By district')
    """
    zh, en = TABLE_TITLES.get(name, (name, name))
    return zh if lang == "zh" else en
