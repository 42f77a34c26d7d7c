"""Follow-ups: the practitioner's day. Every treatment has a review due (day 14 by default) and a red-flag watch
(to day 28), both from the reference data. Urgent first (red-flag answers and open red-flag events), then overdue,
due today, not due yet, done. "Reviewed: no adverse event" is a review in the audit trail, not an event."""

import pandas as pd
import streamlit as st

from dashboard.followup import repository as fu
from dashboard.followup.questions import RED_FLAG_TERMS
from dashboard.practice import repository as repo
from dashboard.web.guard import require_permission
from dashboard.web.ui import get_db
from dashboard.web.views._followup_parts import patient_link_panel, patient_reports_panel, settings_section

user = require_permission("case.view_own")
db = get_db()
ss = st.session_state
KEEP = "session"
ALL = "__all__"
SHOWN = 500

st.title("Follow-ups")
if not user.can("case.view_all"):
    st.caption("Your patients: treatments you gave or entered.")
for msg in (ss.pop("fu_msg", None), ss.pop("fu_pr_msg", None)):  # the treatment may have left the list
    if msg:
        st.success(msg, icon=":material/task_alt:")

c1, c2, c3 = st.columns([4, 2, 2])
ss.setdefault("fu_status", ["urgent", "overdue", "due_today"])
c1.multiselect("Show", list(fu.STATUSES), key="fu_status", persist_state=KEEP, format_func=fu.STATUS_LABELS.get,
               placeholder="Every status")
everything = fu.list_followups(db, user, fu.FollowUpFilter(statuses=fu.STATUSES), limit=None)
clinics = sorted(everything["clinic"].unique())
c2.selectbox("Clinic", [ALL, *clinics], key="fu_clinic", persist_state=KEEP,
             format_func=lambda v: "All clinics" if v == ALL else v)
injector = None
if user.can("case.view_all"):
    names = sorted(everything["injector"].unique())
    choice = c3.selectbox("Injector", [ALL, *names], key="fu_injector", persist_state=KEEP,
                          format_func=lambda v: "All injectors" if v == ALL else v)
    injector = None if choice in (None, ALL) else choice
clinic = None if ss.get("fu_clinic") in (None, ALL) else ss["fu_clinic"]

rows = everything
if clinic:
    rows = rows[rows["clinic"] == clinic]
if injector:
    rows = rows[rows["injector"] == injector]
counts = rows["status"].value_counts()
m = st.columns(4)
for col, status in zip(m, ("urgent", "overdue", "due_today", "done"), strict=True):
    col.metric(fu.STATUS_LABELS[status], int(counts.get(status, 0)))
urgent = rows[rows["status"] == "urgent"]
if not urgent.empty:
    st.error(f"**{len(urgent)} urgent:** red-flag answers or open red-flag events "
             "Call these patients now: they are at the top of the list.", icon=":material/emergency:")

shown = rows[rows["status"].isin(ss.get("fu_status") or list(fu.STATUSES))]
if len(shown) > SHOWN:
    st.caption(f"The first {SHOWN} of {len(shown):,} are listed, most urgent first; narrow the filters to see others.")
    shown = shown.head(SHOWN)
if shown.empty:
    st.info("Nothing to follow up with these filters.")
else:
    table = pd.DataFrame({
        "Status": shown["status"].map(fu.STATUS_LABELS),
        "Treated": shown["treated_at"].dt.strftime("%d %b %Y"),
        "Treatment": shown["treatment_ref"], "Patient": shown["patient_ref"], "Injector": shown["injector"],
        "Clinic": shown["clinic"], "Review due": pd.to_datetime(shown["review_due"]).dt.strftime("%d %b"),
        "Watch until": pd.to_datetime(shown["watch_until"]).dt.strftime("%d %b"),
        "Patient reports": shown["patient_reports_waiting"],
        "Expedited report": [("" if pd.isna(d) else f"{int(d)} days left" if d >= 0 else f"{-int(d)} days late")
                             for d in shown["expedited_days_left"]],
    })
    st.dataframe(table, hide_index=True, width="stretch")

settings_section(db, user)
ids = [int(t) for t in shown["treatment_id"]]
labels = {int(r.treatment_id): f"{fu.STATUS_LABELS[r.status]} · {r.treatment_ref} · {r.patient_ref} · "
                               f"{r.treated_at:%d %b %Y} · {r.injector}" for r in shown.itertuples()}
if ids:
    st.selectbox("Open a follow-up", ids, key="fu_open", format_func=labels.get,
                 placeholder="Choose a treatment", **({} if ss.get("fu_open") in ids else {"index": None}))
tid = ss.get("fu_open")
if tid is None or tid not in ids:
    st.stop()
row = shown[shown["treatment_id"] == tid].iloc[0]
st.subheader("Follow-up")
st.text(f"Treatment {row['treatment_ref']} · patient {row['patient_ref']}")
st.text(f"Treated {row['treated_at']:%d %b %Y %H:%M} by {row['injector']} at {row['clinic']} ({row['brand']}).\n"
        f"Review due {pd.Timestamp(row['review_due']):%d %b %Y}; red-flag watch until "
        f"{pd.Timestamp(row['watch_until']):%d %b %Y}.")
if row["status"] == "done" and not pd.isna(row["reviewed_at"]):
    st.text(f"Reviewed {row['reviewed_at']:%d %b %Y %H:%M} by {row['reviewed_by']}: no adverse event.")
if row["red_open_events"]:
    st.warning(f"An open event with a red-flag term ({', '.join(RED_FLAG_TERMS[:3])}…) is on this treatment.")

if user.can("case.follow_up"):
    ss.setdefault("fu_token", repo.new_token())  # a double click stores one review
    c1, c2 = st.columns(2)
    with c1.form("fu_review_form", border=True):
        st.text_input("Note (optional)", key="fu_note", max_chars=1000)
        if st.form_submit_button("Reviewed: no adverse event", icon=":material/task_alt:"):
            fu.record_review(db, user, tid, note=ss.get("fu_note"), client_token=ss.pop("fu_token", repo.new_token()))
            ss["fu_msg"] = "Review recorded: no adverse event."
            st.rerun()
    if c2.button("Report adverse event", icon=":material/report:", key="fu_report"):
        ss["re_treatment"] = tid  # the Report adverse event page opens with this treatment chosen
        st.switch_page("views/report_event.py")
patient_reports_panel(db, user, tid, repo.terms(db, user), key="fu_pr")
if user.can("case.follow_up"):
    detail = repo.treatment_detail(db, user, tid)
    if detail:
        patient_link_panel(db, user, detail[0], key="fu_pl")
