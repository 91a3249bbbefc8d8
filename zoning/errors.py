"""Exceptions and warnings raised by zoning.

Every error says what is wrong, which rows / columns / keys are affected and how to fix it.
``ValidationError`` and ``RulePackError`` also subclass ``ValueError`` so that generic
``except ValueError`` code keeps working.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal

if TYPE_CHECKING:  # pragma: no cover
    from zoning.stages.validate import ValidationReport

__all__ = [
    "CRSWarning",
    "DataRepairWarning",
    "FontWarning",
    "InputError",
    "Problem",
    "RulePackError",
    "TextEncodingWarning",
    "ValidationError",
    "ZoningError",
    "ZoningWarning",
]


class ZoningError(Exception):
    """Base class of every error raised by zoning."""


class InputError(ZoningError, ValueError):
    """An input file or object cannot be read or used at all (missing, corrupt, empty, no CRS)."""


class ValidationError(ZoningError, ValueError):
    """Parcel data has problems that make results untrustworthy.

    The full list of problems (errors and warnings, with parcel ids, columns and fixes) is in
    ``err.report``; ``str(err)`` lists them all.
    """

    def __init__(self, message: str, report: ValidationReport | None = None) -> None:
        super().__init__(message)
        self.report = report


class RulePackError(ZoningError, ValueError):
    """A rule pack file or override is malformed; the message names the file and the key."""

    def __init__(self, message: str, *, source: Any = None, key: str | None = None) -> None:
        prefix = ""
        if source is not None:
            prefix = f"rule pack {source}"
            if key:
                prefix += f", key '{key}'"
            prefix += ": "
        elif key:
            prefix = f"key '{key}': "
        super().__init__(prefix + message)
        self.source = source
        self.key = key


class ZoningWarning(UserWarning):
    """Base class of zoning warnings (filter them all with ``warnings.simplefilter``)."""


class CRSWarning(ZoningWarning):
    """Data was re-projected or its CRS looks suspicious."""


class TextEncodingWarning(ZoningWarning):
    """A text encoding was guessed (e.g. a shapefile without ``.cpg``)."""


class DataRepairWarning(ZoningWarning):
    """Input was repaired (geometry made valid, Z dropped, percent converted, ...)."""


class FontWarning(ZoningWarning):
    """No font with Chinese glyphs was found; labels would render as boxes."""


Severity = Literal["error", "warning", "info"]
_SHOW = 10  # ids shown in a message; the full list is in Problem.ids


@dataclass(frozen=True)
class Problem:
    """One finding: what, where (column, parcel ids) and the fix."""

    severity: Severity
    code: str
    message: str
    column: str | None = None
    ids: list[str] = field(default_factory=list)
    fix: str = ""

    def __str__(self) -> str:
        where = f" [{self.column}]" if self.column else ""
        ids = ""
        if self.ids:
            shown = ", ".join(self.ids[:_SHOW])
            more = f" … and {len(self.ids) - _SHOW} more" if len(self.ids) > _SHOW else ""
            ids = f"\n      parcels: {shown}{more}"
        fix = f"\n      fix: {self.fix}" if self.fix else ""
        return f"{self.severity.upper():7} {self.code}{where}: {self.message}{ids}{fix}"
