"""Contiguity with a distance tolerance, and the chain guard."""

from __future__ import annotations

import numpy as np
import pytest
import shapely

from zoning.stages.cluster import adjacency, cluster


def row(n: int, *, w: float = 50.0, gap: float = 0.0, y: float = 0.0) -> list:
    return [shapely.box(i * (w + gap), y, i * (w + gap) + w, y + w) for i in range(n)]


def test_adjacency_finds_pairs_within_distance_only():
    g = np.array([*row(3, gap=20.0), shapely.box(1000, 0, 1050, 50)])
    i, j = adjacency(g, distance=25.0)
    assert sorted(zip(i.tolist(), j.tolist(), strict=False)) == [(0, 1), (1, 2)]
    i, j = adjacency(g, distance=10.0)
    assert len(i) == 0


def test_adjacency_threaded_matches_single():
    rng = np.random.default_rng(0)
    xy = rng.uniform(0, 5000, size=(30_000, 2))
    g = shapely.box(xy[:, 0], xy[:, 1], xy[:, 0] + 30, xy[:, 1] + 30)
    a = set(zip(*[x.tolist() for x in adjacency(g, distance=5.0, threads=1)], strict=False))
    b = set(zip(*[x.tolist() for x in adjacency(g, distance=5.0, threads=2)], strict=False))
    assert a == b and len(a) > 1000


def test_area_split_by_20m_road_is_one_group_but_not_by_40m():
    left = row(3)
    right = [shapely.box(150 + 20 + i * 50, 0, 150 + 20 + i * 50 + 50, 50) for i in range(3)]
    g = np.array(left + right)
    cls = np.array(["retain"] * 6)
    assert len(set(cluster(g, cls, gap_m=25, min_core_neighbours=0))) == 1
    assert len(set(cluster(g, cls, gap_m=15, min_core_neighbours=0))) == 2


def test_corner_touching_parcels_are_neighbours():
    g = np.array([shapely.box(0, 0, 10, 10), shapely.box(10, 10, 20, 20)])
    assert cluster(g, np.array(["redevelop", "redevelop"]), gap_m=0.5, min_core_neighbours=0).tolist() == [0, 0]


def test_different_classes_and_non_candidates_are_not_grouped():
    g = np.array(row(4))
    labels = cluster(g, np.array(["retain", "redevelop", "none", "retain"]), gap_m=1, min_core_neighbours=0)
    assert labels[2] == -1
    assert len({labels[0], labels[1], labels[3]}) == 3


def block(x0: float, n: int = 5, w: float = 50.0) -> list:
    return [shapely.box(x0 + i * w, j * w, x0 + i * w + w, j * w + w) for i in range(n) for j in range(n)]


def test_chain_guard_keeps_two_blocks_joined_by_a_thin_chain_apart():
    a = block(0)                        # 5 x 5 parcels, x 0..250
    chain = row(6, w=50.0)              # a one-parcel-wide chain at y 0..50 from x 250 to 550
    chain = [shapely.affinity.translate(c, 250, 100) for c in chain]
    b = block(550)
    g = np.array(a + chain + b)
    cls = np.array(["retain"] * len(g))
    plain = cluster(g, cls, gap_m=1, min_core_neighbours=0)
    assert len(set(plain)) == 1  # plain connected components chain everything together
    guarded = cluster(g, cls, gap_m=1, min_core_neighbours=3)
    assert guarded[0] != guarded[-1]  # the two blocks stay separate areas
    assert (guarded[:25] == guarded[0]).all() and (guarded[-25:] == guarded[-1]).all()
    assert (guarded >= 0).all()  # every candidate still belongs to some group


def test_labels_do_not_depend_on_row_order():
    rng = np.random.default_rng(3)
    g = np.array(block(0) + block(400) + row(3, gap=100, y=600))
    cls = np.array(["retain"] * len(g))
    key = np.array([f"P{i:03d}" for i in range(len(g))])
    base = cluster(g, cls, gap_m=1, order_key=key)
    perm = rng.permutation(len(g))
    again = cluster(g[perm], cls[perm], gap_m=1, order_key=key[perm])
    assert (again == base[perm]).all()


def _tie_layout() -> tuple[np.ndarray, np.ndarray]:
    """Two 3 × 3 blocks of equal area and a thin strip touching the middle of each (degree 2)."""
    west = [shapely.box(i * 50, j * 50, i * 50 + 50, j * 50 + 50) for i in range(3) for j in range(3)]
    east = [shapely.affinity.translate(b, 200, 0) for b in west]
    strip = shapely.box(150, 65, 200, 85)
    g = np.array([*west, *east, strip])
    return g, np.array([f"P{i:03d}" for i in range(len(g))])


@pytest.mark.parametrize("seed", range(6))
def test_equal_area_tie_does_not_follow_row_order(seed):
    """The strip joins the western block (its westernmost parcel comes first), in any row order;
    it used to follow scipy's component labels, i.e. which block's rows came first."""
    g, key = _tie_layout()
    area = shapely.area(g)
    cls = np.zeros(len(g), dtype=np.int64)
    perm = np.random.default_rng(seed).permutation(len(g)) if seed else np.r_[9:18, 0:9, 18]  # seed 0: east block first
    lab = cluster(g[perm], cls[perm], gap_m=1, min_core_neighbours=3, area=area[perm], order_key=key[perm])
    labels = np.empty(len(g), dtype=np.int64)
    labels[perm] = lab
    assert labels[18] == labels[0] != labels[9]
    assert len(set(labels)) == 2


def test_empty_and_missing_geometries_are_not_grouped():
    g = np.array([shapely.box(0, 0, 1, 1), None, shapely.Polygon(), shapely.box(1, 0, 2, 1)], dtype=object)
    labels = cluster(g, np.array(["retain"] * 4), gap_m=0.5, min_core_neighbours=0)
    assert labels.tolist() == [0, -1, -1, 0]
