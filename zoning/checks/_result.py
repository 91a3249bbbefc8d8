"""The one shape of a policy check's result: :class:`CheckResult`.

Every check in :mod:`zoning.checks` returns a subclass. All of them carry

- ``rules`` — the rule pack used (after overrides), and ``problems`` — what the inputs
  needed or what is worth knowing, as :class:`zoning.errors.Problem` objects;
- ``layers()`` — the named tables / map layers in display order (the first is the main
  table). Excel / Word export and :meth:`to_file` are built on exactly this method;
- ``passed`` — whether every tested row passed (the CLI's exit code);
- ``summary()`` (text for people; the CLI prints exactly this), ``to_file(path)``,
  ``__repr__`` and ``_repr_html_`` for Jupyter.

Verdict columns are the same in every check: ``passes`` (bool, after the criterion's
missing-value policy) and ``status`` — ``pass`` / ``fail`` / ``missing``, or ``""`` where
the row was not tested (:data:`zoning.units.STATUS`). Per-criterion status columns are
named by the criterion code (``GZ-Q1``, ``JX-M1``, ``HTP-T1`` …) and use the same words.
"""

from __future__ import annotations

import html
import warnings
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar

import numpy as np
import pandas as pd

from zoning._text import text_table as _text_table
from zoning.errors import Problem
from zoning.units import FAIL, MISSING, NOT_TESTED, PASS

if TYPE_CHECKING:  # pragma: no cover
    import os

    from zoning.rules.schema import RulePack

__all__ = ["CheckResult", "overall_status", "text_table"]


def overall_status(passes: np.ndarray, failed: np.ndarray, missing: np.ndarray, tested: np.ndarray | None = None) -> np.ndarray:
    """One status per row from its verdict: ``pass``, ``fail``, ``missing`` or ``""`` (not tested).

    A row that does not pass is ``fail`` when a criterion failed on an observed value and
    ``missing`` when it fails only for want of data.

    >>> overall_status(np.array([True, False, False]), np.array([False, True, False]), np.array([False, False, True])).tolist()
    ['pass', 'fail', 'missing']
    """
    passes = np.asarray(passes, dtype=bool)
    out = np.where(passes, PASS, np.where(np.asarray(failed, dtype=bool), FAIL,
                                          np.where(np.asarray(missing, dtype=bool), MISSING, FAIL))).astype(object)
    if tested is not None:
        out[~np.asarray(tested, dtype=bool)] = NOT_TESTED
    return out


def _deprecated(old: str, new: str, extra: str = "") -> None:
    """Warn that a check's old name is deprecated (FutureWarning: shown to end users)."""
    warnings.warn(f"zoning.{old} is deprecated; use zoning.{new}{extra} (the old name will be removed in 0.3)",
                  FutureWarning, stacklevel=3)


def text_table(rows: Sequence[Sequence[Any]], head: Sequence[str], right: set[int] | None = None, *, indent: str = "  ") -> list[str]:
    """:func:`zoning._text.text_table`, indented as the checks print their tables."""
    return _text_table(rows, head, right, indent=indent)


@dataclass(repr=False, kw_only=True)
class CheckResult:
    """Base of every policy check's result (see the module docstring for the contract).

    Subclasses hold their tables as fields, list them in :meth:`layers` and write a
    :meth:`summary`; everything else (``to_file``, ``passed``, ``__repr__``,
    ``_repr_html_``, ``table``) is shared.
    """

    rules: RulePack
    problems: list[Problem] = field(default_factory=list)

    #: what the check is called in messages and reprs
    title: ClassVar[str] = "Policy check"
    #: a listing or comparison (benchmarks, leases, firm classes, low-efficiency land): flagged
    #: rows are the output, not a failure — ``passed`` is True and the CLI exits 0
    listing: ClassVar[bool] = False

    # -- the contract -------------------------------------------------------------------
    def layers(self) -> dict[str, pd.DataFrame]:
        """The named tables / layers, in display order; the first is the main table."""
        raise NotImplementedError  # pragma: no cover

    def summary(self) -> str:
        """A readable account of the result (what the CLI prints)."""
        raise NotImplementedError  # pragma: no cover

    @property
    def table(self) -> pd.DataFrame:
        """The main table (the first of :meth:`layers`)."""
        return next(iter(self.layers().values()))

    @property
    def passed(self) -> bool:
        """True when no tested row of the main table fails (rows not tested do not count); always
        True for a listing."""
        if self.listing:
            return True
        t = self.table
        if "passes" not in t.columns:
            return True
        return bool(pd.Series(t["passes"]).astype("boolean").fillna(True).all())

    def to_file(self, path: str | os.PathLike[str], *, overwrite: bool = True) -> Path:
        """Write every layer of :meth:`layers` to one GeoPackage / Parquet / CSV-folder file.

        Tables indexed by a name (districts, parks, targets …) are written with the index as
        a column. Written atomically by :func:`zoning.io.write.write_layers`.
        """
        import geopandas as gpd

        from zoning.io.write import write_layers

        out = {name: df.reset_index() if not isinstance(df, gpd.GeoDataFrame) and df.index.name is not None else df
               for name, df in self.layers().items()}
        p = Path(path)
        if p.suffix.lower() == ".csv":
            return _write_csv(out, p, overwrite=overwrite)
        return write_layers(out, p, overwrite=overwrite)

    def _counts(self) -> str:
        t = self.table
        if "status" not in t.columns:
            return f"{len(t)} rows"
        s = pd.Series(t["status"]).astype("string").fillna("")
        parts = [f"{int((s == w).sum())} {w}" for w in (PASS, FAIL, MISSING) if (s == w).any()]
        return f"{int((s != NOT_TESTED).sum())} tested: " + ", ".join(parts) if parts else f"{len(t)} rows, none tested"

    def __repr__(self) -> str:
        layers = ", ".join(f"{k} ({len(v)})" for k, v in self.layers().items())
        return f"{type(self).__name__}({self.rules.pack.name}: {self._counts()}; layers {layers})"

    def _repr_html_(self) -> str:
        head = html.escape(self.summary().splitlines()[0])
        parts = [f"<p><b>{html.escape(type(self).__name__)}</b> — {head}</p>"]
        for name, df in self.layers().items():
            shown = pd.DataFrame(df.drop(columns=[c for c in ("geometry",) if c in df.columns]))
            parts.append(f"<details{' open' if not parts[1:] else ''}><summary>{html.escape(name)} ({len(df)} rows)</summary>"
                         + shown.head(50).to_html(max_cols=20) + "</details>")
        notes = [p for p in self.problems if p.severity != "info"]
        if notes:
            parts.append("<ul>" + "".join(f"<li>{html.escape(p.severity)}: {html.escape(p.message)}</li>" for p in notes) + "</ul>")
        return "".join(parts)

    def _notes(self) -> list[str]:
        return [f"{p.severity}: {p.message}" for p in self.problems if p.severity != "info"]


def _write_csv(layers: dict[str, pd.DataFrame], path: Path, *, overwrite: bool) -> Path:
    """The first layer to ``path``, the others to ``<stem>.<layer>.csv`` beside it (UTF-8 with
    BOM so Excel reads the Chinese), each written atomically (:func:`zoning.io.write.atomic_write`)."""
    from zoning.errors import InputError
    from zoning.io.write import atomic_write

    if path.exists() and not overwrite:
        msg = f"{path} exists; choose another name, or pass overwrite=True in Python"
        raise InputError(msg)
    for i, (name, df) in enumerate(layers.items()):
        target = path if i == 0 else path.with_name(f"{path.stem}.{name}.csv")
        table = pd.DataFrame(df.drop(columns=[c for c in ("geometry",) if c in df.columns]))

        def write(tmp: Path, table: pd.DataFrame = table) -> None:
            table.to_csv(tmp, index=False, encoding="utf-8-sig")

        atomic_write(target, write)
    return path


class _FrameCompat:
    """For checks that returned a bare DataFrame before 0.2: attribute access that the result
    does not have (``res["tier"]``, ``res.iterrows()``, ``len(res)``) goes to the main table,
    with a FutureWarning naming the new attribute."""

    _frame_attr: ClassVar[str] = "table"

    def _frame(self) -> pd.DataFrame:
        warnings.warn(f"{type(self).__name__} is a result object now, not a DataFrame; use .{self._frame_attr} for the "
                      "table (DataFrame access on the result will be removed in 0.3)", FutureWarning, stacklevel=3)
        return getattr(self, self._frame_attr)

    def __getattr__(self, name: str) -> Any:
        if name.startswith("_") or name == self._frame_attr:
            raise AttributeError(name)
        return getattr(self._frame(), name)

    def __getitem__(self, key: Any) -> Any:
        return self._frame()[key]

    def __len__(self) -> int:
        return len(getattr(self, self._frame_attr))
