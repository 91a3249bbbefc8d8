"""A catalogue of tricky parcels as WKT, and a helper that lays them out as canonical parcels.

Every case is written in local metres around the origin (the GEOS counter-example keeps its
original unit coordinates and is scaled to parcel size). :func:`parcels` places each case in
its own 1 km cell of CGCS2000 3-degree Gauss-Krüger CM 114E (EPSG:4547, x ≈ 500,000,
y ≈ 2,490,000, Shenzhen), so cases never interact unless they are meant to (the pairs), and
gives every parcel the canonical attributes of a plain industrial parcel.

``area`` is what validation should leave: the area of the repaired geometry in m² (None where
there is no polygon). ``codes`` are the problem codes validating the case alone must give.

>>> gdf = parcels("bowtie", "overlapping_pair")
>>> gdf["parcel_id"].tolist(), gdf.crs.to_epsg()
(['bowtie', 'overlapping_pair-1', 'overlapping_pair-2'], 4547)
"""

from __future__ import annotations

from dataclasses import dataclass

import geopandas as gpd
import shapely
from shapely import affinity

CRS = "EPSG:4547"
X0, Y0 = 500_000.0, 2_490_000.0
SPACING = 1_000.0


@dataclass(frozen=True)
class Case:
    """One tricky input: one WKT per parcel (None for a missing geometry)."""

    name: str
    wkts: tuple[str | None, ...]
    doc: str
    area: tuple[float | None, ...]
    codes: frozenset[str] = frozenset()
    scale: float = 1.0

    def geometries(self) -> list[shapely.Geometry | None]:
        """The shapes in local metres (scaled), before placing them in the cell."""
        out = []
        for w in self.wkts:
            g = None if w is None else shapely.from_wkt(w)
            if g is not None and self.scale != 1.0:
                g = affinity.scale(g, self.scale, self.scale, origin=(0, 0))
            out.append(g)
        return out


_SQUARE = "POLYGON ((0 0, 100 0, 100 100, 0 100, 0 0))"

CASES: dict[str, Case] = {c.name: c for c in [
    Case("square", (_SQUARE,),
         "A plain, valid 100 m × 100 m parcel: the control case.", (10_000.0,)),
    Case("corner_touch", (_SQUARE, "POLYGON ((100 100, 200 100, 200 200, 100 200, 100 100))"),
         "Two parcels sharing one corner point: they touch, they do not overlap.",
         (10_000.0, 10_000.0)),
    Case("sliver_gap", (_SQUARE, "POLYGON ((100.01 0, 200 0, 200 100, 100.01 100, 100.01 0))"),
         "Two neighbours separated by a 0.01 m sliver (digitising noise): not touching, not "
         "overlapping; contiguity needs a distance tolerance.", (10_000.0, 9_999.0)),
    Case("hole", ("POLYGON ((0 0, 100 0, 100 100, 0 100, 0 0), (25 25, 75 25, 75 75, 25 75, 25 25))",),
         "A parcel with a 50 m × 50 m hole (an enclave owned by someone else).", (7_500.0,)),
    Case("multipart", ("MULTIPOLYGON (((0 0, 50 0, 50 50, 0 50, 0 0)), ((100 0, 150 0, 150 50, 100 50, 100 0)))",),
         "One parcel in two separate pieces (a road runs through it): kept as one parcel.",
         (5_000.0,), frozenset({"multipart"})),
    Case("bowtie", ("POLYGON ((0 0, 100 100, 100 0, 0 100, 0 0))",),
         "A self-intersecting 'bow-tie': invalid, and its area is 0 (the two triangles cancel); "
         "make_valid keeps both triangles (5,000 m²), buffer(0) would keep only one.",
         (5_000.0,), frozenset({"invalid_geometry_repaired", "multipart"})),
    Case("hole_outside_shell",
         ("POLYGON ((0 0, 100 0, 100 100, 0 100, 0 0), (150 150, 200 150, 200 200, 150 200, 150 150))",),
         "A 'hole' drawn outside its shell: invalid; the repair turns it into land (two parts).",
         (12_500.0,), frozenset({"invalid_geometry_repaired", "multipart"})),
    Case("spike", ("POLYGON ((0 0, 100 0, 100 50, 200 50, 100 50, 100 100, 0 100, 0 0))",),
         "A square with a zero-width spike (an out-and-back vertex): invalid; the repair drops "
         "the spike and keeps the square.", (10_000.0,), frozenset({"invalid_geometry_repaired"})),
    Case("geos_counterexample", ("POLYGON ((0 2, 1 0, 0 1, 0 0, 1 0, 0 1, 0 2))",),
         "The polygon hypothesis found for which GEOS make_valid(method='structure') returns an "
         "invalid MultiPolygon; a second pass (union) is needed. Two triangles of 0.5 unit², "
         "scaled ×50.", (2_500.0,), frozenset({"invalid_geometry_repaired"}), scale=50.0),
    Case("empty", ("POLYGON EMPTY",),
         "An empty polygon (a row whose shape was deleted).", (None,), frozenset({"empty_geometry"})),
    Case("none", (None,),
         "A missing geometry (NULL in the file).", (None,), frozenset({"empty_geometry"})),
    Case("point", ("POINT (50 50)",),
         "A point where a parcel polygon should be (a label point exported by mistake).",
         (None,), frozenset({"not_polygon"})),
    Case("line", ("LINESTRING (0 0, 100 0, 100 100, 0 100, 0 0)",),
         "A closed boundary line that was never turned into a polygon.", (None,),
         frozenset({"not_polygon"})),
    Case("collection", ("GEOMETRYCOLLECTION (POLYGON ((0 0, 100 0, 100 100, 0 100, 0 0)), LINESTRING (0 0, 150 150))",),
         "A geometry collection holding the parcel polygon and a stray line (an overlay "
         "result): reduced to its polygon.", (10_000.0,), frozenset({"collection_repaired"})),
    Case("z_polygon", ("POLYGON Z ((0 0 12, 100 0 12, 100 100 12, 0 100 12, 0 0 12))",),
         "A polygon with Z coordinates (CAD export): Z is dropped, the area is planimetric.",
         (10_000.0,), frozenset({"z_dropped"})),
    Case("duplicate_geometry", (_SQUARE, _SQUARE),
         "The same polygon twice under two ids (a parcel copied during editing): they overlap "
         "completely.", (10_000.0, 10_000.0), frozenset({"overlap"})),
    Case("overlapping_pair", (_SQUARE, "POLYGON ((50 0, 150 0, 150 100, 50 100, 50 0))"),
         "Two parcels overlapping by half (5,000 m²).", (10_000.0, 10_000.0), frozenset({"overlap"})),
]}


def geometry(name: str, k: int = 0, *, cell: int = 0) -> shapely.Geometry | None:
    """Geometry ``k`` of case ``name``, placed in cell ``cell`` of the EPSG:4547 grid."""
    g = CASES[name].geometries()[k]
    if g is None:
        return None
    # a 2-D affine transform keeps Z coordinates as they are
    return affinity.translate(g, X0 + cell * SPACING, Y0)


def parcels(*names: str, crs: str | None = CRS, **attributes: object) -> gpd.GeoDataFrame:
    """Canonical industrial parcels holding the given catalogue cases (all cases by default).

    Each case sits in its own 1 km cell. Ids are the case name, with ``-1``, ``-2`` for the
    parcels of a pair. Attributes are those of a plain retained parcel (FAR 1.5 on 10,000 m²,
    built 2010, 80 % legal land, good buildings, 600 万元 output per 亩); ``attributes``
    overrides them for every row.
    """
    rows, geoms = [], []
    for cell, name in enumerate(names or tuple(CASES)):
        case = CASES[name]
        for k in range(len(case.wkts)):
            pid = name if len(case.wkts) == 1 else f"{name}-{k + 1}"
            rows.append({"parcel_id": pid, "current_use": "M1", "planned_use": "M1",
                         "floor_area_m2": 15_000.0, "year_built": 2010.0, "legal_ratio": 0.8,
                         "building_quality": "good", "output_wan": 9_000.0, "tax_wan": 450.0,
                         "district": "宝安", **attributes})
            geoms.append(geometry(name, k, cell=cell))
    return gpd.GeoDataFrame(rows, geometry=gpd.GeoSeries(geoms, crs=crs), crs=crs)


def expected_areas(*names: str) -> list[float | None]:
    """The repaired areas of :func:`parcels` (same order), None where there is no polygon."""
    return [a for name in (names or tuple(CASES)) for a in CASES[name].area]
