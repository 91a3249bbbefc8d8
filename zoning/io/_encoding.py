"""Read vector files with the right text encoding (GBK / GB18030 / UTF-8 shapefiles).

Private module behind :func:`zoning.io.read_parcels`.

Chinese parcel (宗地) shapefiles are often written in GBK or GB18030 without a ``.cpg``
file. GDAL then decodes their DBF as ISO-8859-1 and returns mojibake such as
``Ò»Àà¹¤ÒµÓÃµØ`` for ``一类工业用地``, without an error or a warning. :func:`read_vector`
follows this recipe:

1. ``encoding=`` given by the user: normalise it with :func:`normalise_encoding` and use it.
2. Not a shapefile: read the file as it is. GeoParquet goes through
   :func:`geopandas.read_parquet`. GeoPackage, GeoJSON and GeoParquet are UTF-8 by
   specification.
3. Shapefile whose ``.cpg`` or DBF code-page byte (LDID) tells GDAL the encoding, i.e.
   ``pyogrio.read_info(path)["encoding"]`` is not ``ISO-8859-1``: trust it. If reading then
   raises :class:`UnicodeDecodeError`, the declaration is wrong (a lying ``.cpg``), so go on
   to step 4.
4. Otherwise read **once** with ``encoding="ISO-8859-1"``. Latin-1 maps every byte to one
   character, so ``s.encode("latin-1")`` gives back the raw bytes. Decode the non-ASCII column
   names and string values of the first 5,000 rows strictly as UTF-8, then as GB18030,
   allowing one multibyte character cut off at the end. Pick the first encoding under which
   at least 95 % of them decode, transcode every row, rename the columns and warn with
   :class:`~zoning.errors.TextEncodingWarning`.

Two additions to the recipe come from cases tested with GDAL 3.12:

* A declaration that **cannot hold Chinese text** (``.cpg`` = ``ISO-8859-1`` / ``1252``, or
  LDID ``0x57`` "ANSI" / ``0x03`` with no ``.cpg``) is not trusted blindly. GDAL reports
  ``UTF-8`` for such files (it recodes from the declared code page) and returns mojibake
  without error, and LDID ``0x57`` means "the system ANSI code page", which is GBK on Chinese
  Windows. These files go through step 4. If neither UTF-8 nor GB18030 fits, the declared
  code page is used and no warning is given.
* A GBK declaration (``.cpg`` = ``GBK`` / ``936``, LDID ``0x4D`` / ``0x7A``) or
  ``encoding="GBK"`` is read as **GB18030**. GB18030 is a strict superset of GBK: it decodes
  the same bytes to the same characters and also decodes the 4-byte characters that GBK
  lacks. With ``GBK``, GDAL turns a rare character such as ``㐀`` (U+3400) into ``99`` and
  gives only a one-off GDAL warning.
"""

from __future__ import annotations

import codecs
import math
import os
import warnings
import zipfile
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import geopandas
import pandas as pd
import pyogrio
from pandas.api.types import is_object_dtype, is_string_dtype
from pyogrio.errors import DataLayerError, DataSourceError

from zoning.errors import InputError, TextEncodingWarning

__all__ = [
    "ACCEPTED_ENCODINGS",
    "DETECTION_SAMPLE_ROWS",
    "DETECTION_THRESHOLD",
    "EncodingInfo",
    "looks_like_mojibake",
    "normalise_encoding",
    "read_vector",
    "repair_mojibake",
]

#: Canonical encoding names that :func:`normalise_encoding` returns for the usual spellings.
ACCEPTED_ENCODINGS: tuple[str, ...] = ("GBK", "GB18030", "UTF-8", "ISO-8859-1", "BIG5", "CP1252")

#: At most this many rows are sampled to detect the encoding (every row is transcoded).
DETECTION_SAMPLE_ROWS = 5_000

#: Share of non-ASCII strings that must decode cleanly for an encoding to be chosen.
DETECTION_THRESHOLD = 0.95

HowEncoding = Literal["user", "declared", "detected", "not-applicable"]

# Python codec name (``codecs.lookup(x).name``) -> name that GDAL / iconv accept.
_GDAL_NAME_OF_CODEC = {
    "gbk": "GBK",
    "gb18030": "GB18030",
    "gb2312": "GB18030",  # GB18030 is a superset of GB2312; GDAL reads it the same way
    "utf-8": "UTF-8",
    "utf-8-sig": "UTF-8",
    "iso8859-1": "ISO-8859-1",
    "big5": "BIG5",
    "cp1252": "CP1252",
}
# Spellings that Python's codecs module does not know but that users and .cpg files use.
_EXTRA_SPELLINGS = {
    "88591": "ISO-8859-1",
    "8859-1": "ISO-8859-1",
    "8859_1": "ISO-8859-1",
    "54936": "GB18030",
    "cp54936": "GB18030",
    "65001": "UTF-8",
    "28591": "ISO-8859-1",
}
# Encodings tried, in this order, when a shapefile declares nothing usable. UTF-8 first:
# GBK/GB18030 decoding accepts most UTF-8 bytes and returns wrong Hanzi, while random
# GBK bytes are almost never valid UTF-8.
_DETECTION_ORDER = ("UTF-8", "GB18030")
_PY_CODEC = {"UTF-8": "utf-8", "GB18030": "gb18030", "ISO-8859-1": "latin-1"}
# DBF language driver ids (header byte 29) -> code page, as GDAL interprets them.
_LDID_CODE_PAGES = {
    0x01: "CP437",
    0x02: "CP850",
    0x03: "CP1252",
    0x57: "ISO-8859-1",
    0x58: "CP1252",
    0x59: "CP1252",
    0x4D: "GBK",
    0x4E: "CP949",
    0x4F: "CP950",
    0x50: "CP874",
    0x64: "CP852",
    0x65: "CP866",
    0x78: "CP950",
    0x79: "CP949",
    0x7A: "GBK",
    0x7B: "CP932",
    0x7C: "CP874",
    0xC8: "CP1250",
    0xC9: "CP1251",
    0xCA: "CP1254",
    0xCB: "CP1253",
    0xCC: "CP1257",
}
# Drivers whose text is UTF-8 by specification: ``encoding=`` does not apply to them.
_UTF8_DRIVERS = frozenset({"GPKG", "GeoJSON", "GeoJSONSeq", "FlatGeobuf", "Parquet", "TopoJSON"})
_PARQUET_SUFFIXES = (".parquet", ".geoparquet")
_ZIPPED_DATASETS = (".shp", ".gpkg", ".geojson", ".json", ".fgb")
_FORMAT_HINT = "Is it a GeoPackage, shapefile, GeoJSON or GeoParquet file?"
_GDAL_NOISE = "; It might help to specify the correct driver"


@dataclass(frozen=True)
class EncodingInfo:
    """How the text encoding of a file was chosen by :func:`read_vector`.

    Attributes
    ----------
    encoding : str or None
        Encoding the text was decoded with, as GDAL spells it (``"GB18030"``, ``"UTF-8"``,
        ``"ISO-8859-1"``, ...). ``"ASCII"`` when a shapefile declares nothing and holds only
        ASCII text, so that the encoding does not matter.
    how : {"user", "declared", "detected", "not-applicable"}
        ``"user"``: given as ``encoding=``. ``"declared"``: taken from the ``.cpg`` file or
        the DBF code-page byte (LDID). ``"detected"``: guessed from the bytes (a
        :class:`~zoning.errors.TextEncodingWarning` was emitted). ``"not-applicable"``: the
        format is UTF-8 by specification (GeoPackage, GeoJSON, GeoParquet) or is not a
        shapefile.
    share_decoded : float or None
        For detection, share (0–1) of the sampled non-ASCII names and values that decode
        cleanly with ``encoding``. None when nothing was detected.
    message : str or None
        Plain-language explanation, e.g. for a report. When a warning was emitted this is its
        text. None when there is nothing to say.

    Examples
    --------
    >>> EncodingInfo("UTF-8", "not-applicable")
    EncodingInfo(encoding='UTF-8', how='not-applicable', share_decoded=None, message=None)
    """

    encoding: str | None
    how: HowEncoding
    share_decoded: float | None = None
    message: str | None = None


@dataclass(frozen=True)
class _Declaration:
    """What a shapefile's ``.cpg`` or LDID byte says about its encoding."""

    source: Literal[".cpg", "LDID"]
    raw: str  # the .cpg text, or the LDID as "0x57"
    encoding: str | None  # normalised name, None if unknown

    def describe(self) -> str:
        if self.source == ".cpg":
            if self.encoding is None:
                return f"the .cpg says {self.raw!r}, which is not a known encoding"
            return f"the .cpg says {self.encoding}"
        if self.encoding is None:
            return f"no .cpg; the DBF code-page byte (LDID {self.raw}) is not a known code page"
        return f"no .cpg; the DBF code-page byte (LDID {self.raw}) says {self.encoding}"

    @property
    def can_hold_chinese(self) -> bool:
        return self.encoding is not None and _can_hold_chinese(self.encoding)


# --------------------------------------------------------------------------------------
# Encoding names
# --------------------------------------------------------------------------------------


def normalise_encoding(name: str) -> str:
    """Turn a user spelling of a text encoding into a name that GDAL/iconv accept.

    GDAL hands encoding names to iconv, not to Python: ``"latin-1"`` or ``"iso-8859-1"``
    make GDAL fail where ``"ISO-8859-1"`` works. So every name is normalised first.

    ================================================  ================
    spelling (any case)                               result
    ================================================  ================
    gbk, cp936, 936, ms936                            ``"GBK"``
    gb18030, 54936                                    ``"GB18030"``
    gb2312                                            ``"GB18030"`` (a superset of GB2312)
    utf8, utf-8, UTF8, utf-8-sig, 65001               ``"UTF-8"``
    latin1, latin-1, iso-8859-1, iso8859_1, 88591     ``"ISO-8859-1"``
    big5                                              ``"BIG5"``
    cp1252, windows-1252                              ``"CP1252"``
    ================================================  ================

    Any other name that Python's :mod:`codecs` module knows as a text encoding is passed on
    as Python's canonical name, upper-cased with ``-`` for ``_`` (``"cp949"`` → ``"CP949"``,
    ``"euc_kr"`` → ``"EUC-KR"``). It is then up to GDAL's iconv: if iconv does not know it,
    reading fails with :class:`~zoning.errors.InputError`.

    Parameters
    ----------
    name : str
        Encoding name as a user or a ``.cpg`` file spells it.

    Returns
    -------
    str
        The normalised name.

    Raises
    ------
    InputError
        If ``name`` is not a text encoding known to Python (the message lists the usual
        names).

    Examples
    --------
    >>> normalise_encoding("cp936")
    'GBK'
    >>> normalise_encoding("gb2312")
    'GB18030'
    >>> normalise_encoding("latin-1")
    'ISO-8859-1'
    >>> normalise_encoding("euc_kr")
    'EUC-KR'
    >>> normalise_encoding("gbk2312")
    Traceback (most recent call last):
    ...
    zoning.errors.InputError: unknown text encoding 'gbk2312'. Use one of GBK, GB18030, ...
    """
    if not isinstance(name, str) or not name.strip():
        raise InputError(
            f"unknown text encoding {name!r}. Use one of {', '.join(ACCEPTED_ENCODINGS)}."
        )
    key = name.strip()
    extra = _EXTRA_SPELLINGS.get(key.lower())
    if extra is not None:
        return extra
    try:
        canonical = codecs.lookup(key).name
        "".encode(key)  # rejects codecs that are not text encodings (base64, rot13, ...)
    except LookupError:
        raise InputError(
            f"unknown text encoding {name!r}. Use one of {', '.join(ACCEPTED_ENCODINGS)} "
            "(Chinese shapefiles are usually GBK/GB18030 or UTF-8), or another name that "
            "Python's codecs module knows."
        ) from None
    return _GDAL_NAME_OF_CODEC.get(canonical, canonical.upper().replace("_", "-"))


def _reading_encoding(encoding: str) -> str:
    """Encoding actually handed to GDAL: GBK is widened to its superset GB18030."""
    return "GB18030" if encoding == "GBK" else encoding


def _can_hold_chinese(encoding: str) -> bool:
    try:
        return bool("中国工业用地".encode(_python_codec(encoding), errors="ignore"))
    except LookupError:
        return True  # unknown to Python: do not second-guess GDAL


def _python_codec(encoding: str) -> str:
    return _PY_CODEC.get(encoding) or codecs.lookup(encoding).name


def _parse_cpg(text: str) -> str | None:
    """Normalised encoding of a ``.cpg`` text (``"GBK"``, ``"936"``, ``"UTF-8"``, ...)."""
    value = text.strip().split("\n", 1)[0].strip()
    if value.upper().startswith("ANSI "):
        value = value[5:].strip()
    if value.isdigit() and not value.startswith("8859") and value not in _EXTRA_SPELLINGS:
        value = "cp" + value
    elif value.startswith("8859") and value[4:].isdigit() and value not in _EXTRA_SPELLINGS:
        value = "iso8859-" + value[4:]
    try:
        return normalise_encoding(value)
    except InputError:
        return None


# --------------------------------------------------------------------------------------
# Tolerant decoding
# --------------------------------------------------------------------------------------


def _is_gb18030_prefix(tail: bytes) -> bool:
    """True if ``tail`` (1-3 bytes) can start a GB18030 multibyte character."""
    if not 0x81 <= tail[0] <= 0xFE:
        return False
    if len(tail) >= 2 and not 0x30 <= tail[1] <= 0x39:
        return False
    return len(tail) < 3 or 0x81 <= tail[2] <= 0xFE


def _decode_tolerant(raw: bytes, codec: str) -> tuple[str, int] | None:
    """Decode ``raw`` strictly, allowing one multibyte character cut off at the end.

    Same result as trying ``raw``, ``raw[:-1]``, ``raw[:-2]`` and ``raw[:-3]`` in turn, but
    the dropped bytes must be a valid start of a character, and something must remain.

    Returns
    -------
    tuple of (str, int) or None
        The text and the number of dropped bytes, or None if ``raw`` does not decode.
    """
    decoder = codecs.getincrementaldecoder(codec)(errors="strict")
    try:
        text = decoder.decode(raw, final=False)
    except UnicodeDecodeError:
        return None
    tail = decoder.getstate()[0]
    if not tail:
        return text, 0
    if not text or len(tail) > 3:
        return None
    if codecs.lookup(codec).name == "gb18030" and not _is_gb18030_prefix(tail):
        return None
    return text, len(tail)


# --------------------------------------------------------------------------------------
# Mojibake in data that arrives already decoded
# --------------------------------------------------------------------------------------


def _is_cjk(ch: str) -> bool:
    cp = ord(ch)
    return (
        0x3400 <= cp <= 0x4DBF
        or 0x4E00 <= cp <= 0x9FFF
        or 0xF900 <= cp <= 0xFAFF
        or 0x20000 <= cp <= 0x3134F
        or 0x3000 <= cp <= 0x303F
        or 0xFF00 <= cp <= 0xFFEF
    )


def looks_like_mojibake(s: str) -> bool:
    """Tell whether a string looks like Chinese text that was decoded as Latin-1.

    GBK or UTF-8 bytes decoded as ISO-8859-1 become runs of characters from U+0080–U+00FF
    (``一类工业用地`` → ``Ò»Àà¹¤ÒµÓÃµØ``). A string is flagged when it contains no CJK
    character, at least two characters from U+0080–U+00FF, and those make up at least half of
    its characters other than ASCII digits, punctuation and spaces. So ``"Café"`` and
    ``"Müller Straße"`` are not flagged.

    Parameters
    ----------
    s : str
        The text to check. Anything that is not a ``str`` gives False.

    Returns
    -------
    bool

    Examples
    --------
    >>> looks_like_mojibake("Ò»Àà¹¤ÒµÓÃµØ")
    True
    >>> looks_like_mojibake("一类工业用地")
    False
    >>> looks_like_mojibake("Café")
    False
    """
    if not isinstance(s, str) or s.isascii():
        return False
    high = 0
    letters = 0
    for ch in s:
        if _is_cjk(ch):
            return False
        if "\x80" <= ch <= "\xff":
            high += 1
            letters += 1
        elif not (ch.isascii() and not ch.isalpha()):
            letters += 1
    return high >= 2 and high >= 0.5 * letters


def _repair_one(s: str) -> str | None:
    """Undo Latin-1 (or CP1252) mojibake of UTF-8 / GB18030 text; None if not repairable."""
    for single_byte in ("latin-1", "cp1252"):
        try:
            raw = s.encode(single_byte)
        except UnicodeEncodeError:
            continue
        for codec in ("utf-8", "gb18030"):
            decoded = _decode_tolerant(raw, codec)
            if decoded is None:
                continue
            text = decoded[0]
            if text == s or looks_like_mojibake(text):
                continue
            if codec == "gb18030" and not any(_is_cjk(ch) for ch in text):
                continue
            return text
    return None


def repair_mojibake(values: pd.Series) -> tuple[pd.Series, int]:
    """Repair strings that were decoded as Latin-1 although they are UTF-8 or GB18030.

    For data that arrives already decoded (a GeoDataFrame passed in by the user). Each value
    for which :func:`looks_like_mojibake` is True is encoded back to its bytes
    (``latin-1``, or ``cp1252`` if that is the only way back) and decoded strictly as UTF-8,
    then as GB18030. A GB18030 result is accepted only if it contains CJK characters. Values
    that do not look like mojibake, that cannot be repaired, or that are not strings are left
    as they are.

    Parameters
    ----------
    values : pandas.Series
        Values to repair.

    Returns
    -------
    repaired : pandas.Series
        Same index, name and dtype as ``values``.
    n_repaired : int
        Number of elements (rows) that were changed.

    Examples
    --------
    >>> s = pd.Series(["Ò»Àà¹¤ÒµÓÃµØ", "ä¸\\x80ç±»å·¥ä¸\\x9a", "A001", "Ò»Àà¹¤ÒµÓÃµØ"])
    >>> fixed, n = repair_mojibake(s)
    >>> fixed.tolist(), n
    (['一类工业用地', '一类工业', 'A001', '一类工业用地'], 3)
    """
    mapping: dict[str, str] = {}
    for value in pd.unique(values.dropna()):
        if isinstance(value, str) and looks_like_mojibake(value):
            repaired = _repair_one(value)
            if repaired is not None:
                mapping[value] = repaired
    if not mapping:
        return values.copy(), 0
    return _map_strings(values, mapping)


def _map_strings(values: pd.Series, mapping: dict[str, str]) -> tuple[pd.Series, int]:
    """Replace the values that are keys of ``mapping`` (vectorised); count changed rows."""
    hit = values.isin(list(mapping))
    n_hit = int(hit.sum())
    if n_hit == 0:
        return values.copy(), 0
    out = values.mask(hit, values.map(mapping))
    if out.dtype != values.dtype:
        out = out.astype(values.dtype)
    return out, n_hit


# --------------------------------------------------------------------------------------
# Reading
# --------------------------------------------------------------------------------------


def read_vector(
    path: str | os.PathLike[str],
    *,
    layer: str | int | None = None,
    encoding: str | None = None,
    **kwargs: Any,
) -> tuple[geopandas.GeoDataFrame, EncodingInfo]:
    """Read a vector file, getting the text encoding of shapefiles right.

    See the module docstring for the recipe. A :class:`~zoning.errors.TextEncodingWarning`
    is emitted when the encoding of a shapefile had to be detected (or could not be), or
    when column names or values had to be repaired (cut mid-character, undecodable bytes).
    No warning is emitted when the encoding was given, declared, or does not apply.

    Parameters
    ----------
    path : str or os.PathLike
        GeoPackage, shapefile (``.shp``, ``.dbf``, or a ``.zip`` holding one), GeoJSON,
        GeoParquet (``.parquet`` / ``.geoparquet``) or any other format GDAL reads.
    layer : str or int, optional
        Layer name or index. Without it, a file with one layer (or one layer with geometry,
        e.g. next to a QGIS ``layer_styles`` table) is read, and a file with several is an
        error.
    encoding : str, optional
        Text encoding of a shapefile's DBF, e.g. ``"GBK"``. Normalised with
        :func:`normalise_encoding`; ``"GBK"`` is read as its superset ``"GB18030"``. Ignored
        for formats that are UTF-8 by specification.
    **kwargs
        Passed to :func:`geopandas.read_file` (``columns=``, ``bbox=``, ``where=``, ...) or,
        for GeoParquet, to :func:`geopandas.read_parquet`.

    Returns
    -------
    gdf : geopandas.GeoDataFrame
        The data, possibly with no rows (an empty layer is returned as it is).
    info : EncodingInfo
        How the encoding was chosen.

    Raises
    ------
    InputError
        The file or one of its shapefile parts (``.dbf``, ``.shx``) is missing, it cannot be
        read, ``layer`` is needed or does not exist, the file has no geometry, or the text does
        not decode with the given ``encoding``.
    """
    src = os.fspath(path)
    label = Path(src).name or src
    user_encoding = normalise_encoding(encoding) if encoding is not None else None
    local = _local_path(src)
    if local is not None:
        _check_exists(local, src)

    if src.lower().endswith(_PARQUET_SUFFIXES):
        return _read_parquet(src, layer, user_encoding, kwargs)

    if local is not None and local.is_file() and local.suffix.lower() == ".zip":
        src, layer = _zip_source(local, src, layer)

    layer_name = _resolve_layer(src, layer)
    driver, gdal_encoding, info_failed = _layer_info(src, layer_name)
    if driver == "ESRI Shapefile" and local is not None and local.is_dir():
        label = f"{label}/{layer_name}.shp"  # a folder of shapefiles: name the one read
    if driver == "ESRI Shapefile" and kwargs.get("engine", "pyogrio") == "pyogrio":
        # pyogrio's Arrow path cannot decode non-UTF-8 text (it fails inside pyarrow instead
        # of raising UnicodeDecodeError), so shapefiles are read without it unless asked.
        kwargs = {"use_arrow": False, **kwargs}

    if user_encoding is not None:
        if driver in _UTF8_DRIVERS:
            gdf = _read(src, layer_name, None, kwargs)
            message = (
                f"{label}: encoding={encoding!r} ignored; this format is UTF-8 by specification."
            )
            return gdf, EncodingInfo("UTF-8", "not-applicable", None, message)
        return _read_user_encoding(src, label, layer_name, user_encoding, kwargs)

    if driver != "ESRI Shapefile":
        gdf = _read(src, layer_name, None, kwargs)
        return gdf, EncodingInfo(gdal_encoding or "UTF-8", "not-applicable")

    declared = _declaration(local, layer_name)
    declaration_failed = info_failed
    trusted = gdal_encoding != "ISO-8859-1" and not info_failed
    if declared is not None and declared.encoding is not None and not declared.can_hold_chinese:
        trusted = False  # e.g. LDID 0x57 "ANSI": GDAL recodes from Latin-1 -> silent mojibake
    if trusted and declared is not None and declared.encoding in ("GBK", "GB18030"):
        # GB18030 decodes UTF-8 bytes too (into wrong Hanzi, without an error), so a GBK
        # declaration is checked against the bytes: a .cpg that says GBK over UTF-8 text is
        # detected and reported, and the text comes out right.
        return _read_and_detect(src, label, layer_name, declared, declaration_failed, kwargs)
    if trusted:
        read_as = None
        try:
            gdf = _read(src, layer_name, read_as, kwargs)
        except UnicodeDecodeError:
            declaration_failed = True
        else:
            name = read_as or (declared.encoding if declared is not None else None)
            return gdf, EncodingInfo(name or gdal_encoding, "declared")
    return _read_and_detect(src, label, layer_name, declared, declaration_failed, kwargs)


def _local_path(src: str) -> Path | None:
    """The local file system path of ``src``, or None for URLs and GDAL virtual paths."""
    if src.startswith("/vsi") or "://" in src:
        return None
    return Path(src)


def _find_sibling(base: Path, ext: str) -> Path | None:
    """``base`` with extension ``ext`` (lower- or upper-case), if it exists."""
    for candidate in (base.with_suffix(ext), base.with_suffix(ext.upper())):
        if candidate.exists():
            return candidate
    return None


def _check_exists(local: Path, src: str) -> None:
    suffix = local.suffix.lower()
    if not local.exists():
        message = f"file not found: {src}"
        if suffix in (".shp", ".dbf"):
            present = [
                p.name for ext in (".shp", ".shx", ".dbf") if (p := _find_sibling(local, ext))
            ]
            if present:
                message += (
                    f" (found {', '.join(present)}: a shapefile needs its .shp, .shx and .dbf "
                    "files side by side, with the same name)"
                )
        raise InputError(message)
    if suffix not in (".shp", ".dbf") or not local.is_file():
        return
    needed = {".shp": "geometry", ".shx": "index", ".dbf": "attribute table"}
    missing = [ext for ext in needed if ext != suffix and _find_sibling(local, ext) is None]
    if missing:
        parts = " and ".join(f"{local.stem}{ext} ({needed[ext]})" for ext in missing)
        verb = "is" if len(missing) == 1 else "are"
        message = (
            f"cannot read {src}: the shapefile's {parts} {verb} missing. A shapefile is several "
            "files with the same name (.shp, .shx, .dbf, usually .prj and .cpg) that must sit "
            "together in one folder; copy the missing file(s) next to it"
        )
        if missing == [".shx"]:
            message += (
                " (GDAL can rebuild a lost .shx with the config option SHAPE_RESTORE_SHX=YES)"
            )
        raise InputError(message + ".")


def _zip_source(local: Path, src: str, layer: str | int | None) -> tuple[str, str | int | None]:
    """Where GDAL should read a zip archive, and which layer.

    GDAL only looks at the top folder of a zip. A zip made by compressing a folder holds
    ``folder/parcels.shp``: then the one dataset in it (or the shapefile named by ``layer``)
    is read through ``/vsizip/``.
    """
    try:
        with zipfile.ZipFile(local) as archive:
            members = [m.filename for m in archive.infolist() if not m.is_dir()]
    except (zipfile.BadZipFile, OSError) as exc:
        raise InputError(
            f"cannot read {src}: not a valid zip archive ({exc}). {_FORMAT_HINT}"
        ) from exc
    datasets = [m for m in members if m.lower().endswith(_ZIPPED_DATASETS)]
    if not datasets or any("/" not in m for m in datasets):
        return src, layer
    if len(datasets) > 1 and isinstance(layer, str):
        named = [m for m in datasets if Path(m).stem.casefold() == layer.casefold()]
        if len(named) == 1:
            return f"/vsizip/{local.resolve().as_posix()}/{named[0]}", None
    if len(datasets) == 1:
        return f"/vsizip/{local.resolve().as_posix()}/{datasets[0]}", layer
    listing = ", ".join(repr(m) for m in datasets)
    raise InputError(
        f"{src} holds {len(datasets)} datasets in sub-folders: {listing}. Pass layer=NAME "
        "(CLI: --layer NAME) with the file name without extension, or unzip it and read "
        "the file you want."
    )


def _gdal_message(exc: BaseException) -> str:
    return str(exc).split(_GDAL_NOISE, 1)[0].rstrip(" .;")


def _cannot_read(src: str, exc: BaseException) -> InputError:
    return InputError(f"cannot read {src}: {_gdal_message(exc)}. {_FORMAT_HINT}")


def _resolve_layer(src: str, layer: str | int | None) -> str:
    """The name of the layer to read; InputError if it is ambiguous or missing."""
    try:
        layers = pyogrio.list_layers(src)
    except UnicodeDecodeError as exc:  # pragma: no cover - layer names come from file names
        raise _cannot_read(src, exc) from exc
    except (DataSourceError, RuntimeError, OSError) as exc:
        raise _cannot_read(src, exc) from exc
    names = [str(row[0]) for row in layers]
    spatial = [str(row[0]) for row in layers if row[1] is not None]
    listing = ", ".join(repr(n) for n in names)
    how_to = "Pass layer=NAME (CLI: --layer NAME) to choose one."
    if not names:
        raise InputError(f"cannot read {src}: it contains no layers. {_FORMAT_HINT}")
    if layer is None:
        if len(names) == 1:
            return names[0]
        if len(spatial) == 1:
            return spatial[0]
        raise InputError(f"{src} has {len(names)} layers: {listing}. {how_to}")
    if isinstance(layer, int) and not isinstance(layer, bool):
        if 0 <= layer < len(names):
            return names[layer]
        raise InputError(
            f"{src} has no layer number {layer} (it has {len(names)}: {listing}). {how_to}"
        )
    if layer in names:
        return str(layer)
    folded = [n for n in names if n.casefold() == str(layer).casefold()]
    if len(folded) == 1:
        return folded[0]
    raise InputError(f"{src} has no layer {layer!r}; its layers are: {listing}. {how_to}")


def _layer_info(src: str, layer: str) -> tuple[str, str | None, bool]:
    """``(driver, GDAL's encoding, whether GDAL failed to decode the declared encoding)``."""
    failed = False
    try:
        info = pyogrio.read_info(src, layer=layer)
    except UnicodeDecodeError:
        failed = True  # a .cpg / LDID that lies about non-ASCII field names
        try:
            info = pyogrio.read_info(src, layer=layer, encoding="ISO-8859-1")
        except (DataSourceError, DataLayerError) as exc:
            raise _cannot_read(src, exc) from exc
    except (DataSourceError, DataLayerError, RuntimeError) as exc:
        raise _cannot_read(src, exc) from exc
    return str(info.get("driver") or ""), info.get("encoding"), failed


def _read(
    src: str, layer: str, encoding: str | None, kwargs: dict[str, Any]
) -> geopandas.GeoDataFrame:
    """``geopandas.read_file`` with errors turned into InputError (UnicodeDecodeError passes)."""
    options = dict(kwargs)
    options.setdefault("engine", "pyogrio")
    if encoding is not None:
        options["encoding"] = encoding
    try:
        gdf = geopandas.read_file(src, layer=layer, **options)
    except UnicodeDecodeError:
        raise
    except (DataSourceError, DataLayerError) as exc:
        if isinstance(exc.__cause__, UnicodeDecodeError):
            # With use_arrow=True (or PYOGRIO_USE_ARROW=1) pyogrio wraps the decoding error.
            raise exc.__cause__ from exc
        raise _cannot_read(src, exc) from exc
    except (RuntimeError, OSError, ValueError) as exc:
        raise _cannot_read(src, exc) from exc
    except Exception as exc:
        if type(exc).__module__.startswith("pyarrow"):  # e.g. ArrowException with use_arrow
            raise _cannot_read(src, exc) from exc
        raise
    wants_geometry = not options.get("ignore_geometry") and options.get("read_geometry", True)
    if wants_geometry and not isinstance(gdf, geopandas.GeoDataFrame):
        raise InputError(
            f"cannot use {src}: layer {layer!r} has no geometry (for a shapefile, is the .shp "
            f"missing?). {_FORMAT_HINT}"
        )
    return gdf


def _read_user_encoding(
    src: str, label: str, layer: str, encoding: str, kwargs: dict[str, Any]
) -> tuple[geopandas.GeoDataFrame, EncodingInfo]:
    read_as = _reading_encoding(encoding)
    try:
        gdf = _read(src, layer, read_as, kwargs)
    except UnicodeDecodeError as exc:
        raise InputError(
            f"{label}: the text does not decode as {encoding} (encoding={encoding!r} was "
            f"given): {exc}. Leave encoding= out to let zoning detect it, or pass the right one "
            "(Chinese files are usually GBK/GB18030 or UTF-8)."
        ) from exc
    message = None
    if read_as != encoding:
        message = f"{label}: encoding={encoding!r} read as {read_as}, its superset."
    return gdf, EncodingInfo(read_as, "user", None, message)


def _read_parquet(
    src: str, layer: str | int | None, user_encoding: str | None, kwargs: dict[str, Any]
) -> tuple[geopandas.GeoDataFrame, EncodingInfo]:
    if layer is not None:
        raise InputError(f"{src} is a GeoParquet file, which has no layers: drop layer={layer!r}.")
    try:
        gdf = geopandas.read_parquet(src, **kwargs)
    except (OSError, ValueError, RuntimeError) as exc:  # ArrowInvalid is a ValueError
        raise _cannot_read(src, exc) from exc
    message = None
    if user_encoding is not None:
        message = f"{Path(src).name}: encoding= ignored; GeoParquet is UTF-8 by specification."
    return gdf, EncodingInfo("UTF-8", "not-applicable", None, message)


def _sidecar_bytes(local: Path | None, layer: str, ext: str, size: int) -> bytes | None:
    """First ``size`` bytes of the shapefile part ``ext`` of ``layer`` (None if absent)."""
    if local is None or not local.exists():
        return None
    try:
        if local.is_file() and local.suffix.lower() == ".zip":
            with zipfile.ZipFile(local) as archive:
                for member in archive.infolist():
                    member_path = Path(member.filename)
                    if (
                        member_path.suffix.lower() == ext
                        and member_path.stem.casefold() == layer.casefold()
                    ):
                        with archive.open(member) as handle:
                            return handle.read(size)
            return None
        base = local / f"{layer}.shp" if local.is_dir() else local
        found = _find_sibling(base, ext)
        if found is None:
            return None
        with open(found, "rb") as handle:
            return handle.read(size)
    except (OSError, zipfile.BadZipFile):
        return None


def _declaration(local: Path | None, layer: str) -> _Declaration | None:
    """The encoding a shapefile declares, with GDAL's precedence (.cpg first, then LDID)."""
    cpg = _sidecar_bytes(local, layer, ".cpg", 256)
    if cpg is not None and cpg.strip():
        text = cpg.decode("latin-1").strip()
        return _Declaration(".cpg", text, _parse_cpg(text))
    header = _sidecar_bytes(local, layer, ".dbf", 32)
    if header is not None and len(header) >= 30 and header[29]:
        ldid = header[29]
        return _Declaration("LDID", f"0x{ldid:02X}", _LDID_CODE_PAGES.get(ldid))
    return None


def _percent(share: float) -> str:
    return f"{math.floor(share * 1000) / 10:g}%"


def _string_columns(gdf: pd.DataFrame) -> list[Any]:
    geometry = gdf.geometry.name if isinstance(gdf, geopandas.GeoDataFrame) else None
    return [
        c
        for c in gdf.columns
        if c != geometry and (is_string_dtype(gdf[c].dtype) or is_object_dtype(gdf[c].dtype))
    ]


def _non_ascii_strings(values: Iterable[Any]) -> list[str]:
    return [v for v in values if isinstance(v, str) and not v.isascii()]


def _detection_sample(gdf: pd.DataFrame, columns: list[Any]) -> list[str]:
    """Distinct non-ASCII names and values of the first rows (all rows if those are ASCII)."""
    names = _non_ascii_strings(gdf.columns)
    seen: dict[str, None] = {}
    for rows in (gdf.iloc[:DETECTION_SAMPLE_ROWS], gdf):
        for c in columns:
            for v in _non_ascii_strings(pd.unique(rows[c].dropna())):
                seen.setdefault(v, None)
        if seen or len(rows) == len(gdf):
            break
    values = list(seen)[:DETECTION_SAMPLE_ROWS]
    return names + values


def _read_and_detect(
    src: str,
    label: str,
    layer: str,
    declared: _Declaration | None,
    declaration_failed: bool,
    kwargs: dict[str, Any],
) -> tuple[geopandas.GeoDataFrame, EncodingInfo]:
    options = dict(kwargs)
    wanted_columns = options.pop("columns", None)
    gdf = _read(src, layer, "ISO-8859-1", options)

    if declared is None:
        reason = "no .cpg"
    elif declaration_failed:
        reason = f"{declared.describe()}, but GDAL cannot decode the text with it"
    elif declared.encoding is not None and not declared.can_hold_chinese:
        reason = f"{declared.describe()}, which cannot hold Chinese text"
    else:
        reason = declared.describe()

    columns = _string_columns(gdf)
    sample = _detection_sample(gdf, columns)
    if not sample:
        if declared is not None and declared.encoding is not None:
            return _subset(gdf, wanted_columns), EncodingInfo(declared.encoding, "declared")
        return _subset(gdf, wanted_columns), EncodingInfo("ASCII", "detected")

    raws = [s.encode("latin-1") for s in sample]
    shares: dict[str, float] = {}
    chosen: str | None = None
    for candidate in _DETECTION_ORDER:
        codec = _PY_CODEC[candidate]
        ok = sum(_decode_tolerant(raw, codec) is not None for raw in raws)
        shares[candidate] = ok / len(raws)
        if shares[candidate] >= DETECTION_THRESHOLD:
            chosen = candidate
            break

    fallback: str | None = None  # a declared code page that cannot hold Chinese
    if declared is not None and declared.encoding is not None and not declaration_failed:
        if not declared.can_hold_chinese:
            fallback = declared.encoding
    if chosen is not None:
        encoding = chosen
        tolerant = True
    elif fallback is not None:
        encoding = fallback
        tolerant = False
    else:
        encoding = "ISO-8859-1"
        tolerant = False

    gdf, notes = _transcode(gdf, columns, _python_codec(encoding), tolerant)
    gdf = _subset(gdf, wanted_columns)

    same_as_declared = (
        declared is not None
        and declared.encoding is not None
        and (
            declared.encoding == encoding or (declared.encoding == "GBK" and encoding == "GB18030")
        )
    )
    message: str | None
    if chosen is not None:
        share = shares[chosen]
        clean = f"{_percent(share)} of non-ASCII strings decode cleanly"
        if declared is not None and declared.encoding in ("GBK", "GB18030") and chosen == "UTF-8":
            reason = (f"{declared.describe()}, but the bytes are valid UTF-8, which GBK text almost never is "
                      f"(the {declared.source} contradicts the data)")
        if same_as_declared:
            how: HowEncoding = "declared"
            message = f"{label}: {reason}; the text is {encoding} as declared ({clean})."
        else:
            how = "detected"
            message = (
                f"{label}: {reason}; detected DBF encoding {encoding} ({clean}). "
                f"Pass encoding='{encoding}' to make this explicit."
            )
    elif fallback is not None:
        share = None
        how = "declared"
        message = (
            f"{label}: {reason}, but the text is neither UTF-8 nor GB18030, so the declared "
            f"{encoding} was used."
        )
    else:
        share = max(shares.values())
        how = "detected"
        tried = ", ".join(f"{name} {_percent(s)}" for name, s in shares.items())
        message = (
            f"{label}: {reason}; could not determine the DBF text encoding (share of non-ASCII "
            f"strings that decode: {tried}; {DETECTION_THRESHOLD:.0%} needed). The text was "
            "kept as ISO-8859-1 and is probably garbled. Pass the encoding explicitly, e.g. "
            "encoding='GB18030' or encoding='UTF-8'."
        )
    confirmed = (how == "declared" and not declaration_failed and declared is not None
                 and declared.encoding in ("GBK", "GB18030"))
    if confirmed:
        message = None  # a GBK .cpg the bytes agree with: nothing to say, as when GDAL reads it
    if notes:
        message = f"{message} {' '.join(notes)}" if message else f"{label}: {' '.join(notes)}"
    if message and (how == "detected" or notes):
        # stacklevel: _read_and_detect <- read_vector <- zoning.io.read_parcels <- user code
        warnings.warn(message, TextEncodingWarning, stacklevel=4)
    return gdf, EncodingInfo(encoding, how, share if how == "detected" else None, message)


def _subset(gdf: geopandas.GeoDataFrame, columns: Any) -> geopandas.GeoDataFrame:
    """Apply a ``columns=`` selection after decoding (pyogrio ignores unknown names too)."""
    if columns is None:
        return gdf
    wanted = [c for c in columns if c in gdf.columns]
    geometry = [gdf.geometry.name] if isinstance(gdf, geopandas.GeoDataFrame) else []
    return gdf[[c for c in wanted if c not in geometry] + geometry]


def _transcode(
    gdf: geopandas.GeoDataFrame, columns: list[Any], codec: str, tolerant: bool
) -> tuple[geopandas.GeoDataFrame, list[str]]:
    """Re-decode names and string values read as Latin-1 with ``codec``; notes on repairs."""
    cut_names: list[str] = []
    bad: list[str] = []
    cut_values = 0

    def decode(text: str) -> tuple[str, int, bool]:
        raw = text.encode("latin-1")
        if tolerant:
            result = _decode_tolerant(raw, codec)
            if result is not None:
                return result[0], result[1], False
        try:
            return raw.decode(codec), 0, False
        except UnicodeDecodeError:
            return raw.decode(codec, errors="replace"), 0, True

    if codec != "latin-1":
        for c in columns:
            mapping: dict[str, str] = {}
            for value in _non_ascii_strings(pd.unique(gdf[c].dropna())):
                text, dropped, replaced = decode(value)
                mapping[value] = text
                cut_values += dropped > 0
                if replaced:
                    bad.append(value)
            if mapping:
                gdf[c] = _map_strings(gdf[c], mapping)[0]

    new_names: list[Any] = []
    renamed: list[str] = []
    used: set[Any] = set()
    for name in gdf.columns:
        new = name
        if isinstance(name, str) and not name.isascii() and codec != "latin-1":
            new, dropped, replaced = decode(name)
            if dropped:
                cut_names.append(new)
            if replaced:
                bad.append(name)
        if new in used:
            base, k = new, 1
            while f"{base}_{k}" in used or f"{base}_{k}" in gdf.columns:
                k += 1
            new = f"{base}_{k}"
            renamed.append(f"{base!r} -> {new!r}")
        used.add(new)
        new_names.append(new)
    if new_names != list(gdf.columns):
        gdf.columns = new_names

    notes = []
    if cut_names:
        listing = ", ".join(repr(n) for n in cut_names)
        notes.append(
            f"{len(cut_names)} column name(s) were cut mid-character by the 10-byte DBF "
            f"field-name limit; the broken last character was dropped: {listing}."
        )
    if renamed:
        notes.append(f"Column names that became equal were renamed: {', '.join(renamed)}.")
    if cut_values:
        notes.append(
            f"{cut_values} distinct value(s) end in a character cut off by the DBF field width; "
            "the broken character was dropped."
        )
    if bad:
        notes.append(
            f"{len(bad)} distinct name(s)/value(s) did not decode; undecodable bytes were "
            "replaced by U+FFFD (\N{REPLACEMENT CHARACTER})."
        )
    return gdf, notes
