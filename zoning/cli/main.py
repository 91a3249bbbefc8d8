"""The ``zoning`` command: thin delegations to the library functions.

Exit codes: 0 success (warnings allowed), 1 validation errors or failed checks, 2 bad input,
usage or environment (missing file, output onto an input, folder not writable, full disk, unknown
or malformed rule pack, bad option), 3 a bug in zoning; 130 Ctrl-C, 141 stdout closed.
"""

from __future__ import annotations

import os
import sys
import warnings
from pathlib import Path
from typing import Any, Literal

import click

from zoning.cli._common import (
    _check_outputs,
    _columns,
    _overrides,
    _print_read_notes,
    _read_options,
)
from zoning.errors import DataRepairWarning, InputError, RulePackError, ValidationError, ZoningError

__all__ = ["main"]


def _show_warning(message: Any, category: type, filename: str, lineno: int, file: Any = None, line: Any = None) -> None:
    click.echo(click.style("warning: ", fg="yellow") + str(message), err=True)


def _fail(exc: Exception, code: int) -> None:
    click.echo(click.style("error: ", fg="red", bold=True) + str(exc), err=True)
    sys.exit(code)


class _Group(click.Group):
    """Turn zoning errors into one clear message and an exit code; never a traceback.

    Exit codes: 1 validation errors (or a failed check); 2 input, path, rule-pack and
    environment errors (missing or unreadable file, folder not writable, disk full, bad pack);
    3 only for a bug in zoning; 130 after Ctrl-C, 141 when the reader of stdout went away
    (``zoning rules show x | head``) — both quietly, with no output file changed.
    """

    def invoke(self, ctx: click.Context) -> Any:
        warnings.showwarning = _show_warning
        try:
            return super().invoke(ctx)
        except ValidationError as exc:
            _fail(exc, 1)
        except (InputError, RulePackError, ZoningError, FileNotFoundError) as exc:
            _fail(exc, 2)
        except BrokenPipeError:
            _quiet_exit(141)
        except KeyboardInterrupt:
            click.echo("\ninterrupted: nothing more was written, and no output file was left half-written", err=True)
            sys.exit(130)
        except OSError as exc:  # the environment, not zoning: permissions, full disk, a folder that is a file
            where = f" ({exc.filename})" if getattr(exc, "filename", None) else ""
            _fail(Exception(f"{exc.strerror or exc}{where}: check the path, its folder's permissions and the free disk space"), 2)
        except KeyError as exc:
            _fail(Exception(exc.args[0] if exc.args else str(exc)), 2)
        except (click.exceptions.Exit, click.exceptions.Abort, click.ClickException, SystemExit):
            raise
        except Exception as exc:
            if os.environ.get("ZONING_DEBUG"):
                raise
            _fail(Exception(f"unexpected {type(exc).__name__}: {exc}. This is a bug in zoning; rerun with ZONING_DEBUG=1 for the traceback and report it."), 3)

    def main(self, *args: Any, **kwargs: Any) -> Any:
        try:
            return super().main(*args, **kwargs)
        except BrokenPipeError:  # raised while click prints --help or an error
            _quiet_exit(141)


def _quiet_exit(code: int) -> None:
    """The reader of stdout went away: stop without a traceback or 'Exception ignored' noise."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError):  # pragma: no cover - stdout is not a real file
        pass
    sys.exit(code)


@click.group(cls=_Group, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="zoning")
def main() -> None:
    """Sort industrial land into policy zones, check industrial-block rules and map the results."""


@main.command()
@click.argument("path", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--rules", "-r", default="shenzhen-2020", show_default=True, help="Rule pack name or .toml path.")
@click.option("--reference-year", type=int, default=None, help="Year building ages are counted to (default: the pack's base year, 2020 for shenzhen-2020).")
@click.option("--no-overlaps", is_flag=True, help="Skip the overlapping-parcels check.")
@_read_options
def validate(path: Path, rules: str, reference_year: int | None, no_overlaps: bool, layer: str | None,
             encoding: str | None, source_crs: str | None, cols: tuple[str, ...]) -> None:
    """Check a parcel file and list every problem with parcel ids and the fix."""
    from zoning.io.read import read_parcels
    from zoning.stages.validate import validate_parcels

    with warnings.catch_warnings():  # the report lists every change reading made, with the rows: no echo
        warnings.simplefilter("ignore", DataRepairWarning)
        parcels = read_parcels(path, layer=layer, encoding=encoding, source_crs=source_crs, columns=_columns(cols))
    report = validate_parcels(parcels, rules=rules, reference_year=reference_year, check_overlaps=not no_overlaps)
    _print_read_notes(parcels)
    click.echo(str(report))
    if not report.ok:
        sys.exit(1)




@main.command()
@click.argument("path", type=click.Path(path_type=Path))
@click.option("-o", "--output", type=click.Path(path_type=Path), required=True, help="Output .gpkg or .parquet (with --engine dask also a folder of GeoParquet parts).")
@click.option("--rules", "-r", default="shenzhen-2020", show_default=True, help="Rule pack name or .toml path.")
@click.option("--set", "sets", multiple=True, metavar="CODE=VALUE", help="Override a threshold, e.g. --set SZ-C5=1.2 or --set SZ-R3=q0.6 (repeatable).")
@click.option("--gap-m", type=float, default=None, help="Contiguity distance tolerance in metres (pack default 25).")
@click.option("--min-zone-ha", type=float, default=None, help="Minimum zone area in hectares (pack default 10).")
@click.option("--mode", type=click.Choice(["threshold", "quota"]), default="threshold", show_default=True, help="threshold: every qualifying area; quota: fill the pack's area targets.")
@click.option("--lang", type=click.Choice(["zh", "en"]), default="en", show_default=True, help="Language of reasons and labels.")
@click.option("--reference-year", type=int, default=None, help="Year building ages are counted to (default: the pack's base year, 2020 for shenzhen-2020).")
@click.option("--map", "map_path", type=click.Path(dir_okay=False, path_type=Path), default=None, help="Also draw a zone map (.png, .svg or .pdf).")
@click.option("--raster", "raster_path", type=click.Path(dir_okay=False, path_type=Path), default=None, help="Also write a zone GeoTIFF.")
@click.option("--report", "report_path", type=click.Path(dir_okay=False, path_type=Path), default=None, help="Also write a report (.html, .md or .docx, by extension).")
@click.option("--xlsx", "xlsx_path", type=click.Path(dir_okay=False, path_type=Path), default=None, help="Also write the tables as an Excel workbook (.xlsx), headers in --lang.")
@click.option("--quiet", "-q", is_flag=True, help="Print only errors.")
@click.option("--engine", type=click.Choice(["single", "dask"]), default="single", show_default=True, help="single: this process; dask: partitions on a dask cluster (same results; PATH may be a folder of GeoParquet parts).")
@click.option("--scheduler", default=None, metavar="ADDRESS", help="With --engine dask: a running dask scheduler, e.g. tcp://10.0.0.5:8786 (default: start a local cluster).")
@click.option("--workers", type=int, default=None, help="With --engine dask and no --scheduler: worker processes of the local cluster (default 2).")
@click.option("--partitions", type=int, default=None, help="With --engine dask: partitions (default: one per GeoParquet file or row group; re-cut in Hilbert order when given).")
@click.option("--memory-limit", default="auto", show_default=True, help="With --engine dask and no --scheduler: dask's memory limit per local worker (e.g. 5GB). Partitions wait on disk between phases either way.")
@click.option("--scratch", type=click.Path(file_okay=False, path_type=Path), default=None, help="With --engine dask: folder for the partitions' state between phases (default: each worker's local folder; a shared folder lets tasks move between workers).")
@click.option("--units", default=None, metavar="COLUMN", help="Plan-unit column (法定图则 unit, block): one unit stays contiguous across roads up to the pack's unit_gap_m.")
@_read_options
def classify(path: Path, output: Path, rules: str, sets: tuple[str, ...], gap_m: float | None, min_zone_ha: float | None,
             mode: Literal["threshold", "quota"], lang: Literal["zh", "en"], reference_year: int | None,
             map_path: Path | None, raster_path: Path | None,
             report_path: Path | None, xlsx_path: Path | None, quiet: bool, engine: str, scheduler: str | None,
             workers: int | None, partitions: int | None, memory_limit: str, scratch: Path | None, units: str | None,
             layer: str | None, encoding: str | None,
             source_crs: str | None, cols: tuple[str, ...]) -> None:
    """Sort the parcels in PATH into zones and write them (with reasons) to OUTPUT."""
    from zoning.io.read import read_parcels
    from zoning.stages.run import run

    others = {"--map": map_path, "--raster": raster_path, "--report": report_path, "--xlsx": xlsx_path}
    if engine == "dask":
        if not path.exists():
            raise InputError(f"{path} does not exist")
        one_file = output.suffix.lower() in (".gpkg", ".parquet", ".geoparquet") and not output.is_dir()
        _check_outputs({"-o/--output": output if one_file else None, **others}, [path])
        if not one_file:
            from zoning.distributed.engine import check_output_folder

            check_output_folder(output, (path,))
        _classify_dask(path, output, rules, sets, gap_m, min_zone_ha, mode, lang, reference_year, map_path, raster_path,
                       report_path, quiet, scheduler, workers, partitions, layer, encoding, source_crs, cols,
                       memory_limit, xlsx_path, scratch, units)
        return
    if path.is_dir():
        raise InputError(f"{path} is a folder; a folder of GeoParquet parts needs --engine dask")
    if output.is_dir():  # a folder of parts is an --engine dask output
        raise click.BadParameter(f"{str(output)!r} is a directory; give a .gpkg or .parquet file (or --engine dask for a folder of parts)",
                                 param_hint="'-o' / '--output'")
    _check_outputs({"-o/--output": output, **others}, [path])
    parcels = read_parcels(path, layer=layer, encoding=encoding, source_crs=source_crs, columns=_columns(cols))
    _check_width(output, rules, len(parcels.columns))
    result = run(parcels, rules, overrides=_overrides(sets), mode=mode, gap_m=gap_m, min_zone_ha=min_zone_ha,
                 lang=lang, reference_year=reference_year, progress=not quiet and sys.stderr.isatty(), units=units)
    result.to_file(output)
    if not quiet:
        _print_result(result, lang)
        click.echo(f"wrote {output} (layers parcels, zones, areas, summary, by_district)")
    _extras(result, map_path, raster_path, report_path, quiet, xlsx_path=xlsx_path)


def _classify_dask(path: Path, output: Path, rules: str, sets: tuple[str, ...], gap_m: float | None,
                   min_zone_ha: float | None, mode: Any, lang: Any, reference_year: int | None, map_path: Path | None,
                   raster_path: Path | None, report_path: Path | None, quiet: bool, scheduler: str | None,
                   workers: int | None, partitions: int | None, layer: str | None, encoding: str | None,
                   source_crs: str | None, cols: tuple[str, ...], memory_limit: str = "auto",
                   xlsx_path: Path | None = None, scratch: Path | None = None, units: str | None = None) -> None:
    try:
        from zoning.distributed.engine import cluster_client, run_distributed
    except ImportError as exc:  # pragma: no cover - the dask extra is missing
        raise InputError(f'--engine dask needs the dask extra: pip install "zoning[dask]" ({exc})') from exc
    from zoning.io.read import read_parcels

    parquet = path.is_dir() or path.suffix.lower() in (".parquet", ".geoparquet")
    source: Any = path if parquet else read_parcels(path, layer=layer, encoding=encoding, source_crs=source_crs,
                                                    columns=_columns(cols))
    tty = not quiet and sys.stderr.isatty()
    with cluster_client(scheduler=scheduler, workers=workers if workers is not None else (None if scheduler else 2),
                        memory_limit=memory_limit) as client:
        if not quiet:
            info = client.scheduler_info()
            link = client.dashboard_link if "dashboard" in info.get("services", {}) else None  # needs bokeh
            n = len(info.get("workers", {}))
            click.echo(f"dask: {n} worker(s) at {client.scheduler.address}" + (f"; dashboard {link}" if link else ""), err=True)
        dr = run_distributed(source, rules, client=client, npartitions=partitions, overrides=_overrides(sets), mode=mode,
                             gap_m=gap_m, min_zone_ha=min_zone_ha, lang=lang, reference_year=reference_year,
                             columns=_columns(cols) if parquet else None, progress=tty, scratch=scratch, units=units)
        single_file = output.suffix.lower() in (".gpkg", ".parquet", ".geoparquet") and not output.is_dir()
        with dr:  # the partition stores go when the outputs are written
            result: Any = dr.to_result() if (single_file or map_path or raster_path or report_path or xlsx_path) else dr
            if single_file:
                _check_width(output, rules, len(result.parcels.columns) - 40)
                result.to_file(output)
            else:
                dr.write(output)
            if not quiet:
                _print_result(result, lang)
                what = "layers parcels, zones, areas, summary, by_district" if single_file else \
                    "parcels/part-*.parquet, zones.parquet, areas.parquet, summary.csv, by_district.csv, validation.csv"
                click.echo(f"wrote {output} ({what}; {dr.n_parcels:,} parcels in {len(dr.states)} partitions, {dr.timings['total']:.1f} s)")
        if result is not dr:
            _extras(result, map_path, raster_path, report_path, quiet, xlsx_path=xlsx_path)


def _check_width(output: Path, rules: str, n_input: int) -> None:
    """A pack with thousands of criteria cannot fit a GeoPackage table: say so before computing."""
    from zoning.io.write import GPKG_MAX_COLUMNS
    from zoning.rules import load_rules

    if output.suffix.lower() != ".gpkg":
        return
    n = n_input + len(load_rules(rules).criteria) + 40  # + indicators, zone, reasons
    if n > GPKG_MAX_COLUMNS:
        msg = (f"-o/--output {output}: the parcels layer would have about {n:,} columns (one per criterion of the pack), "
               f"and a GeoPackage table holds at most {GPKG_MAX_COLUMNS - 2:,}; write {output.with_suffix('.parquet')} "
               "(GeoParquet, no column limit) instead")
        raise InputError(msg)


def _extras(result: Any, map_path: Path | None, raster_path: Path | None, report_path: Path | None, quiet: bool,
            *, xlsx_path: Path | None = None) -> None:
    lang = result.settings.get("lang", "zh")
    if xlsx_path is not None:
        result.to_excel(xlsx_path, lang=lang)
        if not quiet:
            click.echo(f"wrote {xlsx_path}")
    if map_path is not None:
        from zoning.outputs.plotting import save_map

        save_map(result, map_path, lang=lang)
        if not quiet:
            click.echo(f"wrote {map_path}")
    if raster_path is not None:
        from zoning.outputs.raster import rasterize_zones

        rasterize_zones(result, path=raster_path, progress=not quiet and sys.stderr.isatty())
        if not quiet:
            click.echo(f"wrote {raster_path}")
    if report_path is not None:
        result.to_report(report_path, lang=lang)
        if not quiet:
            click.echo(f"wrote {report_path}")








def _print_result(result: Any, lang: str) -> None:
    click.echo(result.summary_text(lang=lang))


@main.command()
@click.option("--out", type=click.Path(file_okay=False, path_type=Path), default=Path("zoning-demo"), show_default=True, help="Folder for the outputs.")
@click.option("--mode", type=click.Choice(["threshold", "quota"]), default="threshold", show_default=True)
@click.option("--lang", type=click.Choice(["zh", "en"]), default="zh", show_default=True)
@click.option("--reference-year", type=int, default=2025, show_default=True, help="Year building ages are counted to.")
def demo(out: Path, mode: Literal["threshold", "quota"], lang: Literal["zh", "en"], reference_year: int) -> None:
    """Run the whole job on the bundled sample city: validate, zones, map, raster, reports, workbook."""
    from zoning import datasets
    from zoning.io.read import read_parcels
    from zoning.stages.run import run

    path = datasets.get_path("parcels")
    _check_outputs({"--out": out / "zones.gpkg", "--out (workbook)": out / "tables.xlsx",
                    "--out (Word report)": out / "report.docx"}, [path])
    click.echo(f"Sample city: {path.name} (synthetic parcels in Shenzhen's real district frame; see sample_data/README.md)")
    parcels = read_parcels(path)
    _print_read_notes(parcels)
    result = run(parcels, "shenzhen-2020", mode=mode, lang=lang, reference_year=reference_year)
    _print_result(result, lang)
    out.mkdir(parents=True, exist_ok=True)
    result.to_file(out / "zones.gpkg")
    click.echo(f"\nwrote {out / 'zones.gpkg'} (layers parcels, zones, areas, summary, by_district)")
    extras: dict[str, Path | None] = {"map": out / "zones_map.png", "raster": out / "zones.tif", "report": out / "report.html"}
    try:
        import zoning.outputs.plotting
    except ImportError:
        extras["map"] = None
    try:
        import zoning.outputs.raster  # noqa: F401
    except ImportError:
        extras["raster"] = None
    if not hasattr(result, "to_report"):
        extras["report"] = None
    _extras(result, extras["map"], extras["raster"], extras["report"], False)
    office = _office_missing()
    if office:
        click.echo(f"note: tables.xlsx and report.docx need {office}: pip install 'zoning[office]'")
        return
    _extras(result, None, None, out / "report.docx", False, xlsx_path=out / "tables.xlsx")


def _office_missing() -> str:
    """The Office writers that cannot be imported ('' when both can)."""
    import importlib.util

    return " and ".join(m for m, mod in (("openpyxl", "openpyxl"), ("python-docx", "docx")) if importlib.util.find_spec(mod) is None)


@main.group()
def rules() -> None:
    """List and show rule packs."""


@rules.command("list")
def rules_list() -> None:
    """The shipped rule packs."""
    from zoning.rules import available_rules, load_rules
    from zoning.rules.render import pack_status_line

    names = available_rules()
    w = max(len(n) for n in names) + 1
    for name in names:
        p = load_rules(name)
        click.echo(f"{name:<{w}}{p.pack.title_zh}")
        click.echo(f"{'':<{w}}{p.pack.title_en}")
        click.echo(f"{'':<{w}}{pack_status_line(p)}")


@rules.command("show")
@click.argument("name")
@click.option("--lang", type=click.Choice(["zh", "en"]), default="en", show_default=True)
@click.option("--markdown", is_flag=True, help="Markdown instead of a text table.")
@click.option("--toml", "as_toml", is_flag=True, help="The pack's TOML source (start your own pack from it).")
def rules_show(name: str, lang: str, markdown: bool, as_toml: bool) -> None:
    """Print a pack's criteria, thresholds, sources and statuses."""
    from zoning.rules import load_rules, pack_source, render_rules

    if as_toml:
        click.echo(pack_source(name))
        return
    click.echo(render_rules(load_rules(name), lang=lang, fmt="markdown" if markdown else "text"))


from zoning.cli.checks import COMMANDS as _BLOCK_COMMANDS  # noqa: E402
from zoning.cli.scenarios import COMMANDS as _SCENARIO_COMMANDS  # noqa: E402

for _cmd in [*_BLOCK_COMMANDS, *_SCENARIO_COMMANDS]:
    main.add_command(_cmd)


if __name__ == "__main__":  # pragma: no cover
    main()
