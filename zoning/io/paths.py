"""Where outputs may go: never onto an input, always into a folder that can be written.

Every command that writes calls :func:`check_output` *before* it reads or computes anything,
so that a typo in ``-o`` costs nothing: an output that is one of the inputs (however it is
spelled: ``X.gpkg``, ``./X.gpkg``, ``dir/../X.gpkg``, a symbolic or hard link, a shapefile's
``.dbf``) or that cannot be written (read-only folder, a parent that is a file) is an
:class:`~zoning.errors.InputError` naming the path and the fix, and the CLI exits 2.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Iterable
from pathlib import Path

from zoning.errors import InputError

__all__ = ["check_output", "input_files", "same_file"]

#: Files that belong to one shapefile: writing any of them changes the input.
_SHAPEFILE_PARTS = (".shp", ".shx", ".dbf", ".prj", ".cpg", ".qix", ".sbn", ".sbx")

PathLike = str | os.PathLike[str]


def same_file(a: PathLike, b: PathLike) -> bool:
    """Whether two paths name the same file (resolving ``..``, symbolic and hard links).

    >>> same_file("x/../data.gpkg", "data.gpkg")
    True
    """
    pa, pb = Path(a), Path(b)
    try:
        if pa.exists() and pb.exists():
            return os.path.samefile(pa, pb)
    except OSError:  # pragma: no cover - unreadable folder: fall back to the names
        pass
    return os.path.normcase(os.path.realpath(pa)) == os.path.normcase(os.path.realpath(pb))


def input_files(path: PathLike) -> list[Path]:
    """The files an input consists of: a shapefile's parts, or the file itself.

    >>> [p.suffix for p in input_files("parcels.shp")][:3]
    ['.shp', '.shx', '.dbf']
    """
    p = Path(path)
    if p.suffix.lower() in _SHAPEFILE_PARTS:
        return [p.with_suffix(s) for s in _SHAPEFILE_PARTS]
    return [p]


def check_output(
    path: PathLike,
    *,
    inputs: Iterable[PathLike | None] = (),
    option: str = "-o/--output",
    suffixes: tuple[str, ...] | None = None,
) -> Path:
    """Refuse an output path that is an input or cannot be written; return it as a Path.

    Nothing is left behind: writability is tested with a probe file in the nearest folder
    that exists, removed at once (missing folders are created when the output is written).

    Parameters
    ----------
    path
        The output the caller is about to write.
    inputs
        Every file the command reads (``None`` entries are skipped).
    option
        How the user gave the path, for the message (``"-o/--output"``, ``"--map"``, …).
    suffixes
        The file types the command writes (``(".gpkg", ".parquet")``); None: any.

    Raises
    ------
    InputError
        The output is one of the inputs, is a folder, sits under a file, or its folder is
        not writable.

    Examples
    --------
    >>> check_output("data.gpkg", inputs=["./x/../data.gpkg"])
    Traceback (most recent call last):
    ...
    zoning.errors.InputError: -o/--output data.gpkg is also an input (./x/../data.gpkg): zoning never overwrites an input; choose another output name, e.g. data_zoned.gpkg
    """
    out = Path(path)
    if suffixes is not None and out.suffix.lower() not in suffixes:
        msg = (f"{option} {out}: cannot write a '{out.suffix or 'file without extension'}' file here; "
               f"use {' or '.join(suffixes)} (e.g. {out.with_suffix(suffixes[0]).name})")
        raise InputError(msg)
    for given in inputs:
        if given is None:
            continue
        for part in input_files(given):
            if same_file(out, part):
                alt = out.with_name(f"{out.stem}_zoned{out.suffix}")
                msg = (f"{option} {out} is also an input ({given}): zoning never overwrites an input; "
                       f"choose another output name, e.g. {alt}")
                raise InputError(msg)
    if out.is_dir():
        msg = f"{option} {out} is a folder; give a file name inside it, e.g. {out / 'zones.gpkg'}"
        raise InputError(msg)
    parent = out.parent if str(out.parent) else Path(".")
    existing = parent
    while not existing.exists() and existing != existing.parent:
        existing = existing.parent
    if not existing.is_dir():
        msg = (f"cannot write {option} {out}: {existing} is a file, not a folder; "
               "choose an output inside a folder")
        raise InputError(msg)
    try:
        probe = existing / f".{out.name}.{secrets.token_hex(4)}.probe"
        probe.touch(exist_ok=False)
        probe.unlink()
    except OSError as exc:
        reason = exc.strerror or str(exc)
        msg = (f"cannot write {option} {out}: the folder {existing} is not writable ({reason}); "
               "choose a folder you can write to, or fix its permissions")
        raise InputError(msg) from None
    return out
