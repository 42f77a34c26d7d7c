"""Signals: clusters of adverse events that point to a dosing, placement, lot, time or patient-factor problem,
most urgent first, each with its sentence, evidence, chart, cases and a review with a note."""

from datetime import date

import pandas as pd
import streamlit as st

from dashboard.charts import signal_charts as charts
from dashboard.signals.detect import SignalRun, run_detection
from dashboard.signals.presentation import evidence_table, readable_cases
from dashboard.signals.reviews import ReviewError, cases_for, data_key, latest_reviews, mark_reviewed, recurrence
from dashboard.web.guard import require_permission
from dashboard.web.ui import get_db, show_chart

user = require_permission("signals.view")
db = get_db()

KIND_LABELS = {
    "dosing": "Dosing", "placement": "Injection placement", "product_lot": "Product lot",
    "time_cluster": "Cluster in time", "patient_factor": "Patient factor",
}
LEVEL_LABELS = {"act": "ACT", "watch": "WATCH"}
_MD_SPECIAL = "\\`*_{}[]()#+-.!|<>~$"


def esc(text: object) -> str:
    """Escape markdown/HTML so names and notes show as typed."""
    return "".join("\\" + ch if ch in _MD_SPECIAL else ch for ch in str(text))


@st.cache_data(ttl=3600, show_spinner="Looking for signals in your clinic's data...")
def _run(key: tuple, date_from: date | None, date_to: date | None) -> SignalRun:
    return run_detection(db, user, date_from, date_to)


@st.cache_data(ttl=600, show_spinner=False)
def _cases(key: tuple, signal_id: str, _signal: dict, date_from: date | None, date_to: date | None) -> pd.DataFrame:
    return cases_for(db, user, _signal, date_from, date_to)


st.title("Signals")
st.caption("InjectWatch compares the adverse events your clinic recorded with what was expected for the same "
           "areas, products, doses and patients, and lists the clusters that stand out. ACT: strong evidence, "
           "look now. WATCH: worth keeping an eye on. A signal is a question to check, not a verdict.")

key = data_key(db, user)
if not key[0]:
    st.info("No treatments recorded yet, so there is nothing to analyse. Log treatments or import your "
            "clinic's files first.")
    st.stop()

with st.expander("Period analysed", expanded=False):
    c1, c2 = st.columns(2)
    first_day, last_day = key[4], key[5]
    date_from = c1.date_input("From", value=first_day, min_value=first_day, max_value=last_day, key="sig_from")
    date_to = c2.date_input("To", value=last_day, min_value=first_day, max_value=last_day, key="sig_to")
if date_from and date_to and date_from > date_to:
    st.error("'From' is after 'To': pick a start date before the end date.")
    st.stop()
period_from = None if date_from == first_day else date_from
period_to = None if date_to == last_day else date_to

run = _run(key, period_from, period_to)
reviews = latest_reviews(db, user)
signals = run.signals
acts = sum(1 for s in signals if s["level"] == "act")
m1, m2, m3 = st.columns(3)
m1.metric("Act now", acts)
m2.metric("Watch", len(signals) - acts)
m3.metric("Already reviewed", sum(1 for s in signals if s["id"] in reviews))
if not signals:
    st.success("No signals: every comparison is within the range expected for your case mix.")
    st.stop()


def term_name(code: str) -> str:
    return run.names.get("term", {}).get(code, code)


def area_name(code: str | None) -> str:
    return run.names.get("area", {}).get(code or "", code or "")


def product_name(code: str | None) -> str:
    return run.names.get("product", {}).get(code or "", code or "")


def chart_for(s: dict) -> None:
    f = run.findings.get(s["id"])
    if f is None:
        return
    if f.family == "injector" and f.area:
        pts = run.funnel[(run.funnel["area"] == f.area) & (run.funnel["term"] == f.term)]
        show_chart(charts.funnel_figure(pts, s["injector"], term_name(f.term), area_name(f.area),
                                             f.details.get("phi"), f.details.get("tau2")),
                        width="stretch", key=f"funnel_{s['id']}")
        seq = run.sequences.get(s["id"])
        if seq is not None and len(seq):
            show_chart(charts.vlad_figure(seq, s["injector"], term_name(f.term)), width="stretch",
                            key=f"vlad_{s['id']}")
            h = (f.details.get("cusum") or {}).get("h")
            if h:
                show_chart(charts.cusum_figure(seq, h, s["injector"]), width="stretch",
                                key=f"cusum_{s['id']}")
    if s["kind"] == "dosing" and s["area"] and s["product"] and not run.dose_bands.empty:
        b = run.dose_bands[(run.dose_bands["area"] == s["area"]) & (run.dose_bands["product"] == s["product"])
                           & (run.dose_bands["term"] == s["term"])]
        u = run.usual_doses[(run.usual_doses["area"] == s["area"]) & (run.usual_doses["product"] == s["product"])]
        usual = (float(u.iloc[0]["usual_lo"]), float(u.iloc[0]["usual_hi"])) if len(u) else None
        if len(b):
            show_chart(charts.dose_band_figure(b, term_name(s["term"]), area_name(s["area"]),
                                                    product_name(s["product"]), usual),
                            width="stretch", key=f"dose_{s['id']}")
    if s["kind"] in ("time_cluster", "product_lot"):
        clinic_id = f.details.get("scanned_clinic")
        if clinic_id is None:
            d = run.daily[run.daily["term"] == s["term"]]
        else:  # a burst found at one clinic is shown with that clinic's own weeks
            d = run.daily_by_clinic[(run.daily_by_clinic["term"] == s["term"])
                                    & (run.daily_by_clinic["clinic_id"] == clinic_id)]
        where = f" at {s['clinic']}" if clinic_id is not None and s["clinic"] else ""
        show_chart(charts.timeline_figure(d, s["window_start"], s["window_end"], term_name(s["term"]) + where),
                        width="stretch", key=f"time_{s['id']}")
    if s["kind"] in ("patient_factor", "product_lot"):
        label = run.names.get("factor", {}).get(s["factor"] or "", "") if s["factor"] else f"lot {s['lot']}"
        show_chart(charts.comparison_figure(s["observed"], s["expected"], label, term_name(s["term"])),
                        width="stretch", key=f"bar_{s['id']}")


for i, s in enumerate(signals):
    reviewed = s["id"] in reviews
    who = s["injector"] or (f"lot {s['lot']}" if s["lot"] else None) or \
        run.names.get("factor", {}).get(s["factor"] or "", None) or s["clinic"] or area_name(s["area"])
    label = (f"{LEVEL_LABELS[s['level']]} · {KIND_LABELS[s['kind']]} · {term_name(s['term'])}"
             f"{' · ' + who if who else ''}{' · reviewed' if reviewed else ''}")
    with st.expander(esc(label), expanded=i < 2 and not reviewed):
        st.markdown(f"**{esc(s['summary'])}**")
        note = recurrence(s, reviews.get(s["id"]))
        if note:
            st.info(esc(note) + "  \nNote: " + esc(reviews[s["id"]]["note"]))
        st.dataframe(evidence_table(s), hide_index=True, use_container_width=True, column_config={
            "Cases": st.column_config.NumberColumn(format="localized"),
            "Treatments": st.column_config.NumberColumn(format="localized"),
            "Expected": st.column_config.NumberColumn(format="%.1f"),
            "Actual ÷ expected": st.column_config.NumberColumn(format="%.2f")})
        f = run.findings.get(s["id"])
        extra = []
        if f is not None and "eb_rate" in f.details:
            extra.append(f"Shrunken rate (empirical Bayes) {100 * f.details['eb_rate']:.2f}% "
                         f"(95% interval {100 * f.details['eb_low']:.2f}-{100 * f.details['eb_high']:.2f}%)")
        if s["also_terms"]:
            extra.append("Also raised: " + ", ".join(term_name(t) for t in s["also_terms"]))
        st.caption(esc(f"Method: {s['method']}. " + ". ".join(extra)))
        chart_for(s)
        cases = readable_cases(_cases(key, s["id"], s, period_from, period_to), run.names)
        st.markdown(f"**Cases behind this signal** ({len(cases)} shown, most recent first)")
        st.dataframe(cases, hide_index=True, use_container_width=True, height=220,
                     column_config={"Grade": st.column_config.NumberColumn(help="1 mild … 5 death")})
        if user.can("signals.review"):
            with st.form(f"review_{s['id']}", clear_on_submit=False):
                text = st.text_area("Review note", key=f"note_{s['id']}", max_chars=2000,
                                    placeholder="What did you check, and what was decided?")
                if st.form_submit_button("Mark reviewed"):
                    try:
                        mark_reviewed(db, user, s, text)
                    except ReviewError as exc:
                        st.error(str(exc))
                    else:
                        st.success("Saved. The review is in the audit trail.")
                        st.rerun()
