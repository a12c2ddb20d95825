"""docs/deploy.md is the operator's reference: its tables name every variable
sigma and its gunicorn configuration read from the environment."""

import re

from tests.processes import ROOT


def documented_variables():
    doc = (ROOT / "docs" / "deploy.md").read_text()
    first_cells = re.findall(r"^\|([^|]*)\|", doc, re.M)
    return {name for cell in first_cells for name in re.findall(r"`([A-Z][A-Z0-9_]+)`", cell)}


def test_every_setting_read_from_the_environment_is_documented():
    settings_source = (ROOT / "config" / "settings.py").read_text()
    read = set(re.findall(r"\benv(?:_bool|_list)?\(\s*\"([A-Z0-9_]+)\"", settings_source))

    assert read, "no variable found: has the way settings read the environment changed?"
    assert read - documented_variables() == set()


def test_every_variable_of_the_gunicorn_configuration_is_documented():
    config = (ROOT / "deploy" / "gunicorn.conf.py").read_text()
    read = set(re.findall(r"os\.environ\.get\(\"([A-Z0-9_]+)\"", config))

    assert read >= {"SIGMA_BIND", "WEB_CONCURRENCY", "PROMETHEUS_MULTIPROC_DIR"}
    assert read - documented_variables() == set()
