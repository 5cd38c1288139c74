"""Presentation helpers for the Streamlit desk (``app.py``).

Only formatting, escaping and highlighting live here: retrieval, scoring and
storage stay in the library. :mod:`verify.ui.render` has no Streamlit import and
is safe to use anywhere; :mod:`verify.ui.desk` is the Streamlit glue.
"""
