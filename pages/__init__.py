"""Streamlit pages of the app (the chat itself is `app.py`). Not part of the library: imports streamlit."""
