"""A page that loses its server is rebuilt on another one from its URL.

With several servers behind nginx (deploy/), a visitor whose server dies reconnects to another, which holds
no session for them. Streamlit's frontend reruns the whole page after a reconnect only if the page has an
auto-rerunning fragment (or its last run was a fragment's); otherwise the next map click, a fragment rerun,
names a fragment the new server does not know, and it drops it: the click is lost. This empty fragment
makes every page rerun in full after a reconnect, so the new server rebuilds the view from the URL (zone,
filters, language) and the widgets, and the next click is answered there.
"""

from __future__ import annotations

import streamlit as st

# Its own reruns cost next to nothing (an empty fragment), and an hour apart they are rare.
RERUN_EVERY = "1h"


@st.fragment(run_every=RERUN_EVERY)
def rebuild_after_reconnect() -> None:
    """Call once per run (app.py): registers the empty auto-rerunning fragment."""
