"""The layers between the apps (issue 11) are checked, and the check bites."""

import copy
import tomllib
from pathlib import Path

import dev

CONFIG = tomllib.loads((Path(dev.ROOT) / "pyproject.toml").read_text())["tool"]["importlinter"]


def test_the_apps_keep_the_layers():
    assert dev.check_layers() == 0


def test_an_upward_import_fails_the_check():
    # Without its exception, a known upward import (incidents -> statements) breaks the contract.
    config = copy.deepcopy(CONFIG)
    config["contracts"][0]["ignore_imports"].remove("incidents.glance -> statements.models")
    assert dev.check_layers(config) != 0


def test_an_app_not_written_yet_does_not_break_the_check():
    config = copy.deepcopy(CONFIG)
    config["root_packages"].append("not_written_yet")
    config["contracts"][0]["layers"].insert(1, "(not_written_yet)")
    assert dev.check_layers(config) == 0
