"""The layers between the apps (issue 11) are checked, and the check bites."""

import copy
import tomllib
from pathlib import Path

import dev

CONFIG = tomllib.loads((Path(dev.ROOT) / "pyproject.toml").read_text())["tool"]["importlinter"]


def test_the_apps_keep_the_layers():
    assert dev.check_layers() == 0


def test_no_upward_import_is_excused():
    assert CONFIG["contracts"][0]["ignore_imports"] == []


def test_an_upward_import_fails_the_check():
    # statements imports facts: with facts put above statements, that import goes upward.
    config = copy.deepcopy(CONFIG)
    layers = config["contracts"][0]["layers"]
    i, j = layers.index("statements"), layers.index("facts")
    layers[i], layers[j] = layers[j], layers[i]
    assert dev.check_layers(config) != 0


def test_an_app_not_written_yet_does_not_break_the_check():
    config = copy.deepcopy(CONFIG)
    config["root_packages"].append("not_written_yet")
    config["contracts"][0]["layers"].insert(1, "(not_written_yet)")
    assert dev.check_layers(config) == 0
