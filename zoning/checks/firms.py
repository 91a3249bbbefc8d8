"""Per-mu (亩均效益) evaluation of firms, A/B/C/D, aggregated to parcels and areas.

Zhejiang's practice (亩均论英雄, 浙政发〔2018〕5号), used to decide which firms get support,
which must upgrade and where land should be recovered: each firm's indicators (tax per 亩,
value added per 亩, per unit of energy and emissions, labour productivity, R&D share …) are
divided by a benchmark and weighted, and firms are classed by rank within their track
(above-scale 规上 and below-scale 规下 firms on their own land, firms on rented space on a track
of their own). Every weight, benchmark and class cut is data in a pack
(``zhejiang-huangyan-2022``, ``jiangsu-huaian-2024``) with its citation and status.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from zoning.checks._common import _columns_text, _find_column, _geoms, _load, _number
from zoning.checks._result import CheckResult, text_table
from zoning.checks.blocks import _parcel_ids
from zoning.errors import InputError, Problem
from zoning.units import FAIL, M2_PER_MU, MISSING, NOT_TESTED, PASS

if TYPE_CHECKING:  # pragma: no cover
    from matplotlib.axes import Axes

    from zoning.rules.schema import FirmTrack, RulePack

__all__ = ["FIRM_COLUMNS", "FirmEvaluation", "evaluate_firms"]

#: canonical firm column -> accepted names (Chinese first), in the order they are looked for
FIRM_COLUMNS: dict[str, tuple[str, ...]] = {
    "firm_id": ("firm_id", "企业编号", "统一社会信用代码", "企业名称", "firm", "name"),
    "parcel_id": ("parcel_id", "宗地编号", "地块编号", "宗地号"),
    "tenure": ("tenure", "用地方式", "用地性质", "自有或租赁", "土地来源"),
    "scale": ("scale", "企业规模", "规模", "是否规上", "规上规下"),
    "land_area_m2": ("land_area_m2", "用地面积", "占地面积"),
    "rented_floor_m2": ("rented_floor_m2", "租用建筑面积", "租赁面积", "租用面积"),
    "tax_wan": ("tax_wan", "税收", "实缴税收", "税收实际贡献"),
    "value_added_wan": ("value_added_wan", "增加值", "工业增加值"),
    "sales_wan": ("sales_wan", "主营业务收入", "销售收入", "营业收入"),
    "energy_tce": ("energy_tce", "综合能耗", "能耗"),
    "emission_t": ("emission_t", "排放当量", "污染物排放当量", "排放量"),
    "electricity_10k_kwh": ("electricity_10k_kwh", "用电量", "用电量(万千瓦时)", "用电量（万千瓦时）"),
    "employees": ("employees", "从业人员", "年平均职工人数", "职工人数"),
    "rd_wan": ("rd_wan", "研发经费", "研发费用", "R&D经费"),
}
_RENTED = {"rented", "rent", "租赁", "租用", "承租", "租"}
_OWN = {"own", "owned", "自有", "自有用地", "出让", "自建"}
_ABOVE = {"above", "above_scale", "规上", "规模以上", "是", "yes", "true", "1"}
_BELOW = {"below", "below_scale", "规下", "规模以下", "否", "no", "false", "0"}


@dataclass(repr=False, kw_only=True)
class FirmEvaluation(CheckResult):
    """Result of :func:`evaluate_firms` (a :class:`~zoning.checks.CheckResult`).

    Attributes
    ----------
    firms
        One row per input firm: ``firm_id``, ``parcel_id``, ``track``, ``land_mu`` (own land, or
        for rented firms the land-equivalent of their floor space), every measure the pack
        uses, one points column per indicator code, ``score``, ``rank`` (1 = best in its
        track), ``class`` (A/B/C/D, ``""`` if not evaluated), ``passes`` (evaluated and not in
        the last class), ``status`` (``pass``; ``fail`` — the last class, D 倒逼整治; ``missing`` —
        no land; ``""`` not evaluated) and ``missing_measures``.
    parcels
        Aligned to the parcel index: ``parcel_id``, ``firms`` / ``firms_rented`` (counts),
        ``firm_class`` (the class of the own-land firm holding most of the parcel's land;
        ``""`` without one), ``firm_score`` (land-weighted mean score of its own-land firms),
        ``tenant_classes`` (rented firms' classes, e.g. ``A:1;C:2``) and the geometry.
    by_area
        Per district (or ``by`` column): own land in 亩 per class and the share of the land
        evaluated that is in each class.
    """

    title: ClassVar[str] = "Per-mu (亩均效益) evaluation"
    listing: ClassVar[bool] = True
    firms: pd.DataFrame
    parcels: gpd.GeoDataFrame
    by_area: pd.DataFrame

    def layers(self) -> dict[str, pd.DataFrame]:
        """``firms``, ``parcels`` (those with firms) and ``by_area``."""
        p = self.parcels
        return {"firms": self.firms, "parcels": p[(p["firms"] + p["firms_rented"] > 0).to_numpy()], "by_area": self.by_area}

    def summary(self) -> str:
        """Firms per track and class, the formula used, and the land per class.

        Examples
        --------
        >>> import zoning
        >>> ev = zoning.evaluate_firms(zoning.read_table(zoning.datasets.get_path("firms")),
        ...                            zoning.read_parcels(zoning.datasets.get_path("parcels")))
        >>> print(ev.summary().splitlines()[0])  # doctest: +ELLIPSIS
        Per-mu (亩均效益) evaluation against zhejiang-huangyan-2022: ... firms evaluated in 3 tracks
        """
        f, pack = self.firms, self.rules
        assert pack.firms is not None
        ev = f["class"] != ""
        lines = [f"Per-mu (亩均效益) evaluation against {pack.pack.name}: {int(ev.sum())} of {len(f)} firms evaluated in "
                 f"{f.loc[ev, 'track'].nunique()} tracks"]
        cuts = [0.0, *pack.firms.class_cuts, 1.0]
        lines.append("  classes by rank within a track: " + ", ".join(
            f"{c} {cuts[i]:.0%}–{cuts[i + 1]:.0%}" for i, c in enumerate(pack.firms.classes)) + f" ({pack.firms.class_status})")
        for t in pack.firms.tracks:
            terms = " + ".join(f"{i.name_zh}÷{'mean' if i.benchmark is None else f'{i.benchmark:g}'}×{i.weight:g}" for i in t.indicators)
            lines.append(f"  {t.name} ({t.label_zh}): {terms}")
        rows = []
        for t in pack.firms.tracks:
            sel = f["track"] == t.name
            counts = [str(int(((f["class"] == c) & sel).sum())) for c in pack.firms.classes]
            rows.append([t.name, str(int(sel.sum())), *counts, f"{f.loc[sel & ev, 'score'].median():.1f}" if (sel & ev).any() else "—"])
        lines += text_table(rows, ["track", "firms", *pack.firms.classes, "median score"], set(range(1, 3 + len(pack.firms.classes))))
        b = self.by_area
        share_cols = [f"{c}_share" for c in pack.firms.classes]
        if len(b):
            rows = [[str(k), f"{r['land_mu']:,.0f}", *[f"{r[c]:.0%}" for c in share_cols]] for k, r in b.iterrows()]
            lines.append("Own land by class:")
            lines += text_table(rows, [str(b.index.name or "area"), "亩", *pack.firms.classes], set(range(1, 2 + len(share_cols))))
        lines += self._notes()
        return "\n".join(lines)

    def plot(self, *, ax: Axes | None = None, lang: str = "zh") -> Axes:
        """Map of the parcels' firm classes: :func:`zoning.outputs.firm_map.plot_firm_classes`."""
        from zoning.outputs.firm_map import plot_firm_classes

        return plot_firm_classes(self, ax=ax, lang=lang)

    def report_section(self, *, lang: str = "en") -> str:
        """A Markdown section for reports: the formula, class counts and land per class."""
        zh = lang == "zh"
        head = "## 亩均效益评价" if zh else "## Per-mu (亩均效益) evaluation"
        body = "\n".join(f"    {line}" for line in self.summary().splitlines())
        src = self.rules.pack.document or self.rules.pack.source
        return f"{head}\n\n{body}\n\n{'来源' if zh else 'Source'}: {src}\n"


def _tenure(values: pd.Series) -> np.ndarray:
    s = values.astype("string").str.strip().str.lower().fillna("")
    rented = s.isin(_RENTED).to_numpy(dtype=bool)
    return np.where(rented, "rented", "own")


def _scale(values: pd.Series) -> np.ndarray:
    s = values.astype("string").str.strip().str.lower().fillna("")
    above = s.isin(_ABOVE).to_numpy(dtype=bool)
    below = s.isin(_BELOW).to_numpy(dtype=bool)
    return np.where(above, "above_scale", np.where(below, "below_scale", ""))


def _firm_table(firms: Any, problems: list[Problem]) -> pd.DataFrame:
    if not isinstance(firms, pd.DataFrame):
        msg = f"firms should be a DataFrame (read a .csv / .xlsx with zoning.read_table), got {type(firms).__name__}"
        raise InputError(msg)
    if len(firms) == 0:
        msg = "the firm table has no rows: nothing to evaluate"
        raise InputError(msg)
    out = pd.DataFrame(index=firms.index)
    found: list[str] = []
    for canon, names in FIRM_COLUMNS.items():
        col = canon if canon in firms.columns else _find_column(firms, names)
        if col is not None:
            out[canon] = firms[col]
            if col != canon:
                found.append(f"{col}→{canon}")
    if "parcel_id" not in out.columns:
        msg = (f"the firm table has no parcel id column (宗地编号 / parcel_id) linking firms to parcels; columns are "
               f"{_columns_text(firms)}")
        raise InputError(msg)
    if found:
        problems.append(Problem("info", "firm_columns", "firm columns: " + ", ".join(found)))
    if "firm_id" not in out.columns:
        out["firm_id"] = [f"row {i}" for i in firms.index]
    return out


def _track_of(t: FirmTrack, tenure: np.ndarray, scale: np.ndarray) -> np.ndarray:
    own = tenure == "own"
    return {"above_scale": own & (scale == "above_scale"), "below_scale": own & (scale == "below_scale"),
            "rented": tenure == "rented", "own_land": own, "all": np.ones(tenure.size, dtype=bool)}[t.firms]


def evaluate_firms(
    firms: pd.DataFrame,
    parcels: gpd.GeoDataFrame,
    *,
    rules: str | Path | RulePack = "zhejiang-huangyan-2022",
    overrides: Mapping[str, Any] | None = None,
    by: str = "district",
) -> FirmEvaluation:
    """Per-mu (亩均效益) evaluation of firms, classes A/B/C/D, aggregated to parcels and areas.

    Parameters
    ----------
    firms
        One row per firm (Chinese or English column names, see :data:`FIRM_COLUMNS`):
        ``parcel_id`` (宗地编号, the parcel it occupies), ``tenure`` (用地方式: 自有 own land /
        租赁 rented), ``scale`` (企业规模: 规上 / 规下), and the measures: ``tax_wan`` (税收),
        ``value_added_wan`` (增加值), ``sales_wan`` (主营业务收入), ``energy_tce`` (综合能耗),
        ``emission_t`` (排放当量), ``electricity_10k_kwh`` (用电量, 万kWh), ``employees``
        (从业人员), ``rd_wan`` (研发经费); optionally ``land_area_m2`` (the firm's own land) and
        ``rented_floor_m2`` (租用建筑面积).
    parcels
        The parcels the firms sit on (see :func:`zoning.read_parcels`), with geometry in a
        projected CRS and ``floor_area_m2`` (for rented firms' land-equivalent).
    rules, overrides
        A pack with ``[firms]``: ``zhejiang-huangyan-2022`` (the default: Huangyan's published
        formula) or ``jiangsu-huaian-2024`` (45/35/20, classes 20/60/95 %).
    by
        Parcel column for the area table (default ``district``; e.g. ``park`` or ``zone``).

    Returns
    -------
    FirmEvaluation
        ``.firms``, ``.parcels``, ``.by_area``, ``.summary()``, ``.plot()``, ``.to_file()``.

    Notes
    -----
    Land: a firm on its own land uses its ``land_area_m2`` if given, else an equal share of
    the parcel's land among the own-land firms on it. A firm on rented space gets the
    land-equivalent of its floor space: rented floor ÷ the parcel's floor area × the parcel's
    land (i.e. ÷ FAR); without floor data it is not evaluated on per-mu measures. Score =
    Σ weight × measure ÷ benchmark (a missing measure scores 0 and is listed in
    ``missing_measures``); a benchmark left empty in the pack is the mean of the firms on the
    track (derived). Firms are ranked within their track (ties share a rank) and classed by
    the pack's cumulative rank shares. Parcels take the class of the own-land firm holding
    most of their land; areas report the share of evaluated own land in each class.
    """
    pack = _load(rules, overrides, "firms", "evaluate firms")
    fr = pack.firms
    assert fr is not None
    problems: list[Problem] = []
    f = _firm_table(firms, problems)
    from zoning.checks._common import _canonical

    gdf = _canonical(parcels, ["parcel_id", "floor_area_m2"])
    if "parcel_id" not in gdf.columns:
        msg = f"the parcels have no parcel id column (宗地编号 / parcel_id); columns are {_columns_text(gdf)}"
        raise InputError(msg)
    pid = _parcel_ids(gdf)
    pos = pd.Series(np.arange(len(gdf)), index=pd.Index(pid))
    pos = pos[~pos.index.duplicated()]
    fpid = f["parcel_id"].astype("string").str.strip().to_numpy(dtype=object, na_value="")
    where = pos.reindex(fpid).to_numpy()
    unknown = ~np.isfinite(where.astype("float64"))
    if unknown.any():
        ids = sorted({str(x) for x in fpid[unknown]})[:8]
        problems.append(Problem("warning", "firm_parcel_unknown", f"{unknown.sum()} firm(s) name a parcel that is not in the parcel layer "
                                f"(e.g. {', '.join(ids)}); they are not evaluated", "parcel_id", ids, "fix the parcel ids"))
    ppos = np.where(unknown, -1, np.nan_to_num(where.astype("float64"), nan=-1)).astype(np.int64)
    parea = shapely.area(_geoms(gdf))
    parea = np.where(np.isfinite(parea), parea, np.nan)
    pfloor = _number(gdf, "floor_area_m2")

    tenure = _tenure(f["tenure"]) if "tenure" in f.columns else np.full(len(f), "own", dtype=object)
    scale = _scale(f["scale"]) if "scale" in f.columns else np.full(len(f), "", dtype=object)
    own = tenure == "own"
    # land per firm, m²
    land = _number(f, "land_area_m2")
    n_own = pd.Series(own & (ppos >= 0)).groupby(ppos).transform("sum").to_numpy()
    share_land = np.where((ppos >= 0) & (n_own > 0), parea[np.maximum(ppos, 0)] / np.maximum(n_own, 1), np.nan)
    land = np.where(own & ~np.isfinite(land), share_land, land)
    rented_floor = _number(f, "rented_floor_m2")
    with np.errstate(invalid="ignore", divide="ignore"):
        equiv = rented_floor / pfloor[np.maximum(ppos, 0)] * parea[np.maximum(ppos, 0)]
    land = np.where(~own, equiv, land)
    land = np.where((ppos >= 0) & (land > 0), land, np.nan)
    mu = land / M2_PER_MU

    num = {k: _number(f, k) for k in FIRM_COLUMNS if k not in ("firm_id", "parcel_id", "tenure", "scale", "land_area_m2", "rented_floor_m2")}
    with np.errstate(invalid="ignore", divide="ignore"):
        def ratio(a: np.ndarray, b: np.ndarray) -> np.ndarray:
            return np.where(np.isfinite(a) & np.isfinite(b) & (b > 0), a / b, np.nan)

        measures = {
            "tax_wan_per_mu": ratio(num["tax_wan"], mu),
            "value_added_wan_per_mu": ratio(num["value_added_wan"], mu),
            "sales_wan_per_mu": ratio(num["sales_wan"], mu),
            "value_added_wan_per_tce": ratio(num["value_added_wan"], num["energy_tce"]),
            "value_added_wan_per_emission_t": ratio(num["value_added_wan"], num["emission_t"]),
            "value_added_wan_per_employee": ratio(num["value_added_wan"], num["employees"]),
            "rd_share_of_sales": ratio(num["rd_wan"], num["sales_wan"]),
            "tax_wan_per_10k_kwh": ratio(num["tax_wan"], num["electricity_10k_kwh"]),
            "sales_wan_per_tce": ratio(num["sales_wan"], num["energy_tce"]),
        }
    if "scale" not in f.columns and any(t.firms in ("above_scale", "below_scale") for t in fr.tracks):
        problems.append(Problem("warning", "no_scale", "no firm-scale column (企业规模: 规上 / 规下): own-land firms fit no "
                                "above/below-scale track and are not evaluated", "scale", [], "add 规上 / 规下 per firm"))

    n = len(f)
    track = np.full(n, "", dtype=object)
    for t in fr.tracks:
        sel = _track_of(t, tenure, scale) & (track == "") & (ppos >= 0)
        track[sel] = t.name
    small = own & np.isfinite(mu) & (mu < fr.min_land_mu)
    track[small] = ""

    out = pd.DataFrame({"firm_id": f["firm_id"].astype("string").to_numpy(), "parcel_id": pd.array(fpid, dtype="string"),
                        "tenure": tenure, "scale": scale, "track": track, "land_mu": mu}, index=f.index)
    used = sorted({i.measure for t in fr.tracks for i in t.indicators})
    for m in used:
        out[m] = measures[m]
    score = np.full(n, np.nan)
    missing_measures: list[list[str]] = [[] for _ in range(n)]
    rank = np.full(n, np.nan)
    klass = np.full(n, "", dtype=object)
    for t in fr.tracks:
        sel = track == t.name
        if not sel.any():
            continue
        total = np.zeros(n)
        for ind in t.indicators:
            x = measures[ind.measure]
            bench = ind.benchmark
            if bench is None:
                have = sel & np.isfinite(x)
                bench = float(np.mean(x[have])) if have.any() else np.nan
                problems.append(Problem("info", "derived_benchmark", f"{ind.code} {ind.name_zh}: benchmark = mean of the {int(have.sum())} "
                                        f"firms on track {t.name} = {bench:,.4g} {ind.unit} (derived)"))
            pts = np.where(np.isfinite(x) & np.isfinite(bench) & (bench > 0), ind.weight * x / (bench if bench else 1.0), 0.0)
            col = np.full(n, np.nan)
            col[sel] = pts[sel]
            out[ind.code] = col
            total += np.where(sel, pts, 0.0)
            for i in np.flatnonzero(sel & ~np.isfinite(x)):
                missing_measures[i].append(ind.measure)
        no_land = sel & ~np.isfinite(mu)
        evaluated = sel & ~no_land
        score[evaluated] = total[evaluated]
        if evaluated.any():
            r = pd.Series(-score[evaluated]).rank(method="min").to_numpy()
            rank[evaluated] = r
            p = (r - 1) / evaluated.sum()
            idx = np.searchsorted(np.array(fr.class_cuts), p, side="right")
            klass[evaluated] = np.array(fr.classes, dtype=object)[idx]
    out["score"] = score
    out["rank"] = rank
    out["class"] = klass
    last = fr.classes[-1]
    in_track = track != ""
    no_land_any = in_track & ~np.isfinite(mu)
    out["passes"] = (klass != "") & (klass != last)
    out["status"] = np.where(klass == last, FAIL, np.where(klass != "", PASS, np.where(no_land_any, MISSING, NOT_TESTED)))
    out["missing_measures"] = [";".join(m) for m in missing_measures]
    if no_land_any.any():
        problems.append(Problem("warning", "firm_without_land", f"{no_land_any.sum()} firm(s) on a track have no land (no own land "
                                "share, or rented without 租用建筑面积 / parcel floor area): not classed", "land_area_m2",
                                list(out.loc[no_land_any, "firm_id"].astype(str)[:20])))
    not_tracked = (track == "") & (ppos >= 0) & ~small
    if not_tracked.any():
        problems.append(Problem("info", "firm_no_track", f"{not_tracked.sum()} firm(s) fit no track of {pack.pack.name} (e.g. "
                                "own-land firms without 规上 / 规下): not evaluated"))

    # parcels
    n_p = len(gdf)
    ev_own = own & (klass != "") & (ppos >= 0)
    firms_own = np.bincount(ppos[own & (ppos >= 0)], minlength=n_p)
    firms_rented = np.bincount(ppos[~own & (ppos >= 0)], minlength=n_p)
    pclass = np.full(n_p, "", dtype=object)
    pscore = np.full(n_p, np.nan)
    if ev_own.any():
        d = pd.DataFrame({"p": ppos[ev_own], "land": land[ev_own], "score": score[ev_own], "cls": klass[ev_own]})
        lead = d.sort_values(["p", "land"], ascending=[True, False]).drop_duplicates("p")
        pclass[lead["p"].to_numpy()] = lead["cls"].to_numpy()
        ws = d.assign(ws=d["score"] * d["land"]).groupby("p")[["ws", "land"]].sum()
        pscore[ws.index.to_numpy()] = (ws["ws"] / ws["land"]).to_numpy()
    tenants = np.full(n_p, "", dtype=object)
    ev_rent = ~own & (klass != "") & (ppos >= 0)
    if ev_rent.any():
        tc = pd.DataFrame({"p": ppos[ev_rent], "cls": klass[ev_rent]}).groupby(["p", "cls"]).size()
        for pp, grp in tc.groupby(level=0):
            tenants[pp] = ";".join(f"{c}:{k}" for (_, c), k in grp.items())
    pout = gpd.GeoDataFrame({"parcel_id": pd.array(pid, dtype="string"), "firms": firms_own, "firms_rented": firms_rented,
                             "firm_class": pclass, "firm_score": pscore, "tenant_classes": tenants},
                            geometry=gpd.GeoSeries(_geoms(gdf), crs=gdf.crs, index=gdf.index), index=gdf.index)
    if by in gdf.columns:
        pout[by] = gdf[by].astype("string").to_numpy()

    # areas: own land per class
    group = gdf[by].astype("string").fillna("(none)").to_numpy(dtype=object) if by in gdf.columns else np.full(n_p, "(all)", dtype=object)
    rows = []
    if ev_own.any():
        d = pd.DataFrame({"g": group[ppos[ev_own]], "cls": klass[ev_own], "mu": mu[ev_own]})
        piv = d.pivot_table(index="g", columns="cls", values="mu", aggfunc="sum", fill_value=0.0)
        for c in fr.classes:
            if c not in piv.columns:
                piv[c] = 0.0
        piv = piv[fr.classes]
        piv.loc["(all)"] = piv.sum()
        for g, r in piv.iterrows():
            tot = float(r.sum())
            rows.append({"area": g, "land_mu": tot, **{f"{c}_mu": float(r[c]) for c in fr.classes},
                         **{f"{c}_share": float(r[c]) / tot if tot > 0 else np.nan for c in fr.classes}})
    by_area = pd.DataFrame(rows).set_index("area") if rows else pd.DataFrame(columns=["land_mu"]).rename_axis("area")
    by_area.index.name = by if by in gdf.columns else "area"
    return FirmEvaluation(firms=out, parcels=pout, by_area=by_area, rules=pack, problems=problems)
