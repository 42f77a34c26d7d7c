"""Audit trail: who did what and when (sign-ins, records, reviews, exports, account changes); filter and export."""

from datetime import date, timedelta

import streamlit as st

from dashboard.accounts.audit_trail import (
    AuditFilter,
    action_label,
    audit_actions,
    audit_actors,
    audit_bounds,
    audit_count,
    audit_csv,
    audit_entries,
    detail_text,
    entity_label,
)
from dashboard.web.guard import require_permission
from dashboard.web.ui import get_db

SHOWN = 1000
EVERYONE = "(everyone)"

user = require_permission("audit.view")
db = get_db()

st.title("Audit trail")
st.caption("Every sign-in (and failed attempt), new record, new case version, signal review, export and account "
           "change, in the order it happened. Entries are only ever added: nothing can edit or remove them.")

first, last = audit_bounds(db, user)
today = date.today()
start_default = max((first.date() if first else today), today - timedelta(days=90))

c1, c2, c3 = st.columns([2, 3, 2])
actor = c1.selectbox("Who", [EVERYONE, *audit_actors(db, user)], key="audit_actor")
actions = c2.multiselect("Actions", audit_actions(db, user), key="audit_actions", format_func=action_label,
                         placeholder="All actions")
period = c3.date_input("Period", value=(start_default, today), key="audit_period", format="DD/MM/YYYY")

if not isinstance(period, tuple | list) or len(period) != 2:
    st.info("Pick the last day of the period as well.")
    st.stop()
flt = AuditFilter(actor=None if actor == EVERYONE else actor, actions=tuple(actions),
                  first_day=period[0], last_day=period[1])

total = audit_count(db, user, flt)
frame = audit_entries(db, user, flt, limit=SHOWN)
if total == 0:
    st.info("No audit entries match these filters. Widen the period or clear the filters.")
else:
    shown = f"the newest {SHOWN:,} of " if total > SHOWN else ""
    st.write(f"Showing {shown}{total:,} matching entries, newest first.")
    shown_frame = frame.assign(what=frame["action"].map(action_label), detail=frame["detail"].map(detail_text),
                               entity=frame["entity"].map(entity_label), entity_id=frame["entity_id"].fillna(""))
    st.dataframe(
        shown_frame,
        hide_index=True,
        width="stretch",
        column_order=("audit_id", "occurred_at", "actor", "what", "entity", "entity_id", "detail", "action"),
        column_config={
            "audit_id": st.column_config.NumberColumn("#", format="%d", width="small"),
            "occurred_at": st.column_config.DatetimeColumn("When", format="DD/MM/YYYY HH:mm:ss"),
            "actor": st.column_config.TextColumn("Who"),
            "what": st.column_config.TextColumn("What happened"),
            "action": st.column_config.TextColumn("Action code"),
            "entity": st.column_config.TextColumn("Record type"),
            "entity_id": st.column_config.TextColumn("Record"),
            "detail": st.column_config.TextColumn("Details", width="large"),
        },
    )

st.subheader("Export")
st.write("The CSV holds every matching entry (not only those shown), oldest first. "
         "The export itself is written to the audit trail.")
if st.button(f"Prepare CSV of {total:,} entries", disabled=total == 0, key="audit_prepare"):
    data, rows = audit_csv(db, user, flt)
    st.session_state["audit_csv"] = (data, rows, flt)
prepared = st.session_state.get("audit_csv")
if prepared and prepared[2] == flt:
    st.download_button(f"Download audit-trail.csv ({prepared[1]:,} entries)", prepared[0],
                       file_name=f"audit-trail-{period[0]:%Y%m%d}-{period[1]:%Y%m%d}.csv", mime="text/csv",
                       on_click="ignore", key="audit_download", type="primary")
