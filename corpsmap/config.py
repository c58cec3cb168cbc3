"""Paths and fixed settings, anchored on this file so the app runs from any working directory."""

import os
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# CORPSMAP_DATA_DIR points the app at another copy of data/ (tests, benchmarks, a deployment's own data).
DATA_DIR = Path(os.environ.get("CORPSMAP_DATA_DIR") or ROOT / "data")
GEODATA_DIR = ROOT / "geodata"
# Streamlit serves this folder at /app/static/ (server.enableStaticServing); vendor/ is filled from
# registry packages by `corpsmap.assets.install_static_assets`, never committed.
STATIC_DIR = ROOT / "static"
STATIC_URL = "/app/static"
# The store's SQLite file lives here unless CORPSMAP_DATABASE_URL names another database; ignored by git.
VAR_DIR = Path(os.environ.get("CORPSMAP_VAR_DIR") or ROOT / "var")
