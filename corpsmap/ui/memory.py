"""Keeping Streamlit's garbage collection after every run cheap.

Streamlit runs a full collection after every script run (`runner.postScriptGC`), which walks every object
the process holds: the imported libraries, the cached versions, maps and panels. That walk was most of a zone
click's server CPU (~0.19 s of ~0.22 s; docs/performance.md). Objects that live as long as the process are
moved out of the collector's sight with `gc.freeze()`, so each collection after a run looks only at what the
runs made since; garbage among them is still collected then, as before. (`.streamlit/config.toml` now turns
that collection off, since what the open pages hold still made it grow with their number; the freeze keeps
Python's own full collections, and the post-run one wherever it is turned back on, cheap.)
"""

from __future__ import annotations

import gc
import threading
from collections.abc import Hashable

_lock = threading.Lock()
_frozen_for: list[Hashable] = []


def freeze_long_lived(generation: Hashable) -> None:
    """After a run: the first time this process sees `generation` (the latest version's number), collect once
    and freeze every object alive now. Freezing again for a new version first unfreezes, so that what an older
    version left behind is collected; between versions nothing happens here."""
    if _frozen_for[-1:] == [generation]:
        return
    with _lock:
        if _frozen_for[-1:] == [generation]:
            return
        gc.unfreeze()
        gc.collect()
        gc.freeze()
        _frozen_for[:] = [generation]
