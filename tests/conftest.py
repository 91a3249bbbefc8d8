"""Shared fixtures: matplotlib off-screen, small parcel builders, the sample city."""

from __future__ import annotations

import os

os.environ.setdefault("MPLBACKEND", "Agg")
os.environ.setdefault("TQDM_DISABLE", "1")

import geopandas as gpd
import numpy as np
import pytest
import shapely

import zoning

CRS = "EPSG:4547"
X0, Y0 = 500_000.0, 2_490_000.0


def make_parcels(rows: list[dict], crs: str | None = CRS) -> gpd.GeoDataFrame:
    """Parcels from dicts with a ``box=(x0, y0, x1, y1)`` (local metres) or ``wkt`` key."""
    geoms, attrs = [], []
    for r in rows:
        r = dict(r)
        if "box" in r:
            x0, y0, x1, y1 = r.pop("box")
            geoms.append(shapely.box(X0 + x0, Y0 + y0, X0 + x1, Y0 + y1))
        else:
            g = shapely.from_wkt(r.pop("wkt"))
            geoms.append(shapely.transform(g, lambda c: c + np.array([X0, Y0])))
        attrs.append(r)
    return gpd.GeoDataFrame(attrs, geometry=geoms, crs=crs)


def industrial(pid: str, box: tuple, *, quality: str = "good", year: float = 2015, far: float = 2.0,
               legal: float = 0.9, output_per_mu: float = 800.0, planned: str = "M1", current: str = "M1") -> dict:
    """One industrial parcel with indicators given directly (floor area and output derived from the box)."""
    x0, y0, x1, y1 = box
    area = (x1 - x0) * (y1 - y0)
    mu = area / (10_000 / 15)
    return {"parcel_id": pid, "box": box, "current_use": current, "planned_use": planned,
            "floor_area_m2": far * area, "year_built": year, "legal_ratio": legal,
            "building_quality": quality, "output_wan": output_per_mu * mu, "tax_wan": output_per_mu * mu * 0.04}


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    import matplotlib.pyplot as plt

    plt.close("all")


@pytest.fixture(autouse=True)
def _doctest_namespace(doctest_namespace):
    doctest_namespace["zoning"] = zoning
    doctest_namespace["gpd"] = gpd


@pytest.fixture(scope="session")
def cli():
    """The ``zoning`` command group, for click's CliRunner."""
    from zoning.cli.main import main

    return main


@pytest.fixture(scope="session")
def sample_parcels() -> gpd.GeoDataFrame:
    return zoning.read_parcels(zoning.datasets.get_path("parcels"))


@pytest.fixture(scope="session")
def sample_result():
    return zoning.run(zoning.datasets.get_path("parcels"), reference_year=2025)


def pytest_runtest_makereport(item, call):
    """With ZONING_STRICT_SKIPS=1 (set by .ci/run) a skipped test is a failure: nothing hides in CI."""
    import os

    if call.excinfo is not None and call.excinfo.errisinstance(pytest.skip.Exception) and os.environ.get("ZONING_STRICT_SKIPS"):
        from _pytest.reports import TestReport

        rep = TestReport.from_item_and_call(item, call)
        rep.outcome = "failed"
        rep.longrepr = f"skipped in strict mode (ZONING_STRICT_SKIPS=1): {call.excinfo.value}"
        return rep
    return None
