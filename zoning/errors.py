"""Exceptions and warnings raised by zoning.

Every error says what is wrong, which rows / columns / keys are affected and how to fix it.
``ValidationError`` and ``RulePackError`` also subclass ``ValueError`` so that generic
``except ValueError`` code keeps working.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # pragma: no cover
    from zoning.validate import ValidationReport

__all__ = [
    "CRSWarning",
    "DataRepairWarning",
    "FontWarning",
    "InputError",
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
