"""Fixtures shared by the package tests: a fresh store on SQLite and, where a server is given, PostgreSQL."""

from __future__ import annotations

import os
import tempfile
import uuid

# Before anything imports corpsmap.config: the app under test keeps its store in a throwaway folder, never in
# the checkout's var/.
os.environ.setdefault("CORPSMAP_VAR_DIR", tempfile.mkdtemp(prefix="corpsmap-test-var-"))

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

POSTGRES_ENV = "CORPSMAP_TEST_POSTGRES_URL"


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
    name = f"corpsmap_test_{uuid.uuid4().hex[:12]}"
    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield make_url(admin_url).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()
