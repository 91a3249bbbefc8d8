"""Jiaxing mixed industrial land: industrial floor area ≥ 51 %, land terms, park-balanced FAR / green minimums."""

from __future__ import annotations

import warnings
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar

import geopandas as gpd
import numpy as np
import pandas as pd

from zoning.errors import (
    DataRepairWarning,
    InputError,
    Problem,
)

if TYPE_CHECKING:  # pragma: no cover

    from zoning.rules.schema import Criterion, RulePack
from zoning.checks._common import (
    _codes,
    _columns_text,
    _compare,
    _evaluate,
    _fmt,
    _land_area,
    _load,
    _number,
    _op,
    _table_input,
    _thr,
    _use_column,
)
from zoning.checks._result import CheckResult, overall_status
from zoning.checks.blocks import _parcel_ids
from zoning.units import FAIL, MISSING, NOT_TESTED, PASS


@dataclass(repr=False, kw_only=True)
class MixedUseCheck(CheckResult):
    """Result of :func:`check_mixed_use` (a :class:`~zoning.checks.CheckResult`).

    Attributes
    ----------
    parcels
        Aligned to the parcel index: ``parcel_id``, ``park``, ``mixed_use`` (tested for the
        floor-area rule), ``industrial`` (tested for the FAR / green minimums),
        ``industrial_floor_share``, ``far``, ``green_ratio``, ``land_term_years``, one status
        column per criterion code (``pass``, ``fail``, ``missing`` or ``""`` where not
        tested), ``met_through_park`` (the codes a parcel below the minimum meets only through
        its park's aggregate, ``;``-separated), ``passes``, ``status`` (``pass`` / ``fail`` /
        ``missing`` / ``""``), ``passes_by_balance`` (passes only because the park balances
        it), ``reasons`` (observed vs threshold for every failure) and ``fix``; the geometry
        when the input has one.
    parks
        One row per park: ``parcels``, ``land_m2``, ``floor_m2``, ``far``, ``green_ratio``,
        per balanced criterion ``<code>_passes``, ``below`` (parcels below the minimum) and
        ``balanced`` (of them, carried by the park), ``floor_short_m2`` /
        ``green_short_m2`` and ``fix``.
    """

    title: ClassVar[str] = "Mixed industrial land"
    parcels: pd.DataFrame
    parks: pd.DataFrame
    basis: str

    def layers(self) -> dict[str, pd.DataFrame]:
        """``parcels`` (the tested ones) and ``parks``."""
        p = self.parcels
        return {"parcels": p[(p["status"] != "").to_numpy()], "parks": self.parks}

    def summary(self, *, max_rows: int = 20) -> str:
        """Counts per criterion, parcels that pass only through park balancing, failing parks.

        Examples
        --------
        >>> import zoning
        >>> mu = zoning.check_mixed_use(zoning.read_parcels(zoning.datasets.get_path("parcels")))
        >>> print(mu.summary().splitlines()[1])
          JX-M1 industrial share of a mixed parcel's floor area ≥ 51.0%: 70 tested, 47 pass, 23 fail
        """
        p, pack = self.parcels, self.rules
        lines = [f"Mixed industrial land and park balancing against {pack.pack.name} ({self.basis.replace('_use', ' use')})"]
        for c in _mixed_criteria(pack):
            st = p[c.code]
            tested = st != ""
            line = (f"  {c.code} {c.name_en} {_op(c)} {_fmt(c, _thr(c))}: {int(tested.sum())} tested, "
                    f"{int((st == 'pass').sum())} pass, {int((st == 'fail').sum())} fail")
            via = p["met_through_park"].str.contains(c.code, regex=False)
            if via.any():
                line += f" ({int(via.sum())} of the passes only through their park)"
            if (st == "missing").any():
                line += f", {int((st == 'missing').sum())} missing ({'counted as pass' if c.missing == 'pass' else 'counted as fail'})"
            lines.append(line)
        lines += self._notes()
        bad = self.parks[self.parks["fix"] != ""]
        for name, r in bad.iterrows():
            lines.append(f"  park {name}: {r['fix']}")
        failing = p[~p["passes"]]
        for _, r in failing.head(max_rows).iterrows():
            lines.append(f"  {r['parcel_id']}: {r['reasons']} — {r['fix']}")
        if len(failing) > max_rows:
            lines.append(f"  … {len(failing) - max_rows} more failing parcels (see .parcels / the parcels layer)")
        return "\n".join(lines)


def _mixed_criteria(pack: RulePack) -> list[Criterion]:
    mu = pack.mixed_use
    assert mu is not None
    refs = [mu.min_industrial_floor_share, mu.min_far, mu.min_green_ratio, mu.max_land_term]
    return [pack.criterion(r) for r in refs if r is not None]


def check_mixed_use(
    parcels: gpd.GeoDataFrame,
    *,
    rules: str | Path | RulePack = "jiaxing-2024",
    overrides: Mapping[str, Any] | None = None,
    use: str | None = None,
    mixed: str | Sequence[bool] | pd.Series | None = None,
    park_column: str | None = None,
) -> MixedUseCheck:
    """Check mixed industrial land (混合产业用地), flexible land terms and park-level balancing.

    Parameters
    ----------
    parcels
        Parcels with ``floor_area_m2`` and, where known, ``industrial_floor_area_m2``
        (工业建筑面积), ``green_ratio`` (绿地率), ``land_term_years`` (出让年期) and ``park``
        (园区).
    rules, overrides
        A pack with ``[mixed_use]`` rules (``jiaxing-2024``): industrial floor area ≥ 51 %
        (JX-M1), flexible terms ≤ 30 years (JX-T1), FAR and green-ratio minimums (JX-F1,
        JX-G1, heuristic numbers) that may be met through the park.
    use
        Land-use basis for "industrial parcel": ``planned_use`` (default) or ``current_use``.
    mixed
        Which parcels are mixed industrial land: a boolean column name or mask. Default:
        parcels with an industrial floor area recorded, or a mixed code such as ``M1/B2``.
    park_column
        Column naming the park to balance over (default: the pack's ``balance_over``,
        ``park`` — 园区).

    Returns
    -------
    MixedUseCheck
        ``.parcels`` (aligned to the input), ``.parks``, ``.summary()``, ``.to_file()``.

    Notes
    -----
    A parcel below the FAR or green-ratio minimum passes when its park's aggregate meets it
    (004 三(三) 在园区、片区范围内统筹平衡): park FAR = Σ floor area ÷ Σ land area of its tested
    parcels; park green ratio = (Σ green ratio × land of its tested parcels + the land of the
    park's public green (G) parcels) ÷ (their land + that G land), since 保障整体规划达标 is
    about the whole park (``parks.public_green_m2``). Such parcels pass, with the code in
    ``met_through_park`` and ``passes_by_balance`` set. Parcels without a park cannot be balanced.

    Examples
    --------
    >>> import zoning
    >>> mu = check_mixed_use(zoning.read_parcels(zoning.datasets.get_path("parcels")))
    >>> int((mu.parcels["JX-M1"] == "fail").sum())
    23
    >>> int(mu.parcels["passes_by_balance"].sum()) > 0
    True
    """
    pack = _load(rules, overrides, "mixed_use", "check mixed industrial land")
    mu = pack.mixed_use
    assert mu is not None
    basis = _use_column(use, mu.use)
    park_col = park_column or mu.balance_over
    df = _table_input(parcels, [basis, "floor_area_m2"], "parcels")
    problems: list[Problem] = []
    n = len(df)
    pid = _parcel_ids(df)
    area, _ = _land_area(df)
    from zoning.io.landuse import parse_landuse

    if basis in df.columns:
        lu = parse_landuse(df[basis])
        industrial = lu.code.isin(_codes(pack.criterion(mu.industrial))).to_numpy(dtype=bool, na_value=False)
        coded_mixed = (lu.mixed.to_numpy() & industrial)
        public_green = lu.code.astype("string").str.startswith("G").to_numpy(dtype=bool, na_value=False) & ~industrial
    else:
        industrial = np.zeros(n, dtype=bool)
        coded_mixed = np.zeros(n, dtype=bool)
        public_green = np.zeros(n, dtype=bool)
        problems.append(Problem("warning", "no_landuse", f"no {basis} column: no parcel is tested as industrial for the FAR / green minimums", basis))
    floor = _number(df, "floor_area_m2")
    ind_floor = _number(df, "industrial_floor_area_m2")
    if mixed is None:
        is_mixed = np.isfinite(ind_floor) | coded_mixed
    elif isinstance(mixed, str):
        if mixed not in df.columns:
            msg = f"mixed={mixed!r} is not a column; columns are {_columns_text(df)}"
            raise InputError(msg)
        is_mixed = df[mixed].astype("boolean").fillna(False).to_numpy(dtype=bool)
    else:
        is_mixed = np.asarray(pd.Series(mixed, index=df.index if len(mixed) == n else None).astype("boolean").fillna(False), dtype=bool)
        if is_mixed.size != n:
            msg = f"mixed has {is_mixed.size} values for {n} parcels"
            raise InputError(msg)
    with np.errstate(invalid="ignore", divide="ignore"):
        ind_share = np.where(floor > 0, ind_floor / floor, np.nan)
        far = np.where(area > 0, floor / area, np.nan)
    green = _number(df, "green_ratio")
    pct = np.isfinite(green) & (green > 1) & (green <= 100)
    if pct.any():
        green = np.where(pct, green / 100, green)
        text = f"{pct.sum()} green ratio(s) above 1 were read as percent (e.g. 25 → 0.25)"
        problems.append(Problem("warning", "green_ratio_percent", text, "green_ratio", list(pid[pct])))
        warnings.warn(text, DataRepairWarning, stacklevel=2)
    term = _number(df, "land_term_years")
    parks = df[park_col].astype("string").str.strip().replace("", pd.NA).to_numpy(dtype=object, na_value=None) if park_col in df.columns else np.full(n, None, dtype=object)
    if park_col not in df.columns:
        problems.append(Problem("warning", "no_park", f"no {park_col!r} column (园区): nothing can be balanced over a park", park_col, [], "add the park of each parcel, or pass park_column="))

    out = pd.DataFrame({"parcel_id": pd.array(pid, dtype="string"), "park": pd.array(parks, dtype="string"),
                        "mixed_use": is_mixed, "industrial": industrial | is_mixed,
                        "industrial_floor_share": ind_share, "far": far, "green_ratio": green,
                        "land_term_years": term}, index=df.index)
    tested_fg = industrial | is_mixed
    reasons: list[list[str]] = [[] for _ in range(n)]
    fixes: list[list[str]] = [[] for _ in range(n)]
    verdict = np.ones(n, dtype=bool)
    by_balance = np.zeros(n, dtype=bool)
    via_park: list[list[str]] = [[] for _ in range(n)]
    any_fail = np.zeros(n, dtype=bool)
    any_missing = np.zeros(n, dtype=bool)
    any_tested = np.zeros(n, dtype=bool)
    park_rows: dict[str, dict[str, Any]] = {}
    in_park = tested_fg & pd.notna(parks).astype(bool)
    park_ids = sorted({p for p in parks[in_park]}) if in_park.any() else []
    for pk in park_ids:
        park_rows[pk] = {"parcels": int((parks[in_park] == pk).sum())}

    def _tally(st: np.ndarray) -> None:
        any_fail[st == FAIL] = True
        any_missing[st == MISSING] = True
        any_tested[st != NOT_TESTED] = True

    c = pack.criterion(mu.min_industrial_floor_share)
    st, met = _evaluate(c, ind_share, is_mixed)
    out[c.code] = st
    verdict &= met
    _tally(st)
    thr = _thr(c)
    for i in np.flatnonzero(st == "fail"):
        t_, i_ = floor[i], ind_floor[i]
        convert = thr * t_ - i_
        add = convert / (1 - thr) if thr < 1 else np.inf
        reasons[i].append(f"{c.code} industrial floor share {_fmt(c, ind_share[i])} < {_fmt(c, thr)}")
        fixes[i].append(f"convert {convert:,.0f} m² of other floor space to industrial use (or add {add:,.0f} m² of industrial floor space)")
    for i in np.flatnonzero(st == "missing"):
        reasons[i].append(f"{c.code} industrial floor share missing (floor area {'missing' if not np.isfinite(floor[i]) else 'given'}, industrial floor area {'missing' if not np.isfinite(ind_floor[i]) else 'given'})")

    for ref, values, label in ((mu.min_far, far, "FAR"), (mu.min_green_ratio, green, "green ratio")):
        if ref is None:
            continue
        c = pack.criterion(ref)
        thr = _thr(c)
        st, met = _evaluate(c, values, tested_fg)
        carried = np.zeros(n, dtype=bool)
        balance = ref in mu.balance
        # park aggregate over its tested parcels with a value
        agg = np.full(n, np.nan)
        if balance and park_ids:
            have = in_park & np.isfinite(values) & np.isfinite(area)
            frame = pd.DataFrame({"park": parks[have], "w": area[have], "wv": values[have] * area[have]})
            if label == "green ratio" and public_green.any():
                # 保障整体规划达标 is about the whole park: its public green (G) parcels are green space of the park
                g_sel = public_green & np.isfinite(area) & pd.notna(parks).astype(bool)
                frame = pd.concat([frame, pd.DataFrame({"park": parks[g_sel], "w": area[g_sel], "wv": area[g_sel]})])
                for pk in park_ids:
                    park_rows[pk]["public_green_m2"] = float(area[g_sel & (parks == pk)].sum())
            s = frame.groupby("park").sum()
            park_val = (s["wv"] / s["w"]).to_dict()
            agg = np.array([park_val.get(p, np.nan) if p is not None else np.nan for p in parks])
            park_ok = _compare(agg, c.op, thr)
            carried = (st == "fail") & in_park & park_ok
            st = st.copy()
            st[carried] = PASS
            for i in np.flatnonzero(carried):
                via_park[i].append(c.code)
            met = met | carried
            by_balance |= carried
            for pk in park_ids:
                sel = in_park & (parks == pk)
                v = park_val.get(pk, np.nan)
                w = float(s.loc[pk, "w"]) if pk in s.index else 0.0
                short = max(thr * w - v * w, 0.0) if np.isfinite(v) else np.nan
                park_rows[pk].update({f"{c.code}_value": v, f"{c.code}_passes": bool(_compare(np.array([v]), c.op, thr)[0]) if np.isfinite(v) else None,
                                      f"{c.code}_below": int(((st == "fail") | carried)[sel].sum()),
                                      f"{c.code}_balanced": int(carried[sel].sum()),
                                      f"{c.code}_short_m2": short})
        out[c.code] = st
        verdict &= met
        _tally(st)
        is_carried = carried
        for i in np.flatnonzero((st == "fail") | is_carried):
            need = (thr - values[i]) * area[i]
            what = "floor area" if label == "FAR" else "green space"
            if is_carried[i]:
                reasons[i].append(f"{c.code} {label} {_fmt(c, values[i])} < {_fmt(c, thr)}, met through park {parks[i]} ({_fmt(c, agg[i])})")
            else:
                where = f"; park {parks[i]} is at {_fmt(c, agg[i])}, below the minimum too" if parks[i] is not None and balance else (
                    "; no park to balance over" if balance else "")
                reasons[i].append(f"{c.code} {label} {_fmt(c, values[i])} < {_fmt(c, thr)}{where}")
                fixes[i].append(f"add {need:,.0f} m² of {what}" + (" (or raise the park's aggregate above the minimum)" if balance and parks[i] is not None else ""))

    if mu.max_land_term is not None:
        c = pack.criterion(mu.max_land_term)
        has = np.isfinite(term)
        st, met = _evaluate(c, term, has)
        out[c.code] = st
        verdict &= met
        _tally(st)
        if "land_term_years" not in df.columns:
            problems.append(Problem("info", "no_land_term", f"no land-term column (出让年期 / land_term_years): {c.code} not tested", "land_term_years"))
        for i in np.flatnonzero(st == "fail"):
            reasons[i].append(f"{c.code} land term {_fmt(c, term[i])} > {_fmt(c, _thr(c))}")
            fixes[i].append(f"grant for at most {_fmt(c, _thr(c))} (flexible term), or record why the exception applies")

    out["met_through_park"] = [";".join(v) for v in via_park]
    out["passes"] = verdict
    out["status"] = overall_status(verdict, any_fail, any_missing, any_tested)
    out["passes_by_balance"] = by_balance & verdict
    out["reasons"] = ["; ".join(r) for r in reasons]
    out["fix"] = ["; ".join(f) for f in fixes]
    if isinstance(df, gpd.GeoDataFrame):
        out = gpd.GeoDataFrame(out, geometry=df.geometry.array, crs=df.crs, index=df.index)

    prow = []
    for pk in park_ids:
        sel = in_park & (parks == pk)
        row = {"park": pk, **park_rows[pk], "land_m2": float(np.nansum(area[sel])), "floor_m2": float(np.nansum(floor[sel]))}
        fx = []
        for ref, label in ((mu.min_far, "FAR"), (mu.min_green_ratio, "green ratio")):
            if ref is None or ref not in mu.balance or f"{ref}_passes" not in row:
                continue
            c = pack.criterion(ref)
            if not row[f"{ref}_passes"] and np.isfinite(row[f"{ref}_value"]):
                what = "floor area" if label == "FAR" else "green space"
                fx.append(f"park {label} {_fmt(c, row[f'{ref}_value'])} < {_fmt(c, _thr(c))}: the park needs "
                          f"{row[f'{ref}_short_m2']:,.0f} m² more {what} for its {row[f'{ref}_below']} parcels below the minimum to be balanced")
        row["fix"] = "; ".join(fx)
        prow.append(row)
    parks_t = pd.DataFrame(prow).set_index("park") if prow else pd.DataFrame(columns=["parcels", "land_m2", "floor_m2", "fix"]).rename_axis("park")
    return MixedUseCheck(parcels=out, parks=parks_t, rules=pack, basis=basis, problems=problems)
