"""CLI commands for the block and policy checks: thin delegations to :mod:`zoning.checks`.

Register them on the ``zoning`` group with ``for cmd in COMMANDS: main.add_command(cmd)``;
the group turns zoning errors into one message and exit code 2.

Exit codes (as for the rest of ``zoning``): 0 — every check passed, or a listing/comparison
command ran (``screen-enterprises``, ``benchmark``, ``short-leases``); 1 — a check failed
(a block or district in ``check-blocks``, a district in ``block-balance``, a parcel or park
in ``check-mixed-use``, a project outside every quota tier in ``check-projects``); the output
is written all the same, and ``--exit-zero`` turns 1 into 0 for batch jobs that only want the
tables; 2 — bad input or usage (missing file, no CRS, no id column, unknown pack).
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import click

from zoning.cli._common import TABLE_FILES, _check_outputs, _read_options

__all__ = [
    "COMMANDS",
    "benchmark_cmd",
    "block_balance_cmd",
    "check_blocks_cmd",
    "check_mixed_use_cmd",
    "check_projects_cmd",
    "screen_enterprises_cmd",
    "short_leases_cmd",
]


# ---------------------------------------------------------------------------------------
# options and printing (shared ones live in zoning._cli_common)


def _rule_options(default: str) -> Any:
    def deco(f: Any) -> Any:
        f = click.option("--set", "sets", multiple=True, metavar="CODE=VALUE",
                         help="Override a threshold, e.g. --set GZ-B1=0.6 or --set GZ-I1=M,M0,M1,M2,M3 (repeatable).")(f)
        return click.option("--rules", "-r", default=default, show_default=True, help="Rule pack name or .toml path.")(f)
    return deco


def _exit_zero(f: Any) -> Any:
    return click.option("--exit-zero", is_flag=True, help="Exit 0 even when checks fail (the output is written either way).")(f)


def _quiet(f: Any) -> Any:
    return click.option("--quiet", "-q", is_flag=True, help="Print only errors.")(f)


def _output(required: bool = True, exts: str = ".gpkg or .parquet") -> Any:
    return click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), required=required,
                        default=None, help=f"Output file ({exts}).")


def _read(path: Path, layer: str | None, encoding: str | None, source_crs: str | None, cols: tuple[str, ...]) -> Any:
    from zoning.cli._common import _columns, _print_read_notes
    from zoning.io.read import read_parcels

    parcels = read_parcels(path, layer=layer, encoding=encoding, source_crs=source_crs, columns=_columns(cols))
    return parcels, _print_read_notes


def _read_table(path: Path, layer: str | None, encoding: str | None, source_crs: str | None, cols: tuple[str, ...]) -> Any:
    """Vector files as parcels; .csv / .xlsx as plain tables (projects): :func:`zoning.read_table`."""
    from zoning.cli._common import _columns
    from zoning.io.read import read_table

    if path.suffix.lower() not in (".csv", ".xlsx", ".xls"):
        return _read(path, layer, encoding, source_crs, cols)[0]
    return read_table(path, sheet=layer, encoding=encoding, columns=_columns(cols))


def _overrides(sets: tuple[str, ...]) -> dict[str, str]:
    from zoning.cli._common import _overrides as parse

    return parse(sets)


def _table(rows: list[list[str]], head: list[str], right: set[int]) -> list[str]:
    """Plain-text table that lines up Chinese (double-width) characters."""
    from zoning.outputs.text import text_table

    return text_table(rows, head, right)


def _pct(x: float) -> str:
    return "—" if x != x else f"{x:.1%}"


def _done(failed: bool, exit_zero: bool) -> None:
    if failed and not exit_zero:
        sys.exit(1)


# ---------------------------------------------------------------------------------------
# check-blocks


@click.command("check-blocks")
@click.argument("parcels_path", metavar="PARCELS", type=click.Path(dir_okay=False, path_type=Path))
@click.argument("blocks_path", metavar="BLOCKS", type=click.Path(dir_okay=False, path_type=Path))
@_output()
@_rule_options("guangzhou-2023")
@click.option("--use", type=click.Choice(["planned", "current"]), default=None,
              help="Land-use basis: planned (规划用途, the pack's default) or current (现状用途).")
@click.option("--id-column", default=None, help="Block id column (default: 区块编号 / block_id / 编号 / id).")
@click.option("--district-column", default=None, help="District column of the parcels (default: district / 行政区), or of --districts.")
@click.option("--districts", "districts_path", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="District polygons; parcels are assigned by representative point.")
@click.option("--blocks-layer", default=None, help="Layer of a multi-layer block file.")
@click.option("--blocks-source-crs", default=None, help="CRS of blocks that have none (e.g. EPSG:4547).")
@click.option("--max-rows", type=int, default=40, show_default=True, help="Print at most this many blocks (failing ones first).")
@_exit_zero
@_quiet
@_read_options
def check_blocks_cmd(parcels_path: Path, blocks_path: Path, output: Path, rules: str, sets: tuple[str, ...], use: str | None,
                     id_column: str | None, district_column: str | None, districts_path: Path | None, blocks_layer: str | None,
                     blocks_source_crs: str | None, max_rows: int, exit_zero: bool, quiet: bool, layer: str | None,
                     encoding: str | None, source_crs: str | None, cols: tuple[str, ...]) -> None:
    """Check industrial blocks (工业产业区块) in BLOCKS against the land use of PARCELS.

    Writes OUTPUT with layers blocks (every input block and its columns, plus share,
    threshold, pass/fail, shortfall, drivers and fix), districts, parcels and criteria.
    Exit code 1 when a block or a district fails (see --exit-zero).
    """
    from zoning.checks.blocks import check_blocks
    from zoning.io.read import read_blocks

    _check_outputs({"-o/--output": output}, [parcels_path, blocks_path, districts_path])
    parcels, notes = _read(parcels_path, layer, encoding, source_crs, cols)
    blocks = read_blocks(blocks_path, id_column=id_column, layer=blocks_layer, source_crs=blocks_source_crs)
    districts = read_blocks(districts_path, cli_option=None) if districts_path is not None else None
    check = check_blocks(parcels, blocks, rules=rules, overrides=_overrides(sets), use=use, id_column=id_column,
                         district_column=district_column, districts=districts)
    check.to_file(output)
    if not quiet:
        notes(parcels)
        _print_blocks(check, max_rows)
        click.echo(f"\nwrote {output} (layers blocks, districts, parcels, criteria)")
    _done(not (check.blocks["passes"].all() and check.districts["passes"].all()), exit_zero)


def _print_blocks(check: Any, max_rows: int) -> None:
    from zoning.checks._common import area_text

    pack, b, d = check.rules, check.blocks, check.districts
    cb = pack.section_criterion("blocks", "min_block_share")
    cd = pack.section_criterion("blocks", "min_district_coverage")
    ci = pack.section_criterion("blocks", "industrial")
    click.echo(f"Industrial blocks — {pack.pack.name}: {pack.pack.title_en}")
    click.echo(f"  basis: {check.basis} ({'规划用途' if check.basis == 'planned_use' else '现状用途'}); "
               f"industrial land ({ci.code}): {', '.join(ci.value)}")
    click.echo(f"  block rule: {b['criterion'].iloc[0]} ({cb.name_zh}; {cb.status}, {cb.source.split(':')[0]})")
    click.echo(f"  district rule: {d['criterion'].iloc[0] if len(d) else cd.code} ({cd.name_zh}; {cd.status})\n")
    shown = b.assign(_o=(b["status"] == "pass").astype(int)).sort_values(["_o", "block_id"])
    if len(shown) > max_rows:
        shown = shown.head(max_rows)
    rows = []
    for _, r in shown.iterrows():
        rows.append([r["block_id"], "" if r["district"] is None or r["district"] != r["district"] else str(r["district"]),
                     f"{r['block_area_m2'] / 1e4:,.1f}" if r["block_area_m2"] == r["block_area_m2"] else "—",
                     f"{r['industrial_area_m2'] / 1e4:,.1f}" if r["industrial_area_m2"] == r["industrial_area_m2"] else "—",
                     _pct(r["industrial_share"]), r["status"], f"{r['shortfall_mu']:,.0f}" if r["shortfall_mu"] > 0 else ""])
    n_pass = int(b["passes"].sum())
    click.echo(f"Blocks: {len(b)}, {n_pass} pass, {len(b) - n_pass} fail ({cb.code} {cb.name_en})")
    for line in _table(rows, ["block", "district", "area ha", "industrial ha", "share", "status", "short 亩"], {2, 3, 4, 6}):
        click.echo("  " + line)
    if len(b) > len(shown):
        click.echo(f"  … {len(b) - len(shown)} more passing blocks (see the blocks layer)")
    for _, r in b[b["status"] != "pass"].iterrows():
        click.echo(f"  {r['block_id']}: {r['fix']}")
    click.echo(f"\nDistricts: {len(d)}, {int(d['passes'].sum())} pass ({cd.code} {cd.name_en})")
    rows = [[str(k), f"{r['planned_industrial_m2'] / 1e6:,.2f}", f"{r['inside_blocks_m2'] / 1e6:,.2f}", _pct(r["coverage"]),
             r["status"], f"{r['shortfall_mu']:,.0f}" if r["shortfall_mu"] > 0 else "", str(int(r["outside_parcels"])),
             f"{r['blocks_failing']}/{r['blocks']}"] for k, r in d.iterrows()]
    for line in _table(rows, ["district", "industrial km²", "in blocks km²", "coverage", "status", "short 亩",
                              "parcels outside", "blocks failing"], {1, 2, 3, 5, 6, 7}):
        click.echo("  " + line)
    for k, r in d[~d["passes"]].iterrows():
        click.echo(f"  {k}: {r['fix']}")
    p = check.parcels
    out = p["industrial"] & p["outside_blocks"]
    click.echo(f"\n{int(out.sum())} industrial parcels, {area_text(float(p.loc[out, 'land_area_m2'].sum()))}, lie outside every "
               f"block (listed in the parcels layer: outside_blocks); {int(p['straddles'].sum())} parcels cross a block edge and "
               "were clipped.")
    for pr in check.problems:
        if pr.severity == "warning":
            click.echo(f"note: {pr.message}")


# ---------------------------------------------------------------------------------------
# block-balance


@click.command("block-balance")
@click.argument("old_path", metavar="OLD", type=click.Path(dir_okay=False, path_type=Path))
@click.argument("new_path", metavar="NEW", type=click.Path(dir_okay=False, path_type=Path))
@_output()
@_rule_options("guangzhou-2023")
@click.option("--id-column", default=None, help="Block id column of both layers (default: 区块编号 / block_id / 编号 / id).")
@click.option("--district-column", default=None, help="District column of both layers (default: district / 行政区).")
@_exit_zero
@_quiet
def block_balance_cmd(old_path: Path, new_path: Path, output: Path, rules: str, sets: tuple[str, ...], id_column: str | None,
                      district_column: str | None, exit_zero: bool, quiet: bool) -> None:
    """占补平衡: block area removed and added per district between OLD and NEW block layers.

    Writes OUTPUT with layers changes (the removed and added pieces), districts and blocks.
    Exit code 1 when a district removes more block area than it adds (see --exit-zero).
    """
    from zoning.checks.balance import block_balance
    from zoning.io.read import read_blocks

    _check_outputs({"-o/--output": output}, [old_path, new_path])
    bal = block_balance(read_blocks(old_path, id_column=id_column, cli_option=None),
                        read_blocks(new_path, id_column=id_column, cli_option=None),
                        district_column=district_column, id_column=id_column, rules=rules, overrides=_overrides(sets))
    bal.to_file(output)
    if not quiet:
        d = bal.districts
        rows = [[str(k), f"{r['before_m2'] / 1e6:,.3f}", f"{r['after_m2'] / 1e6:,.3f}", f"{r['removed_m2'] / 1e6:,.3f}",
                 f"{r['added_m2'] / 1e6:,.3f}", f"{r['net_m2'] / 1e6:+,.3f}", "yes" if r["balanced"] else "NO"] for k, r in d.iterrows()]
        click.echo(bal.summary().splitlines()[0])
        for line in _table(rows, ["district", "before km²", "after km²", "removed", "added", "net", "balanced"], {1, 2, 3, 4, 5}):
            click.echo("  " + line)
        for k, r in d[~d["balanced"]].iterrows():
            click.echo(f"  {k}: {r['fix']}")
        ch = bal.blocks[bal.blocks["change"] != "unchanged"]
        if len(ch):
            click.echo("Changed blocks: " + ", ".join(f"{k} {r['change']}" for k, r in ch.iterrows()))
        click.echo(f"wrote {output} (layers changes, districts, blocks)")
    _done(not bal.districts["balanced"].all(), exit_zero)


# ---------------------------------------------------------------------------------------
# check-mixed-use


@click.command("check-mixed-use")
@click.argument("parcels_path", metavar="PARCELS", type=click.Path(dir_okay=False, path_type=Path))
@_output()
@_rule_options("jiaxing-2024")
@click.option("--use", type=click.Choice(["planned", "current"]), default=None, help="Land-use basis for industrial parcels.")
@click.option("--park-column", default=None, help="Column naming the park to balance over (default: park / 园区).")
@_exit_zero
@_quiet
@_read_options
def check_mixed_use_cmd(parcels_path: Path, output: Path, rules: str, sets: tuple[str, ...], use: str | None,
                        park_column: str | None, exit_zero: bool, quiet: bool, layer: str | None, encoding: str | None,
                        source_crs: str | None, cols: tuple[str, ...]) -> None:
    """Mixed industrial land (工业建筑面积 ≥ 51 %), flexible terms and park-level balancing (Jiaxing 2024).

    Writes OUTPUT with layers parcels (tested parcels with status per criterion, reasons and
    fix) and parks. Exit code 1 when a parcel fails after balancing (see --exit-zero).
    """
    from zoning.checks.mixed_use import check_mixed_use

    _check_outputs({"-o/--output": output}, [parcels_path])
    parcels, notes = _read(parcels_path, layer, encoding, source_crs, cols)
    res = check_mixed_use(parcels, rules=rules, overrides=_overrides(sets), use=use, park_column=park_column)
    res.to_file(output)
    if not quiet:
        notes(parcels)
        click.echo(res.summary())
        bad = res.parcels[~res.parcels["passes"]]
        for _, r in bad.head(20).iterrows():
            click.echo(f"  {r['parcel_id']}: {r['reasons']} — {r['fix']}")
        if len(bad) > 20:
            click.echo(f"  … {len(bad) - 20} more failing parcels (see the parcels layer)")
        click.echo(f"wrote {output} (layers parcels, parks)")
    _done(not res.parcels["passes"].all(), exit_zero)


# ---------------------------------------------------------------------------------------
# check-projects


@click.command("check-projects")
@click.argument("projects_path", metavar="PROJECTS", type=click.Path(dir_okay=False, path_type=Path))
@_output(exts=".csv, .gpkg or .parquet")
@_rule_options("guangzhou-2023")
@click.option("--id-column", default=None, help="Project name column (default: project_id / 项目编号 / 项目名称).")
@_exit_zero
@_quiet
@_read_options
def check_projects_cmd(projects_path: Path, output: Path, rules: str, sets: tuple[str, ...], id_column: str | None,
                       exit_zero: bool, quiet: bool, layer: str | None, encoding: str | None, source_crs: str | None,
                       cols: tuple[str, ...]) -> None:
    """Land-quota tier of each project in PROJECTS (.csv/.xlsx table or a vector file).

    Needs investment (固定资产投资, 万元 or 亿元), expected annual tax (税收) and the land (polygons
    or 用地面积). Exit code 1 when a project fits no tier (see --exit-zero).
    """
    from zoning.checks.projects import check_projects

    _check_outputs({"-o/--output": output}, [projects_path], suffixes=TABLE_FILES)
    projects = _read_table(projects_path, layer, encoding, source_crs, cols)
    res = check_projects(projects, rules=rules, overrides=_overrides(sets), id_column=id_column)
    _write_table(res, output, "projects")
    if not quiet:
        rows = [[str(r["project_id"]), f"{r['investment_wan'] / 1e4:,.2f}" if r["investment_wan"] == r["investment_wan"] else "—",
                 f"{r['land_area_mu']:,.1f}", f"{r['investment_wan_per_mu']:,.0f}" if r["investment_wan_per_mu"] == r["investment_wan_per_mu"] else "—",
                 f"{r['tax_wan_per_mu']:,.1f}" if r["tax_wan_per_mu"] == r["tax_wan_per_mu"] else "—", str(r["tier"])]
                for _, r in res.iterrows()]
        for line in _table(rows, ["project", "investment 亿元", "land 亩", "万元/亩", "tax 万元/亩", "tier"], {1, 2, 3, 4}):
            click.echo(line)
        for _, r in res[res["tier"] != "province"].iterrows():
            click.echo(f"  {r['project_id']}: {r['reasons']}" + (f" — {r['fix']}" if r["fix"] else ""))
        click.echo(f"wrote {output}")
    _done(bool((res["tier"] == "none").any()), exit_zero)


def _write_table(df: Any, output: Path, layer: str) -> None:
    from zoning.io.write import atomic_write, write_layers

    if output.suffix.lower() == ".csv":
        table = df.drop(columns=[c for c in ("geometry",) if c in df.columns])
        atomic_write(output, lambda tmp: table.to_csv(tmp, encoding="utf-8-sig"))
    else:
        write_layers({layer: df.reset_index() if not hasattr(df, "geometry") else df}, output)


# ---------------------------------------------------------------------------------------
# screen-enterprises, benchmark, short-leases (listings: exit 0)


@click.command("screen-enterprises")
@click.argument("parcels_path", metavar="PARCELS", type=click.Path(dir_okay=False, path_type=Path))
@_output()
@_rule_options("shenzhen-2011")
@click.option("--by", default="district", show_default=True, help="Column to break the counts down by.")
@_quiet
@_read_options
def screen_enterprises_cmd(parcels_path: Path, output: Path, rules: str, sets: tuple[str, ...], by: str, quiet: bool,
                           layer: str | None, encoding: str | None, source_crs: str | None, cols: tuple[str, ...]) -> None:
    """Flag low-end enterprises (无证无照、安全隐患严重、高污染、高能耗) and sum the floor space freed.

    Writes OUTPUT with layers parcels (the flagged sites), targets and by_district.
    """
    from zoning.checks.enterprises import screen_enterprises

    _check_outputs({"-o/--output": output}, [parcels_path])
    parcels, notes = _read(parcels_path, layer, encoding, source_crs, cols)
    res = screen_enterprises(parcels, rules=rules, overrides=_overrides(sets), by=by)
    res.to_file(output)
    if not quiet:
        notes(parcels)
        click.echo(res.summary())
        bd = res.by_district
        rows = [[str(k), str(int(r["screened"])), str(int(r["low_end"])), f"{r['freed_m2']:,.0f}"] for k, r in bd.iterrows()]
        for line in _table(rows, [by, "screened", "flagged", "freed m²"], {1, 2, 3}):
            click.echo("  " + line)
        click.echo(f"wrote {output} (layers parcels, targets, by_district)")


@click.command("benchmark")
@click.argument("parcels_path", metavar="PARCELS", type=click.Path(dir_okay=False, path_type=Path))
@_output(required=False, exts=".csv, .gpkg or .parquet")
@_rule_options("shenzhen-htp-2012")
@click.option("--by", default="park", show_default=True, help="Column naming the groups (park, zone, district …).")
@click.option("--areas", "areas_path", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="Polygons of the areas to compare instead of --by (parcels join by representative point).")
@click.option("--id-column", default=None, help="Name column of --areas.")
@_quiet
@_read_options
def benchmark_cmd(parcels_path: Path, output: Path | None, rules: str, sets: tuple[str, ...], by: str, areas_path: Path | None,
                  id_column: str | None, quiet: bool, layer: str | None, encoding: str | None, source_crs: str | None,
                  cols: tuple[str, ...]) -> None:
    """Compare parks, zones or districts with the High-Tech Park per-km² benchmarks."""
    from zoning.checks.benchmarks import benchmark_table
    from zoning.io.read import read_blocks
    from zoning.rules import load_rules

    _check_outputs({"-o/--output": output}, [parcels_path, areas_path], suffixes=TABLE_FILES)
    parcels, notes = _read(parcels_path, layer, encoding, source_crs, cols)
    groups: Any = read_blocks(areas_path, cli_option=None) if areas_path is not None else by
    t = benchmark_table(parcels, by=groups, rules=rules, overrides=_overrides(sets), id_column=id_column)
    if output is not None:
        _write_table(t, output, "benchmarks")
    if not quiet:
        notes(parcels)
        pack = load_rules(rules, overrides=_overrides(sets))
        assert pack.benchmarks is not None
        crit = [pack.criterion(c) for c in pack.benchmarks.criteria]
        click.echo(f"Benchmarks — {pack.pack.name}: " + "; ".join(f"{c.code} {c.name_en} {'≤' if c.op == '<=' else '≥'} {c.value:g} {c.unit}" for c in crit))
        rows = [[str(k), f"{r['land_km2']:,.2f}", *[f"{r[c.indicator]:,.{3 if c.indicator.startswith('energy') else 1}f} ({r[c.code + '_pct']:.0%})"
                                                     if r[c.indicator] == r[c.indicator] else "—" for c in crit]] for k, r in t.iterrows()]
        for line in _table(rows, [t.index.name or "group", "km²", *[f"{c.code} {c.unit}" for c in crit]], set(range(1, 2 + len(crit)))):
            click.echo("  " + line)
        click.echo("  (in brackets: observed as a share of the benchmark; energy is better below 100 %)")
        if output is not None:
            click.echo(f"wrote {output}")


@click.command("short-leases")
@click.argument("parcels_path", metavar="ZONED_PARCELS", type=click.Path(dir_okay=False, path_type=Path))
@_output(required=False, exts=".csv, .gpkg or .parquet")
@_rule_options("shenzhen-2020")
@click.option("--zone-column", default="zone", show_default=True, help="Column holding each parcel's zone.")
@click.option("--min-years", type=float, default=None, help="Minimum lease in years (pack default 5).")
@_quiet
@_read_options
def short_leases_cmd(parcels_path: Path, output: Path | None, rules: str, sets: tuple[str, ...], zone_column: str,
                     min_years: float | None, quiet: bool, layer: str | None, encoding: str | None, source_crs: str | None,
                     cols: tuple[str, ...]) -> None:
    """Tenants in retain-upgrade areas with leases under 5 years, from a zoned parcel file (zoning classify output)."""
    from zoning.checks.leases import short_leases

    _check_outputs({"-o/--output": output}, [parcels_path], suffixes=TABLE_FILES)
    parcels, _ = _read(parcels_path, layer or ("parcels" if parcels_path.suffix.lower() == ".gpkg" else None), encoding, source_crs, cols)
    res = short_leases(parcels, rules=rules, overrides=_overrides(sets), zone_column=zone_column, min_years=min_years)
    short = res[res["short_lease"]]
    if output is not None:
        _write_table(short, output, "short_leases")
    if not quiet:
        checked = int((res["status"] != "").sum())
        click.echo(f"{len(short)} of {checked} parcels in the checked zones have a lease under {res['threshold'].iloc[0]:g} years "
                   f"({int((res['status'] == 'missing').sum())} without lease data)")
        for _, r in short.head(30).iterrows():
            click.echo(f"  {r['parcel_id']}: {r['fix']}")
        if len(short) > 30:
            click.echo(f"  … {len(short) - 30} more")
        if output is not None:
            click.echo(f"wrote {output}")


COMMANDS = [check_blocks_cmd, block_balance_cmd, check_mixed_use_cmd, check_projects_cmd, screen_enterprises_cmd,
            benchmark_cmd, short_leases_cmd]
