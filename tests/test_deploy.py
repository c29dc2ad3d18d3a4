"""The container image recipe installs every package the project has."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_the_image_copies_every_package_it_installs() -> None:
    # No Docker engine runs on these machines; this reads the recipe instead of building it.
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())
    included = project["tool"]["setuptools"]["packages"]["find"]["include"]
    packages = {pattern.rstrip("*") for pattern in included}
    recipe = (ROOT / "deploy" / "Dockerfile").read_text()
    copied = set(re.findall(r"^COPY (\w+) \1$", recipe, flags=re.M))
    assert copied == packages
    assert packages == {p.parent.name for p in ROOT.glob("*/__init__.py")} - {"tests", "benchmarks"}
    assert "-c constraints.txt" in recipe
