"""Options and printing shared by the ``zoning`` commands (main.py and checks.py)."""

from __future__ import annotations

from typing import Any

import click

from zoning.outputs.text import ljust as _ljust
from zoning.outputs.text import rjust as _rjust
from zoning.outputs.text import width as _width

__all__ = ["LAYER_FILES", "TABLE_FILES", "_check_outputs", "_columns", "_ljust", "_overrides", "_print_read_notes", "_read_options", "_rjust", "_width"]


def _overrides(values: tuple[str, ...]) -> dict[str, str]:
    from zoning.rules import parse_override

    return dict(parse_override(v) for v in values)


def _columns(values: tuple[str, ...]) -> dict[str, str] | None:
    if not values:
        return None
    out = {}
    for v in values:
        if "=" not in v:
            raise click.BadParameter(f"expected SOURCE=CANONICAL (e.g. 宗地号=parcel_id), got '{v}'", param_hint="--col")
        k, c = v.split("=", 1)
        out[k.strip()] = c.strip()
    return out


def _read_options(f: Any) -> Any:
    for opt in reversed([
        click.option("--layer", default=None, help="Layer of a multi-layer file."),
        click.option("--encoding", default=None, help="Attribute encoding of a shapefile (default: .cpg, else detect UTF-8/GB18030)."),
        click.option("--source-crs", default=None, help="CRS of data that has none (e.g. EPSG:4547), or gcj02 / bd09 for web-map coordinates."),
        click.option("--col", "cols", multiple=True, metavar="SOURCE=CANONICAL", help="Map a column, e.g. --col 宗地号=parcel_id (repeatable)."),
    ]):
        f = opt(f)
    return f


def _print_read_notes(parcels: Any) -> None:
    meta = parcels.attrs.get("zoning", {})
    cols = meta.get("columns", [])
    mapped = [f"{c['source']}→{c['canonical']}" for c in cols if c["source"] != c["canonical"]]
    if mapped:
        click.echo("columns: " + ", ".join(mapped))
    for note in meta.get("notes", []):
        click.echo("note: " + note)


LAYER_FILES = (".gpkg", ".parquet", ".geoparquet")
TABLE_FILES = (".csv", *LAYER_FILES)


def _check_outputs(outputs: dict[str, Any], inputs: list[Any], *, suffixes: tuple[str, ...] = LAYER_FILES) -> None:
    """Before reading anything: refuse outputs that are inputs, clash, or cannot be written (exit 2).

    ``suffixes`` are the file types ``-o/--output`` may have (the other outputs check their own).
    """
    from zoning.errors import InputError
    from zoning.io.paths import check_output, same_file

    given = [(opt, p) for opt, p in outputs.items() if p is not None]
    for i, (opt, p) in enumerate(given):
        check_output(p, inputs=inputs, option=opt, suffixes=suffixes if opt == "-o/--output" else None)
        for opt2, p2 in given[:i]:
            if same_file(p, p2):
                msg = f"{opt} and {opt2} both name {p}: the second would overwrite the first; give each its own file"
                raise InputError(msg)
