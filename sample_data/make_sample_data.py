"""Regenerate the bundled sample city in ``sample_data/`` from a fixed seed.

Run from the repository root::

    python sample_data/make_sample_data.py [--districts PATH]

It rewrites every generated file in this folder (see README.md) and prints the measured
calibration figures that README.md quotes. The frame is the real district map of Shenzhen
(from the transbigdata project, BSD-3-Clause; see README.md); everything else is synthetic,
made with :func:`zoning.synthetic.synthetic_parcels`.
"""

from __future__ import annotations

import argparse
import math
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import rasterio
import shapely
from rasterio.features import rasterize
from rasterio.transform import from_origin

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
try:
    import zoning  # noqa: F401
except ModuleNotFoundError:  # running from a source checkout without installing
    sys.path.insert(0, str(ROOT))

from zoning.io.crs import gcj02_to_wgs84  # noqa: E402
from zoning.io.landuse import landuse_classes  # noqa: E402
from zoning.synthetic import synthetic_parcels  # noqa: E402

SEED = 2020
MU_M2 = 2000.0 / 3.0  # 1 亩
CRS = "EPSG:4547"  # CGCS2000 / 3-degree Gauss-Kruger CM 114E
DEFAULT_DISTRICTS = ROOT.parent / "shared/real-data/shenzhen_districts/shenzhen_districts.geojson"
INDUSTRIAL = ("M0", "M1", "M2", "M3", "W1")  # industrial stock (current use)
BLOCK_INDUSTRIAL = ("M0", "M1", "M2", "M3")  # industrial land for the block share (planned use)

DISTRICT_NAMES = {  # transbigdata name -> (full Chinese name, English, parcel-id prefix)
    "罗湖": ("罗湖区", "Luohu", "LH"),
    "福田": ("福田区", "Futian", "FT"),
    "盐田": ("盐田区", "Yantian", "YT"),
    "宝安": ("宝安区", "Bao'an", "BA"),
    "光明": ("光明区", "Guangming", "GM"),
    "坪山": ("坪山区", "Pingshan", "PS"),
    "龙华": ("龙华区", "Longhua", "LW"),
    "南山": ("南山区", "Nanshan", "NS"),
    "大鹏": ("大鹏新区", "Dapeng", "DP"),
    "龙岗": ("龙岗区", "Longgang", "LG"),
}
PREFIX = {full: p for full, _, p in DISTRICT_NAMES.values()}

# estate kinds: (condition shift, legal shift, non-industrial share)
KINDS = {
    "good": (1.2, 0.3, 0.06),
    "consolidation": (-1.4, -1.5, 0.08),
    "renewal": (-1.4, 1.6, 0.08),
    "mixed": (0.0, 0.0, 0.12),
}
# Blocks are rectangles in an estate's own frame, as fractions of its bounding box (x0, y0,
# x1, y1); x1 > 1 reaches over the road into the residential neighbourhood on the +x side.
# The string "tune:0.555" in place of x1 means: solve x1 so that the block's industrial
# share (planned M0–M3 land / block area) is 0.555.


@dataclass
class Estate:
    district: str
    km2: float
    kind: str
    landuse_format: str  # how 现状用途 is written: "name" or "cn2020"
    neighbourhood_km2: float = 0.0  # residential quarter beside the estate (+x side)
    blocks: tuple[tuple[float | str, ...], ...] = ()


ESTATES = [
    Estate("宝安区", 3.5, "mixed", "name", 0.5, ((0, 0.3, 0.55, 1), (0.55, 0, "tune:0.555", 1))),
    Estate("宝安区", 2.5, "good", "cn2020", 0, ((0, 0, 1, 1),)),
    Estate("宝安区", 2.0, "consolidation", "name", 0, ((0, 0, 1, 0.6), (0, 0.6, 1, 1))),
    Estate("宝安区", 2.0, "mixed", "name"),  # no block: planned industry outside every block
    Estate(
        "龙岗区",
        4.0,
        "consolidation",
        "name",
        0,
        ((0, 0, 0.5, 0.5), (0.5, 0, 1, 0.5), (0, 0.5, 1, 1)),
    ),
    Estate("龙岗区", 2.5, "good", "name", 0, ((0, 0, 1, 1),)),
    Estate("龙岗区", 3.0, "renewal", "cn2020", 0, ((0, 0, 0.7, 1), (0.7, 0, 1, 1))),
    Estate("龙岗区", 1.2, "mixed", "name", 0, ((0.15, 0.15, 0.85, 0.85),)),
    Estate("龙华区", 3.0, "good", "name", 0.45, ((0, 0, 0.75, 1), (0.75, 0, 2.0, 1))),
    Estate("龙华区", 2.0, "mixed", "cn2020", 0, ((0, 0, 1, 0.5), (0, 0.5, 1, 1))),
    Estate("光明区", 2.5, "renewal", "name", 0, ((0, 0, 1, 1),)),
    Estate("光明区", 1.5, "mixed", "name", 0, ((0, 0, 0.4, 1),)),
    Estate("坪山区", 2.5, "mixed", "cn2020", 0.4, ((0, 0, "tune:0.60", 1),)),
    Estate("坪山区", 2.0, "good", "name", 0, ((0, 0, 0.5, 1), (0.5, 0, 1, 1))),
    Estate("南山区", 0.6, "good", "cn2020", 0, ((0, 0, 1, 1),)),
]
# revised block layer (占补平衡), as (estate, block of that estate[, new rectangle])
REVISED_REMOVE = (8, 1)  # the 龙华 block reaching into the residential quarter
REVISED_SHRINK = (2, 1, (0, 0.6, 0.5, 1))  # a 宝安 block cut to its western half
REVISED_ADD = ((3, (0, 0, 1, 1)), (11, (0.4, 0, 1, 1)))  # the uncovered 宝安 estate; 光明 east
HEIGHT_ESTATE = 0  # the building-height raster covers this estate and its neighbourhood
PARCELS_PER_KM2 = 112.0  # density of a synthetic_parcels layout, roads included
ROAD_TO_NEIGHBOURHOOD = 30.0  # m

CN2020 = {  # GB 50137 class -> 2020 national-classification code (M0 has none: name is used)
    "M1": "100101",
    "M2": "100102",
    "M0": "新型产业用地",
    "W1": "110101",
    "R2": "0701",
    "B1": "0901",
    "B2": "0902",
    "A3": "0804",
    "G1": "1401",
    "S4": "1208",
}
QUALITY_ZH = {"good": "好", "fair": "一般", "poor": "差"}


# ---------------------------------------------------------------------------------------
# districts


def load_districts(path: Path) -> gpd.GeoDataFrame:
    """Real district boundaries, GCJ-02 → WGS 84 → EPSG:4547, full Chinese names."""
    raw = gpd.read_file(path)
    geoms = shapely.transform(raw.geometry.to_numpy(), gcj02_to_wgs84, interleaved=False)
    out = gpd.GeoDataFrame(
        {
            "district": [DISTRICT_NAMES[q][0] for q in raw["qh"]],
            "district_en": [DISTRICT_NAMES[q][1] for q in raw["qh"]],
        },
        geometry=geoms,
        crs="EPSG:4326",
    ).to_crs(CRS)
    out["geometry"] = shapely.make_valid(out.geometry.to_numpy())
    return out


# ---------------------------------------------------------------------------------------
# estates


def _similarity(
    angle_deg: float, src: tuple[float, float], dst: tuple[float, float]
) -> Callable[[np.ndarray], np.ndarray]:
    """Rotate about ``src`` by ``angle_deg`` and move ``src`` to ``dst`` (coordinates to mm)."""
    a = math.radians(angle_deg)
    rot = np.array([[math.cos(a), -math.sin(a)], [math.sin(a), math.cos(a)]])

    def fn(c: np.ndarray) -> np.ndarray:
        return np.round((c - np.asarray(src)) @ rot.T + np.asarray(dst), 3)

    return fn


def make_estate_layouts(rng: np.random.Generator) -> list[dict]:
    """Each estate (and its neighbourhood) as a synthetic layout in its own frame at (0, 0)."""
    out = []
    for i, e in enumerate(ESTATES):
        cond, legal, non_share = KINDS[e.kind]
        if e.kind == "mixed":
            cond += rng.uniform(-0.3, 0.3)
            legal += rng.uniform(-0.4, 0.4)
        n = max(20, round(e.km2 * PARCELS_PER_KM2))
        est = synthetic_parcels(
            n,
            seed=SEED * 100 + i,
            origin=(0.0, 0.0),
            crs=CRS,
            non_industrial_share=non_share,
            condition_shift=cond,
            legal_shift=legal,
        )
        est["park_no"] = i
        est["kind"] = e.kind
        w, h = est.total_bounds[2:]
        parts = [est]
        if e.neighbourhood_km2:
            nb = synthetic_parcels(
                max(10, round(e.neighbourhood_km2 * PARCELS_PER_KM2)),
                seed=SEED * 100 + 50 + i,
                origin=(w + ROAD_TO_NEIGHBOURHOOD, 0.0),
                crs=CRS,
                non_industrial_share=1.0,
                legal_shift=1.0,
            )
            nb["park_no"] = -1 - i  # not in a park; remembers its estate
            nb["kind"] = "neighbourhood"
            parts.append(nb)
        layout = pd.concat(parts, ignore_index=True)
        out.append({"layout": layout, "w": w, "h": h, "bounds": layout.total_bounds})
    return out


def place_estates(
    layouts: list[dict], districts: gpd.GeoDataFrame, rng: np.random.Generator
) -> None:
    """Pick a centre and rotation for every estate inside its district, apart from the others."""
    by_name = districts.set_index("district").geometry
    placed: list[shapely.Geometry] = []
    for e, lay in zip(ESTATES, layouts, strict=True):
        x0, y0, x1, y1 = lay["bounds"]
        src = ((x0 + x1) / 2, (y0 + y1) / 2)
        home = by_name[e.district]
        hx0, hy0, hx1, hy1 = home.bounds
        frame = shapely.box(x0, y0, x1, y1)
        for _ in range(5000):
            angle = rng.uniform(-30.0, 30.0)
            dst = (rng.uniform(hx0, hx1), rng.uniform(hy0, hy1))
            fn = _similarity(angle, src, dst)
            foot = shapely.transform(frame, fn)
            inside = shapely.intersection(foot, home).area / foot.area
            if inside > 0.93 and all(shapely.distance(foot, p) > 400.0 for p in placed):
                break
        else:  # pragma: no cover - the plan fits Shenzhen comfortably
            msg = f"could not place estate in {e.district}"
            raise RuntimeError(msg)
        placed.append(foot)
        lay["fn"], lay["angle"], lay["dst"] = fn, angle, dst


def assemble_parcels(layouts: list[dict], districts: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """Move the layouts into place, keep parcels lying wholly inside one district."""
    parts = []
    for lay in layouts:
        g = lay["layout"].copy()
        g["geometry"] = shapely.transform(g.geometry.to_numpy(), lay["fn"])
        parts.append(g)
    parcels = gpd.GeoDataFrame(pd.concat(parts, ignore_index=True), crs=CRS)
    parcels = parcels.drop(columns="district")  # the synthetic D1…D6 cells
    hit = gpd.sjoin(parcels, districts[["district", "geometry"]], predicate="within", how="inner")
    hit = hit[~hit.index.duplicated()]
    kept = parcels.loc[hit.index].copy()
    kept["district"] = hit["district"]
    return kept.reset_index(drop=True)


# ---------------------------------------------------------------------------------------
# Chinese, bureau-style attribute table


def park_names() -> list[str]:
    """Estate (园区) names, numbered within each district: 宝安1号工业区 …"""
    count: dict[str, int] = {}
    names = []
    for e in ESTATES:
        count[e.district] = count.get(e.district, 0) + 1
        names.append(f"{e.district[:-1]}{count[e.district]}号工业区")
    return names


def to_bureau(parcels: gpd.GeoDataFrame, rng: np.random.Generator) -> gpd.GeoDataFrame:
    """Rename to Chinese columns and write values the way bureaus deliver them."""
    n = len(parcels)
    zh_name = landuse_classes()["zh"].to_dict()
    park_no = parcels["park_no"].to_numpy()
    estate_no = np.where(park_no >= 0, park_no, -1 - park_no)

    # parcel ids: district prefix + estate number + running number, e.g. "LG05-0123"
    district = parcels["district"].to_numpy()
    ids = np.empty(n, dtype=object)
    for k in np.unique(estate_no):
        sel = np.flatnonzero(estate_no == k)
        ids[sel] = [f"{PREFIX[district[i]]}{k + 1:02d}-{j + 1:04d}" for j, i in enumerate(sel)]
    names = park_names()
    park = np.array([names[k] if k >= 0 else None for k in park_no], dtype=object)

    # current use: Chinese names, or 2020 national codes in some estates (1001 for some M1/M2)
    cur = parcels["current_use"].to_numpy()
    fmt = np.array([ESTATES[k].landuse_format for k in estate_no])
    current = np.array([zh_name[c] for c in cur], dtype=object)
    cn = fmt == "cn2020"
    current[cn] = [CN2020[c] for c in cur[cn]]
    generic = cn & np.isin(cur, ["M1", "M2"]) & (rng.random(n) < 0.3)
    current[generic] = "1001"

    # year built: mostly integers as text, some messy strings
    year = parcels["year_built"].to_numpy()
    built = year.astype(str).astype(object)
    messy = rng.random(n)
    decade = messy < 0.03
    span = (messy >= 0.03) & (messy < 0.06)
    suffix = (messy >= 0.06) & (messy < 0.09)
    built[decade] = [f"{y // 10 * 10}s" for y in year[decade]]
    built[span] = [f"{y - 1}-{y + 2}" for y in year[span]]
    built[suffix] = [f"{y}年" for y in year[suffix]]

    # enterprise screening flags (2011 plan): on industrial parcels only, adverse on a few
    ind = np.isin(cur, INDUSTRIAL)
    poor = (parcels["building_quality"] == "poor").to_numpy()
    u = rng.random((4, n))
    energy_int = (parcels["energy_tce"] / parcels["value_added_wan"]).to_numpy()
    hi_energy = ind & (energy_int > np.nanquantile(energy_int[ind], 0.96))

    def flag(adverse: np.ndarray, adverse_is_yes: bool = True) -> np.ndarray:
        yes, no = ("是", "否") if adverse_is_yes else ("否", "是")
        out = np.full(n, None, dtype=object)
        out[ind] = np.where(adverse, yes, no)[ind]
        return out

    licensed = flag(u[0] < 0.02 + 0.06 * poor, adverse_is_yes=False)
    hazard = flag(u[1] < 0.02 + 0.08 * poor)
    pollution = flag(u[2] < 0.01 + 0.05 * (cur == "M2"))
    high_energy = flag(hi_energy)

    # mixed-use (都市型工业) parcels: industrial floor area and green ratio, in two estates
    mixed_use = ind & np.isin(estate_no, [9, 14]) & np.isin(cur, ["M0", "M1"]) & (u[3] < 0.35)
    floor = parcels["floor_area_m2"].to_numpy()
    ind_floor = np.where(mixed_use, np.round(floor * rng.uniform(0.35, 0.9, n)), np.nan)
    green = np.where(mixed_use, np.round(rng.uniform(0.05, 0.30, n), 2), np.nan)

    lease = parcels["lease_years"].astype("Int64")
    return gpd.GeoDataFrame(
        {
            "宗地编号": ids,
            "行政区": parcels["district"].to_numpy(),
            "园区": park,
            "现状用途": current,
            "规划用途": parcels["planned_use"].to_numpy(),
            "建筑面积": floor,
            "建成年代": built,
            "合法用地面积": parcels["legal_area_m2"].to_numpy(),
            "建筑质量": parcels["building_quality"].map(QUALITY_ZH).to_numpy(),
            "产值": parcels["output_wan"].to_numpy(),
            "税收": parcels["tax_wan"].to_numpy(),
            "增加值": parcels["value_added_wan"].to_numpy(),
            "综合能耗": parcels["energy_tce"].to_numpy(),
            "租约年限": lease.to_numpy(),
            "证照齐全": licensed,
            "安全隐患": hazard,
            "高污染": pollution,
            "高能耗": high_energy,
            "工业建筑面积": ind_floor,
            "绿地率": green,
        },
        geometry=parcels.geometry.to_numpy(),
        crs=CRS,
    )


# ---------------------------------------------------------------------------------------
# industrial blocks


def _footprint(parcels: gpd.GeoDataFrame, k: int) -> shapely.Geometry:
    """Outline of estate ``k`` and its neighbourhood: parcels plus the roads between them."""
    sel = parcels["park_no"].isin([k, -1 - k])
    merged = shapely.union_all(
        shapely.buffer(parcels.geometry[sel].to_numpy(), 35.0, join_style="mitre")
    )
    return shapely.buffer(merged, -28.0, join_style="mitre")


def _block_geometry(
    lay: dict, spec: tuple, foot: shapely.Geometry, land: shapely.Geometry, x1: float | None = None
) -> shapely.Geometry:
    """A block rectangle in the estate's frame (fractions of its extent), moved into place and
    cut to the estate outline and to land. Edges at 0 or 1 run along the boundary road;
    interior edges cut through parcels; x > 1 reaches into the neighbourhood."""
    fx0, fy0, fx1, fy1 = spec[0], spec[1], (spec[2] if x1 is None else x1), spec[3]
    w, h, margin = lay["w"], lay["h"], 8.0
    nb_w = lay["bounds"][2] - (w + ROAD_TO_NEIGHBOURHOOD)

    def at(f: float, size: float) -> float:
        if f <= 0:
            return -margin
        if f == 1:
            return size + margin
        if f > 1:
            return w + ROAD_TO_NEIGHBOURHOOD + (f - 1) * nb_w
        return f * size

    rect = shapely.box(at(fx0, w), at(fy0, h), at(fx1, w), at(fy1, h))
    rect = shapely.transform(rect, lay["fn"])
    geom = shapely.intersection(shapely.intersection(rect, foot), land)
    if geom.geom_type != "Polygon":  # keep the main piece
        parts = sorted(shapely.get_parts(geom), key=lambda g: g.area)
        geom = parts[-1]
    return shapely.simplify(geom, 0.5)


def industrial_share(block: shapely.Geometry, parcels: gpd.GeoDataFrame) -> tuple[float, float]:
    """Planned-industrial land in a block: share of block area and of parcel land in it."""
    idx = parcels.sindex.query(block, predicate="intersects")
    sub = parcels.iloc[idx]
    inter = shapely.area(shapely.intersection(sub.geometry.to_numpy(), block))
    ind = sub["planned_use"].isin(BLOCK_INDUSTRIAL).to_numpy()
    return inter[ind].sum() / block.area, inter[ind].sum() / max(inter.sum(), 1e-9)


def make_blocks(
    layouts: list[dict], parcels: gpd.GeoDataFrame, districts: gpd.GeoDataFrame
) -> tuple[gpd.GeoDataFrame, gpd.GeoDataFrame]:
    """Industrial blocks around the estates, and a revised layer for 占补平衡 checks."""
    land = shapely.union_all(districts.geometry.to_numpy())
    feet = {k: _footprint(parcels, k) for k in range(len(layouts))}

    def build(k: int, spec: tuple) -> shapely.Geometry:
        lay, foot = layouts[k], feet[k]
        if isinstance(spec[2], str):  # solve x1 for a target share
            target = float(spec[2].split(":")[1])
            lo, hi = 1.0, 2.0
            for _ in range(40):
                mid = (lo + hi) / 2
                s = industrial_share(_block_geometry(lay, spec, foot, land, x1=mid), parcels)[0]
                lo, hi = (mid, hi) if s > target else (lo, mid)
            return _block_geometry(lay, spec, foot, land, x1=(lo + hi) / 2)
        return _block_geometry(lay, spec, foot, land)

    rows = []
    for k, e in enumerate(ESTATES):
        for j, spec in enumerate(e.blocks):
            rows.append({"estate": k, "part": j, "geometry": build(k, spec)})
    blocks = gpd.GeoDataFrame(rows, crs=CRS)
    blocks = _label_blocks(blocks, districts)

    # revised layer: one block removed, one shrunk, two added
    rev = blocks.copy()
    rev["变更"] = "未变"
    k_rm, j_rm = REVISED_REMOVE
    rev = rev[~((rev["estate"] == k_rm) & (rev["part"] == j_rm))]
    k_sh, j_sh, spec_sh = REVISED_SHRINK
    sel = (rev["estate"] == k_sh) & (rev["part"] == j_sh)
    rev.loc[sel, "geometry"] = [build(k_sh, spec_sh)]
    rev.loc[sel, "变更"] = "缩减"
    added = []
    for n, (k, spec) in enumerate(REVISED_ADD):
        added.append(
            {
                "estate": k,
                "part": len(ESTATES[k].blocks) + n,
                "geometry": build(k, spec),
                "变更": "新增",
            }
        )
    new = gpd.GeoDataFrame(added, crs=CRS)
    new = _label_blocks(new, districts, start=len(blocks) + 1)
    rev = pd.concat([rev, new], ignore_index=True)
    return blocks, gpd.GeoDataFrame(rev, crs=CRS)


def _label_blocks(
    blocks: gpd.GeoDataFrame, districts: gpd.GeoDataFrame, start: int = 1
) -> gpd.GeoDataFrame:
    geoms = blocks.geometry.to_numpy()
    overlap = shapely.area(
        shapely.intersection(geoms[:, None], districts.geometry.to_numpy()[None, :])
    )
    blocks["行政区"] = districts["district"].to_numpy()[overlap.argmax(axis=1)]
    blocks["区块编号"] = [f"GB-{start + i:02d}" for i in range(len(blocks))]
    parks = park_names()
    blocks["区块名称"] = [
        f"{parks[k].removesuffix('工业区')}{'甲乙丙丁戊己'[j]}区块"
        for k, j in zip(blocks["estate"], blocks["part"], strict=True)
    ]
    # Guangzhou draws first-level (一级) and second-level (二级) control lines
    blocks["区块级别"] = np.where(
        blocks["estate"].map(lambda k: ESTATES[k].kind) == "good", "一级", "二级"
    )
    return blocks


# ---------------------------------------------------------------------------------------
# building height raster


def make_height(parcels: gpd.GeoDataFrame, rng: np.random.Generator, path: Path) -> dict:
    """Building heights (m) over one estate: 4 m per floor, floors = FAR / building coverage."""
    k = HEIGHT_ESTATE
    sel = parcels[(parcels["park_no"] == k) | (parcels["park_no"] == -1 - k)]
    res = 10.0
    x0, y0, x1, y1 = sel.total_bounds
    x0, y0 = math.floor(x0 / res) * res - 50, math.floor(y0 / res) * res - 50
    x1, y1 = math.ceil(x1 / res) * res + 50, math.ceil(y1 / res) * res + 50
    width, height = int((x1 - x0) / res), int((y1 - y0) / res)
    transform = from_origin(x0, y1, res, res)

    area = sel.area.to_numpy()
    far = sel["floor_area_m2"].to_numpy() / area
    ind = sel["current_use"].isin(INDUSTRIAL).to_numpy()
    coverage = np.where(ind, rng.uniform(0.35, 0.6, len(sel)), rng.uniform(0.2, 0.35, len(sel)))
    coverage = np.where(far < coverage, far, coverage)  # low buildings: a single storey
    floors = np.maximum(1, np.rint(far / np.maximum(coverage, 1e-6)))
    coverage = far / floors  # so that footprint × floors = floor area
    h = (4.0 * floors).astype("float32")

    # footprint: the parcel scaled about its centroid to the coverage share of its area
    geoms = sel.geometry.to_numpy()
    cen = shapely.centroid(geoms)
    coords, which = shapely.get_coordinates(geoms, return_index=True)
    c = np.column_stack([shapely.get_x(cen), shapely.get_y(cen)])[which]
    f = np.sqrt(coverage)[which, None]
    feet = shapely.set_coordinates(geoms.copy(), c + (coords - c) * f)
    keep = coverage > 0.005
    grid = rasterize(
        zip(feet[keep], h[keep], strict=True),
        out_shape=(height, width),
        transform=transform,
        fill=0.0,
        dtype="float32",
    )
    # no data where nothing was surveyed: more than about 60 m from the parcels
    outline = shapely.buffer(shapely.union_all(shapely.buffer(geoms, 40.0)), 20.0)
    surveyed = rasterize(
        [(outline, 1)], out_shape=(height, width), transform=transform, fill=0, dtype="uint8"
    )
    nodata = -9999.0
    grid = np.where(surveyed == 1, grid, nodata).astype("float32")
    with rasterio.open(
        path,
        "w",
        driver="GTiff",
        width=width,
        height=height,
        count=1,
        dtype="float32",
        crs=CRS,
        transform=transform,
        nodata=nodata,
        compress="deflate",
        predictor=3,
        tiled=True,
        blockxsize=256,
        blockysize=256,
    ) as dst:
        dst.write(grid, 1)
        dst.update_tags(1, units="m", description="building height, 4 m per floor")
    built = grid > 0
    return {
        "shape": (height, width),
        "res": res,
        "floor_area_from_raster_m2": float((grid[built] / 4.0).sum() * res * res),
        "floor_area_of_parcels_m2": float(sel["floor_area_m2"].sum()),
        "max_height_m": float(grid.max()),
    }


# ---------------------------------------------------------------------------------------
# report


def report(
    parcels: gpd.GeoDataFrame,
    blocks: gpd.GeoDataFrame,
    revised: gpd.GeoDataFrame,
    height: dict,
) -> None:
    area = parcels.area
    ind = parcels["current_use"].isin(INDUSTRIAL)
    a_i = area[ind]
    pi = parcels[ind]
    far = pi["floor_area_m2"] / a_i
    mu = a_i / MU_M2
    print(f"parcels: {len(parcels)} ({ind.sum()} industrial, {(~ind).sum()} other)")
    print(f"industrial land: {a_i.sum() / 1e6:.2f} km² of {area.sum() / 1e6:.2f} km² parcel land")
    print(
        f"FAR of industrial parcels: mean {far.mean():.2f}, area-weighted {pi['floor_area_m2'].sum() / a_i.sum():.2f}, "
        f"range {far.min():.2f}–{far.max():.2f}"
    )
    share = pi["legal_area_m2"] / a_i
    print(
        f"legal share (industrial): area-weighted {pi['legal_area_m2'].sum() / a_i.sum():.2f}, "
        f"parcels < 0.3: {(share < 0.3).mean():.0%}, ≥ 0.6: {(share >= 0.6).mean():.0%}"
    )
    q = a_i.groupby(pi["building_quality"]).sum() / a_i.sum()
    print(f"quality by area: good {q['good']:.0%}, fair {q['fair']:.0%}, poor {q['poor']:.0%}")
    y = pi["year_built"]
    print(
        f"year built: median {y.median():.0f}, 1990–2009: {y.between(1990, 2009).mean():.0%}, range {y.min()}–{y.max()}"
    )
    print(
        f"output per 亩: median {(pi['output_wan'] / mu).median():.0f} 万元, "
        f"p90 {(pi['output_wan'] / mu).quantile(0.9):.0f}; tax per 亩 median {(pi['tax_wan'] / mu).median():.1f} 万元"
    )
    conv = ind & ~parcels["planned_use"].isin(INDUSTRIAL)
    print(f"industrial parcels planned for other uses: {conv.sum()} ({conv.sum() / ind.sum():.1%})")
    print()
    print("| district | parcels | industrial parcels | industrial land km² |")
    print("|---|---:|---:|---:|")
    for d, g in parcels.groupby("district"):
        gi = g["current_use"].isin(INDUSTRIAL)
        print(f"| {d} | {len(g)} | {gi.sum()} | {g.area[gi].sum() / 1e6:.2f} |")
    print()
    print("| estate | district | kind | parcels | FAR | legal share | good / poor by area |")
    print("|---|---|---|---:|---:|---:|---|")
    for k, g in parcels[parcels["park_no"] >= 0].groupby("park_no"):
        gi = g[g["current_use"].isin(INDUSTRIAL)]
        ai = gi.area
        qa = ai.groupby(gi["building_quality"]).sum() / ai.sum()
        print(
            f"| {g['园区'].iloc[0]} | {ESTATES[k].district} | {ESTATES[k].kind} | {len(g)} | "
            f"{gi['floor_area_m2'].sum() / ai.sum():.2f} | {gi['legal_area_m2'].sum() / ai.sum():.2f} | "
            f"{qa.get('good', 0):.0%} / {qa.get('poor', 0):.0%} |"
        )
    print()
    print(
        "| block | district | km² | industrial share of block area | of parcel land in block | ≥55 % | ≥65 % |"
    )
    print("|---|---|---:|---:|---:|---|---|")
    for _, b in blocks.iterrows():
        s_block, s_land = industrial_share(b.geometry, parcels)
        print(
            f"| {b['区块编号']} | {b['行政区']} | {b.geometry.area / 1e6:.2f} | {s_block:.1%} | {s_land:.1%} | "
            f"{'pass' if s_block >= 0.55 else 'fail'} | {'pass' if s_block >= 0.65 else 'fail'} |"
        )
    print()
    planned = parcels[parcels["planned_use"].isin(BLOCK_INDUSTRIAL)]
    in_blocks = shapely.union_all(blocks.geometry.to_numpy())
    print("| district | planned industrial km² | inside blocks | share (≥ 80 %) |")
    print("|---|---:|---:|---:|")
    for d, g in planned.groupby("district"):
        inside = shapely.area(shapely.intersection(g.geometry.to_numpy(), in_blocks)).sum()
        total = g.area.sum()
        print(f"| {d} | {total / 1e6:.2f} | {inside / 1e6:.2f} | {inside / total:.0%} |")
    print()
    print("| district | block area before km² | after km² | removed | added | balance |")
    print("|---|---:|---:|---:|---:|---:|")
    before = blocks.dissolve("行政区").geometry
    after = revised.dissolve("行政区").geometry
    for d in sorted(set(before.index) | set(after.index)):
        b = before.get(d, shapely.Polygon())
        a = after.get(d, shapely.Polygon())
        removed = shapely.difference(b, a).area / 1e6
        added = shapely.difference(a, b).area / 1e6
        print(
            f"| {d} | {b.area / 1e6:.3f} | {a.area / 1e6:.3f} | {removed:.3f} | {added:.3f} | {added - removed:+.3f} |"
        )
    print()
    print(
        f"height raster: {height['shape'][1]} × {height['shape'][0]} cells of {height['res']:.0f} m, "
        f"max {height['max_height_m']:.0f} m; floor area from raster (height/4 × cell area) "
        f"{height['floor_area_from_raster_m2'] / 1e6:.3f} km² vs parcels {height['floor_area_of_parcels_m2'] / 1e6:.3f} km²"
    )


# ---------------------------------------------------------------------------------------


FIRMS_SEED = SEED * 10 + 7  # the firm table's own stream: regenerating it leaves the parcels untouched


def make_firms(parcels_path: Path, out: Path, seed: int = FIRMS_SEED) -> pd.DataFrame:
    """Firm records for the sample city (sample_city_firms.csv), from the bundled parcels.

    Every industrial parcel with output (产值) gets one firm on its own land (自有) — except a
    few parcels whose owner only lets space — and about a third get 1–3 firms on rented
    space (租赁). The own-land firm takes the parcel's figures minus what its tenants produce;
    规上 / 规下 follows the national threshold (主营业务收入 ≥ 2000 万元). Energy in tce,
    electricity in 万kWh (1 万kWh ≈ 1.229 tce, equivalent value), emissions in t of pollutant
    equivalent, R&D in 万元. Low-efficiency fields (停产年限, 连续未纳税年数, 淘汰类产业) are
    set for a few firms so the flags have something to find. Reads only the parcel file.
    """
    import sys as _sys

    _sys.path.insert(0, str(ROOT))
    import zoning

    rng = np.random.default_rng(seed)
    p = zoning.read_parcels(parcels_path)
    cur = p["current_use"].astype("string").fillna("")
    lu = zoning.parse_landuse(p["current_use"]).code.astype("string").fillna("")
    ind = lu.str.match(r"^(M|W)").to_numpy(dtype=bool) & p["output_wan"].notna().to_numpy()
    del cur
    rows = []
    k = 0
    for i in np.flatnonzero(ind):
        r = p.iloc[i]
        out_w, tax, va, en = (float(r[c]) if pd.notna(r[c]) else np.nan for c in ("output_wan", "tax_wan", "value_added_wan", "energy_tce"))
        floor = float(r["floor_area_m2"]) if pd.notna(r["floor_area_m2"]) else np.nan
        n_t = int(rng.choice([0, 0, 1, 2, 3], p=[0.5, 0.17, 0.18, 0.1, 0.05]))
        shares = rng.uniform(0.05, 0.25, n_t) if n_t else np.zeros(0)
        landlord_only = n_t > 0 and rng.random() < 0.15
        firms = []
        for sh in shares:
            firms.append(("租赁", sh, round(floor * sh) if np.isfinite(floor) else np.nan))
        if not landlord_only:
            firms.append(("自有", max(1 - shares.sum(), 0.2), np.nan))
        for tenure, sh, rented in firms:
            k += 1
            noise = rng.lognormal(0, 0.35)
            sales = out_w * sh * rng.uniform(0.9, 1.1)
            f_tax = tax * sh * noise
            f_va = va * sh * rng.lognormal(0, 0.15)
            f_en = en * sh * rng.lognormal(0, 0.2)
            stopped = rng.random() < 0.03
            rows.append({
                "企业编号": f"F{k:05d}",
                "企业名称": f"{r['park'] if pd.notna(r.get('park')) else '样例'}企业{k:05d}",
                "宗地编号": r["parcel_id"],
                "用地方式": tenure,
                "企业规模": "规上" if sales >= 2000 else "规下",
                "租用建筑面积": rented,
                "主营业务收入": round(sales, 1),
                "税收": round(0.0 if stopped and rng.random() < 0.6 else f_tax, 1),
                "增加值": round(f_va, 1),
                "综合能耗": round(f_en, 1),
                "用电量": round(f_en / 1.229 * rng.uniform(0.7, 1.0), 1),
                "排放当量": round(max(f_va / rng.uniform(2000, 9000), 0.001), 3),
                "从业人员": int(max(3, round(sales / rng.uniform(60, 160)))),
                "研发经费": round(sales * rng.choice([0.0, rng.uniform(0.005, 0.06)], p=[0.3, 0.7]), 1),
                "停产年限": round(rng.uniform(1, 3), 1) if stopped else 0.0,
                "连续未纳税年数": int(rng.integers(2, 4)) if stopped and rng.random() < 0.6 else 0,
                "淘汰类产业": "是" if rng.random() < 0.01 else "否",
            })
    df = pd.DataFrame(rows)
    df.to_csv(out / "sample_city_firms.csv", index=False, encoding="utf-8-sig")
    return df


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    ap.add_argument(
        "--districts",
        type=Path,
        default=DEFAULT_DISTRICTS,
        help="transbigdata sz.json (GCJ-02 lon/lat); default: %(default)s",
    )
    ap.add_argument("--out", type=Path, default=HERE, help="output folder (default: this folder)")
    ap.add_argument("--firms-only", action="store_true",
                    help="regenerate only sample_city_firms.csv from the bundled parcels (the other files are not touched)")
    args = ap.parse_args(argv)
    if args.firms_only:
        df = make_firms(args.out / "sample_city_parcels.gpkg", args.out)
        print(f"sample_city_firms.csv: {len(df)} firms")
        return
    if not args.districts.exists():
        ap.error(
            f"district boundaries not found at {args.districts}; pass --districts PATH "
            "(sz.json from github.com/ni1o1/transbigdata, docs/source/gallery/data/sz.json)"
        )
    out: Path = args.out
    rng = np.random.default_rng(SEED)

    districts = load_districts(args.districts)
    layouts = make_estate_layouts(rng)
    place_estates(layouts, districts, rng)
    canon = assemble_parcels(layouts, districts)
    bureau = to_bureau(canon, rng)
    canon["园区"] = bureau["园区"].to_numpy()
    blocks, revised = make_blocks(layouts, canon, districts)
    height = make_height(canon, rng, out / "sample_city_height.tif")

    for name in [
        "sample_city_parcels.gpkg",
        "sample_city_districts.gpkg",
        "sample_city_blocks.gpkg",
        "sample_city_blocks_revised.gpkg",
    ]:
        (out / name).unlink(missing_ok=True)
    bureau.to_file(out / "sample_city_parcels.gpkg", layer="parcels", driver="GPKG")
    districts.to_file(out / "sample_city_districts.gpkg", layer="districts", driver="GPKG")
    cols = ["区块编号", "区块名称", "行政区", "区块级别"]
    blocks[[*cols, "geometry"]].to_file(
        out / "sample_city_blocks.gpkg", layer="blocks", driver="GPKG"
    )
    revised[[*cols, "变更", "geometry"]].to_file(
        out / "sample_city_blocks_revised.gpkg", layer="blocks", driver="GPKG"
    )

    report(canon, blocks, revised, height)
    make_firms(out / "sample_city_parcels.gpkg", out)
    print()
    total = 0
    for p in sorted(out.glob("sample_city_*")):
        total += p.stat().st_size
        print(f"{p.name}: {p.stat().st_size / 1024:.0f} KiB")
    print(f"total: {total / 1024 / 1024:.2f} MiB")


if __name__ == "__main__":
    main()
