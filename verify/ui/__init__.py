"""Presentation helpers for the Streamlit desk (``app.py``).

Only formatting, escaping and highlighting live here: retrieval, scoring and
storage stay in the library. Nothing in ``verify.ui`` imports Streamlit: it returns
HTML, strings and rows, safe to use anywhere. The Streamlit glue (opening the workspace
per run, friendly errors, forms' session state) is ``app_pages/_desk.py``, beside the pages.
"""
