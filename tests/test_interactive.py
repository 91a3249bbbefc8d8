"""Offline interactive maps: Leaflet inlined, no CDN, zones and legend present."""

from __future__ import annotations

import re

import pytest

from zoning.errors import CRSWarning
from zoning.outputs.interactive import explore


def test_offline_map_has_no_network_dependencies(tmp_path, sample_result):
    m = explore(sample_result, lang="zh")
    html = m.html
    assert not re.search(r'<script[^>]+src="https?://', html)
    assert not re.search(r'<link[^>]+href="https?://', html)
    assert "Leaflet 1.9.4" in html  # the bundled copy, inlined
    assert "L.map(" in html or "L.map (" in html
    for label in ("保留提升区", "土地整备区", "连片改造区"):
        assert label in html
    colors = {z.color for z in sample_result.rules.zones.values()}
    assert all(c in html for c in colors)
    out = m.save(tmp_path / "map.html")
    assert out.stat().st_size == len(html.encode("utf-8"))
    assert m._repr_html_().startswith("<iframe srcdoc=")


def test_large_results_show_dissolved_zones(sample_result):
    m = explore(sample_result, max_parcels=10, lang="en")
    assert "Retain-upgrade" in m.html
    assert sample_result.zones["cluster_id"].iloc[0] in m.html
    assert sample_result.parcels["parcel_id"].iloc[-1] not in m.html


def test_gcj02_tiles_warn(sample_result):
    with pytest.warns(CRSWarning, match="GCJ-02"):
        explore(sample_result, tiles="https://webrd01.is.autonavi.com/appmaptile?x={x}&y={y}&z={z}", max_parcels=10)
