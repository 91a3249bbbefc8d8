"""Block and policy checks: industrial blocks, 占补平衡, mixed use, projects, enterprises.

Every check reads its thresholds from a rule pack (every number has a code, names, unit,
source clause and status) and returns a :class:`CheckResult` — the pack used (``rules``),
the problems found (``problems``), its tables (``layers()``, in display order),
``summary()``, ``to_file(path)``, ``passed`` and a notebook display. Verdict columns are the
same everywhere: ``passes`` (bool) and ``status`` (``pass`` / ``fail`` / ``missing``, ``""``
where not tested); per-criterion status columns are named by the criterion code.

- :func:`check_blocks` → :class:`BlockCheck` — Guangzhou's industrial-block (工业产业区块)
  rules: the industrial share of every block (≥ 55 % in ``guangzhou-2023``, ≥ 65 % in
  ``guangzhou-2024``) and the share of each district's planned industrial land lying inside
  blocks (≥ 80 %).
- :func:`check_balance` → :class:`BalanceCheck` — 占补平衡 between an old and a revised block
  layer.
- :func:`check_mixed_use` → :class:`MixedUseCheck` — Jiaxing's mixed industrial land
  (industrial floor area ≥ 51 %), flexible land terms (≤ 30 years) and FAR / green-ratio
  minimums balanced over a park.
- :func:`check_projects` → :class:`ProjectCheck` — Guangzhou's land-quota tiers.
- :func:`check_enterprises` → :class:`EnterpriseCheck` — Shenzhen 2011's low-end enterprise
  flags and the floor space their clearance frees, against the 2013 and 2015 targets.
- :func:`check_benchmarks` → :class:`BenchmarkCheck` — the Shenzhen High-Tech Park per-km²
  benchmarks for any set of parks, zones or districts.
- :func:`check_leases` → :class:`LeaseCheck` — tenants in retain-upgrade areas with leases
  under 5 years.
- :func:`evaluate_firms` → :class:`FirmEvaluation` — per-mu (亩均效益) evaluation of firms,
  A/B/C/D, aggregated to parcels and areas (Zhejiang practice; Huangyan and Huai'an variants).
- :func:`check_low_efficiency` → :class:`LowEfficiencyCheck` — low-efficiency industrial land
  (低效用地) flags, saying which criteria the data cannot test.
- :func:`check_progress` → :class:`TargetProgress` — delivered vs target area per zone and
  year (Shenzhen's 2021–2025 targets).

The names before 0.2 — ``block_balance``, ``screen_enterprises``, ``benchmark_table``,
``short_leases`` (the last two returned DataFrames, and still do) — are deprecated aliases
that warn with a FutureWarning.

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

from zoning.checks._common import area_text, block_intersections, newest_pack
from zoning.checks._result import CheckResult
from zoning.checks.balance import BalanceCheck, BlockBalance, block_balance, check_balance
from zoning.checks.benchmarks import BenchmarkCheck, benchmark_table, check_benchmarks
from zoning.checks.blocks import BlockCheck, check_blocks
from zoning.checks.enterprises import (
    EnterpriseCheck,
    EnterpriseScreening,
    check_enterprises,
    screen_enterprises,
)
from zoning.checks.firms import FirmEvaluation, evaluate_firms
from zoning.checks.leases import LeaseCheck, check_leases, short_leases
from zoning.checks.low_efficiency import LowEfficiencyCheck, check_low_efficiency
from zoning.checks.mixed_use import MixedUseCheck, check_mixed_use
from zoning.checks.progress import TargetProgress, check_progress
from zoning.checks.projects import ProjectCheck, check_projects

__all__ = [
    "BalanceCheck",
    "BenchmarkCheck",
    "BlockBalance",
    "BlockCheck",
    "CheckResult",
    "EnterpriseCheck",
    "EnterpriseScreening",
    "FirmEvaluation",
    "LeaseCheck",
    "LowEfficiencyCheck",
    "MixedUseCheck",
    "ProjectCheck",
    "TargetProgress",
    "area_text",
    "benchmark_table",
    "block_balance",
    "block_intersections",
    "check_balance",
    "check_benchmarks",
    "check_blocks",
    "check_enterprises",
    "check_leases",
    "check_low_efficiency",
    "check_mixed_use",
    "check_progress",
    "check_projects",
    "evaluate_firms",
    "newest_pack",
    "screen_enterprises",
    "short_leases",
]
