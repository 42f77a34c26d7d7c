"""Cases: the adverse events this user may see, one case's treatment and versions, and follow-ups.

A follow-up never edits a stored version: it appends version n + 1 (who, when, what changed), so the
history of every case stays readable. Practitioners see cases on their own treatments and the cases
they reported; managers see all.
"""

from datetime import datetime

import duckdb
import streamlit as st

from dashboard.core.config import CAUSALITY, OUTCOMES
from dashboard.practice import repository as repo
from dashboard.practice.validation import FollowUpDraft, describe_warning_code, validate_follow_up
from dashboard.web.guard import require_permission
from dashboard.web.ui import field_error, get_db

user = require_permission("case.view_own")
db = get_db()
ss = st.session_state
KEEP = "session"  # typed values survive a visit to another page
ALL = "__all__"
OUTCOME_NAMES = repo.OUTCOME_NAMES
STATUS = {"all": "All", "open": "Open", "closed": "Closed"}


@st.cache_data(ttl=600, show_spinner=False)
def _reference():
    return repo.terms(db, user), repo.reference(db, user)


terms, ref = _reference()
plain = dict(zip(terms["code"], terms["plain_name"], strict=True))



def _open_row() -> None:
    """A click on a row of the cases table opens that case (as choosing it in 'Open a case' does)."""
    sel = ss["cs_table"].selection if ss.get("cs_table") else None
    # a tap anywhere on the row selects one of its cells; the row marker selects the row
    rows = (list(sel.rows) or [c[0] for c in sel.cells]) if sel else []
    ids = ss.get("cs_table_ids") or []
    if rows and rows[0] < len(ids):
        ss["cs_case"] = ids[rows[0]]


st.title("Cases")
if not user.can("case.view_all"):
    st.caption("Cases on treatments you gave or entered, and cases you reported.")

# ------------------------------------------------------------------------------------------- filters
c1, c2, c3, c4, c5 = st.columns([3, 3, 3, 2, 2])
ss.setdefault("cs_status", "open")
c1.radio("Status", list(STATUS), key="cs_status", persist_state=KEEP, format_func=STATUS.get, horizontal=True,
         help="Open: outcome not yet recovered, recovered with lasting effects or fatal.")
c2.multiselect("Outcome", OUTCOMES, key="cs_outcomes", persist_state=KEEP, format_func=OUTCOME_NAMES.get, placeholder="Any outcome")
c3.multiselect("Event", list(terms["code"]), key="cs_terms", persist_state=KEEP, format_func=plain.get, placeholder="Any event")
c4.date_input("Onset from", key="cs_from", persist_state=KEEP, value=None, format="DD/MM/YYYY")
c5.date_input("Onset to", key="cs_to", persist_state=KEEP, value=None, format="DD/MM/YYYY")
injector = None
if user.can("case.view_all"):
    names = repo.injector_names(db, user)
    choice = st.selectbox("Injector", [ALL, *names], key="cs_injector", persist_state=KEEP,
                          format_func=lambda v: "All injectors" if v == ALL else v)
    injector = None if choice in (None, ALL) else choice

cases = repo.list_cases(db, user, repo.CaseFilter(
    status=ss.get("cs_status") or "all", outcomes=ss.get("cs_outcomes", []), terms=ss.get("cs_terms", []),
    injector=injector, onset_from=ss.get("cs_from"), onset_to=ss.get("cs_to")))

if cases.empty:
    st.info("No cases match these filters." + (" The case you opened stays shown below." if ss.get("cs_case") else ""))
else:
    # the list stops at 500: then the count is not the total, so do not print it as one
    st.caption(f"The {len(cases):,} most recent cases are shown; narrow the filters to find older ones."
               if len(cases) >= 500 else f"{len(cases):,} case{'s' if len(cases) != 1 else ''}")
    table = cases.assign(outcome=cases["outcome"].map(OUTCOME_NAMES), status=cases["status"].map(STATUS))
    ss["cs_table_ids"] = [int(i) for i in cases["event_id"]]
    st.caption("Click a row to open its case.")
    # what a practitioner scans first comes first, so a 1,024 px tablet shows it without scrolling sideways
    st.dataframe(
        table[["event_ref", "onset_at", "event", "severity", "outcome", "status", "patient_ref", "serious",
               "treatment_ref", "injector", "product", "version", "last_change"]],
        hide_index=True, width="stretch", key="cs_table", on_select=_open_row, selection_mode=["single-row", "single-cell"],
        column_config={
            "event_ref": st.column_config.TextColumn("Case", width="medium"),
            "onset_at": st.column_config.DatetimeColumn("Onset", format="D MMM YYYY", width="small"),
            "event": st.column_config.TextColumn("What happened", width="medium"), "severity": st.column_config.NumberColumn("Grade", help="1 mild … 5 death"),
            "serious": "Serious", "outcome": "Outcome", "status": "Status", "patient_ref": "Patient",
            "treatment_ref": "Treatment", "injector": "Injector", "product": "Product", "version": "Version",
            "last_change": st.column_config.DatetimeColumn("Last change", format="D MMM YYYY, HH:mm"),
        },
    )

ids = [int(i) for i in cases["event_id"]]
labels = {int(r.event_id): f"{r.event_ref} · {r.onset_at:%d %b %Y} · {r.event} · patient {r.patient_ref}"
          for r in cases.itertuples()}
opened = ss.get("cs_case")
if opened is not None and int(opened) not in ids:
    # the open case left the filtered list (e.g. closed by a follow-up): keep it open if still visible
    kept = repo.case_versions(db, user, int(opened))
    if kept.empty:
        del ss["cs_case"]
    else:
        last = repo.latest_version(kept)
        ids.insert(0, int(opened))
        labels[int(opened)] = f"{last['event_ref']} · {last['onset_at']:%d %b %Y} · {last['term_name']}"
if not ids:
    st.stop()
st.selectbox("Open a case", ids, key="cs_case", persist_state=KEEP, format_func=labels.get, placeholder="Choose a case to open",
             **({} if ss.get("cs_case") is not None else {"index": None}))
event_id = ss.get("cs_case")
if event_id is None:
    st.stop()

# ------------------------------------------------------------------------------------------- one case
versions = repo.case_versions(db, user, int(event_id))
if versions.empty:
    st.error("This case is not available to you.")
    st.stop()
current = repo.latest_version(versions)
st.subheader(f"Case: {current['term_name']}")  # the plain name comes from the reference data
seriousness = f" ({current['seriousness'].replace('_', ' ')})" if current["serious"] else ""
st.text("\n".join([
    f"Case {current['event_ref']}",
    f"Onset: {current['onset_at']:%d %b %Y %H:%M}    Grade {current['severity']}    "
    f"Serious: {'yes' + seriousness if current['serious'] else 'no'}",
    f"Outcome: {OUTCOME_NAMES.get(current['outcome'], current['outcome'])}    Resolved: "
    f"{current['resolved_at']:%d %b %Y %H:%M}" if current["resolved_at"] is not None else
    f"Outcome: {OUTCOME_NAMES.get(current['outcome'], current['outcome'])}    Resolved: —",
    f"Causality: {(current['causality'] or '—').capitalize()}    "
    f"Area: {ref.area_names.get(current['area'], current['area'] or '—')}    "
    f"Side: {repo.SIDE_LABELS.get(current['side'], '—')}",
    f"Reported by {current['reported_by'] or '—'} on {current['reported_at']:%d %b %Y %H:%M}",
]))
if current["action_taken"]:
    st.caption("Action taken")
    st.text(current["action_taken"])
if current["narrative"]:
    st.caption("Narrative")
    st.text(current["narrative"])

found = repo.case_treatment(db, user, int(event_id))
if found:
    t, injected = found
    st.markdown("**Treatment**")
    st.text(f"{t['treatment_ref']} — {t['treated_at']:%d %b %Y %H:%M} — patient {t['patient_ref']} — {t['brand']} "
            f"(lot {t['lot_number'] or 'not recorded'}) — {t['injector']}, {t['clinic']}")
    if t["warnings_confirmed"]:
        readable = "; ".join(describe_warning_code(c, ref.area_names, ref.risk_labels)
                             for c in t["warnings_confirmed"].split(","))
        st.text(f"Warnings confirmed at entry: {readable}"
                + (f" — reason: {t['override_reason']}" if t["override_reason"] else ""))
    st.dataframe(repo.areas_table(injected), hide_index=True)
    from dashboard.web.views._followup_parts import patient_link_for, regulator_section

    patient_link_for(db, user, int(t["treatment_id"]), key="cs_pl")  # patient self-report link for this treatment
    regulator_section(db, user, int(event_id))  # Yellow Card / MedWatch fields, deadline, submissions

st.markdown("**History** (every version is kept; a follow-up adds a version)")
history = versions.assign(
    changes=repo.version_changes(versions, {"term": plain, "area": dict(ref.area_names)}),
    change_note=versions["change_note"].fillna("—"),
)
st.dataframe(
    history[["version", "changed_at", "changed_by", "changes", "change_note"]], hide_index=True, width="stretch",
    column_config={"version": st.column_config.NumberColumn("Version", width="small"),
                   "changed_at": st.column_config.DatetimeColumn("When", format="D MMM YYYY, HH:mm"),
                   "changed_by": st.column_config.TextColumn("Who", width="small"),
                   "changes": st.column_config.TextColumn("What changed", width="large",
                                                          help="Each changed field: before → after"),
                   "change_note": st.column_config.TextColumn("Note", width="medium")},
)

# ------------------------------------------------------------------------------------------- follow-up
if not user.can("case.follow_up"):
    st.stop()
st.markdown("**Add a follow-up**")
suffix = f"_{int(event_id)}"
saved = ss.get("cs_fu_saved")
if saved and saved["event_id"] == int(event_id):
    verb = "Saved" if saved["created"] else "Already saved"
    st.success(f"{verb}: follow-up, the case is now at version {saved['version']}.", icon=":material/check_circle:")
    st.text(f"Case {saved['ref']} (id {saved['event_id']})")

    def _again() -> None:
        ss.pop("cs_fu_saved", None)
        ss["cs_fu_token"] = repo.new_token()
        for key in [k for k in ss if str(k).startswith("cs_fu_") and str(k).endswith(suffix)]:
            del ss[key]

    st.button("Add another follow-up", on_click=_again, key="cs_fu_again")
    st.stop()

if ss.get("cs_fu_for") != int(event_id):
    ss["cs_fu_for"] = int(event_id)
    ss["cs_fu_token"] = repo.new_token()
    ss.pop("cs_fu_errors", None)


def _start(key: str, options, value) -> dict:
    """Start a follow-up picker at the case's current value, unless the user already changed it."""
    if key in ss:
        return {} if ss[key] is not None else {"index": None}
    return {"index": list(options).index(value) if value in options else None}



def _fu_draft() -> FollowUpDraft:
    resolved, partial = repo.combine(ss.get(f"cs_fu_date{suffix}"), ss.get(f"cs_fu_time{suffix}"))
    if resolved is None and not partial:
        resolved = current["resolved_at"]
    return FollowUpDraft(outcome=ss.get(f"cs_fu_outcome{suffix}") or "unknown", resolved_at=resolved,
                         causality=ss.get(f"cs_fu_causality{suffix}"), note=ss.get(f"cs_fu_note{suffix}"),
                         resolution_incomplete=partial)


def _on_follow_up() -> None:
    d = _fu_draft()
    errors = validate_follow_up(d, current, datetime.now())
    ss["cs_fu_errors"] = errors
    if errors:
        return
    try:
        s = repo.add_follow_up(db, user, int(event_id), d, client_token=ss["cs_fu_token"])
    except (duckdb.Error, PermissionError) as exc:
        ss["cs_fu_errors"] = {"form": f"Not saved: {exc.__class__.__name__}. Nothing typed was lost."}
        return
    ss["cs_fu_saved"] = {"event_id": s.id, "ref": s.ref, "version": s.version, "created": s.created}


errors = ss.get("cs_fu_errors") or {}


def _err(key: str) -> None:
    field_error(errors, key)


with st.form("cs_fu_form", border=True):
    # one tap per outcome (a drop-down took two)
    st.pills("Outcome", OUTCOMES, key=f"cs_fu_outcome{suffix}", persist_state=KEEP, format_func=OUTCOME_NAMES.get,
             default=None if f"cs_fu_outcome{suffix}" in ss else current["outcome"])
    _err("outcome")
    f2, f3 = st.columns(2)
    f2.date_input("Resolved on", key=f"cs_fu_date{suffix}", persist_state=KEEP, value=None, format="DD/MM/YYYY",
                  help="Leave empty to keep the current resolution date.")
    f2.time_input("Resolved at", key=f"cs_fu_time{suffix}", persist_state=KEEP, value=None, step=300)
    with f2:
        _err("resolved_at")
    f3.selectbox("Causality", CAUSALITY, key=f"cs_fu_causality{suffix}", persist_state=KEEP, format_func=str.capitalize,
                 placeholder="Not assessed", **_start(f"cs_fu_causality{suffix}", CAUSALITY, current["causality"]))
    with f3:
        _err("causality")
    st.text_area("Note", key=f"cs_fu_note{suffix}", persist_state=KEEP, max_chars=1000,
                 placeholder="What you learned at the follow-up (call, visit, photo)")
    _err("note")
    _err("form")
    st.form_submit_button("Save follow-up", type="primary", on_click=_on_follow_up)
