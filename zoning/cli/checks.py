"""CLI commands for the block and policy checks: thin delegations to :mod:`zoning.checks`.

Register them on the ``zoning`` group with ``for cmd in COMMANDS: main.add_command(cmd)``;
the group turns zoning errors into one message and exit code 2.

Each command reads its inputs, calls one ``zoning.check_*`` function, writes the result's
layers (:meth:`zoning.checks.CheckResult.to_file`) and prints what the result renders
(:meth:`~zoning.checks.CheckResult.summary`): nothing is summarised here.

Every command also takes ``--xlsx PATH`` (and ``--lang``): the result's layers as an Excel
workbook with human headers (:func:`zoning.outputs.excel.check_to_excel`).

Exit codes (as for the rest of ``zoning``): 0 — every check passed, or a listing/comparison
command ran (``check-enterprises``, ``check-benchmarks``, ``check-leases``); 1 — a check
failed (``CheckResult.passed`` is False: a block or district in ``check-blocks``, a district
in ``check-balance``, a parcel in ``check-mixed-use``, a project outside every quota tier in
``check-projects``); the output is written all the same, and ``--exit-zero`` turns 1 into 0
for batch jobs that only want the tables; 2 — bad input or usage (missing file, no CRS, no
id column, unknown pack).

The command names before 0.2 (``block-balance``, ``screen-enterprises``, ``benchmark``,
``short-leases``) still work, hidden from ``--help``, with a note on stderr.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import click

from zoning.cli._common import TABLE_FILES, _check_outputs, _read_options

__all__ = [
    "COMMANDS",
    "check_balance_cmd",
    "check_benchmarks_cmd",
    "check_blocks_cmd",
    "check_enterprises_cmd",
    "check_leases_cmd",
    "check_low_efficiency_cmd",
    "check_mixed_use_cmd",
    "check_progress_cmd",
    "check_projects_cmd",
    "evaluate_firms_cmd",
]


# ---------------------------------------------------------------------------------------
# options and printing (shared ones live in zoning._cli_common)


def _rule_options(default: str | None) -> Any:
    def deco(f: Any) -> Any:
        f = click.option("--set", "sets", multiple=True, metavar="CODE=VALUE",
                         help="Override a threshold, e.g. --set GZ-B1=0.6 or --set GZ-I1=M,M0,M1,M2,M3, or a per-mu score term's weight / benchmark, e.g. --set HY-A1.weight=25 (repeatable).")(f)
        if default is None:
            return click.option("--rules", "-r", default=None,
                                help="Rule pack name or .toml path [default: the newest pack with these rules].")(f)
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


def _done(failed: bool, exit_zero: bool) -> None:
    if failed and not exit_zero:
        sys.exit(1)


def _xlsx(f: Any) -> Any:
    """``--xlsx PATH`` and ``--lang``: also write the result's layers as an Excel workbook with
    human headers (:func:`zoning.outputs.excel.check_to_excel`); :func:`_finish` writes it."""
    import functools

    @functools.wraps(f)
    def run(*args: Any, xlsx_path: Path | None = None, xlsx_lang: str = "zh", **kwargs: Any) -> Any:
        if xlsx_path is not None:  # before reading anything, like every other output
            from zoning.io.paths import check_output

            inputs = [v for k, v in kwargs.items() if k.endswith("_path") and isinstance(v, Path)]
            check_output(xlsx_path, inputs=inputs, option="--xlsx", suffixes=(".xlsx",))
        click.get_current_context().meta["zoning.xlsx"] = (xlsx_path, xlsx_lang)
        return f(*args, **kwargs)

    run = click.option("--lang", "xlsx_lang", type=click.Choice(["zh", "en"]), default="zh", show_default=True,
                       help="Language of the workbook's sheet names and headers.")(run)
    return click.option("--xlsx", "xlsx_path", type=click.Path(dir_okay=False, path_type=Path), default=None,
                        help="Also write the tables as an Excel workbook (.xlsx).")(run)


def _finish(res: Any, output: Path | None, quiet: bool, exit_zero: bool, *, summary: str | None = None) -> None:
    """Write the result's layers (and the workbook of --xlsx), print its summary and the files
    written, exit 1 if it failed."""
    if output is not None:
        res.to_file(output)
    ctx = click.get_current_context(silent=True)
    xlsx_path, xlsx_lang = ctx.meta.get("zoning.xlsx", (None, "zh")) if ctx is not None else (None, "zh")
    if xlsx_path is not None:
        from zoning.outputs.excel import check_to_excel

        check_to_excel(res, xlsx_path, lang=xlsx_lang)
    if not quiet:
        click.echo(summary if summary is not None else res.summary())
        if output is not None:
            click.echo(f"\nwrote {output} (layers {', '.join(res.layers())})")
        if xlsx_path is not None:
            click.echo(f"wrote {xlsx_path}")
    if not res.listing:
        _done(not res.passed, exit_zero)


def _alias(cmd: click.Command, old: str) -> click.Command:
    """The command under its name before 0.2: hidden from --help, with a note on stderr."""
    import copy

    alias = copy.copy(cmd)
    alias.name = old
    alias.hidden = True
    callback = cmd.callback
    assert callback is not None

    def run(*args: Any, **kwargs: Any) -> Any:
        click.echo(f"note: `zoning {old}` is now `zoning {cmd.name}` (the old name will be removed in 0.3)", err=True)
        return callback(*args, **kwargs)

    alias.callback = run
    return alias


# ---------------------------------------------------------------------------------------
# check-blocks


@click.command("check-blocks")
@_xlsx
@click.argument("parcels_path", metavar="PARCELS", type=click.Path(dir_okay=False, path_type=Path))
@click.argument("blocks_path", metavar="BLOCKS", type=click.Path(dir_okay=False, path_type=Path))
@_output()
@_rule_options(None)
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
def check_blocks_cmd(parcels_path: Path, blocks_path: Path, output: Path, rules: str | None, sets: tuple[str, ...], use: str | None,
                     id_column: str | None, district_column: str | None, districts_path: Path | None, blocks_layer: str | None,
                     blocks_source_crs: str | None, max_rows: int, exit_zero: bool, quiet: bool, layer: str | None,
                     encoding: str | None, source_crs: str | None, cols: tuple[str, ...]) -> None:
    """Check industrial blocks (工业产业区块) in BLOCKS against the land use of PARCELS.

    Writes OUTPUT with layers blocks (every input block and its columns, plus share,
    threshold, pass/fail, shortfall, drivers and fix), districts, parcels and criteria.
    Without --rules the newest pack with block rules is used (the output says which).
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
    if not quiet:
        notes(parcels)
    _finish(check, output, quiet, exit_zero, summary=check.summary(max_rows=max_rows))


# ---------------------------------------------------------------------------------------
# check-balance


@click.command("check-balance")
@_xlsx
@click.argument("old_path", metavar="OLD", type=click.Path(dir_okay=False, path_type=Path))
@click.argument("new_path", metavar="NEW", type=click.Path(dir_okay=False, path_type=Path))
@_output()
@_rule_options("guangzhou-2023")
@click.option("--id-column", default=None, help="Block id column of both layers (default: 区块编号 / block_id / 编号 / id).")
@click.option("--district-column", default=None, help="District column of both layers (default: district / 行政区).")
@click.option("--parcels", "parcels_path", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="Parcels with land use: balance the industrial land inside blocks too (GZ-K2), not only block area.")
@click.option("--date-column", default=None, help="Column dating each block's change (default: 调整日期 / 生效日期 / date): tests 先补后占.")
@_exit_zero
@_quiet
def check_balance_cmd(old_path: Path, new_path: Path, output: Path, rules: str, sets: tuple[str, ...], id_column: str | None,
                      district_column: str | None, parcels_path: Path | None, date_column: str | None, exit_zero: bool,
                      quiet: bool) -> None:
    """占补平衡: block area removed and added per district between OLD and NEW block layers.

    Writes OUTPUT with layers districts, changes (the removed and added pieces) and blocks.
    Exit code 1 when a district removes more block area than it adds (see --exit-zero).
    """
    from zoning.checks.balance import check_balance
    from zoning.io.read import read_blocks

    _check_outputs({"-o/--output": output}, [old_path, new_path, parcels_path])
    parcels = _read(parcels_path, None, None, None, ())[0] if parcels_path is not None else None
    bal = check_balance(read_blocks(old_path, id_column=id_column, cli_option=None),
                        read_blocks(new_path, id_column=id_column, cli_option=None),
                        district_column=district_column, id_column=id_column, rules=rules, overrides=_overrides(sets),
                        parcels=parcels, date_column=date_column)
    _finish(bal, output, quiet, exit_zero)


# ---------------------------------------------------------------------------------------
# check-mixed-use


@click.command("check-mixed-use")
@_xlsx
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
    if not quiet:
        notes(parcels)
    _finish(res, output, quiet, exit_zero)


# ---------------------------------------------------------------------------------------
# check-projects


@click.command("check-projects")
@_xlsx
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
    _finish(res, output, quiet, exit_zero)


# ---------------------------------------------------------------------------------------
# check-enterprises, check-benchmarks, check-leases (listings: exit 0)


@click.command("check-enterprises")
@_xlsx
@click.argument("parcels_path", metavar="PARCELS", type=click.Path(dir_okay=False, path_type=Path))
@_output()
@_rule_options("shenzhen-2011")
@click.option("--by", default="district", show_default=True, help="Column to break the counts down by.")
@_quiet
@_read_options
def check_enterprises_cmd(parcels_path: Path, output: Path, rules: str, sets: tuple[str, ...], by: str, quiet: bool,
                          layer: str | None, encoding: str | None, source_crs: str | None, cols: tuple[str, ...]) -> None:
    """Flag low-end enterprises (无证无照、安全隐患严重、高污染、高能耗) and sum the floor space freed.

    Writes OUTPUT with layers parcels (the flagged sites), targets and by_district.
    """
    from zoning.checks.enterprises import check_enterprises

    _check_outputs({"-o/--output": output}, [parcels_path])
    parcels, notes = _read(parcels_path, layer, encoding, source_crs, cols)
    res = check_enterprises(parcels, rules=rules, overrides=_overrides(sets), by=by)
    if not quiet:
        notes(parcels)
    _finish(res, output, quiet, False)


@click.command("check-benchmarks")
@_xlsx
@click.argument("parcels_path", metavar="PARCELS", type=click.Path(dir_okay=False, path_type=Path))
@_output(required=False, exts=".csv, .gpkg or .parquet")
@_rule_options("shenzhen-htp-2012")
@click.option("--by", default="park", show_default=True, help="Column naming the groups (park, zone, district …).")
@click.option("--areas", "areas_path", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="Polygons of the areas to compare instead of --by (parcels join by representative point).")
@click.option("--id-column", default=None, help="Name column of --areas.")
@_quiet
@_read_options
def check_benchmarks_cmd(parcels_path: Path, output: Path | None, rules: str, sets: tuple[str, ...], by: str, areas_path: Path | None,
                         id_column: str | None, quiet: bool, layer: str | None, encoding: str | None, source_crs: str | None,
                         cols: tuple[str, ...]) -> None:
    """Compare parks, zones or districts with the High-Tech Park per-km² benchmarks."""
    from zoning.checks.benchmarks import check_benchmarks
    from zoning.io.read import read_blocks

    _check_outputs({"-o/--output": output}, [parcels_path, areas_path], suffixes=TABLE_FILES)
    parcels, notes = _read(parcels_path, layer, encoding, source_crs, cols)
    groups: Any = read_blocks(areas_path, cli_option=None) if areas_path is not None else by
    res = check_benchmarks(parcels, by=groups, rules=rules, overrides=_overrides(sets), id_column=id_column)
    if not quiet:
        notes(parcels)
    _finish(res, output, quiet, False)


@click.command("check-leases")
@_xlsx
@click.argument("parcels_path", metavar="ZONED_PARCELS", type=click.Path(dir_okay=False, path_type=Path))
@_output(required=False, exts=".csv, .gpkg or .parquet")
@_rule_options("shenzhen-2020")
@click.option("--zone-column", default="zone", show_default=True, help="Column holding each parcel's zone.")
@click.option("--min-years", type=float, default=None, help="Minimum lease in years (pack default 5).")
@_quiet
@_read_options
def check_leases_cmd(parcels_path: Path, output: Path | None, rules: str, sets: tuple[str, ...], zone_column: str,
                     min_years: float | None, quiet: bool, layer: str | None, encoding: str | None, source_crs: str | None,
                     cols: tuple[str, ...]) -> None:
    """Tenants in retain-upgrade areas with leases under 5 years, from a zoned parcel file (zoning classify output).

    OUTPUT's first layer (or the .csv) lists the short leases; a .gpkg also has every parcel
    in the checked zones.
    """
    from zoning.checks.leases import check_leases

    _check_outputs({"-o/--output": output}, [parcels_path], suffixes=TABLE_FILES)
    parcels, _ = _read(parcels_path, layer or ("parcels" if parcels_path.suffix.lower() == ".gpkg" else None), encoding, source_crs, cols)
    res = check_leases(parcels, rules=rules, overrides=_overrides(sets), zone_column=zone_column, min_years=min_years)
    _finish(res, output, quiet, False)


# ---------------------------------------------------------------------------------------
# evaluate-firms, check-low-efficiency, check-progress


@click.command("evaluate-firms")
@_xlsx
@click.argument("firms_path", metavar="FIRMS", type=click.Path(dir_okay=False, path_type=Path))
@click.argument("parcels_path", metavar="PARCELS", type=click.Path(dir_okay=False, path_type=Path))
@_output()
@_rule_options("zhejiang-huangyan-2022")
@click.option("--by", default="district", show_default=True, help="Parcel column for the land-per-class table (district, park, zone …).")
@click.option("--map", "map_path", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="Also draw the map of parcel classes to this image (.png / .svg / .pdf).")
@_quiet
@_read_options
def evaluate_firms_cmd(firms_path: Path, parcels_path: Path, output: Path, rules: str, sets: tuple[str, ...], by: str,
                       map_path: Path | None, quiet: bool, layer: str | None, encoding: str | None, source_crs: str | None,
                       cols: tuple[str, ...]) -> None:
    """Per-mu (亩均效益) evaluation of the firms in FIRMS (.csv / .xlsx) on PARCELS: classes A/B/C/D.

    Writes OUTPUT with layers firms (score, rank, class), parcels (the class of each parcel's
    own-land firm) and by_area (land per class). Packs: zhejiang-huangyan-2022 (default),
    jiangsu-huaian-2024. A listing: exit code 0.
    """
    from zoning.checks.firms import evaluate_firms

    firms = _read_table(firms_path, None, encoding, None, ())
    parcels, notes = _read(parcels_path, layer, encoding, source_crs, cols)
    res = evaluate_firms(firms, parcels, rules=rules, overrides=_overrides(sets), by=by)
    if map_path is not None:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt

        res.plot()
        plt.savefig(map_path, dpi=150, bbox_inches="tight")
        plt.close("all")
    if not quiet:
        notes(parcels)
    _finish(res, output, quiet, False)
    if map_path is not None and not quiet:
        click.echo(f"wrote {map_path}")


@click.command("check-low-efficiency")
@_xlsx
@click.argument("parcels_path", metavar="PARCELS", type=click.Path(dir_okay=False, path_type=Path))
@_output()
@_rule_options("low-efficiency-land")
@click.option("--firms", "firms_path", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="Firm table (.csv / .xlsx): 停产年限, 连续未纳税年数, 淘汰类产业 of the firms on a parcel count for it.")
@click.option("--reference-year", type=int, default=None, help="Year of the assessment (default: this year).")
@_quiet
@_read_options
def check_low_efficiency_cmd(parcels_path: Path, output: Path, rules: str, sets: tuple[str, ...], firms_path: Path | None,
                             reference_year: int | None, quiet: bool, layer: str | None, encoding: str | None,
                             source_crs: str | None, cols: tuple[str, ...]) -> None:
    """Flag low-efficiency industrial land (低效用地) and list the criteria the data cannot test. Exit code 0."""
    from zoning.checks.low_efficiency import check_low_efficiency

    parcels, notes = _read(parcels_path, layer, encoding, source_crs, cols)
    firms = _read_table(firms_path, None, encoding, None, ()) if firms_path is not None else None
    res = check_low_efficiency(parcels, firms=firms, rules=rules, overrides=_overrides(sets), reference_year=reference_year)
    if not quiet:
        notes(parcels)
    _finish(res, output, quiet, False)


@click.command("check-progress")
@_xlsx
@click.argument("areas_path", metavar="AREAS", type=click.Path(dir_okay=False, path_type=Path))
@_output(required=False, exts=".csv, .gpkg or .parquet")
@_rule_options("shenzhen-2020")
@click.option("--zone-column", default="zone", show_default=True, help="Column holding each area's zone.")
@click.option("--status-column", default=None, help="Delivery status column (default: 交付状态 / delivery_status).")
@click.option("--year-column", default=None, help="Delivery year column (default: 完成年份 / delivery_year).")
@click.option("--as-of", type=int, default=None, help="Judge progress at the end of this year (default: the latest delivery year).")
@_exit_zero
@_quiet
@_read_options
def check_progress_cmd(areas_path: Path, output: Path | None, rules: str, sets: tuple[str, ...], zone_column: str,
                       status_column: str | None, year_column: str | None, as_of: int | None, exit_zero: bool, quiet: bool,
                       layer: str | None, encoding: str | None, source_crs: str | None, cols: tuple[str, ...]) -> None:
    """Delivered vs target area per zone and year (the 2021–2025 targets). Exit code 1 when a zone is behind its pace."""
    from zoning.checks.progress import check_progress

    areas = _read_table(areas_path, layer, encoding, source_crs, cols)
    res = check_progress(areas, rules=rules, overrides=_overrides(sets), zone_column=zone_column, status_column=status_column,
                         year_column=year_column, as_of=as_of)
    _finish(res, output, quiet, exit_zero)


COMMANDS = [check_blocks_cmd, check_balance_cmd, check_mixed_use_cmd, check_projects_cmd, check_enterprises_cmd,
            check_benchmarks_cmd, check_leases_cmd, evaluate_firms_cmd, check_low_efficiency_cmd, check_progress_cmd,
            _alias(check_balance_cmd, "block-balance"), _alias(check_enterprises_cmd, "screen-enterprises"),
            _alias(check_benchmarks_cmd, "benchmark"), _alias(check_leases_cmd, "short-leases")]
