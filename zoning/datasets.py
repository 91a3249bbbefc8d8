"""Bundled sample data: a demo industrial city laid inside Shenzhen's real district frame.

>>> from zoning import datasets
>>> sorted(datasets.available())
['blocks', 'blocks_revised', 'districts', 'firms', 'height', 'parcels']
"""

from __future__ import annotations

from pathlib import Path

__all__ = ["available", "get_path"]

_FILES = {
    "parcels": "sample_city_parcels.gpkg",
    "districts": "sample_city_districts.gpkg",
    "blocks": "sample_city_blocks.gpkg",
    "blocks_revised": "sample_city_blocks_revised.gpkg",
    "height": "sample_city_height.tif",
    "firms": "sample_city_firms.csv",
}


def _root() -> Path:
    here = Path(__file__).resolve().parent
    for candidate in (here / "_sample_data", here.parent / "sample_data"):
        if (candidate / _FILES["parcels"]).exists():
            return candidate
    return here / "_sample_data"


def available() -> list[str]:
    """Names accepted by :func:`get_path`."""
    return list(_FILES)


def get_path(name: str) -> Path:
    """Path of a bundled sample file.

    Parameters
    ----------
    name
        One of :func:`available`: ``parcels`` (≈4,000 parcels, Chinese column names, EPSG:4547),
        ``districts`` (Shenzhen's real district boundaries), ``blocks`` / ``blocks_revised``
        (industrial blocks 工业产业区块, before and after a revision), ``height`` (a
        building-height GeoTIFF) and ``firms`` (firm records on the parcels, for the per-mu
        evaluation: ``zoning.read_table(get_path("firms"))``).

    Examples
    --------
    >>> get_path("parcels").name
    'sample_city_parcels.gpkg'
    """
    if name not in _FILES:
        msg = f"unknown sample dataset {name!r}; available: {', '.join(_FILES)}"
        raise ValueError(msg)
    path = _root() / _FILES[name]
    if not path.exists():
        msg = f"sample file {path} is missing from this installation; reinstall zoning or regenerate with sample_data/make_sample_data.py"
        raise FileNotFoundError(msg)
    return path
