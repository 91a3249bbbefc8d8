"""Stage 4 — classify: test every parcel against the pack's criteria, giving a candidate class.

Each parcel-level criterion gets ``pass`` / ``fail`` / ``missing`` per parcel (parcels outside
the industrial stock are not tested: ``""``). Quantile thresholds are resolved on the study
area's industrial stock, weighted by land area. A parcel is a *candidate* for a class (e.g.
``retain``) when every gate criterion is met and at least ``min_met`` of the class's
criteria are met; a missing value counts as met or not met according to the criterion's
``missing`` setting. Classes are tried in pack order, so a parcel has exactly one candidate
class (or ``none``, or ``not_industrial``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, cast

import numpy as np
import pandas as pd

from zoning.errors import RulePackError
from zoning.io.columns import QUALITY_LEVELS
from zoning.rules.schema import Criterion, RulePack
from zoning.units import STATUS
from zoning.units import evaluate as _evaluate_values

__all__ = ["Classification", "classify", "quantile_inputs", "resolve_threshold", "resolve_thresholds", "stock_mask",
           "weighted_quantile"]

NONE = "none"
NOT_INDUSTRIAL = "not_industrial"

Threshold = float | str | list[str]


@dataclass(frozen=True)
class Classification:
    """Output of :func:`classify`: the per-parcel table and the thresholds it was judged by.

    Attributes
    ----------
    table
        Aligned to the indicators' index: ``in_stock`` (bool), ``candidate`` and one
        ``pass`` / ``fail`` / ``missing`` column per parcel-level criterion (``""`` outside the
        stock).
    thresholds
        ``{criterion code: threshold}`` as applied, parcel- and zone-level — quantiles resolved
        on the stock, in the indicator's unit.
    rules
        Name of the rule pack.

    Columns can be read directly (``c["candidate"]``, ``"SZ-C5" in c``); ``c.table`` is the
    plain DataFrame to merge or save. Later stages take the whole object, so the thresholds
    travel with the table instead of in ``DataFrame.attrs``.
    """

    table: pd.DataFrame
    thresholds: dict[str, Threshold] = field(default_factory=dict)
    rules: str = ""

    def __getitem__(self, key: Any) -> Any:
        return self.table[key]

    def __contains__(self, key: object) -> bool:
        return key in self.table.columns

    def __len__(self) -> int:
        return len(self.table)

    @property
    def index(self) -> pd.Index:
        return self.table.index

    @property
    def columns(self) -> pd.Index:
        return self.table.columns

    def __repr__(self) -> str:
        counts = self.table["candidate"].value_counts().to_dict() if "candidate" in self.table else {}
        return f"Classification({len(self.table)} parcels, rules '{self.rules}', candidates {counts})"

    def _repr_html_(self) -> str:  # pragma: no cover - notebook display
        return f"<p>{self!r}</p>" + self.table.head(20).to_html()


def as_classification(classification: Classification | pd.DataFrame, indicators: pd.DataFrame, pack: RulePack) -> Classification:
    """A :class:`Classification`; a bare table (e.g. after a merge) gets its thresholds resolved again."""
    if isinstance(classification, Classification):
        return classification
    if not isinstance(classification, pd.DataFrame) or "in_stock" not in classification.columns:
        msg = ("classification should be the Classification returned by zoning.classify (or its .table); "
               f"got {type(classification).__name__}")
        raise TypeError(msg)
    in_stock = classification["in_stock"].reindex(indicators.index).fillna(False).to_numpy(dtype=bool)
    return Classification(classification, resolve_thresholds(pack, indicators, in_stock), pack.pack.name)


def weighted_quantile(values: np.ndarray, weights: np.ndarray, q: float) -> float:
    """Quantile of ``values`` weighted by ``weights`` (NaNs ignored).

    The smallest value whose cumulative weight reaches ``q`` of the total.

    >>> weighted_quantile(np.array([1.0, 2.0, 3.0]), np.array([1.0, 1.0, 2.0]), 0.5)
    2.0
    """
    ok = np.isfinite(values) & np.isfinite(weights) & (weights > 0)
    v, w = values[ok], weights[ok]
    if len(v) == 0:
        return float("nan")
    order = np.lexsort((w, v))  # ties by weight: the cumulative sums do not follow row order
    v, w = v[order], w[order]
    cum = np.cumsum(w)
    k = int(np.searchsorted(cum, q * cum[-1], side="left"))
    return float(v[min(k, len(v) - 1)])


def _observed(c: Criterion, indicators: pd.DataFrame) -> np.ndarray | pd.Series:
    if c.indicator == "building_quality":
        return indicators["quality_rank"].to_numpy(dtype="float64")
    col = indicators[c.indicator]
    return col if c.op in ("in", "not in") else col.to_numpy()


def resolve_threshold(c: Criterion, indicators: pd.DataFrame, in_stock: np.ndarray) -> float | str | list[str]:
    """The criterion's threshold in its indicator's unit; quantiles resolved on the stock."""
    if c.quantile is not None:
        vals = np.asarray(_observed(c, indicators), dtype="float64")
        return weighted_quantile(vals[in_stock], indicators["land_area_m2"].to_numpy()[in_stock], c.quantile)
    return cast("float | str | list[str]", c.threshold)  # set when quantile is None (validated)


def resolve_thresholds(pack: RulePack, indicators: pd.DataFrame, in_stock: np.ndarray) -> dict[str, Threshold]:
    """Every parcel- and zone-level criterion's threshold; criteria on the same quantile share one value.

    A zone-level quantile (e.g. ``SZ-A1``: the area lags when its area-weighted output is below
    the median) is resolved on the parcels of the stock, like a parcel-level one.
    """
    out: dict[str, Threshold] = {}
    quantiles: dict[tuple[str, float], Threshold] = {}  # SZ-R3, SZ-C2 and SZ-A1 share one median
    for c in pack.criteria:
        if c.level not in ("parcel", "zone"):
            continue
        if c.quantile is not None:
            key = (c.indicator, c.quantile)
            if key not in quantiles:
                quantiles[key] = resolve_threshold(c, indicators, in_stock)
            out[c.code] = quantiles[key]
        else:
            out[c.code] = resolve_threshold(c, indicators, in_stock)
    return out


def evaluate(c: Criterion, indicators: pd.DataFrame, threshold: float | str | list[str]) -> tuple[np.ndarray, np.ndarray]:
    """``(met, missing)`` boolean arrays for one criterion (before the missing policy)."""
    obs = _observed(c, indicators)
    if c.op in ("in", "not in"):
        s = pd.Series(obs) if not isinstance(obs, pd.Series) else obs
        missing = s.isna().to_numpy()
        codes = cast("list[str]", threshold)  # 'in' / 'not in' take a list of land-use classes
        met = s.isin(list(codes)).to_numpy(dtype=bool, na_value=False) & ~missing
        if c.op == "not in":
            met = ~met & ~missing
        return met, missing
    obs = np.asarray(obs, dtype="float64")
    missing = np.isnan(obs)
    thr = float(QUALITY_LEVELS[threshold]) if isinstance(threshold, str) else float(cast("float", threshold))
    if np.isnan(thr):  # a quantile of an all-missing stock
        return np.zeros(len(obs), dtype=bool), missing | True
    return _evaluate_values(obs, c.op, thr)


def quantile_inputs(c: Criterion, indicators: pd.DataFrame, in_stock: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The (values, land areas) a quantile threshold is taken over: the stock's finite values.

    Partial inputs (e.g. of partitions) concatenate; :func:`weighted_quantile` of the whole
    gives the same threshold as one machine.
    """
    vals = np.asarray(_observed(c, indicators), dtype="float64")[in_stock]
    w = indicators["land_area_m2"].to_numpy(dtype="float64")[in_stock]
    ok = np.isfinite(vals) & np.isfinite(w) & (w > 0)
    return vals[ok], w[ok]


def stock_mask(indicators: pd.DataFrame, pack: RulePack) -> np.ndarray:
    """Parcels in the pack's industrial stock."""
    if pack.stock is None:
        return np.ones(len(indicators), dtype=bool)
    stock_col = "current_class" if pack.stock.use == "current_use" else "planned_class"
    return indicators[stock_col].isin(pack.stock.codes).to_numpy(dtype=bool, na_value=False)


def classify(indicators: pd.DataFrame, *, rules: str | RulePack = "shenzhen-2020",
             thresholds: dict[str, Threshold] | None = None) -> Classification:
    """Test every parcel against the pack's parcel-level criteria.

    Parameters
    ----------
    indicators
        Output of :func:`zoning.compute_indicators`.
    rules
        Rule pack name, path or object.
    thresholds
        Already resolved thresholds by criterion code, used instead of resolving them here
        (the distributed engine resolves quantiles over the whole layer, not a partition).

    Returns
    -------
    Classification
        ``.table`` aligned to ``indicators.index``: ``in_stock`` (bool), ``candidate``
        (``retain``, ``redevelop``, ``none`` or ``not_industrial``) and one column per
        parcel-level criterion code with ``pass`` / ``fail`` / ``missing`` (``""`` outside the
        stock); ``.thresholds`` holds each criterion's resolved threshold.

    Examples
    --------
    >>> import zoning
    >>> parcels = zoning.read_parcels(zoning.datasets.get_path("parcels"))
    >>> c = classify(zoning.compute_indicators(parcels, reference_year=2025))
    >>> sorted(c["candidate"].unique())
    ['none', 'not_industrial', 'redevelop', 'retain']
    >>> round(c.thresholds["SZ-C2"])  # the stock's median output per 亩, resolved here
    404
    """
    from zoning.rules import load_rules

    pack = load_rules(rules)
    n = len(indicators)
    if pack.stock is None or not pack.candidates:
        msg = (f"rule pack '{pack.pack.name}' defines no zones ([stock] and [[candidates]]), so it cannot classify "
               f"parcels; zone with a pack that does (e.g. -r shenzhen-2020), or run this pack's own check "
               f"(zoning rules show {pack.pack.name} says which)")
        raise RulePackError(msg)
    in_stock = stock_mask(indicators, pack)

    status: dict[str, np.ndarray] = {}
    met_policy: dict[str, np.ndarray] = {}
    thresholds = {**resolve_thresholds(pack, indicators, in_stock), **(thresholds or {})}
    for c in pack.criteria:
        if c.level != "parcel":
            continue
        thr = thresholds[c.code]
        met, missing = evaluate(c, indicators, thr)
        st = np.where(missing, 3, np.where(met, 1, 2)).astype(np.int8)
        st[~in_stock] = 0
        status[c.code] = pd.Categorical.from_codes(st, categories=list(STATUS))
        met_policy[c.code] = met | (missing & (c.missing == "pass"))

    candidate = np.full(n, NONE, dtype=object)
    assigned = ~in_stock
    for cand in pack.candidates:
        ok = in_stock.copy()
        for g in cand.gate:
            ok &= met_policy[g]
        count = np.sum([met_policy[k] for k in cand.criteria], axis=0)
        ok &= count >= cand.min_met
        take = ok & ~assigned
        candidate[take] = cand.name
        assigned |= take
    candidate[~in_stock] = NOT_INDUSTRIAL

    cats = [c.name for c in pack.candidates] + [NONE, NOT_INDUSTRIAL]
    out = pd.DataFrame({"in_stock": in_stock, "candidate": pd.Categorical(candidate, categories=cats), **status},
                       index=indicators.index)
    return Classification(out, thresholds, pack.pack.name)
