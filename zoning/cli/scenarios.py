"""CLI commands for scenarios: ``zoning calibrate``, ``zoning sensitivity``, ``zoning compare``.

Thin delegations to :mod:`zoning.scenarios`; registered on the ``zoning`` group like the check
commands. Exit codes: 0 — done (for ``calibrate``, every target met within the tolerance);
1 — ``calibrate`` wrote the pack but some target is out of reach within the bounds (the output
says which and why; ``--exit-zero`` turns this into 0); 2 — bad input or usage.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any, Literal

import click

from zoning.cli._common import _columns, _overrides, _print_read_notes, _read_options

__all__ = ["COMMANDS", "calibrate_cmd", "compare_cmd", "sensitivity_cmd"]


def _read(path: Path, layer: str | None, encoding: str | None, source_crs: str | None, cols: tuple[str, ...]) -> Any:
    from zoning.io.read import read_parcels

    parcels = read_parcels(path, layer=layer, encoding=encoding, source_crs=source_crs, columns=_columns(cols))
    _print_read_notes(parcels)
    return parcels


def _common(f: Any) -> Any:
    f = click.option("--reference-year", type=int, default=None,
                     help="Year building ages are counted to (default: the pack's base year).")(f)
    f = click.option("--set", "sets", multiple=True, metavar="CODE=VALUE",
                     help="Base override applied before the scenarios (repeatable).")(f)
    return click.option("--rules", "-r", default="shenzhen-2020", show_default=True, help="Rule pack name or .toml path.")(f)


@click.command("calibrate")
@click.argument("path", type=click.Path(dir_okay=False, path_type=Path))
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), required=True,
              help="Calibrated rule pack (.toml); use it with `zoning classify PATH -r OUTPUT`.")
@_common
@click.option("--tolerance", type=float, default=2.0, show_default=True, help="Percentage points of the stock within which a target counts as met.")
@click.option("--exit-zero", is_flag=True, help="Exit 0 even when a target is out of reach.")
@_read_options
def calibrate_cmd(path: Path, output: Path, rules: str, sets: tuple[str, ...], reference_year: int | None, tolerance: float,
                  exit_zero: bool, layer: str | None, encoding: str | None, source_crs: str | None, cols: tuple[str, ...]) -> None:
    """Find the thresholds that bring each zone's share of the stock to its target; write a calibrated pack."""
    from zoning.scenarios import CachedStages, calibrate

    stages = CachedStages(_read(path, layer, encoding, source_crs, cols), rules, reference_year=reference_year)
    cal = calibrate(stages, overrides=_overrides(sets), tolerance=tolerance / 100, dataset=path.name)
    cal.to_toml(output)
    click.echo(f"Calibration of {stages.rules.pack.name} on {path.name} (reference year {stages.reference_year}; "
               f"{cal.evaluations} scenarios):")
    for r in cal.steps.itertuples():
        mark = "ok " if r.met else "OUT"
        click.echo(f"  {mark} {r.criterion:<6} {r.start:>10.4g} → {r.value:<10.4g} {' + '.join(r.zones):<40} "
                   f"{r.achieved_share:6.1%} (target {r.target_share:.1%}, {r.gap_pp:+.1f} pp)")
        if r.note:
            click.echo(f"      {r.note}")
    click.echo("\n  zone                 before    after   target")
    for z, r in cal.shares.iterrows():
        tgt = f"{r['target']:.1%}" if r["target"] == r["target"] else "—"
        click.echo(f"  {z:<20} {r['before']:6.1%}   {r['after']:6.1%}   {tgt:>6}")
    click.echo(f"\nwrote {output} (calibrated thresholds: status 'derived'); reproduce with "
               f"`zoning classify {path} -r {output} -o zones.gpkg`")
    if not cal.met and not exit_zero:
        sys.exit(1)


def _parse_vary(values: tuple[str, ...]) -> dict[str, list[str]]:
    from zoning.errors import RulePackError

    out: dict[str, list[str]] = {}
    for v in values:
        if "=" not in v:
            msg = f"--vary expects CODE=v1,v2,… (e.g. --vary SZ-C5=1.2,1.8), got '{v}'"
            raise RulePackError(msg)
        code, vals = v.split("=", 1)
        parts = [x.strip() for x in vals.split(",") if x.strip()]
        # land-use class lists cannot be varied with commas; grades and numbers can
        out.setdefault(code.strip(), []).extend(parts)
    return out


@click.command("sensitivity")
@click.argument("path", type=click.Path(dir_okay=False, path_type=Path))
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), required=True,
              help="Output .gpkg with layers 'scenarios' and 'parcels' (zone per scenario, stability).")
@_common
@click.option("--vary", multiple=True, metavar="CODE=v1,v2,…", help="Values of one threshold, one scenario each (repeatable).")
@click.option("--pct", type=float, default=None, help="Every numeric threshold at −P %% and +P %% of its applied value.")
@click.option("--mode", type=click.Choice(["threshold", "quota"]), default="threshold", show_default=True)
@click.option("--chart", type=click.Path(dir_okay=False, path_type=Path), default=None, help="Tornado chart (.png/.svg/.pdf).")
@click.option("--map", "map_path", type=click.Path(dir_okay=False, path_type=Path), default=None, help="Stability map (.png/.svg/.pdf).")
@click.option("--report", "report_path", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="HTML/Markdown report of the base run with a robustness section.")
@click.option("--lang", type=click.Choice(["zh", "en"]), default="en", show_default=True)
@_read_options
def sensitivity_cmd(path: Path, output: Path, rules: str, sets: tuple[str, ...], reference_year: int | None, vary: tuple[str, ...],
                    pct: float | None, mode: Literal["threshold", "quota"], chart: Path | None, map_path: Path | None,
                    report_path: Path | None, lang: Literal["zh", "en"], layer: str | None, encoding: str | None,
                    source_crs: str | None, cols: tuple[str, ...]) -> None:
    """One-at-a-time threshold scenarios: zone areas per scenario and each parcel's stability."""
    from zoning.scenarios import CachedStages, sensitivity

    stages = CachedStages(_read(path, layer, encoding, source_crs, cols), rules, reference_year=reference_year)
    s = sensitivity(stages, vary=_parse_vary(vary), pct=pct, overrides=_overrides(sets), mode=mode,
                    progress=sys.stderr.isatty())
    s.to_file(output)
    t = s.scenarios
    click.echo(f"{len(t) - 1} scenarios on {len(s.parcels)} parcels (reference year {stages.reference_year}, {mode} mode):")
    click.echo(f"  {'scenario':<9}{'override':<22}{'retain km²':>11}{'consol. km²':>12}{'renewal km²':>12}{'changed':>9}")
    for r in t.itertuples():
        ov = f"{r.code}={r.value}" if r.code else "(base)"
        click.echo(f"  {r.scenario:<9}{ov:<22}{r.retain_upgrade_km2:>11.2f}{r.land_consolidation_km2:>12.2f}"
                   f"{r.contiguous_renewal_km2:>12.2f}{r.changed_parcels:>9}")
    top = s.most_sensitive(3)
    click.echo("\nMost sensitive thresholds (zone area moved over their values):")
    for r in top.itertuples():
        click.echo(f"  {r.code:<6} ({r.values}): {r.total_km2:.2f} km²")
    stock = s.parcels["zone"].astype(str) != "not_industrial"
    click.echo(f"{(s.parcels.loc[stock, 'stability'] == 1).mean():.0%} of the industrial parcels keep their zone in every scenario")
    click.echo(f"wrote {output} (layers scenarios, parcels)")
    import matplotlib.pyplot as plt

    for target, draw in ((chart, s.plot_tornado), (map_path, s.plot_stability)):
        if target is not None:
            ax = draw(lang=lang)
            ax.figure.savefig(target, dpi=150, bbox_inches="tight")
            plt.close(ax.figure)
            click.echo(f"wrote {target}")
    if report_path is not None:
        from zoning.stages.run import run

        base = run(stages.parcels, stages.rules, overrides=_overrides(sets), mode=mode, lang=lang,
                   reference_year=stages.reference_year)
        base.to_report(report_path, lang=lang, robustness=s)
        click.echo(f"wrote {report_path} (with a robustness section)")


@click.command("compare")
@click.argument("a", type=click.Path(dir_okay=False, path_type=Path))
@click.argument("b", type=click.Path(dir_okay=False, path_type=Path))
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="Output .gpkg: changed parcels, from→to matrices, change per zone, areas.")
@click.option("--map", "map_path", type=click.Path(dir_okay=False, path_type=Path), default=None, help="Diff map (.png/.svg/.pdf).")
@click.option("--lang", type=click.Choice(["zh", "en"]), default="en", show_default=True)
def compare_cmd(a: Path, b: Path, output: Path | None, map_path: Path | None, lang: Literal["zh", "en"]) -> None:
    """Compare two `zoning classify` outputs A and B: what changed zone, how much, and where."""
    from zoning.scenarios import compare

    c = compare(a, b)
    click.echo(c.summary())
    click.echo("\nFrom → to (km²):")
    m = c.matrix_km2
    short = {"retain_upgrade": "retain", "land_consolidation": "consol.", "contiguous_renewal": "renewal",
             "unzoned": "unzoned", "not_industrial": "not ind."}
    click.echo("  " + f"{'':<20}" + "".join(f"{short[z]:>10}" for z in m.columns))
    for z, row in m.iterrows():
        click.echo("  " + f"{z:<20}" + "".join(f"{v:>10.2f}" for v in row))
    if len(c.areas):
        click.echo("\nAreas of A with the most land changing zone:")
        for r in c.areas.head(5).itertuples():
            click.echo(f"  {r.cluster_id} ({r.zone}): {r.changed_parcels} of {r.parcels} parcels, {r.changed_km2:.2f} km²")
    if output is not None:
        c.to_file(output)
        click.echo(f"wrote {output}")
    if map_path is not None:
        import matplotlib.pyplot as plt

        ax = c.plot(lang=lang)
        ax.figure.savefig(map_path, dpi=150, bbox_inches="tight")
        plt.close(ax.figure)
        click.echo(f"wrote {map_path}")


COMMANDS = [calibrate_cmd, sensitivity_cmd, compare_cmd]
