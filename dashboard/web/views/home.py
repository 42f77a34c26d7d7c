"""Clinic overview: the home page everyone lands on."""

from datetime import datetime

import streamlit as st

from dashboard.practice import overview
from dashboard.practice.repository import OUTCOME_NAMES
from dashboard.scheduling import backup_warning, last_run, load_settings, scheduler_switched_on
from dashboard.web.guard import current_user
from dashboard.web.ui import data_version, get_db, show_chart

user = current_user()
if user is None:
    st.error("Please sign in to use InjectWatch.")
    st.stop()
db = get_db()
shows_cases = user.can("case.view_own")
st.title("Clinic overview" if user.can("case.view_all") or not shows_cases else "Your treatments and cases")
if shows_cases and not user.can("case.view_all"):
    st.caption("The treatments you logged or injected, and the cases on them or that you reported.")
if user.can("backup.run"):  # managers and admins: a failed, late or missing nightly backup
    if warning := backup_warning(load_settings(db), last_run(db, "backup"), datetime.now(), scheduler_switched_on()):
        st.warning(warning, icon=":material/backup:")


@st.cache_data(ttl=300, show_spinner=False)
def _load(version: int, _user, user_key: tuple):
    latest = overview.latest_events(db, _user) if _user.can("case.view_own") else None
    return overview.totals(db, _user), overview.monthly_rate(db, _user), latest


totals, monthly, latest = _load(data_version(), user, (user.username, user.role, user.injector_name))

if not totals.treatments:
    if user.can("case.view_all") or not shows_cases:
        st.info("No treatments recorded yet. Log a treatment, import your clinic's files "
                "(`python -m dashboard import PATH`), or load the demo clinic to explore InjectWatch.")
    else:
        st.info("No treatments recorded yet that you logged or injected. Log one on the Log treatment page.")
    if user.can("demo.load"):
        if st.button("Load the demo clinic (20,000 treatments)", type="primary"):
            from dashboard.demo.command import load_demo, seed_followups

            with st.spinner("Building the demo clinic…"):
                result = load_demo(db, treatments=20000, seed=1)
                seed_followups(db, 1)  # as `python -m dashboard demo` does
            st.success(result.summary())
            st.rerun()
    st.stop()

c1, c2, c3, c4, c5 = st.columns(5)
c1.metric("Treatments", f"{totals.treatments:,}")
c2.metric("Adverse events", f"{totals.events:,}")
c3.metric("Events per 1,000 treatments", f"{totals.rate_per_1000:.1f}")
c4.metric("Serious events", f"{totals.serious_events:,}")
c5.metric("Open cases", f"{totals.open_cases:,}")
st.caption(f"Treatments from {totals.first_treatment:%d %b %Y} to {totals.last_treatment:%d %b %Y}.")

show_chart(overview.monthly_rate_figure(monthly), "home_monthly", width="stretch")

if latest is None:
    st.stop()
st.subheader("Latest adverse events")
if latest.empty:
    st.info("No adverse events recorded yet.")
    st.stop()
st.dataframe(
    latest.assign(outcome=latest["outcome"].str.replace(" ", "_").map(OUTCOME_NAMES).fillna(latest["outcome"])),
    hide_index=True, width="stretch",
    column_config={
        "event_ref": "Event", "onset_at": st.column_config.DatetimeColumn("Onset", format="D MMM YYYY, HH:mm"),
        "event": "What happened", "severity": st.column_config.NumberColumn("Grade", help="1 mild … 5 death"),
        "serious": "Serious", "outcome": "Outcome", "injector": "Injector", "clinic": "Clinic",
        "product": "Product", "version": st.column_config.NumberColumn("Version"),
    },
)
