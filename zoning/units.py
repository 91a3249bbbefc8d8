"""Units, zone ids, status words, operator symbols and :func:`evaluate` — the one comparison.

Everything that compares an observed value with a threshold goes through :func:`evaluate`:
parcel criteria (classify), area criteria (zones), block shares, mixed use, project tiers and
the policy checks. So "exactly on the threshold" means the same thing everywhere: a value
within :data:`TOLERANCE` (relative to the threshold, at least absolute 1e-9) of the threshold
counts as *equal* to it — ``≥ 0.8`` passes at ``0.8 - 1e-12`` and ``< 0.8`` fails there.

This module imports nothing from ``zoning``: it sits at the bottom of the import graph, next to
:mod:`zoning.errors`.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

__all__ = [
    "FAIL",
    "M2_PER_MU",
    "MISSING",
    "NOT_TESTED",
    "OPS",
    "OP_NEGATED",
    "OP_SYMBOLS",
    "PASS",
    "STATUS",
    "TOLERANCE",
    "ZONES",
    "evaluate",
    "op_symbol",
    "status_words",
]

#: square metres in one 亩 (mu): 1 ha = 15 亩
M2_PER_MU = 10_000.0 / 15.0

#: the zone ids, in map / legend / table order
ZONES = ("retain_upgrade", "land_consolidation", "contiguous_renewal", "unzoned", "not_industrial")

#: status words of a tested criterion ("" = not tested, e.g. a parcel outside the stock)
NOT_TESTED, PASS, FAIL, MISSING = "", "pass", "fail", "missing"
STATUS = (NOT_TESTED, PASS, FAIL, MISSING)

#: the comparison operators a criterion may use
OPS = ("<", "<=", ">", ">=", "==", "!=", "in", "not in")
#: how each operator is printed
OP_SYMBOLS = {"<": "<", "<=": "≤", ">": ">", ">=": "≥", "==": "=", "!=": "≠", "in": "∈", "not in": "∉"}
#: the operator that holds exactly when the given one fails (for "needs … / is …" texts)
OP_NEGATED = {"<": "≥", "<=": ">", ">": "≤", ">=": "<", "==": "≠", "!=": "=", "in": "∉", "not in": "∈"}

#: relative tolerance of every numeric comparison (absolute for thresholds below 1)
TOLERANCE = 1e-9


def op_symbol(op: str) -> str:
    """The printed symbol of an operator.

    >>> op_symbol(">="), op_symbol("not in")
    ('≥', '∉')
    """
    return OP_SYMBOLS.get(op, op)


def evaluate(values: Any, op: str, threshold: Any, *, tolerance: float = TOLERANCE) -> tuple[np.ndarray, np.ndarray]:
    """Compare values with a threshold: ``(met, missing)`` boolean arrays.

    Parameters
    ----------
    values
        Observed values (array-like). For ``in`` / ``not in`` any labels (strings, classes).
    op
        One of :data:`OPS`.
    threshold
        A number for the numeric operators; a sequence of labels for ``in`` / ``not in``.
    tolerance
        Values within ``tolerance * max(1, |threshold|)`` of the threshold count as equal to it.

    Returns
    -------
    met, missing
        ``missing`` is True where the value is missing (NaN / None); ``met`` is False there.
        What a missing value means for a rule (met, not met, or neither) is the caller's policy.

    Examples
    --------
    >>> met, missing = evaluate([0.8 - 1e-12, 0.79, float("nan")], ">=", 0.8)
    >>> met.tolist(), missing.tolist()
    ([True, False, False], [False, False, True])
    >>> evaluate([0.8 - 1e-12], "<", 0.8)[0].tolist()
    [False]
    >>> evaluate(["M1", "R2", None], "in", ["M1", "M2"])[0].tolist()
    [True, False, False]
    """
    if op in ("in", "not in"):
        import pandas as pd

        s = values if isinstance(values, pd.Series) else pd.Series(np.asarray(values, dtype=object))
        missing = s.isna().to_numpy(dtype=bool)
        labels = [threshold] if isinstance(threshold, str) else list(threshold)
        inside = s.isin(labels).to_numpy(dtype=bool, na_value=False)
        met = (inside if op == "in" else ~inside) & ~missing
        return met, missing
    if op not in OPS:
        msg = f"unknown operator {op!r}; use one of {', '.join(OPS)}"
        raise ValueError(msg)
    v = np.asarray(values, dtype="float64")
    thr = float(threshold)
    missing = np.isnan(v)
    tol = tolerance * max(1.0, abs(thr)) if np.isfinite(thr) else 0.0
    with np.errstate(invalid="ignore"):
        d = v - thr
        equal = np.abs(d) <= tol if np.isfinite(thr) else v == thr
        if op == ">=":
            met = (d > 0) | equal
        elif op == ">":
            met = (d > 0) & ~equal
        elif op == "<=":
            met = (d < 0) | equal
        elif op == "<":
            met = (d < 0) & ~equal
        elif op == "==":
            met = equal
        else:  # "!="
            met = ~equal
    return met & ~missing, missing


def status_words(met: np.ndarray, missing: np.ndarray, tested: np.ndarray | Sequence[bool] | None = None) -> np.ndarray:
    """``pass`` / ``fail`` / ``missing`` per row, ``""`` where not tested.

    >>> status_words(np.array([True, False, False]), np.array([False, False, True])).tolist()
    ['pass', 'fail', 'missing']
    """
    out = np.where(missing, MISSING, np.where(met, PASS, FAIL)).astype(object)
    if tested is not None:
        out[~np.asarray(tested, dtype=bool)] = NOT_TESTED
    return out
