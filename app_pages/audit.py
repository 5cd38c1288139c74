"""Audit page (placeholder until verify.audit.run_audit lands)."""

from __future__ import annotations

import streamlit as st

from verify.ui import desk

ws = desk.workspace()
st.title("Audit articles")
st.info("Audit is not available yet.")
