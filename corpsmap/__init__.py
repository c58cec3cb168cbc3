"""Domain logic of the Xiaoshan corps campaign map (no Streamlit outside `corpsmap.ui`)."""
