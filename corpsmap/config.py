"""Paths and fixed settings, anchored on this file so the app runs from any working directory."""

from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DATA_DIR = ROOT / "data"
GEODATA_DIR = ROOT / "geodata"
# Streamlit serves this folder at /app/static/ (server.enableStaticServing); vendor/ is filled from
# registry packages by `corpsmap.assets.install_static_assets`, never committed.
STATIC_DIR = ROOT / "static"
STATIC_URL = "/app/static"
