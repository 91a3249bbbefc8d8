"""Interactive zone maps for Jupyter that work offline (optional extra ``zoning[interactive]``).

:func:`explore` draws the zones with folium and inlines the bundled Leaflet 1.9.4 (BSD-2), so
the page needs no CDN and no tile server: it renders on an air-gapped planning-bureau
machine. A background layer can be added with ``tiles=`` when a network is available.
"""

from __future__ import annotations

import html as _html
import re
import warnings
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

from zoning.errors import CRSWarning, InputError

if TYPE_CHECKING:  # pragma: no cover
    from branca.element import Figure

__all__ = ["OfflineMap", "explore"]

_GCJ_TILES = ("gaode", "amap", "autonavi", "tencent", "qq.com", "baidu")


class OfflineMap:
    """A self-contained HTML map; shows inline in Jupyter, ``save(path)`` writes it."""

    def __init__(self, html: str) -> None:
        self.html = html

    def _repr_html_(self) -> str:
        doc = _html.escape(self.html, quote=True)
        return f'<iframe srcdoc="{doc}" style="width:100%;height:600px;border:none"></iframe>'

    def save(self, path: str | Path) -> Path:
        """Write the map as one HTML file."""
        p = Path(path)
        p.write_text(self.html, encoding="utf-8")
        return p


def _inline_leaflet(page: str) -> str:
    """Replace every external script / stylesheet with the bundled Leaflet, inlined."""
    base = resources.files("zoning.outputs").joinpath("_vendor/leaflet")
    js = base.joinpath("leaflet.js").read_text("utf-8")
    css = base.joinpath("leaflet.css").read_text("utf-8")
    page = re.sub(r'<script[^>]+src="https?://[^"]+"[^>]*>\s*</script>', "", page)
    page = re.sub(r'<link[^>]+href="https?://[^"]+"[^>]*/?>', "", page)
    return page.replace("<head>", f"<head><style>{css}</style><script>{js}</script>", 1)


def explore(
    result: Any,
    *,
    lang: str | None = None,
    max_parcels: int = 50_000,
    tiles: str | None = None,
    height: int = 600,
) -> OfflineMap:
    """Interactive map of a :class:`zoning.ZoningResult`, offline by default.

    Parameters
    ----------
    result
        The run to show.
    lang
        ``"zh"`` or ``"en"`` for labels, legend and tooltips; default: the run's language.
    max_parcels
        Up to this many parcels are drawn one by one (tooltips with id, zone and reason);
        larger results show the dissolved zones instead.
    tiles
        A folium tile name or URL template for a background (needs a network). GCJ-02 web
        maps (Amap/Gaode, Tencent, Baidu) are offset by hundreds of metres from CGCS2000/WGS84
        data: a warning says so.
    height
        Height of the map in pixels.

    Returns
    -------
    OfflineMap
        Displays in Jupyter; ``.save("map.html")`` writes one file.
    """
    try:
        import folium
    except ImportError as exc:  # pragma: no cover - depends on the environment
        msg = 'interactive maps need folium: pip install "zoning[interactive]"'
        raise InputError(msg) from exc
    if tiles and any(k in tiles.lower() for k in _GCJ_TILES):
        warnings.warn(f"tiles '{tiles}' are in GCJ-02 / BD-09: parcels in CGCS2000/WGS84 will look shifted by 300–700 m",
                      CRSWarning, stacklevel=2)
    if lang is None:
        lang = result.settings.get("lang", "zh")
    pack = result.rules
    colors = {z: pack.zones[z].color for z in pack.zones}
    labels = {z: pack.zone_label(z, lang) for z in pack.zones}
    parcels = result.parcels
    if len(parcels) <= max_parcels:
        cols = [c for c in ("parcel_id", "zone", "cluster_id", "reason") if c in parcels]
        data = parcels[[*cols, parcels.geometry.name]].copy()
        data["zone_label"] = data["zone"].astype(str).map(labels)
        fields = ["parcel_id", "zone_label", "cluster_id", "reason"]
        aliases = ["宗地编号", "分区", "连片区域", "原因"] if lang == "zh" else ["parcel", "zone", "area", "reason"]
    else:
        data = result.zones[["cluster_id", "zone", "area_ha", result.zones.geometry.name]].copy()
        data["zone_label"] = data["zone"].map(labels)
        fields = ["cluster_id", "zone_label", "area_ha"]
        aliases = ["连片区域", "分区", "面积（公顷）"] if lang == "zh" else ["area", "zone", "area (ha)"]
    data = data.to_crs(4326)
    for c in data.columns:
        if c != data.geometry.name:
            data[c] = data[c].astype(object).where(data[c].notna(), "").astype(str)
    attr = None
    if tiles and "://" in tiles:
        attr = tiles.split("://", 1)[1].split("/", 1)[0]  # folium needs an attribution for URL tiles
    m = folium.Map(tiles=tiles, attr=attr, control_scale=True, height=height, prefer_canvas=len(data) > 5000)
    folium.GeoJson(
        data,
        name=pack.pack.title_zh if lang == "zh" else pack.pack.title_en,
        style_function=lambda f: {"fillColor": colors.get(f["properties"]["zone"], "#999999"), "color": "#666666",
                                  "weight": 0.3, "fillOpacity": 0.85},
        tooltip=folium.GeoJsonTooltip(fields=fields, aliases=aliases, sticky=True),
    ).add_to(m)
    minx, miny, maxx, maxy = data.total_bounds
    m.fit_bounds([[miny, minx], [maxy, maxx]])
    area = result.summary["area_km2"]
    items = "".join(
        f'<div><span style="display:inline-block;width:12px;height:12px;background:{colors[z]};border:1px solid #777;'
        f'margin-right:6px"></span>{_html.escape(labels[z])} {area.get(z, 0):.2f} km²</div>'
        for z in pack.zones
    )
    legend = (f'<div style="position:fixed;bottom:24px;right:12px;z-index:9999;background:white;padding:8px 10px;'
              f'border:1px solid #999;font:13px sans-serif">{items}</div>')
    root = cast("Figure", m.get_root())  # branca annotates get_root() as Element; a Map's root is a Figure
    root.html.add_child(folium.Element(legend))
    return OfflineMap(_inline_leaflet(root.render()))
