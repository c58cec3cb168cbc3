"""Fixtures shared by the package tests: a fresh store on SQLite and, where a server is given, PostgreSQL."""

from __future__ import annotations

import os
import sys
import tempfile

# Before anything imports corpsmap.config: the app under test keeps its store in a throwaway folder, never in
# the checkout's var/.
# Each parallel worker (pytest-xdist) gets its own: they inherit the first process's environment, and two
# workers on one SQLite store lock each other out.
if "CORPSMAP_VAR_DIR" not in os.environ or os.environ.get("PYTEST_XDIST_WORKER"):
    os.environ["CORPSMAP_VAR_DIR"] = tempfile.mkdtemp(prefix="corpsmap-test-var-")

import pytest

from tests.postgres import POSTGRES_ENV, throwaway_database


@pytest.fixture(params=["sqlite", "postgresql"])
def store_url(request, tmp_path):
    """The URL of an empty database: a SQLite file, or a new database on the PostgreSQL server of .ci/run."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'store.sqlite'}"
        return
    admin_url = os.environ.get(POSTGRES_ENV)
    if not admin_url:
        if os.environ.get("CI"):  # CI must test the real server: a skip there would hide a broken set-up
            pytest.fail(f"{POSTGRES_ENV} is not set; .ci/run starts PostgreSQL and sets it")
        pytest.skip(f"no PostgreSQL server ({POSTGRES_ENV} unset; `.ci/run` starts one)")
    with throwaway_database(admin_url) as url:
        yield url


@pytest.fixture
def store(store_url):
    """A store opened (and migrated) on `store_url`, once on SQLite and once on PostgreSQL."""
    from corpsmap.store import open_store

    store = open_store(store_url)
    yield store
    store.engine.dispose()


# Caches keyed by version number (corpsmap/ui): a test that swaps a version's data under the same number (by
# monkeypatching frame._dataset) must not be shown what another test cached.
_VIEW_CACHES = {"corpsmap.ui.map_component": ("_rendered", "_feature_group"), "corpsmap.ui.panel": ("_zone_data",),
                "corpsmap.ui.controls": ("_colouring",)}


def _clear_view_caches() -> None:
    for module, names in _VIEW_CACHES.items():
        if module in sys.modules:  # only what a test has imported
            for name in names:
                getattr(sys.modules[module], name).clear()


@pytest.fixture(autouse=True)
def _fresh_view_caches():
    _clear_view_caches()
    yield
    _clear_view_caches()
