"""The import layers between our apps hold (pyproject.toml, ``[tool.importlinter]``): an app
imports only from the layers below it, and apps that share a layer (``reports | dashboard``)
do not import each other. So deadlines know nothing of recommendations or audits, reminders
nothing of the records that hold the deadlines, and only the demo uses every app at once.

import-linter reads the source without running it. The test runs its command as a developer
would (``.venv/bin/lint-imports``) and shows its report when a contract is broken.
"""

import os
import re
import subprocess
import sys
from pathlib import Path

from django.apps import apps
from importlinter import api

ROOT = Path(__file__).resolve().parent.parent


def test_no_app_imports_from_a_layer_above_it_or_from_another_in_its_layer():
    result = subprocess.run(
        [Path(sys.executable).with_name("lint-imports"), "--no-cache"],
        cwd=ROOT,
        env={**os.environ, "COLUMNS": "120"},  # the report's lines unwrapped
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )

    assert result.returncode == 0, result.stdout + result.stderr


def test_every_app_of_ours_is_in_a_layer():
    """A new app is placed in a layer, or the contract would not look at it."""
    configuration = api.read_configuration(str(ROOT / "pyproject.toml"))
    ours = {
        config.name for config in apps.get_app_configs() if Path(config.path).parent == ROOT
    } | {"ombudsman_tracker"}
    (layers,) = [
        contract["layers"]
        for contract in configuration["contracts_options"]
        if contract["type"] == "layers"
    ]
    layered = {name.strip() for layer in layers for name in re.split(r"[|:]", layer)}

    assert set(configuration["session_options"]["root_packages"]) == ours
    assert layered == ours
