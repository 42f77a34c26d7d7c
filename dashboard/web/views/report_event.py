"""Report adverse event: find the treatment, pick the coded term by body region, grade it, save.

Validation follows spec section 1.3 (onset not before the treatment nor more than 365 days after it,
resolution not before onset, criterion when serious, narrative for 'other', lengths); messages appear
next to their field and nothing typed is lost. A save is idempotent through this form's client token.
"""

from datetime import datetime, timedelta

import duckdb
import streamlit as st

from dashboard.core.config import CAUSALITY, OUTCOMES, SERIOUSNESS, SIDES
from dashboard.practice import repository as repo
from dashboard.practice.lookup import term_label
from dashboard.practice.validation import SIDE_NAMES, EventDraft, validate_event
from dashboard.web.guard import require_permission
from dashboard.web.ui import field_error, get_db

user = require_permission("event.report")
db = get_db()
ss = st.session_state
KEEP = "session"  # typed values survive a visit to another page
ALL = "__all__"
GENERAL = {1: "mild", 2: "moderate", 3: "severe or medically significant", 4: "life-threatening", 5: "death"}
# the general scale (CTCAE-style) in plain words, shown under each grade when the event has no grades of its own
# (repeating "mild" under "Grade 1 · mild" told nothing)
GENERAL_ANCHORS = {1: "no or mild symptoms, no treatment needed",
                   2: "simple treatment needed, limits some daily activities",
                   3: "needs medical care or a hospital stay, limits self-care",
                   4: "urgent treatment needed, e.g. breathing or swallowing at risk",
                   5: "the patient died of the event"}
OUTCOME_NAMES = repo.OUTCOME_NAMES
CAUSALITY_HELP = ("WHO-UMC: certain, probable, possible, unlikely, conditional (more data needed), "
                  "unassessable.")


@st.cache_data(ttl=600, show_spinner=False)
def _terms():
    return repo.terms(db, user), repo.areas(db, user)


terms, areas_df = _terms()
term_rows = terms.set_index("code")
# what the picker searches: plain words, the coded term, the region and the clinical synonyms
TERM_LABELS = {r.code: term_label(r.plain_name, r.preferred_term, r.body_region, r.code) for r in terms.itertuples()}
area_names = dict(zip(areas_df["code"], areas_df["name"], strict=True))


def _unset(key: str) -> dict:
    """Start a picker empty unless session state already holds its value."""
    return {} if ss.get(key) is not None else {"index": None}


def _treatment_info(treatment_id):
    return repo.treatment_detail(db, user, int(treatment_id)) if treatment_id is not None else None


def _draft() -> EventDraft:
    onset, _ = repo.combine(ss.get("re_onset_date"), ss.get("re_onset_time"))
    resolved, partial = repo.combine(ss.get("re_resolved_date"), ss.get("re_resolved_time"))
    tid = ss.get("re_treatment")
    return EventDraft(
        treatment_id=int(tid) if tid is not None else None, term=ss.get("re_term"), onset_at=onset,
        severity=ss.get("re_severity"), serious=bool(ss.get("re_serious")),
        seriousness=ss.get("re_seriousness"), outcome=ss.get("re_outcome") or "unknown",
        resolved_at=resolved, resolution_incomplete=partial, side=ss.get("re_side"), area=ss.get("re_area"),
        causality=ss.get("re_causality"), action_taken=ss.get("re_action"),
        reported_by=ss.get("re_reported_by"), narrative=ss.get("re_narrative"),
    )


def _errors(d: EventDraft) -> dict[str, str]:
    info = _treatment_info(d.treatment_id)
    treated_at = info[0]["treated_at"] if info else None
    return validate_event(d, treated_at, frozenset(terms["code"]), datetime.now())


def _reset() -> None:
    for key in [k for k in ss if str(k).startswith("re_")]:
        del ss[key]
    ss["re_token"] = repo.new_token()


def _clear_term() -> None:
    ss.pop("re_term", None)


def _onset_from_days() -> None:
    """'Days after the treatment' fills the onset date, and the time of day of the treatment if none is set."""
    days, info = ss.get("re_onset_days"), _treatment_info(ss.get("re_treatment"))
    if days is None or not info:
        return
    onset = info[0]["treated_at"] + timedelta(days=int(days))
    ss["re_onset_date"] = onset.date()
    if ss.get("re_onset_time") is None:
        ss["re_onset_time"] = onset.time()


def _on_save() -> None:
    ss["re_tried"] = True
    ss.pop("re_notice", None)
    d = _draft()
    errors = _errors(d)
    if errors:
        n = len(errors)
        ss["re_notice"] = (f"Not saved yet: {n} field{'s' if n > 1 else ''} need{'' if n > 1 else 's'} attention "
                           "(marked in red above). Everything you typed is kept.")
        return
    try:
        saved = repo.save_event(db, user, d, client_token=ss["re_token"])
    except (duckdb.Error, PermissionError) as exc:
        ss["re_notice"] = f"Not saved: {exc.__class__.__name__}. Nothing typed was lost."
        return
    if saved.created:  # a red-flag term (distant spread, airway, anaphylaxis) goes to the outbox and Follow-ups
        from dashboard.followup.escalation import flag_event

        flag_event(db, user, saved.id)
    info = _treatment_info(d.treatment_id)
    ss["re_saved"] = {"id": saved.id, "ref": saved.ref, "created": saved.created,
                      "treatment": info[0]["treatment_ref"] if info else d.treatment_id,
                      "term": term_rows.loc[d.term, "plain_name"], "severity": d.severity}


ss.setdefault("re_token", repo.new_token())
if str(st.query_params.get("treatment", "")).isdigit():  # a link from a treatment or a follow-up list
    ss["re_treatment"] = int(st.query_params["treatment"])
    del st.query_params["treatment"]
st.title("Report adverse event")

saved = ss.get("re_saved")
if saved:
    verb = "Saved" if saved["created"] else "Already saved"
    st.success(f"{verb}: adverse event {saved['ref']} (id {saved['id']}), grade {saved['severity']}.",
               icon=":material/check_circle:")
    st.text(f"On treatment: {saved['treatment']}\nWhat happened: {saved['term']}")
    st.caption("Follow the case up on the Cases page (outcome, resolution, causality).")
    st.button("Report another event", type="primary", on_click=_reset, key="re_again")
    st.stop()

draft = _draft()
errors = _errors(draft) if ss.get("re_tried") else {}
FIELD_NAMES = {"treatment": "Treatment", "term": "Event", "onset_at": "Onset date and time", "severity": "Severity",
               "seriousness": "Seriousness criterion", "outcome": "Outcome", "resolved_at": "Resolved on",
               "causality": "Causality", "action_taken": "Action taken", "reported_by": "Reported by",
               "narrative": "Narrative"}
FIELD_ANCHORS = {"treatment": "which-treatment", "action_taken": "details", "reported_by": "details",
                 "narrative": "details"}
if ss.get("re_notice") and errors:
    st.error("Not saved yet. Please check: " + ", ".join(
        f"[{FIELD_NAMES.get(k, k)}](#{FIELD_ANCHORS.get(k, 'what-happened')})" for k in errors)
        + ". Everything you typed is kept.", icon=":material/error:")

# ------------------------------------------------------------------------------------------- treatment
st.subheader("1 · Which treatment", anchor="which-treatment")
f1, f2 = st.columns(2)
f1.text_input("Search by patient reference", key="re_search", persist_state=KEEP, placeholder="part of the patient ref")
injector_filter = None
if user.can("case.view_all"):
    names = repo.injector_names(db, user)
    choice = f2.selectbox("Injector", [ALL, *names], key="re_injector", persist_state=KEEP,
                          format_func=lambda v: "All injectors" if v == ALL else v)
    injector_filter = None if choice in (None, ALL) else choice
else:
    f2.text(f"Showing treatments you gave or entered ({user.injector_name or user.display_name}).")
found = repo.find_treatments(db, user, search=ss.get("re_search", ""), injector=injector_filter)
options = [int(t) for t in found["treatment_id"]]
labels = {
    int(r.treatment_id): f"{r.treatment_ref} · {r.treated_at:%d %b %Y %H:%M} · {r.patient_ref} · {r.brand} · "
                         f"{r.areas or 'no areas'} · {r.injector}"
    for r in found.itertuples()
}
pre = ss.get("re_treatment")
if pre is not None and int(pre) not in options:
    info = _treatment_info(pre)
    if info is None:
        del ss["re_treatment"]
    else:
        t = info[0]
        options.insert(0, int(pre))
        labels[int(pre)] = f"{t['treatment_ref']} · {t['treated_at']:%d %b %Y %H:%M} · {t['patient_ref']} · {t['brand']}"
st.selectbox("Treatment", options, key="re_treatment", persist_state=KEEP, format_func=lambda v: labels.get(v, str(v)),
             placeholder="Choose the treatment the event follows" if options else "No treatments found",
             **_unset("re_treatment"))
field_error(errors, "treatment")
info = _treatment_info(ss.get("re_treatment"))
treated_areas: list[str] = []
if info:
    t, injected = info
    treated_areas = list(injected["area"])
    st.text(f"{t['treatment_ref']} — {t['treated_at']:%d %b %Y %H:%M} — patient {t['patient_ref']} — "
            f"{t['brand']} (lot {t['lot_number'] or 'not recorded'}) — {t['injector']}, {t['clinic']}")
    st.dataframe(repo.areas_table(injected), hide_index=True)

# ------------------------------------------------------------------------------------------- what happened
st.subheader("2 · What happened", anchor="what-happened")
c1, c2 = st.columns(2)
with c1:
    regions = list(dict.fromkeys(terms["body_region"]))
    region = st.selectbox("Body region", [ALL, *regions], key="re_region", persist_state=KEEP, on_change=_clear_term,
                          format_func=lambda v: "All regions" if v == ALL else v)
    shown = terms if region in (None, ALL) else terms[terms["body_region"] == region]
    st.selectbox("Event", list(shown["code"]), key="re_term", persist_state=KEEP,
                 placeholder="Type what happened, e.g. 'ptosis', 'bruise', 'double vision'",
                 format_func=TERM_LABELS.get, **_unset("re_term"))
    term = ss.get("re_term")
    if term:
        st.caption(f"Coded as: {term_rows.loc[term, 'preferred_term']} ({term})")
    field_error(errors, "term")
    st.number_input("Days after the treatment", key="re_onset_days", persist_state=KEEP, value=None, min_value=0,
                    max_value=365, step=1, format="%d", on_change=_onset_from_days,
                    help="Fills the onset date from the treatment date; or type the date below.")
    o1, o2 = st.columns(2)
    o1.date_input("Onset date", key="re_onset_date", persist_state=KEEP, value=None, format="DD/MM/YYYY")
    o2.time_input("Onset time", key="re_onset_time", persist_state=KEEP, value=None, step=300)
    field_error(errors, "onset_at")
    if info and draft.onset_at and "onset_at" not in errors:
        delta = draft.onset_at - info[0]["treated_at"]
        st.caption(f"Onset {delta.days} days {delta.seconds // 3600} h after the treatment.")
with c2:
    anchors = []
    for g in range(1, 6):
        a = term_rows.loc[term, f"grade{g}"] if term and bool(term_rows.loc[term, "graded"]) else None
        anchors.append(str(a) if isinstance(a, str) and a else GENERAL_ANCHORS[g])
    st.radio("Severity", [1, 2, 3, 4, 5], key="re_severity", persist_state=KEEP, format_func=lambda g: f"Grade {g} · {GENERAL[g]}",
             captions=anchors, **_unset("re_severity"))
    if term and not bool(term_rows.loc[term, "graded"]):
        st.caption("This term has no specific grades: use the general scale (a near miss with no harm is grade 1).")
    field_error(errors, "severity")

c1, c2, c3 = st.columns(3)
with c1:
    st.checkbox("Serious", key="re_serious", persist_state=KEEP, help="Death, life-threatening, hospitalisation, disability, "
                "congenital anomaly, or otherwise medically important.")
    st.selectbox("Seriousness criterion", SERIOUSNESS, key="re_seriousness", persist_state=KEEP,
                 format_func=lambda v: v.replace("_", " ").capitalize(),
                 placeholder="Required when serious", **_unset("re_seriousness"))
    field_error(errors, "seriousness")
with c2:
    ss.setdefault("re_outcome", "unknown")
    st.selectbox("Outcome so far", OUTCOMES, key="re_outcome", persist_state=KEEP, format_func=OUTCOME_NAMES.get)
    field_error(errors, "outcome")
    d1, d2 = st.columns(2)
    d1.date_input("Resolved on (optional)", key="re_resolved_date", persist_state=KEEP, value=None, format="DD/MM/YYYY")
    d2.time_input("Resolved at", key="re_resolved_time", persist_state=KEEP, value=None, step=300)
    field_error(errors, "resolved_at")
with c3:
    area_options = treated_areas + [a for a in area_names if a not in treated_areas]
    if ss.get("re_area") not in (None, *area_options):
        del ss["re_area"]
    st.selectbox("Area", area_options, key="re_area", persist_state=KEEP, format_func=area_names.get,
                 placeholder="Area the event relates to", **_unset("re_area"))
    st.selectbox("Side", SIDES, key="re_side", persist_state=KEEP, format_func=SIDE_NAMES.get, placeholder="—", **_unset("re_side"))
    st.selectbox("Causality", CAUSALITY, key="re_causality", persist_state=KEEP, format_func=str.capitalize, help=CAUSALITY_HELP,
                 placeholder="Your assessment (optional)", **_unset("re_causality"))
    field_error(errors, "causality")

st.subheader("3 · Details", anchor="details")
c1, c2 = st.columns(2)
with c1:
    st.text_area("Action taken", key="re_action", persist_state=KEEP, max_chars=500,
                 placeholder="e.g. apraclonidine drops, reviewed at day 7, next dose reduced")
    field_error(errors, "action_taken")
    ss.setdefault("re_reported_by", user.display_name)
    st.text_input("Reported by", key="re_reported_by", persist_state=KEEP, max_chars=200)
    field_error(errors, "reported_by")
with c2:
    st.text_area("Narrative", key="re_narrative", persist_state=KEEP, max_chars=4000, height=150,
                 placeholder="What the patient noticed, what you found, how it evolved")
    field_error(errors, "narrative")

st.button("Save adverse event", type="primary", key="re_save", on_click=_on_save)
if ss.get("re_notice"):
    st.error(ss["re_notice"])
