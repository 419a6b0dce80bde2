"""
The reliability suite: what the plugin promises when the outside world misbehaves, each test measuring
its figure. Every test here carries the ``reliability`` marker (``-m reliability`` runs only them) and
runs in the normal suite too. Figures are printed (``FIGURE name: ...``, visible with ``-s``) and
appended to ``reliability-figures.txt`` in the run's temporary directory, or to the file
``RISEUP_RELIABILITY_RESULTS`` names.
"""

import os
from pathlib import Path

import pytest


def pytest_collection_modifyitems(config, items):
    here = Path(__file__).parent
    for item in items:
        if here in Path(str(item.fspath)).parents:
            item.add_marker(pytest.mark.reliability)


@pytest.fixture(scope="session")
def figures_file(tmp_path_factory):
    path = os.environ.get("RISEUP_RELIABILITY_RESULTS")
    return Path(path) if path else tmp_path_factory.getbasetemp() / "reliability-figures.txt"


@pytest.fixture
def figure(figures_file, request, settings):
    """Report one measured figure: ``figure("duplicates", "50 deliveries -> 1 enrollment")``."""
    from django.db import connection

    def report(name: str, text: str) -> str:
        line = f"FIGURE {name} [{connection.vendor}]: {text}"
        print(line)
        with open(figures_file, "a", encoding="utf-8") as handle:
            handle.write(f"{line}  ({request.node.nodeid})\n")
        return line

    return report
