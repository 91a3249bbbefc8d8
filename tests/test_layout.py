"""The package layout: imports run one way, the top level is cheap, old paths still work.

Layers, bottom to top: errors / units → io → rules → stages → checks → outputs → scenarios → cli. A module
may import from its own layer or below, never above — at module level or inside a function —
except the accessor methods listed in ``ALLOWED_UP`` (``ZoningResult.plot()`` / ``to_report()``
are thin delegations to the outputs layer, imported when called).
"""

from __future__ import annotations

import ast
import subprocess
import sys
import warnings
from dataclasses import FrozenInstanceError
from pathlib import Path

import pandas as pd
import pytest

import zoning

ROOT = Path(zoning.__file__).parent
LAYERS = ["zoning.errors", "zoning.units", "zoning.io", "zoning.rules", "zoning.stages", "zoning.distributed",
          "zoning.checks", "zoning.outputs", "zoning.scenarios", "zoning.cli"]
#: (importing module, imported module prefix): calls made by accessor methods, at call time
ALLOWED_UP = {("zoning.stages.result", "zoning.outputs"), ("zoning.checks.firms", "zoning.outputs.firm_map"),
              ("zoning.distributed.engine", "zoning.outputs.text"),  # DistributedRun.summary_text()
              ("zoning.stages.run", "zoning.distributed.engine")}  # run(engine="dask") hands over to the engine


def _layer(mod: str) -> int | None:
    rank = {"zoning.errors": 0, "zoning.units": 0}
    for name in LAYERS:
        if mod == name or mod.startswith(name + "."):
            return rank.get(name, LAYERS.index(name))
    return None


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT.parent).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _imports(path: Path) -> list[tuple[str, int, bool]]:
    """(imported zoning module, line, at module level) for every runtime import."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    type_only = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            type_only |= {id(n) for n in ast.walk(node)}
    top = {id(n) for n in tree.body}
    out = []
    for node in ast.walk(tree):
        if id(node) in type_only:
            continue
        if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("zoning") and node.level == 0:
            out.append((node.module, node.lineno, id(node) in top))
        elif isinstance(node, ast.Import):
            out += [(a.name, node.lineno, id(node) in top) for a in node.names if a.name.startswith("zoning")]
    return out


MODULES = {_module_name(p): p for p in sorted(ROOT.rglob("*.py"))}


def test_imports_run_one_way():
    wrong = []
    for mod, path in MODULES.items():
        for target, line, _ in _imports(path):
            a, b = _layer(mod), _layer(target)
            if a is None or b is None or b <= a:
                continue
            if any(mod == m and target.startswith(t) for m, t in ALLOWED_UP):
                continue
            wrong.append(f"{path.relative_to(ROOT.parent)}:{line} imports {target}")
    assert not wrong, "imports against the layer order:\n" + "\n".join(wrong)


def test_no_import_cycle_between_modules():
    graph = {m: {t for t, _, top in _imports(p) if top and t in MODULES and t != m} for m, p in MODULES.items()}
    state: dict[str, int] = {}
    cycle: list[str] = []

    def visit(m: str, stack: list[str]) -> bool:
        state[m] = 1
        for t in graph[m]:
            if state.get(t) == 1:
                cycle.extend([*stack[stack.index(t):], t] if t in stack else [m, t])
                return True
            if state.get(t) is None and visit(t, [*stack, t]):
                return True
        state[m] = 2
        return False

    for m in graph:
        if state.get(m) is None and visit(m, [m]):
            break
    assert not cycle, "import cycle: " + " → ".join(cycle)


def test_bottom_modules_import_nothing_above_them():
    for mod in ("zoning.errors", "zoning.units"):
        assert [t for t, _, _ in _imports(MODULES[mod]) if _layer(t) not in (0, None)] == []


def test_import_zoning_is_cheap_and_the_cli_needs_no_geopandas():
    code = ("import sys, zoning, zoning.cli.main\n"
            "heavy = [m for m in ('geopandas', 'pandas', 'shapely', 'matplotlib', 'pyogrio') if m in sys.modules]\n"
            "assert not heavy, heavy\n"
            "zoning.read_parcels\n"
            "assert 'geopandas' in sys.modules\n")
    subprocess.run([sys.executable, "-c", code], check=True)


def test_every_public_name_resolves():
    for name in zoning.__all__:
        assert getattr(zoning, name) is not None, name
    assert set(zoning.__all__) <= set(dir(zoning))
    with pytest.raises(AttributeError, match="no attribute 'nope'"):
        zoning.nope  # noqa: B018


def test_old_module_paths_still_work_with_a_future_warning():
    code = ("import warnings\nwarnings.simplefilter('error', FutureWarning)\n"
            "try:\n    from zoning.blocks import check_blocks\nexcept FutureWarning as w:\n    print(w)\n")
    out = subprocess.run([sys.executable, "-c", code], check=True, capture_output=True, text=True).stdout
    assert "zoning.blocks moved to zoning.checks" in out
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", FutureWarning)
        from zoning.blocks import check_blocks  # type: ignore[import-not-found]
        from zoning.plotting import plot_zones  # type: ignore[import-not-found]
    assert check_blocks is zoning.check_blocks and plot_zones is zoning.plot_zones


# ---------------------------------------------------------------------------------------
# typed stage results


def test_stages_hand_over_typed_results_not_attrs(sample_parcels):
    ind = zoning.compute_indicators(sample_parcels, reference_year=2025)
    cls = zoning.classify(ind)
    assert cls.table.attrs == {} and cls.thresholds["SZ-C2"] == cls.thresholds["SZ-R3"]
    zones = zoning.form_zones(sample_parcels, ind, cls)
    assert zones.stock_km2 > 0 and set(zones.targets) == {"retain_upgrade", "land_consolidation", "contiguous_renewal"}
    assert zones.parcels.attrs == {}
    # an ordinary merge of the table, then the next stages: the thresholds are resolved again
    merged = cls.table.merge(pd.DataFrame({"note": "x"}, index=cls.table.index), left_index=True, right_index=True)
    a = zoning.explain(sample_parcels, ind, cls, zones.parcels)
    b = zoning.explain(sample_parcels, ind, merged, zones.parcels)
    assert a["reason"].equals(b["reason"])
    with pytest.raises(TypeError, match=r"Classification returned by zoning\.classify"):
        zoning.explain(sample_parcels, ind, ind, zones.parcels)


def test_result_is_read_only_keyword_only_and_typed(sample_result):
    with pytest.raises(FrozenInstanceError):
        sample_result.parcels = None  # type: ignore[misc]
    with pytest.raises(TypeError):
        type(sample_result)(sample_result.parcels)  # type: ignore[call-arg]
    s = sample_result.settings
    assert s.mode == s["mode"] == "threshold" and s.reference_year == 2025 and s.gap_m == 25
    assert sample_result.stock_km2 == pytest.approx(sample_result.summary.loc[list(zoning.ZONES[:4]), "area_km2"].sum())
    assert "<table" in sample_result._repr_html_()


def test_result_methods_follow_the_run_language(sample_result):
    ax = sample_result.plot(districts=False)  # run in English
    assert ax.get_legend().get_texts()[0].get_text().startswith("Retain-upgrade")
    zh = zoning.run(zoning.datasets.get_path("parcels"), reference_year=2025, lang="zh")
    assert zh.plot(districts=False).get_legend().get_texts()[0].get_text().startswith("保留提升区")
    import inspect

    assert "north_arrow" in inspect.signature(type(sample_result).plot).parameters


def test_explain_one_parcel_matches_the_reasons_table(sample_result):
    pid = str(sample_result.parcels.loc[sample_result.parcels["zone"] == "land_consolidation", "parcel_id"].iloc[0])
    text = sample_result.explain(pid)
    rows = sample_result.reasons().query("parcel_id == @pid")
    assert len(rows) > 3
    for code, status in zip(rows["code"], rows["status"], strict=True):
        assert any(line.split()[:2] == [code, status] for line in text.splitlines()), (code, status, text)


def test_a_pack_without_zones_is_a_user_error_in_classify(cli, tmp_path):
    from click.testing import CliRunner

    res = CliRunner().invoke(cli, ["classify", str(zoning.datasets.get_path("parcels")), "-r", "guangzhou-2024",
                                   "-o", str(tmp_path / "x.gpkg")])
    assert res.exit_code == 2, res.output
    assert "defines no zones" in res.output and "bug" not in res.output.lower()
