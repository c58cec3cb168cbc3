"""The versioned data store (SQLAlchemy; SQLite by default, PostgreSQL by URL). No Streamlit here.

`open_store()` connects, brings the schema up to date with the Alembic migrations and, when the store is
empty, loads the seed CSVs from `data/` as version 1.
"""

from __future__ import annotations

import io
import os
import zipfile
from pathlib import Path

from alembic import command
from alembic.config import Config

from corpsmap.config import DATA_DIR, VAR_DIR
from corpsmap.data import TABLES, load_dataset
from corpsmap.store.store import KINDS, NoChange, StaleVersion, Store, StoreError, Upload, Version, make_engine

__all__ = ["KINDS", "NoChange", "StaleVersion", "Store", "StoreError", "Upload", "Version", "alembic_config",
           "database_url", "migrate", "open_store", "seed"]

MIGRATIONS = Path(__file__).resolve().parent / "migrations"
SEED_AUTHOR = "system"


def database_url() -> str:
    """CORPSMAP_DATABASE_URL, or a SQLite file in the var/ folder (ignored by git)."""
    return os.environ.get("CORPSMAP_DATABASE_URL") or f"sqlite:///{VAR_DIR / 'corpsmap.sqlite'}"


def alembic_config() -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    return config


def migrate(store: Store) -> None:
    """Bring the schema up to the newest migration (a no-op when it is there already)."""
    with store.engine.begin() as conn:
        config = alembic_config()
        config.attributes["connection"] = conn
        command.upgrade(config, "head")


def _seed_archive(data_dir: Path) -> bytes:
    """The seed CSVs as one zip, kept as version 1's upload."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for table in TABLES.values():
            archive.write(data_dir / table.file, table.file)
    return out.getvalue()


def seed(store: Store, data_dir: Path = DATA_DIR) -> Version | None:
    """Load the CSVs of `data_dir` as version 1 if the store is empty; None if it already has data."""
    if store.current_number():
        return None
    dataset = load_dataset(data_dir)  # DataError names the bad file, row and column
    upload = Upload("seed-data.zip", _seed_archive(data_dir), SEED_AUTHOR)
    try:
        return store.publish(lambda _empty: dataset, kind="seed", author=SEED_AUTHOR, based_on=0,
                             upload=upload, comment=f"seed from {data_dir.name}/")
    except StaleVersion:  # another server seeded it first
        return None


def open_store(url: str | None = None, data_dir: Path = DATA_DIR) -> Store:
    """Connect to the store at `url` (default `database_url()`), migrate it and seed it if empty."""
    store = Store(make_engine(url or database_url()))
    migrate(store)
    seed(store, data_dir)
    return store
