"""Streamlit side of access control: the signed-in user in session state, and page guards."""

from __future__ import annotations

import streamlit as st

from dashboard.core.authz import PermissionDenied, User, require

SESSION_KEY = "user"


def current_user() -> User | None:
    """Return the signed-in user of this browser session, or None."""
    value = st.session_state.get(SESSION_KEY)
    user = None
    if isinstance(value, User):
        user = value
    elif isinstance(value, dict) and {"username", "role", "display_name"} <= value.keys():
        user = User(**{k: value.get(k) for k in ("username", "role", "display_name", "injector_name")})
    if user is None:
        return None
    from dashboard.web.signin import refresh_session  # idle expiry and account re-check (signin imports guard's key)

    return refresh_session(user)


def require_permission(permission: str) -> User:
    """Return the user if they hold the permission; otherwise show why and stop the page."""
    user = current_user()
    try:
        return require(user, permission)
    except PermissionDenied:
        if user is None:
            st.error("Please sign in to use InjectWatch.")
        else:
            st.error(f"Your role ({user.role}) cannot open this page.")
        st.stop()
        raise  # unreachable: st.stop() raises
