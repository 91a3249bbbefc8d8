"""The documentation builds offline with warnings as errors, and the rule reference comes from the packs."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.slow
def test_docs_build_without_warnings(tmp_path):
    out = tmp_path / "html"
    proc = subprocess.run([sys.executable, "-m", "sphinx", "-W", "--keep-going", "-b", "html", "-q",
                           str(ROOT / "docs"), str(out)], capture_output=True, text=True, timeout=900)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert (out / "index.html").exists()
    rules = (out / "rules" / "shenzhen-2020.html").read_text(encoding="utf-8")
    from zoning.rules import load_rules

    for c in load_rules("shenzhen-2020").criteria:
        assert c.code in rules
    api = (out / "api.html").read_text(encoding="utf-8")
    assert "zoning.run" in api and "validate_parcels" in api


def test_notebooks_are_stored_without_outputs():
    import json

    books = sorted((ROOT / "notebooks").glob("*.ipynb"))
    assert len(books) >= 4
    for nb in books:
        data = json.loads(nb.read_text(encoding="utf-8"))
        for cell in data["cells"]:
            if cell["cell_type"] == "code":
                assert cell.get("outputs", []) == [], nb.name
