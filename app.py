"""The verify desk: `streamlit run app.py` (optionally `-- --workspace NAME_OR_PATH`).

Opens the default workspace (the demo corpus, ingested on first start) and
offers six pages: Check, Audit, Sources, Corpus, History and Archive. The pages are
thin: they call the public `verify` API and format its results.

With ``VERIFY_SERVER=http://host:port`` the desk works on a `verify serve` server instead:
it asks each person to sign in and acts as them through the API (docs/server.md).
"""

from __future__ import annotations

import os

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
# the desk fetches pages for its users: not from this server's own network, unless the
# operator says so (VERIFY_FETCH_PRIVATE=1)
os.environ.setdefault("VERIFY_FETCH_PRIVATE", "0")

import streamlit as st  # noqa: E402

from app_pages import _desk as desk
from verify.ui import render  # noqa: E402

st.set_page_config(page_title="verify desk", page_icon=":material/fact_check:", layout="wide",
                   initial_sidebar_state="expanded")
desk.inject_css()

remote = desk.remote_url()
if remote and desk.signed_in() is None:
    desk.login_form()
    st.stop()

pages = [
    st.Page(desk.PAGE_CHECK, title="Check", icon=":material/fact_check:", default=True),
    st.Page(desk.PAGE_AUDIT, title="Audit", icon=":material/article:"),
    st.Page(desk.PAGE_SOURCES, title="Sources", icon=":material/balance:"),
    st.Page(desk.PAGE_CORPUS, title="Corpus", icon=":material/library_books:"),
    st.Page(desk.PAGE_HISTORY, title="History", icon=":material/history:"),
    st.Page("app_pages/archive.py", title="Archive", icon=":material/inventory_2:"),
]
page = st.navigation(pages)

with st.sidebar:
    user = desk.signed_in()
    if remote and user is not None:
        st.caption(f"Server: {render.md_escape(remote)}  \nSigned in as "
                   f"**{render.md_escape(user.name)}** ({render.md_escape(user.role)})")
        if st.button("Sign out", key="sign_out"):
            desk.sign_out()
            st.rerun()
    else:
        st.caption("Workspace: " + render.md_escape(desk.workspace_label()))

with desk.session_workspace():
    page.run()
