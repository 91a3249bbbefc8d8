"""Charts of scenario results: tornado of zone areas, stability map, diff map, report section."""

from __future__ import annotations

import contextlib
from typing import TYPE_CHECKING, Any

import numpy as np

from zoning.outputs._fonts import cjk_style
from zoning.rules import load_rules
from zoning.units import ZONES

if TYPE_CHECKING:
    from zoning.scenarios.compare import Comparison
    from zoning.scenarios.sensitivity import Sensitivity

__all__ = ["plot_diff", "plot_stability", "plot_tornado", "robustness_section"]

_ZONED = ZONES[:3]


def _style(lang: str) -> contextlib.AbstractContextManager[Any]:
    """A CJK font for Chinese text; nothing for English."""
    return cjk_style() if lang == "zh" else contextlib.nullcontext()


def _colors(rules_name: str) -> dict[str, str]:
    try:
        pack = load_rules(rules_name or "shenzhen-2020")
        return {z: pack.zones[z].color for z in pack.zones}
    except Exception:  # a pack given as a path that moved: fall back to the default colours
        pack = load_rules("shenzhen-2020")
        return {z: pack.zones[z].color for z in pack.zones}


def _labels(rules_name: str, lang: str) -> dict[str, str]:
    try:
        pack = load_rules(rules_name or "shenzhen-2020")
    except Exception:
        pack = load_rules("shenzhen-2020")
    return {z: pack.zone_label(z, lang) for z in ZONES}


def plot_tornado(sens: Sensitivity, *, ax: Any = None, lang: str = "en", n: int | None = None) -> Any:
    """Horizontal bars: for each threshold (rows, most sensitive on top), how far each zone's area
    moves (km², against the base) over the threshold's values. Returns the Axes."""
    import matplotlib.pyplot as plt

    sw = sens.swings()
    if n is not None:
        sw = sw.head(n)
    sw = sw.iloc[::-1]
    colors, labels = _colors(sens.rules_name), _labels(sens.rules_name, lang)
    with _style(lang):
        if ax is None:
            _, ax = plt.subplots(figsize=(7, 0.5 + 0.45 * max(len(sw), 1) * 1.6))
        y = np.arange(len(sw))
        h = 0.8 / len(_ZONED)
        for k, z in enumerate(_ZONED):
            lo = sw[f"{z}_low_km2"].to_numpy(dtype="float64") if len(sw) else np.array([])
            hi = sw[f"{z}_high_km2"].to_numpy(dtype="float64") if len(sw) else np.array([])
            ax.barh(y + (k - 1) * h, hi - lo, left=lo, height=h, color=colors[z], label=labels[z])
        ax.set_yticks(y, [f"{c}  ({v})" for c, v in zip(sw["code"], sw["values"], strict=True)] if len(sw) else [])
        ax.axvline(0, color="0.3", lw=0.8)
        ax.set_xlabel("面积变化（km²，相对基准）" if lang == "zh" else "change of zone area (km², against the base)")
        ax.set_title("各阈值的敏感性" if lang == "zh" else "Sensitivity of zone areas to each threshold")
        ax.legend(loc="lower right", fontsize=8, frameon=False)
    return ax


def plot_stability(sens: Sensitivity, *, ax: Any = None, lang: str = "en") -> Any:
    """Map of the industrial parcels coloured by stability (1: same zone in every scenario)."""
    import matplotlib.pyplot as plt

    p = sens.parcels
    stock = p["zone"].astype(str) != "not_industrial"
    with _style(lang):
        if ax is None:
            _, ax = plt.subplots(figsize=(7, 6))
        p[~stock].plot(ax=ax, color="#f0f0f0", linewidth=0)
        p[stock].plot(ax=ax, column="stability", cmap="RdYlGn", vmin=0, vmax=1, linewidth=0, legend=True,
                      legend_kwds={"label": "保持基准分区的情景比例" if lang == "zh" else "share of scenarios keeping the base zone",
                                   "shrink": 0.6})
        ax.set_axis_off()
        ax.set_title("分区稳定性" if lang == "zh" else "Stability of the zones")
    return ax


def plot_diff(comp: Comparison, *, ax: Any = None, lang: str = "en") -> Any:
    """Map of what changed between two runs: changed parcels in their new zone's colour, outlined
    in their old zone's colour; unchanged parcels grey."""
    import matplotlib.pyplot as plt

    colors, labels = _colors(comp.rules_name), _labels(comp.rules_name, lang)
    p = comp.parcels
    changed = p["changed"].to_numpy(dtype=bool)
    with _style(lang):
        if ax is None:
            _, ax = plt.subplots(figsize=(7, 6))
        if (~changed).any():
            p[~changed].plot(ax=ax, color="#e6e6e6", linewidth=0)
        from matplotlib.patches import Patch

        handles = [Patch(color="#e6e6e6", label="未变化" if lang == "zh" else "unchanged")]
        ch = p[changed]
        for z in ZONES:
            sel = ch[ch["zone_b"].astype(str) == z]
            if len(sel):
                edge = [colors.get(str(v), "k") for v in sel["zone_a"].astype(str)]
                sel.plot(ax=ax, color=colors[z], edgecolor=edge, linewidth=0.8)
                handles.append(Patch(color=colors[z], label=("变为" if lang == "zh" else "now ") + labels[z]))
        ax.legend(handles=handles, loc="lower left", fontsize=8, frameon=False)
        ax.set_axis_off()
        ax.set_title(f"{comp.labels[0]} → {comp.labels[1]}")
    return ax


def _png(ax: Any) -> bytes:
    import io

    import matplotlib.pyplot as plt

    buf = io.BytesIO()
    ax.figure.savefig(buf, format="png", dpi=120, bbox_inches="tight")
    plt.close(ax.figure)
    return buf.getvalue()


def robustness_section(sens: Sensitivity, *, lang: str = "en", maps: bool = True) -> Any:
    """The report's robustness section (a :class:`zoning.outputs.report.Section`): the thresholds
    the zones are most sensitive to, the tornado chart and the stability map."""
    import pandas as pd

    from zoning.outputs.report import Figure, Section, table_from_frame

    zh = lang == "zh"
    top = sens.most_sensitive(3)
    n = len(sens.scenarios) - 1
    stock = sens.parcels["zone"].astype(str) != "not_industrial"
    stable = float((sens.parcels.loc[stock, "stability"] == 1).mean()) if stock.any() else float("nan")
    para = (f"共 {n} 个单因素情景；{stable:.0%} 的工业地块在所有情景中保持基准分区。下表为最敏感的阈值（三类分区面积在其取值范围内的变动合计）。"
            if zh else f"{n} one-at-a-time scenarios; {stable:.0%} of the industrial parcels keep their base zone in every "
            "scenario. The zones are most sensitive to the thresholds below (zone area moved over their values).")
    sec = Section("robustness", "稳健性" if zh else "Robustness", paragraphs=[para])
    if maps:
        sec.figures.append(Figure("tornado", "龙卷风图" if zh else "tornado chart", _png(plot_tornado(sens, lang=lang))))
        sec.figures.append(Figure("stability", "稳定性图" if zh else "stability map", _png(plot_stability(sens, lang=lang))))
    heads = (("取值", "三类分区面积变动合计（km²）", "单个情景最多变化地块数") if zh
             else ("values", "zone area moved (km²)", "most parcels changed in one scenario"))
    table = pd.DataFrame({"code": top["code"], heads[0]: top["values"], heads[1]: top["total_km2"].round(2),
                          heads[2]: top["max_changed_parcels"]})
    sec.tables.append(table_from_frame(table, name="most_sensitive", lang=lang,
                                       caption="最敏感的阈值" if zh else "most sensitive thresholds"))
    return sec
