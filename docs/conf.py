"""Sphinx configuration: builds offline, warnings are errors (``sphinx-build -W``).

The rule-pack reference is generated from the packs themselves at build time, and the
notebooks are copied in from ``../notebooks`` (they are executed by the test suite, not here).
"""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

HERE = Path(__file__).parent
ROOT = HERE.parent
sys.path.insert(0, str(ROOT))

import zoning  # noqa: E402
from zoning.rules import available_rules, load_rules, render_rules  # noqa: E402

project = "zoning"
copyright = "2026, the zoning contributors"
release = zoning.__version__

extensions = ["myst_nb", "sphinx.ext.autodoc", "sphinx.ext.napoleon", "sphinx.ext.viewcode"]
napoleon_google_docstring = False
napoleon_numpy_docstring = True
autodoc_typehints = "description"
autodoc_member_order = "bysource"
nb_execution_mode = "off"
myst_enable_extensions = ["colon_fence"]
exclude_patterns = ["_build", "**.ipynb_checkpoints"]
html_theme = "pydata_sphinx_theme"
html_theme_options = {"navigation_with_keys": False, "show_toc_level": 2}
html_static_path: list[str] = []
suppress_warnings = ["mystnb.unknown_mime_type"]


def _generate() -> None:
    rules_dir = HERE / "rules"
    rules_dir.mkdir(exist_ok=True)
    names = available_rules()
    index = ["# Rule-pack reference", "",
             "Generated from the packs shipped in `zoning/rules/packs/` each time the docs are built,",
             "so this page cannot disagree with the code. Status: **official** — the number is in the",
             "issued policy text; **official-draft** — in a consultation draft or seen only in reports of one",
             "(not in force); **derived** — computed on the study area; **heuristic** — a documented",
             "proposal of the pack.", "", "```{toctree}", ":maxdepth: 1", "", *names, "```", ""]
    (rules_dir / "index.md").write_text("\n".join(index), encoding="utf-8")
    for name in names:
        body = render_rules(load_rules(name), fmt="markdown")
        (rules_dir / f"{name}.md").write_text(f"# {name}\n\n{body}", encoding="utf-8")
    nb_dir = HERE / "notebooks"
    nb_dir.mkdir(exist_ok=True)
    for nb in sorted((ROOT / "notebooks").glob("*.ipynb")):
        shutil.copy2(nb, nb_dir / nb.name)


_generate()
