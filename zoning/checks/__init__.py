"""Block and policy checks: industrial blocks, 占补平衡, mixed use, projects, enterprises.

Each check reads its thresholds from a rule pack (every number has a code, names, unit,
source clause and status) and returns tables aligned to its input, where every failing row
states the observed value, the threshold and what would fix it:

- :func:`check_blocks` — Guangzhou's industrial-block (工业产业区块) rules: the industrial
  share of every block (≥ 55 % in ``guangzhou-2023``, ≥ 65 % in ``guangzhou-2024``) and the
  share of each district's planned industrial land lying inside blocks (≥ 80 %).
- :func:`block_balance` — 占补平衡: block area removed and added per district between an old
  and a revised block layer.
- :func:`check_mixed_use` — Jiaxing's mixed industrial land (industrial floor area ≥ 51 %),
  flexible land terms (≤ 30 years) and FAR / green-ratio minimums balanced over a park.
- :func:`check_projects` — Guangzhou's land-quota tiers for manufacturing projects.
- :func:`screen_enterprises` — Shenzhen 2011's low-end enterprise flags and the floor space
  their clearance frees, against the 2013 and 2015 targets.
- :func:`benchmark_table` — the Shenzhen High-Tech Park per-km² benchmarks for any set of
  parks, zones or districts.
- :func:`short_leases` — tenants in retain-upgrade areas with leases under 5 years.

Geometry: parcels are clipped to blocks, so a parcel across two blocks counts in each by its
part. For speed, a parcel is assigned to blocks by its representative point, and exact
intersections are computed only for parcels that a block edge passes through (found with an
STRtree of the blocks' edge segments). Areas are in square metres of the parcels' projected
CRS; shares are fractions (0–1); 1 亩 = 666.67 m² (:data:`zoning.units.M2_PER_MU`).

Bounds are explicit: a criterion ``≥ 0.55`` passes at exactly 55 %. Every comparison goes
through :func:`zoning.units.evaluate`, whose tolerance keeps floating-point rounding of areas
from flipping a result that is exactly on the threshold.

One module per check; a new policy check goes in a module of its own here, reading its
thresholds from a pack section and comparing through :func:`zoning.units.evaluate`.
"""

from zoning.checks._common import area_text, block_intersections
from zoning.checks.balance import BlockBalance, block_balance
from zoning.checks.benchmarks import benchmark_table
from zoning.checks.blocks import BlockCheck, check_blocks
from zoning.checks.enterprises import EnterpriseScreening, screen_enterprises
from zoning.checks.leases import short_leases
from zoning.checks.mixed_use import MixedUseCheck, check_mixed_use
from zoning.checks.projects import check_projects

__all__ = [
    "BlockBalance",
    "BlockCheck",
    "EnterpriseScreening",
    "MixedUseCheck",
    "area_text",
    "benchmark_table",
    "block_balance",
    "block_intersections",
    "check_blocks",
    "check_mixed_use",
    "check_projects",
    "screen_enterprises",
    "short_leases",
]
