"""Clinic overview: the home page everyone lands on."""

import streamlit as st

from dashboard import overview
from dashboard.guard import current_user
from dashboard.ui import data_version, get_db

st.title("Clinic overview")
db = get_db()


@st.cache_data(ttl=300, show_spinner=False)
def _load(version: int):
    return overview.totals(db), overview.monthly_rate(db), overview.latest_events(db)


totals, monthly, latest = _load(data_version())
user = current_user()

if not totals.treatments:
    st.info("No treatments recorded yet. Log a treatment, import your clinic's files "
            "(`python -m dashboard import PATH`), or load the demo clinic to explore InjectWatch.")
    if user is not None and user.can("demo.load"):
        if st.button("Load the demo clinic (20,000 treatments)", type="primary"):
            from dashboard.demo.command import load_demo

            with st.spinner("Building the demo clinic…"):
                result = load_demo(db.path, treatments=20000, seed=1)
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

st.plotly_chart(overview.monthly_rate_figure(monthly), width="stretch")

st.subheader("Latest adverse events")
st.dataframe(
    latest, hide_index=True, width="stretch",
    column_config={
        "event_ref": "Event", "onset_at": st.column_config.DatetimeColumn("Onset", format="D MMM YYYY, HH:mm"),
        "event": "What happened", "severity": st.column_config.NumberColumn("Grade", help="1 mild … 5 death"),
        "serious": "Serious", "outcome": "Outcome", "injector": "Injector", "clinic": "Clinic",
        "product": "Product", "version": st.column_config.NumberColumn("Version"),
    },
)
