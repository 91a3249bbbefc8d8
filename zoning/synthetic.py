"""Synthetic industrial parcel layers for tests, benchmarks and the sample city.

:func:`synthetic_parcels` draws a realistic cadastre of industrial land: superblocks separated
by local roads and arterials, each cut into an irregular grid of parcels that tile exactly
(shared, jittered vertices), a few sliver gaps, and bureau-style attributes that vary
*smoothly in space* (good and bad areas, not salt-and-pepper). It is fully vectorised
(numpy + shapely array functions) and makes a million parcels in well under a minute.

The attribute distributions are calibrated to published figures collected in
``shared/reference/policy-criteria.md`` (section and criteria-table row in brackets):

- floor-area ratio: mean of industrial land 1.46 (Longgang district, 2020 building census;
  §2.2, row 14); range about 0.3–5;
- legal-land share: more than half of Shenzhen's existing industrial land is held or
  transferred by former rural collectives (§2.2), so the area-weighted mean legal share of
  industrial parcels is about 0.5 and many parcels are below 0.3; the 60 % legality line
  that separates land consolidation from renewal (row 7) has both sides well populated;
- year built 1985–2022, concentrated in the 1990s and 2000s;
- output per 亩: median about 400 万元/亩 with a long right tail, mean about 560
  (Tongling 2021 average sales 603.7 万元/亩, §5.2; Guangzhou provincial-quota intensity
  test 400 万元/亩, policy 002, row 20);
- tax per 亩: median about 15 万元/亩 (Tongling 2021 average 14.05 万元/亩, §5.2; Guangzhou
  quota test 15 万元/亩, row 20);
- energy: 0.113 tce per 万元 value added (Shenzhen High-Tech Park benchmark, policy 003);
- building quality by area: good 35 %, fair 35 %, poor 30 % (a chosen target; no published
  figure).
"""

from __future__ import annotations

import math

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from scipy import ndimage

__all__ = ["synthetic_parcels"]

MU_M2 = 2000.0 / 3.0  # 1 亩 = 666.67 m²

# current use of industrial parcels (GB 50137 codes) and their shares
_IND_CODES = np.array(["M1", "M2", "M0", "W1"])
_IND_SHARES = np.array([0.60, 0.27, 0.05, 0.08])
_IND_FAR_FACTOR = np.array([1.0, 1.0, 2.2, 0.7])
_IND_OUTPUT_FACTOR = np.array([1.0, 1.0, 1.6, 0.4])
# non-industrial parcels: code, share, median FAR
_NON_CODES = np.array(["R2", "B1", "B2", "A3", "G1", "S4"])
_NON_SHARES = np.array([0.40, 0.12, 0.10, 0.08, 0.18, 0.12])
_NON_FAR = np.array([2.5, 2.0, 3.5, 1.0, 0.03, 0.3])
# planned conversions of industrial parcels (share of industrial parcels, then target mix)
_CONVERSION_SHARE = 0.05
_CONVERSION_CODES = np.array(["B2", "R2", "M0"])
_CONVERSION_MIX = np.array([0.4, 0.2, 0.4])

_FAR_MEAN = 1.46  # Longgang 2020 building census, mean industrial FAR
_FAR_SIGMA = 0.5
_OUTPUT_PER_MU = 400.0  # 万元/亩, median
_TAX_PER_MU = 15.0  # 万元/亩, median
_TCE_PER_WAN_VA = 0.113  # tce per 万元 value added
# building-quality cut-offs on a standard-normal latent: poor 30 %, fair 35 %, good 35 %
_Q_POOR, _Q_GOOD = -0.5244005127080407, 0.38532046640756773


def synthetic_parcels(
    n_parcels: int,
    *,
    seed: int = 0,
    origin: tuple[float, float] = (500_000.0, 2_490_000.0),
    crs: str = "EPSG:4547",
    non_industrial_share: float = 0.15,
    sliver_share: float = 0.05,
    condition_shift: float = 0.0,
    legal_shift: float = 0.0,
) -> gpd.GeoDataFrame:
    """Make a realistic synthetic layer of industrial land parcels (宗地).

    Layout: superblocks of 250–500 m separated by local roads 15–24 m wide, with a 40–60 m
    arterial every three to five superblocks. Each superblock is cut into an irregular grid
    of parcels (random cut positions, cells about 40–150 m on a side, i.e. about 0.2–2 ha);
    interior grid vertices are jittered and shared between neighbours, so parcels are
    irregular quadrilaterals that tile the superblock exactly (no overlaps, no gaps). About
    5 % of parcels are two merged neighbouring cells (hexagons), and ``sliver_share`` of the
    parcels are shrunk by 0.05–1.0 m, leaving the sliver gaps real cadastres have. Superblocks
    are filled square shell by square shell from ``origin``, so the layer covers a roughly
    square region.

    Attributes are raw values as a bureau hands them out. They are driven by smooth random
    fields evaluated at parcel centroids plus per-parcel noise: a *condition* field (high →
    newer buildings, better quality, higher FAR, more output per 亩, higher legal share), a
    separate *legality* field (so land consolidation and contiguous renewal differ by area),
    a *mix* field (where non-industrial parcels and planned conversions cluster) and a
    *type* field (M1 vs M2 areas). Calibration targets (see the module docstring and
    ``shared/reference/policy-criteria.md``): mean industrial FAR 1.46 (Longgang 2020 building
    census); area-weighted legal share ≈ 0.5 (over half of Shenzhen's existing industrial
    land is held or transferred by former rural collectives); years 1985–2022, mostly 1990s–2000s; output ≈ 400 万元/亩 median
    with a long tail; tax ≈ 15 万元/亩 median (Tongling 2021: 14.05 万元/亩; Guangzhou
    quota test: 15 万元/亩); quality by area ≈ 35 % good, 35 % fair, 30 % poor.

    Parameters
    ----------
    n_parcels
        Number of parcels; the result has exactly this many rows.
    seed
        Seed of the random generator; the same seed gives the same layer.
    origin
        Lower-left corner of the layout, in ``crs`` metres.
    crs
        A projected CRS in metres (default CGCS2000 3-degree Gauss-Krüger CM 114E, Shenzhen).
    non_industrial_share
        Share of parcels in non-industrial use (R2, B1, B2, A3, G1, S4), clustered in space.
    sliver_share
        Share of parcels shrunk by 0.05–1.0 m (sliver gaps to their neighbours).
    condition_shift
        Shift of the condition field in standard deviations (``+1`` gives a clearly good
        area, ``-1.5`` a clearly poor one). The calibration targets above hold at 0.
    legal_shift
        Shift of the legal-share latent (logit scale, about ±2 spans mostly collective to
        mostly legal land). The calibration targets above hold at 0.

    Returns
    -------
    geopandas.GeoDataFrame
        One row per parcel, index ``0 … n_parcels-1``, Polygon geometries, columns
        ``parcel_id`` (``"P0000001"`` …), ``district`` (``"D1"`` … ``"D6"``, a 3 × 2 grid of
        coarse cells), ``current_use`` and ``planned_use`` (GB 50137 codes: M1, M2, M0, W1
        and R2, B1, B2, A3, G1, S4; about 5 % of industrial parcels are planned for B2, R2 or
        M0), ``floor_area_m2``, ``year_built`` (int), ``legal_area_m2`` (≤ land area),
        ``building_quality`` (``"good"``/``"fair"``/``"poor"``), ``output_wan``, ``tax_wan``,
        ``value_added_wan``, ``energy_tce`` (万元 and tce per year; NaN on non-industrial
        parcels) and ``lease_years`` (NaN on non-industrial parcels).

    Examples
    --------
    >>> from zoning.synthetic import synthetic_parcels
    >>> gdf = synthetic_parcels(500, seed=1)
    >>> len(gdf), gdf.crs.to_epsg(), gdf["parcel_id"].is_unique
    (500, 4547, True)
    >>> bool(gdf.geometry.is_valid.all()), sorted(gdf["building_quality"].unique())
    (True, ['fair', 'good', 'poor'])
    >>> bool(0.2 < gdf.area.median() / 10_000 < 2)  # median parcel in hectares
    True
    """
    n = int(n_parcels)
    if n < 1:
        msg = f"n_parcels must be a positive integer, got {n_parcels!r}"
        raise ValueError(msg)
    for name, v in [("non_industrial_share", non_industrial_share), ("sliver_share", sliver_share)]:
        if not 0.0 <= v <= 1.0:
            msg = f"{name} must be between 0 and 1, got {v!r}"
            raise ValueError(msg)
    rng = np.random.default_rng(seed)
    geom = _layout(n, rng, float(origin[0]), float(origin[1]))
    n_sliver = round(sliver_share * n)
    if n_sliver:
        idx = np.sort(rng.choice(n, size=n_sliver, replace=False))
        geom[idx] = shapely.buffer(
            geom[idx], -rng.uniform(0.05, 1.0, n_sliver), join_style="mitre", mitre_limit=10.0
        )
    gdf = _attributes(geom, rng, non_industrial_share, condition_shift, legal_shift)
    return gpd.GeoDataFrame(gdf, geometry=geom, crs=crs)


# ---------------------------------------------------------------------------------------
# layout


def _segment_cumsum(values: np.ndarray, counts: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Cumulative sums restarting in every segment; also each segment's total."""
    cs = np.cumsum(values)
    ends = np.cumsum(counts) - 1
    totals = np.diff(np.concatenate([[0.0], cs[ends]]))
    before = np.repeat(cs[ends] - totals, counts)
    return cs - before, totals


def _layout(n: int, rng: np.random.Generator, ox: float, oy: float) -> np.ndarray:
    """Polygons of exactly ``n`` parcels, superblock by superblock in square-shell order."""
    g = math.ceil(math.sqrt(n / 16.0 * 1.1)) + 1
    while True:
        col_w = rng.uniform(250.0, 500.0, g)
        row_h = rng.uniform(250.0, 500.0, g)
        # superblock parameters (row-major): target cell size and aspect
        s = g * g
        target = rng.uniform(60.0, 125.0, s)
        sb_r, sb_c = np.divmod(np.arange(s), g)
        w, h = col_w[sb_c], row_h[sb_r]
        kx = np.clip(np.rint(w / target), 1, None).astype(np.int64)
        ky = np.clip(np.rint(h / (target * rng.uniform(0.8, 1.25, s))), 1, None).astype(np.int64)
        ncell = kx * ky
        cell_u = rng.random(int(ncell.sum()))  # merge lottery, one draw per cell
        # which cells merge with their right neighbour (even column, not the last one)
        cell_sb = np.repeat(np.arange(s), ncell)
        local = np.arange(cell_u.size) - np.repeat(np.cumsum(ncell) - ncell, ncell)
        ci = local % kx[cell_sb]
        merge = (ci % 2 == 0) & (ci + 1 < kx[cell_sb]) & (cell_u < 0.12)
        nparcel = ncell - np.bincount(cell_sb[merge], minlength=s)
        shell = np.maximum(sb_r, sb_c)
        along = np.where(sb_c == shell, sb_r, 2 * shell - sb_c)
        order = np.lexsort((along, shell))
        if nparcel.sum() >= n:
            break
        g = math.ceil(g * 1.15) + 1
    keep_sb = order[: int(np.searchsorted(np.cumsum(nparcel[order]), n)) + 1]

    # roads between superblock columns / rows: local 15–24 m, arterial 40–60 m every 3–5
    def offsets(sizes: np.ndarray, origin: float) -> np.ndarray:
        k = sizes.size
        road = rng.uniform(15.0, 24.0, k)
        arterial = np.cumsum(rng.integers(3, 6, k))
        arterial = arterial[arterial < k]
        road[arterial] = rng.uniform(40.0, 60.0, arterial.size)
        road[0] = 0.0  # road[i] is the road before superblock i
        return origin + np.cumsum(road + np.concatenate([[0.0], sizes[:-1]]))

    col_x, row_y = offsets(col_w, ox), offsets(row_h, oy)

    # per kept superblock: cut positions along x and y (random gaps, 0.7–1.3 of the mean)
    sb = keep_sb
    kxs, kys = kx[sb], ky[sb]
    x0, y0, ws, hs = col_x[sb_c[sb]], row_y[sb_r[sb]], w[sb], h[sb]

    def cuts(k: np.ndarray, start: np.ndarray, size: np.ndarray) -> np.ndarray:
        gaps = rng.uniform(0.7, 1.3, int(k.sum()))
        cum, tot = _segment_cumsum(gaps, k)
        seg = np.repeat(np.arange(k.size), k)
        pos = cum / tot[seg] * size[seg] + start[seg]
        # insert the segment start in front of every segment: k+1 positions per superblock
        out = np.empty(int(k.sum()) + k.size)
        first = np.cumsum(k + 1) - (k + 1)
        mask = np.ones(out.size, bool)
        mask[first] = False
        out[first] = start
        out[mask] = pos
        return out

    xs, ys = cuts(kxs, x0, ws), cuts(kys, y0, hs)
    xoff = np.cumsum(kxs + 1) - (kxs + 1)
    yoff = np.cumsum(kys + 1) - (kys + 1)

    # vertex grid (kx+1) × (ky+1) per superblock, interior vertices jittered
    nv = (kxs + 1) * (kys + 1)
    vstart = np.cumsum(nv) - nv
    v_sb = np.repeat(np.arange(sb.size), nv)
    lv = np.arange(int(nv.sum())) - vstart[v_sb]
    vi, vj = lv % (kxs[v_sb] + 1), lv // (kxs[v_sb] + 1)
    xi, yj = xoff[v_sb] + vi, yoff[v_sb] + vj
    vx, vy = xs[xi], ys[yj]
    inner_x = (vi > 0) & (vi < kxs[v_sb])
    inner_y = (vj > 0) & (vj < kys[v_sb])
    gx = np.where(
        inner_x, np.minimum(vx - xs[xi - 1], xs[np.minimum(xi + 1, xs.size - 1)] - vx), 0.0
    )
    gy = np.where(
        inner_y, np.minimum(vy - ys[yj - 1], ys[np.minimum(yj + 1, ys.size - 1)] - vy), 0.0
    )
    vx = vx + 0.22 * gx * rng.uniform(-1.0, 1.0, vx.size)
    vy = vy + 0.22 * gy * rng.uniform(-1.0, 1.0, vy.size)

    # cells of the kept superblocks, in superblock order, merged pairs folded into one parcel
    cell_start = np.cumsum(ncell) - ncell
    c_sb_local = np.repeat(np.arange(sb.size), ncell[sb])
    cidx = np.repeat(cell_start[sb], ncell[sb]) + (
        np.arange(int(ncell[sb].sum())) - np.repeat(np.cumsum(ncell[sb]) - ncell[sb], ncell[sb])
    )
    c_merge = merge[cidx]
    c_local = local[cidx]
    c_kx = kxs[c_sb_local]
    c_i, c_j = c_local % c_kx, c_local // c_kx
    # drop the right half of every merged pair
    dropped = np.zeros(cidx.size, bool)
    dropped[1:] = c_merge[:-1]
    keep = ~dropped
    c_sb_local, c_merge, c_i, c_j, c_kx = (
        a[keep][:n] for a in (c_sb_local, c_merge, c_i, c_j, c_kx)
    )
    v00 = vstart[c_sb_local] + c_j * (c_kx + 1) + c_i
    v01 = v00 + c_kx + 1
    nvert = np.where(c_merge, 7, 5)
    ring_off = np.concatenate([[0], np.cumsum(nvert)])
    vidx = np.empty(int(ring_off[-1]), np.int64)
    q = ~c_merge
    vidx[ring_off[:-1][q, None] + np.arange(5)] = np.stack(
        [v00[q], v00[q] + 1, v01[q] + 1, v01[q], v00[q]], axis=1
    )
    m = c_merge
    vidx[ring_off[:-1][m, None] + np.arange(7)] = np.stack(
        [v00[m], v00[m] + 1, v00[m] + 2, v01[m] + 2, v01[m] + 1, v01[m], v00[m]], axis=1
    )
    coords = np.column_stack([vx[vidx], vy[vidx]])
    return shapely.from_ragged_array(
        shapely.GeometryType.POLYGON, coords, (ring_off, np.arange(n + 1))
    )


# ---------------------------------------------------------------------------------------
# attributes


def _smooth_field(
    rng: np.random.Generator, x: np.ndarray, y: np.ndarray, scale: float
) -> np.ndarray:
    """A smooth random field at points: a coarse N(0, 1) grid of spacing ``scale`` metres,
    interpolated with cubic splines, then standardised over the points."""
    x0 = x.min() - rng.uniform(0.0, scale)
    y0 = y.min() - rng.uniform(0.0, scale)
    nx = int((x.max() - x0) // scale) + 3
    ny = int((y.max() - y0) // scale) + 3
    grid = rng.standard_normal((ny, nx))
    f = ndimage.map_coordinates(grid, [(y - y0) / scale, (x - x0) / scale], order=3, mode="nearest")
    return _standardise(f)


def _standardise(f: np.ndarray) -> np.ndarray:
    sd = f.std()
    return (f - f.mean()) / sd if sd > 1e-9 else np.zeros_like(f)


def _field(rng: np.random.Generator, x: np.ndarray, y: np.ndarray) -> np.ndarray:
    """Two scales: districts of ~1.5 km and estates of ~0.5 km."""
    return _standardise(
        0.8 * _smooth_field(rng, x, y, 1500.0) + 0.6 * _smooth_field(rng, x, y, 500.0)
    )


def _pick(rng: np.random.Generator, codes: np.ndarray, shares: np.ndarray, size: int) -> np.ndarray:
    return rng.choice(np.arange(codes.size), size=size, p=shares / shares.sum())


def _attributes(
    geom: np.ndarray,
    rng: np.random.Generator,
    non_industrial_share: float,
    condition_shift: float,
    legal_shift: float,
) -> pd.DataFrame:
    n = geom.size
    area = shapely.area(geom)
    cen = shapely.centroid(geom)
    x, y = shapely.get_x(cen), shapely.get_y(cen)
    cond = _field(rng, x, y) + condition_shift  # building and economic condition
    legal_f = _field(rng, x, y)  # collective vs state land
    mix = _field(rng, x, y)  # where non-industrial uses and conversions cluster
    kind = _field(rng, x, y)  # M1 vs M2 areas
    e = rng.standard_normal((8, n))

    # --- land use: non-industrial parcels where the mix field is highest (exact count)
    rank = np.argsort(np.argsort(-(0.8 * mix + 0.6 * e[0]), kind="stable"), kind="stable")
    n_non = round(non_industrial_share * n)
    non = rank < n_non
    ind = ~non
    n_conv = round(_CONVERSION_SHARE * ind.sum())
    conv = ind & (rank < n_non + n_conv)

    ind_type = np.full(n, -1)
    # M1/M2 by the type field, then a few M0 (new industry) and W1 (warehousing) at random
    mm = np.where(0.7 * kind + 0.7 * e[1] > 0.49, 1, 0)  # 31 % of M1/M2, i.e. ≈ 27 % M2 overall
    extra = rng.random(n)
    mm = np.where(extra < _IND_SHARES[2], 2, np.where(extra > 1 - _IND_SHARES[3], 3, mm))
    ind_type[ind] = mm[ind]
    non_type = np.full(n, -1)
    non_type[non] = _pick(rng, _NON_CODES, _NON_SHARES, int(non.sum()))

    current = np.empty(n, dtype=object)
    current[ind] = _IND_CODES[ind_type[ind]]
    current[non] = _NON_CODES[non_type[non]]
    planned = current.copy()
    upgrade = ind & (ind_type == 1) & (rng.random(n) < 0.10)  # M2 planned as M1
    planned[upgrade] = "M1"
    planned[conv] = _CONVERSION_CODES[
        _pick(rng, _CONVERSION_CODES, _CONVERSION_MIX, int(conv.sum()))
    ]

    # --- buildings: year, quality, FAR
    age_z = 0.6 * cond + 0.8 * e[2]
    year = 2002.0 + 6.5 * age_z + np.where(ind_type == 2, 8.0, 0.0)
    year = np.clip(np.rint(year), 1985, 2022).astype(np.int64)
    q = (0.5 * cond + 0.5 * age_z + 0.6 * e[3]) / math.sqrt(1.16)
    quality = np.where(q < _Q_POOR, "poor", np.where(q > _Q_GOOD, "good", "fair")).astype(object)

    far_z = 0.65 * cond + 0.76 * e[4]
    ind_factor = np.where(ind, _IND_FAR_FACTOR[np.maximum(ind_type, 0)], 1.0)
    mean_factor = float(_IND_SHARES @ _IND_FAR_FACTOR)
    mu = math.log(_FAR_MEAN) - _FAR_SIGMA**2 / 2 - math.log(mean_factor)
    far = np.clip(np.exp(mu + _FAR_SIGMA * far_z) * ind_factor, 0.3, 5.0)
    non_far = _NON_FAR[np.maximum(non_type, 0)] * np.exp(0.35 * e[4])
    far = np.where(non, non_far, far)
    floor_area = np.round(far * area, 1)

    # --- legal share: logistic of a latent with mean 0; often all-or-nothing
    lz = 0.55 * legal_f + 0.35 * cond + 0.75 * e[5] + legal_shift + np.where(non, 2.0, 0.0)
    share = 1.0 / (1.0 + np.exp(-2.0 * lz))
    share = np.where(share > 0.97, 1.0, np.where(share < 0.03, 0.0, share))
    legal_area = np.floor(share * area * 10.0) / 10.0

    # --- economy (industrial parcels only)
    out_factor = _IND_OUTPUT_FACTOR[np.maximum(ind_type, 0)]
    opm = _OUTPUT_PER_MU * out_factor * np.exp(0.45 * cond + 0.7 * e[6])
    mu_area = area / MU_M2
    output = opm * mu_area
    tax = output * (_TAX_PER_MU / _OUTPUT_PER_MU) * np.exp(0.4 * e[7])
    va = output * rng.uniform(0.18, 0.32, n)
    energy = va * _TCE_PER_WAN_VA * np.exp(-0.3 * cond + 0.5 * rng.standard_normal(n))
    lease = np.clip(
        np.rint(np.exp(math.log(5.0) + 0.3 * cond + 0.4 * rng.standard_normal(n))), 1, 20
    )

    def ind_only(v: np.ndarray, decimals: int) -> np.ndarray:
        return np.where(ind, np.round(v, decimals), np.nan)

    # --- district: 3 × 2 coarse cells over the layout
    span_x = max(float(x.max() - x.min()), 1e-9)
    span_y = max(float(y.max() - y.min()), 1e-9)
    dc = np.minimum((3 * (x - x.min()) / span_x).astype(int), 2)
    dr = np.minimum((2 * (y - y.min()) / span_y).astype(int), 1)
    district = np.array(["D1", "D2", "D3", "D4", "D5", "D6"], dtype=object)[dr * 3 + dc]

    width = max(7, len(str(n)))
    ids = np.char.add("P", np.char.zfill(np.arange(1, n + 1).astype(str), width)).astype(object)
    return pd.DataFrame(
        {
            "parcel_id": ids,
            "district": district,
            "current_use": current,
            "planned_use": planned,
            "floor_area_m2": floor_area,
            "year_built": year,
            "legal_area_m2": legal_area,
            "building_quality": quality,
            "output_wan": ind_only(output, 1),
            "tax_wan": ind_only(tax, 2),
            "value_added_wan": ind_only(va, 1),
            "energy_tce": ind_only(energy, 1),
            "lease_years": ind_only(lease, 0),
        }
    )
