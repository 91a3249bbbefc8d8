"""Partition stores: a partition's state lives on its worker's disk between phases.

A worker does not keep its partitions in memory from phase to phase. Each partition has a
folder (by default under the worker's ``local_directory``, or under a ``scratch`` folder
the caller names, e.g. on a file system every worker sees). The folder holds one file per
field of the partition's state (the standardised and cleaned parcels, indicators, criteria,
neighbour pairs, labels, outputs). A task opens its partition's store, reads only the
fields it uses, writes the fields it makes and returns a small value. Between tasks the
worker holds nothing of the partition. So a worker's memory is one partition (and the halo
of its neighbours) at a time, however many partitions it is given: it does not depend on
the size of the layer.

Fields are pickled: they are written and read only by the workers of one run, in that run's
own folder (never a user's file). Each field is written to a temporary file and renamed, so
a store never holds half a field.
"""

from __future__ import annotations

import os
import pickle
import shutil
import tempfile
from collections.abc import Iterator, MutableMapping
from pathlib import Path
from typing import Any

__all__ = ["PartState", "call", "drop", "open_store"]

_SUFFIX = ".pkl"


class _Geometries:
    """An array of shapely geometries as WKB: pickled ~7× faster than the objects one by one."""

    def __init__(self, values: Any) -> None:
        import shapely

        self.wkb = shapely.to_wkb(values)

    def restore(self) -> Any:
        import shapely

        return shapely.from_wkb(self.wkb)


def _encode(value: Any) -> Any:
    import numpy as np

    if isinstance(value, np.ndarray) and value.dtype == object and value.ndim == 1 and len(value):
        import shapely

        geom = shapely.is_geometry(value)
        if geom.any() and (geom | shapely.is_missing(value)).all():
            return _Geometries(value)
    return value


def _decode(value: Any) -> Any:
    return value.restore() if isinstance(value, _Geometries) else value


class PartState(MutableMapping[str, Any]):
    """The fields of one partition: read from disk on first use, written back by :meth:`flush`.

    >>> import tempfile
    >>> root = tempfile.mkdtemp()
    >>> st = PartState(root)
    >>> st["n"] = 3
    >>> st.flush()
    >>> PartState(root)["n"], "m" in PartState(root)
    (3, False)
    >>> drop(root)
    """

    def __init__(self, root: str | os.PathLike[str]) -> None:
        self.root = Path(root)
        self._cache: dict[str, Any] = {}
        self._dirty: set[str] = set()
        self._deleted: set[str] = set()

    def _path(self, key: str) -> Path:
        return self.root / f"{key}{_SUFFIX}"

    def __getitem__(self, key: str) -> Any:
        if key in self._cache:
            return self._cache[key]
        if key in self._deleted:
            raise KeyError(key)
        try:
            with open(self._path(key), "rb") as fh:
                value = _decode(pickle.load(fh))  # this run's own files, written by its workers
        except FileNotFoundError:
            raise KeyError(key) from None
        self._cache[key] = value
        return value

    def __setitem__(self, key: str, value: Any) -> None:
        self._cache[key] = value
        self._dirty.add(key)
        self._deleted.discard(key)

    def __delitem__(self, key: str) -> None:
        if key not in self:
            raise KeyError(key)
        self._cache.pop(key, None)
        self._dirty.discard(key)
        self._deleted.add(key)

    def __contains__(self, key: object) -> bool:
        if not isinstance(key, str) or key in self._deleted:
            return False
        return key in self._cache or self._path(key).exists()

    def _keys(self) -> set[str]:
        on_disk = {p.name[: -len(_SUFFIX)] for p in self.root.glob(f"*{_SUFFIX}")} if self.root.exists() else set()
        return (on_disk | set(self._cache)) - self._deleted

    def __iter__(self) -> Iterator[str]:
        return iter(sorted(self._keys()))

    def __len__(self) -> int:
        return len(self._keys())

    def discard(self, *keys: str) -> None:
        """Forget fields no later phase reads (their files go at :meth:`flush`)."""
        for k in keys:
            if k in self:
                del self[k]

    def flush(self) -> None:
        """Write the fields set since opening (each atomically); remove the deleted ones."""
        self.root.mkdir(parents=True, exist_ok=True)
        for key in sorted(self._dirty):
            fd, tmp = tempfile.mkstemp(dir=self.root, prefix=f".{key}.", suffix=".tmp")
            try:
                with os.fdopen(fd, "wb") as fh:
                    pickle.dump(_encode(self._cache[key]), fh, protocol=pickle.HIGHEST_PROTOCOL)
                os.replace(tmp, self._path(key))
            except BaseException:
                Path(tmp).unlink(missing_ok=True)
                raise
        for key in self._deleted:
            self._path(key).unlink(missing_ok=True)
        self._dirty.clear()
        self._deleted.clear()


def open_store(run_id: str, k: int, scratch: str | None = None) -> str:
    """Create partition ``k``'s folder for run ``run_id`` and return its path.

    Under ``scratch`` when given, else under this worker's ``local_directory`` (the
    system's temporary folder outside a worker).
    """
    if scratch is None:
        try:
            from distributed import get_worker

            base = Path(get_worker().local_directory)
        except (ImportError, ValueError):
            base = Path(tempfile.gettempdir())
    else:
        base = Path(scratch)
    root = base / f"zoning-{run_id}" / f"part-{k:05d}"
    if root.exists():
        shutil.rmtree(root)
    root.mkdir(parents=True)
    return str(root)


def call(fn: Any, root: str, *args: Any) -> Any:
    """Run ``fn(state, *args)`` on the partition stored at ``root``; write back what it set.

    ``fn`` returns the state itself (then the path is returned, for the next phase) or a
    small value for the client.
    """
    st = PartState(root)
    res = fn(st, *args)
    st.flush()
    return root if res is st else res


def drop(root: str) -> None:
    """Remove a partition's folder, and the run's folder once it is empty."""
    p = Path(root)
    shutil.rmtree(p, ignore_errors=True)
    with_run = p.parent
    try:
        with_run.rmdir()
    except OSError:
        pass
