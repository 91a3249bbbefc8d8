"""Union-find over (partition, component) nodes.

Each partition numbers its own components 0, 1, …; node ``offset[p] + c`` stands for
component ``c`` of partition ``p``. Edges between partitions join nodes, and the connected
components of that small graph are the areas of the whole layer.
"""

from __future__ import annotations

import numpy as np
from scipy import sparse
from scipy.sparse.csgraph import connected_components

__all__ = ["join", "offsets"]


def offsets(counts: list[int] | np.ndarray) -> np.ndarray:
    """First node number of each partition's components.

    >>> offsets([3, 0, 2]).tolist()
    [0, 3, 3, 5]
    """
    return np.concatenate([[0], np.cumsum(np.asarray(counts, dtype=np.int64))])


def join(n_nodes: int, a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Component label (0, 1, …) of every node after joining the pairs ``(a, b)``.

    >>> join(4, np.array([0]), np.array([3])).tolist()
    [0, 1, 2, 0]
    """
    if n_nodes == 0:
        return np.empty(0, dtype=np.int64)
    g = sparse.coo_matrix((np.ones(len(a), dtype=np.int8), (np.asarray(a), np.asarray(b))), shape=(n_nodes, n_nodes))
    return connected_components(g.tocsr(), directed=False)[1].astype(np.int64)
