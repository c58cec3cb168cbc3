"""The only part of `corpsmap` that imports Streamlit: the shared frame and widgets of the pages."""
