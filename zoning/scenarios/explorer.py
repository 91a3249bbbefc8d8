"""Threshold explorer: ipywidgets sliders over the cached stages, a map and the summary against targets.

Offline by construction: the map is a PNG re-coloured from a raster of parcel numbers built
once (no tiles, no CDN); each slider change re-runs only classify and the zone tests on the
:class:`~zoning.scenarios.CachedStages`. Needs the optional extra ``zoning[explorer]``
(ipywidgets).
"""

from __future__ import annotations

import io
import os
from typing import Any

import numpy as np
import pandas as pd

from zoning.rules.schema import INDICATORS
from zoning.scenarios.cache import CachedStages, Scenario
from zoning.scenarios.sensitivity import numeric_thresholds
from zoning.units import ZONES

__all__ = ["ThresholdExplorer", "threshold_explorer"]


def _widgets() -> Any:
    try:
        import ipywidgets
    except ImportError:  # pragma: no cover - the extra is installed in CI
        msg = "the threshold explorer needs ipywidgets: pip install 'zoning[explorer]'"
        raise ImportError(msg) from None
    return ipywidgets


class ThresholdExplorer:
    """Sliders for thresholds, a zone map and the summary against the targets.

    Use :func:`threshold_explorer` to make one; display it in Jupyter. ``set(code, value)``
    moves a slider from code (as a user would), ``summary`` is the current summary table and
    ``overrides`` the thresholds that differ from the pack.
    """

    def __init__(self, stages: CachedStages, codes: list[str] | None = None, *, resolution: float | None = None,
                 lang: str = "en") -> None:
        w = _widgets()
        self.stages = stages
        self.lang = lang
        base = stages.run()
        pack = base.rules
        self.codes = list(codes or numeric_thresholds(pack))
        bounds = {s.criterion: s.bounds for s in pack.calibration}
        self.initial: dict[str, float] = {}
        self.sliders: dict[str, Any] = {}
        for code in self.codes:
            c = pack.criterion(code)
            if INDICATORS[c.indicator].kind != "number":
                msg = f"{code} is not a numeric threshold; the explorer slides numeric ones: {', '.join(numeric_thresholds(pack))}"
                raise ValueError(msg)
            thr = base.classification.thresholds.get(code, c.threshold)
            v = float(thr) / INDICATORS[c.indicator].units[c.unit]  # type: ignore[arg-type]
            lo, hi = bounds.get(code, (v * 0.5, v * 1.5 if v > 0 else 1.0))
            lo, hi = min(lo, v), max(hi, v)
            self.initial[code] = v
            label = f"{code} {c.name_zh if lang == 'zh' else c.name_en}"
            s = w.FloatSlider(value=v, min=lo, max=hi, step=(hi - lo) / 200, description=code, continuous_update=False,
                              readout_format=".3g", tooltip=label, style={"description_width": "60px"})
            s.observe(self._changed, names="value")
            self.sliders[code] = s
        self._raster, self._extent = self._parcel_raster(resolution)
        self._colors = np.array([self._rgb(pack.zones[z].color) for z in ZONES] + [(255, 255, 255)], dtype=np.uint8)
        self.image = w.Image(format="png")
        self.table = w.HTML()
        self.scenario: Scenario = base
        self._show(base)
        self.widget = w.HBox([w.VBox(list(self.sliders.values()) + [self.table]), self.image])

    @staticmethod
    def _rgb(color: str) -> tuple[int, int, int]:
        c = color.lstrip("#")
        return int(c[0:2], 16), int(c[2:4], 16), int(c[4:6], 16)

    def _parcel_raster(self, resolution: float | None) -> tuple[np.ndarray, tuple[float, float, float, float]]:
        """Raster of parcel row numbers + 1 (0: no parcel), built once."""
        from affine import Affine
        from rasterio.features import rasterize

        geoms = self.stages.parcels.geometry
        x0, y0, x1, y1 = geoms.total_bounds
        res = resolution or max((x1 - x0), (y1 - y0)) / 600
        width, height = max(1, int(np.ceil((x1 - x0) / res))), max(1, int(np.ceil((y1 - y0) / res)))
        ok = ~(geoms.isna() | geoms.is_empty).to_numpy()
        shapes = ((g, i + 1) for i, g in zip(np.flatnonzero(ok), geoms.to_numpy()[ok], strict=True))
        ras = rasterize(shapes, out_shape=(height, width), transform=Affine(res, 0.0, x0, 0.0, -res, y1), fill=0, dtype="int32")
        return ras, (x0, y0, x1, y1)

    def _changed(self, change: Any) -> None:
        self.update()

    @property
    def overrides(self) -> dict[str, float]:
        """Thresholds moved from their starting value."""
        return {c: float(s.value) for c, s in self.sliders.items() if float(s.value) != self.initial[c]}

    @property
    def summary(self) -> pd.DataFrame:
        """The current scenario's summary (area, share of stock, targets per zone)."""
        return self.scenario.summary

    def set(self, code: str, value: float) -> ThresholdExplorer:
        """Move one slider (re-runs the scenario)."""
        self.sliders[code].value = value
        return self

    def update(self) -> None:
        """Re-run the scenario with the sliders' values and redraw."""
        self.scenario = self.stages.run(self.overrides)
        self._show(self.scenario)

    def image_array(self) -> np.ndarray:
        """The current map as an RGB array (zone colours from the pack)."""
        codes = self.scenario.zone.cat.codes.to_numpy().astype(np.int64)
        lut = np.r_[len(ZONES), codes]  # raster value 0 → background (white)
        return self._colors[lut[self._raster]]

    def _show(self, sc: Scenario) -> None:
        import matplotlib.image

        buf = io.BytesIO()
        matplotlib.image.imsave(buf, self.image_array(), format="png")
        self.image.value = buf.getvalue()
        s = sc.summary
        label = "label_zh" if self.lang == "zh" else "label_en"
        rows = "".join(
            f"<tr><td>{r[label]}</td><td>{r['area_km2']:.2f}</td><td>{r['share_of_stock']:.1%}</td>"
            f"<td>{'' if r['target_share'] != r['target_share'] else format(r['target_share'], '.1%')}</td></tr>"
            for z, r in s.iterrows() if z != "not_industrial")
        head = "<tr><th>zone</th><th>km²</th><th>share</th><th>target</th></tr>"
        self.table.value = f"<table>{head}{rows}</table>"

    def _ipython_display_(self) -> None:  # pragma: no cover - notebook display
        from IPython.display import display

        display(self.widget)


def threshold_explorer(parcels: Any, rules: str | os.PathLike[str] | Any = "shenzhen-2020", *, codes: list[str] | None = None,
                       reference_year: int | None = None, resolution: float | None = None,
                       lang: str = "en") -> ThresholdExplorer:
    """An offline threshold explorer for Jupyter (needs ``zoning[explorer]``).

    Parameters
    ----------
    parcels
        GeoDataFrame, path, :class:`zoning.ZoningResult` or :class:`CachedStages`.
    rules
        Rule pack.
    codes
        Thresholds to slide (default: every numeric threshold the zoning uses).
    reference_year
        Year building ages are counted to (default: the pack's base year).
    resolution
        Map raster cell size in metres (default: about 600 cells across).
    lang
        Labels in ``"en"`` or ``"zh"``.

    Examples
    --------
    >>> import zoning
    >>> ex = zoning.threshold_explorer(zoning.datasets.get_path("parcels"), codes=["SZ-C5"], reference_year=2025)
    >>> _ = ex.set("SZ-C5", 1.2)
    >>> r = zoning.run(zoning.datasets.get_path("parcels"), overrides={"SZ-C5": 1.2}, reference_year=2025)
    >>> bool(ex.summary["area_km2"].equals(r.summary["area_km2"]))
    True
    """
    stages = parcels if isinstance(parcels, CachedStages) else CachedStages(parcels, rules, reference_year=reference_year)
    return ThresholdExplorer(stages, codes, resolution=resolution, lang=lang)
