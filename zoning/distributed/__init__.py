"""The dask engine: a province on a cluster, with exactly the results of one machine.

``zoning.run(..., engine="dask", client=...)`` and ``zoning classify PARTS/ -o OUT/ --engine
dask`` run the same stages partition by partition on ``dask.distributed`` workers; what a
partition cannot decide alone crosses partitions as small tables:

- :mod:`~zoning.distributed.partitions` — reading GeoParquet parts, Hilbert / random
  assignment, partition boxes;
- :mod:`~zoning.distributed.halo` — neighbour pairs between partitions whose boxes come
  within ``gap_m`` (only the parcels near the other box travel);
- :mod:`~zoning.distributed.unionfind` — joining per-partition components into areas;
- :mod:`~zoning.distributed.engine` — the phases, the global reductions (quantiles, duplicate
  ids, overlaps, exact area sums, zone tests, summaries) and the result.

Requires the ``dask`` extra (``pip install "zoning[dask]"``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

__all__ = ["DistributedRun", "run_distributed"]

if TYPE_CHECKING:  # pragma: no cover
    from zoning.distributed.engine import DistributedRun, run_distributed


def __getattr__(name: str) -> Any:
    if name in __all__:
        from zoning.distributed import engine

        return getattr(engine, name)
    raise AttributeError(name)
