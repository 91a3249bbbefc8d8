"""Writing layers, atomically: GeoPackage (several layers) or GeoParquet (first layer, side tables).

A write never destroys the previous result. Every file is written to a temporary file in the
target folder (``.<name>.<random>.tmp<suffix>``) and renamed into place with
:func:`os.replace` only when it is complete; on any failure or interrupt (an exception, a full
disk, Ctrl-C, SIGTERM) the temporary files are removed, the file at the requested path is
byte-identical to what it was before, and there is never a partial file under that name.

Column names are made writable *before* anything touches the disk, and every change is said
with a :class:`~zoning.errors.DataRepairWarning`:

- GeoPackage column names are case-insensitive (SQLite): when two names differ only in case
  (an input ``ZONE`` next to zoning's ``zone``), the all-lower-case one keeps its name (zoning's
  own columns are lower-case) — or else the first — and the others get the suffix ``_2``,
  ``_3``, … .
- ``fid`` and ``geom`` (any case) are the GeoPackage's own id and geometry columns; an attribute
  of that name would be dropped or refused, so it gets a suffix too.
- GeoParquet: exact duplicates get a suffix the same way.
- A GeoPackage table holds at most 2,000 columns (SQLite's limit); a wider layer (a pack with
  thousands of criteria) is refused with an :class:`~zoning.errors.InputError` suggesting
  GeoParquet, which has no such limit. GeoPackage names have no length limit.
"""

from __future__ import annotations

import contextlib
import functools
import os
import secrets
import shutil
import signal
import threading
import warnings
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import geopandas as gpd
import pandas as pd

from zoning.errors import DataRepairWarning, InputError, ZoningError

__all__ = ["GPKG_MAX_COLUMNS", "atomic_write", "safe_column_names", "write_layers"]

#: SQLite's default column limit per table (the fid and geometry columns count).
GPKG_MAX_COLUMNS = 2000
_GPKG_RESERVED = ("fid", "geom")


def safe_column_names(columns: list[str], *, fmt: str = "gpkg", reserved: tuple[str, ...] = _GPKG_RESERVED) -> dict[str, str]:
    """``{old: new}`` renames that make column names unique in a format's sense.

    ``fmt="gpkg"``: case-insensitive uniqueness and the reserved ``fid`` / ``geom``; ``"parquet"``:
    exact uniqueness. The all-lower-case name of a clashing group keeps it (else the first);
    the others get ``_2``, ``_3``, … .

    >>> safe_column_names(["ZONE", "far", "zone", "FID"])
    {'ZONE': 'ZONE_2', 'FID': 'FID_2'}
    """
    fold: Callable[[str], str] = (lambda s: s.casefold()) if fmt == "gpkg" else (lambda s: s)
    groups: dict[str, list[int]] = {}
    for i, c in enumerate(columns):
        groups.setdefault(fold(str(c)), []).append(i)
    used = {fold(str(c)) for c in columns} | ({fold(r) for r in reserved} if fmt == "gpkg" else set())
    renames: dict[str, str] = {}
    for key, idx in groups.items():
        names = [str(columns[i]) for i in idx]
        if fmt == "gpkg" and key in reserved:
            keep: int | None = None
        elif len(idx) == 1:
            continue
        else:
            lower = [k for k, n in enumerate(names) if n == n.lower()]
            keep = lower[0] if lower else 0
        for k, n in enumerate(names):
            if k == keep:
                continue
            j = 2
            while fold(f"{n}_{j}") in used:
                j += 1
            new = f"{n}_{j}"
            used.add(fold(new))
            renames[n] = new
    return renames


def write_layers(layers: dict[str, pd.DataFrame], path: str | os.PathLike[str], *, overwrite: bool = True) -> Path:
    """Write named layers to a GeoPackage (several layers) or GeoParquet (first layer), atomically.

    Non-spatial tables are written as attribute-only GeoPackage layers (or, for GeoParquet,
    as ``<stem>.<layer>.parquet`` next to the main file, each also written atomically).

    Parameters
    ----------
    layers
        ``{layer name: frame}``, in the order they are written.
    path
        A ``.gpkg``, ``.parquet`` or ``.geoparquet`` file.
    overwrite
        Replace an existing file (atomically). With False an existing file is an error.

    Returns
    -------
    Path

    Raises
    ------
    InputError
        Unknown suffix; ``path`` is the file a layer was read from; the folder cannot be
        written; the disk is full; a GeoPackage layer has more than 2,000 columns. The file
        at ``path`` is unchanged in every case.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> frame = gpd.GeoDataFrame({"zone": ["a"], "ZONE": ["input"]},
    ...                          geometry=gpd.points_from_xy([0], [0]), crs=4547)
    >>> out = pathlib.Path(tempfile.mkdtemp()) / "x.gpkg"
    >>> import warnings
    >>> with warnings.catch_warnings(record=True) as w:
    ...     warnings.simplefilter("always")
    ...     _ = write_layers({"parcels": frame}, out)
    >>> print(str(w[0].message).splitlines()[0])
    x.gpkg layer 'parcels': GeoPackage column names are case-insensitive and 'fid'/'geom' are reserved; renamed ZONE → ZONE_2
    """
    from zoning.io.paths import check_output

    p = Path(path)
    suffix = p.suffix.lower()
    if suffix not in (".gpkg", ".parquet", ".geoparquet"):
        msg = f"cannot write '{p.name}': use a .gpkg (GeoPackage) or .parquet (GeoParquet) file name"
        raise InputError(msg)
    sources = [df.attrs.get("zoning", {}).get("source") for df in layers.values()
               if isinstance(df.attrs.get("zoning"), dict)]
    check_output(p, inputs=[s for s in sources if s], option="output")
    if p.exists() and not overwrite:
        msg = f"{p} exists; pass overwrite=True to replace it (atomically) or choose another name"
        raise InputError(msg)
    fmt = "gpkg" if suffix == ".gpkg" else "parquet"
    prepared = {name: _prepare(df, name, fmt, p.name) for name, df in layers.items()}

    jobs: list[tuple[Path, Callable[[Path], None]]] = []
    if fmt == "gpkg":
        jobs.append((p, lambda tmp: _write_gpkg(prepared, tmp)))
    else:
        items = list(prepared.items())
        for name, df in items[1:]:  # side tables first, the main file last
            side = p.with_name(f"{p.stem}.{name}.parquet")
            check_output(side, inputs=[s for s in sources if s], option="output side table")
            jobs.append((side, functools.partial(_write_side, df)))
        first = items[0][1]
        jobs.append((p, lambda tmp: _write_main_parquet(first, tmp)))
    _atomic(jobs, p)
    return p


def _prepare(df: pd.DataFrame, name: str, fmt: str, file_name: str) -> pd.DataFrame:
    out = _writable(df)
    geom = getattr(out, "_geometry_column_name", None) if isinstance(out, gpd.GeoDataFrame) else None
    cols = [str(c) for c in out.columns if c != geom]
    if fmt == "gpkg" and len(cols) + 2 > GPKG_MAX_COLUMNS:
        msg = (f"cannot write {file_name} layer '{name}': it has {len(cols)} columns and a GeoPackage table holds at most "
               f"{GPKG_MAX_COLUMNS - 2} besides fid and geometry (e.g. a rule pack with many criteria); write a .parquet "
               "(GeoParquet) file instead, which has no column limit")
        raise InputError(msg)
    renames = safe_column_names(cols, fmt=fmt)
    if renames:
        rule = ("GeoPackage column names are case-insensitive and 'fid'/'geom' are reserved" if fmt == "gpkg"
                else "Parquet column names must be unique")
        shown = ", ".join(f"{a} → {b}" for a, b in renames.items())
        warnings.warn(f"{file_name} layer '{name}': {rule}; renamed {shown}\n"
                      "  fix: rename the input column (or map it with columns={...} / --col) to keep your own name",
                      DataRepairWarning, stacklevel=4)
        positions = [renames.get(str(c), c) if c != geom else c for c in out.columns]
        out.columns = pd.Index(positions)
    return out


def _write_gpkg(layers: dict[str, pd.DataFrame], tmp: Path) -> None:
    import pyogrio

    for name, df in layers.items():
        if isinstance(df, gpd.GeoDataFrame):
            df.to_file(tmp, layer=name, driver="GPKG", engine="pyogrio")
        else:
            pyogrio.write_dataframe(df.reset_index(drop=True), tmp, layer=name, driver="GPKG")


def _write_main_parquet(df: pd.DataFrame, tmp: Path) -> None:
    if isinstance(df, gpd.GeoDataFrame):
        df.to_parquet(tmp, index=False)
    else:
        df.to_parquet(tmp)


def _write_side(df: pd.DataFrame, tmp: Path) -> None:
    pd.DataFrame(df.drop(columns=[c for c in df.columns if c == "geometry"], errors="ignore")).to_parquet(tmp)


def _temp_beside(final: Path) -> Path:
    return final.with_name(f".{final.name}.{secrets.token_hex(4)}.tmp{final.suffix}")


def _remove(tmp: Path) -> None:
    for extra in ("", "-journal", "-wal", "-shm"):
        with contextlib.suppress(OSError):
            Path(f"{tmp}{extra}").unlink()


class _Terminated(SystemExit):
    """SIGTERM during a write: unwinds like an exception so temporary files are removed."""


@contextlib.contextmanager
def _terminate_as_exception() -> Iterator[None]:
    """While writing, turn SIGTERM into an exception (SIGINT already is KeyboardInterrupt)."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def handler(signum: int, frame: Any) -> None:
        raise _Terminated(128 + signum)

    try:
        old = signal.signal(signal.SIGTERM, handler)
    except (ValueError, OSError):  # pragma: no cover - not allowed here (embedded interpreter)
        yield
        return
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, old)


def _atomic(jobs: list[tuple[Path, Callable[[Path], None]]], target: Path) -> None:
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise InputError(f"cannot write {target}: cannot create the folder {target.parent} ({exc.strerror or exc})") from None
    done: list[tuple[Path, Path]] = []
    with _terminate_as_exception():
        try:
            for final, write in jobs:
                tmp = _temp_beside(final)
                done.append((tmp, final))
                write(tmp)
            for tmp, final in done:
                if final.exists():  # keep the permissions the user gave the previous file
                    with contextlib.suppress(OSError):
                        shutil.copymode(final, tmp)
                os.replace(tmp, final)
        except BaseException as exc:
            for tmp, _ in done:
                _remove(tmp)
            if isinstance(exc, ZoningError) or not isinstance(exc, Exception):
                raise
            if isinstance(exc, OSError) or type(exc).__module__.startswith(("pyogrio", "pyarrow")):
                reason = getattr(exc, "strerror", None) or str(exc) or type(exc).__name__
                msg = (f"could not write {target}: {reason}. Nothing was written and any previous file at that path is "
                       "unchanged; check the free disk space and the folder's permissions, then run the command again")
                raise InputError(msg) from exc
            raise


def atomic_write(path: str | os.PathLike[str], write: Callable[[Path], None]) -> Path:
    """Call ``write(tmp)`` for a temporary file beside ``path``, then rename it into place.

    For outputs other than layers (CSV tables, …): the same guarantees as :func:`write_layers`.

    >>> import tempfile, pathlib
    >>> out = pathlib.Path(tempfile.mkdtemp()) / "t.csv"
    >>> atomic_write(out, lambda tmp: tmp.write_text("a,b\\n")).read_text()
    'a,b\\n'
    """
    p = Path(path)
    _atomic([(p, write)], p)
    return p


def _writable(df: pd.DataFrame) -> pd.DataFrame:
    """Make a frame writable by GDAL / Arrow: no object columns with mixed types, no lists."""
    out = df.copy()
    out.attrs = {}
    for c in out.columns:
        if c == getattr(out, "_geometry_column_name", None):
            continue
        s = out[c]
        if s.dtype == object:
            out[c] = s.map(lambda v: v if v is None or isinstance(v, str) else str(v)).astype("string")
        elif isinstance(s.dtype, pd.CategoricalDtype):
            out[c] = s.astype("string")
    return out
