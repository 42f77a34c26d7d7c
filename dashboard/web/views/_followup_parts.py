"""Streamlit parts shared by Follow-ups, Log treatment and Cases: hand a patient their self-report link (URL, QR
code, aftercare sheet), and the patient reports of a treatment to confirm, edit or reject. Not a page."""

from __future__ import annotations

from typing import Any

import pandas as pd
import streamlit as st

from dashboard.core.authz import User
from dashboard.followup import links
from dashboard.followup import repository as fu
from dashboard.followup.questions import BY_KEY
from dashboard.followup.sheet import aftercare_sheet, qr_png
from dashboard.web.ui import Database

STATUS_WORDS = {"received": "waiting", "edited": "edited, waiting", "confirmed": "confirmed", "rejected": "rejected"}


def patient_link_panel(db: Database, user: User, treatment: dict[str, Any], *, key: str) -> None:
    """Offer a new self-report link for the treatment, show the one just made, and list (and revoke) the others."""
    tid = int(treatment["treatment_id"])
    made = st.session_state.get(f"{key}_link")
    if st.button("Make a patient self-report link", key=f"{key}_make", icon=":material/qr_code_2:"):
        link = links.create_link(db, user, tid)
        made = st.session_state[f"{key}_link"] = {"treatment_id": tid, "url": link.url, "expires": link.expires_at}
    if made and made["treatment_id"] == tid:
        st.success("Give this link to the patient now: it is shown only once (only a fingerprint of it is kept). "
                   f"It works until {made['expires']:%d %b %Y}.")
        st.code(made["url"], language=None)
        png = qr_png(made["url"])
        c1, c2 = st.columns([1, 2])
        c1.image(png, caption="QR code of the link", width=180)
        phone = links.clinic_phone_of(db, int(treatment["clinic_id"])) if treatment.get("clinic_id") else None
        sheet = aftercare_sheet(made["url"], clinic=str(treatment["clinic"]),
                                treated_on=pd.Timestamp(treatment["treated_at"]).date(),
                                expires_on=made["expires"].date(), phone=phone)
        c2.download_button("Aftercare sheet to print (one page)", sheet, file_name=f"aftercare-{tid}.html",
                           mime="text/html", key=f"{key}_sheet", icon=":material/print:")
        c2.download_button("QR code (PNG)", png, file_name=f"patient-link-{tid}.png", mime="image/png",
                           key=f"{key}_png")
    made_links = links.links_for(db, user, tid)
    live = made_links[made_links["revoked_at"].isna()]
    if not live.empty:
        with st.expander(f"Patient links of this treatment ({len(live)} active)"):
            for r in live.itertuples():
                c1, c2 = st.columns([3, 1])
                c1.text(f"Made {r.created_at:%d %b %Y %H:%M} by {r.created_by} · until {r.expires_at:%d %b %Y} · "
                        f"{r.answers} answer(s)")
                if c2.button("Revoke", key=f"{key}_revoke_{r.link_id}"):
                    links.revoke_link(db, user, int(r.link_id))
                    st.rerun()


def patient_reports_panel(db: Database, user: User, treatment_id: int, terms: pd.DataFrame, *, key: str) -> None:
    """The patient reports of one treatment: each waiting one can be confirmed (it becomes an event), edited or
    rejected; every version stays listed."""
    reports = fu.patient_reports(db, user, statuses=fu.REPORT_STATUSES, treatment_id=treatment_id)
    if reports.empty:
        return
    plain = dict(zip(terms["code"], terms["plain_name"], strict=True))
    st.markdown("**Patient reports** (reported by the patient; they count in Trends and Signals only once confirmed)")
    for r in reports.itertuples():
        title = (f"{'RED FLAG · ' if r.red_flag else ''}{plain.get(r.term, r.term)} · {STATUS_WORDS[r.status]} · "
                 f"received {r.received_at:%d %b %Y %H:%M}")
        with st.expander(title, expanded=r.status in fu.WAITING):
            question = BY_KEY.get(r.question)
            st.text(f"Patient answered yes to: {question.text}" if question else "Patient wrote in their own words.")
            if r.narrative:
                st.text(f"Patient's words: {r.narrative}")  # st.text shows it as plain text, never as markup
            versions = fu.patient_report_versions(db, user, int(r.report_id))
            st.dataframe(versions[["version", "status", "term_name", "severity", "changed_at", "changed_by", "note"]],
                         hide_index=True, width="stretch")
            if r.status not in fu.WAITING or not user.can("case.follow_up"):
                continue
            options = list(terms["code"])
            k = f"{key}_{r.report_id}"
            term = st.selectbox("Event term", options, index=options.index(r.term), format_func=plain.get,
                                key=f"{k}_term")
            severity = st.radio("Grade", [1, 2, 3, 4, 5], horizontal=True, key=f"{k}_sev",
                                index=int(r.severity) - 1 if not pd.isna(r.severity) else 0)
            note = st.text_input("Note (required to reject)", key=f"{k}_note", max_chars=1000)
            c1, c2, c3 = st.columns(3)
            try:
                if c1.button("Confirm as adverse event", key=f"{k}_confirm", type="primary"):
                    _, ref = fu.confirm_patient_report(db, user, int(r.report_id), term=term, severity=int(severity),
                                                       note=note)
                    st.session_state[f"{key}_msg"] = f"Confirmed: now case {ref}."
                    st.rerun()
                if c2.button("Save edit", key=f"{k}_edit"):
                    fu.edit_patient_report(db, user, int(r.report_id), term=term, severity=int(severity),
                                           narrative=r.narrative, note=note)
                    st.rerun()
                if c3.button("Reject", key=f"{k}_reject"):
                    fu.reject_patient_report(db, user, int(r.report_id), note=note)
                    st.session_state[f"{key}_msg"] = "Rejected; the report stays in the history."
                    st.rerun()
            except ValueError as exc:
                st.warning(str(exc))
    msg = st.session_state.pop(f"{key}_msg", None)
    if msg:
        st.success(msg)


def patient_link_for(db: Database, user: User, treatment_id: int, *, key: str) -> None:
    """The patient-link panel for a treatment id (nothing when the user may not follow it up or see it)."""
    from dashboard.practice import repository as repo

    if not user.can("case.follow_up"):
        return
    found = repo.treatment_detail(db, user, int(treatment_id))
    if found:
        st.markdown("**Patient self-report**")
        patient_link_panel(db, user, found[0], key=key)


def schedule_section(db: Database, user: User) -> None:
    """The follow-up schedule of the reference data (Reference page)."""
    from dashboard.followup.schedule import schedule_rules

    st.subheader("Follow-up schedule")
    rules = schedule_rules(db, user)
    st.text("Each treatment gets a review and a red-flag watch, counted in days from the treatment\n"
            "(data/reference/followup.yaml). A treatment takes the latest day of every rule that applies to it.")
    st.dataframe(pd.DataFrame({
        "Applies to": [" · ".join(x for x in (b if isinstance(b, str) else "", a if isinstance(a, str) else "") if x)
                       or "Every treatment (default)" for b, a in zip(rules["brand"], rules["area_name"], strict=True)],
        "Review on day": rules["review_day"], "Red-flag watch to day": rules["watch_until_day"],
        "Why": rules["reason"]}), hide_index=True, width="stretch")


def regulator_section(db: Database, user: User, event_id: int) -> None:
    """Cases: "Report to the regulator": the filled Yellow Card and MedWatch fields, what is missing, the 15-day
    deadline of a serious case, the counterfeit route, printable page and CSV, and the submissions recorded."""
    from datetime import date

    from dashboard.followup import regulator as reg

    pack = reg.regulator_pack(db, user, event_id)
    case = pack["case"]
    with st.expander("Report to the regulator (Yellow Card, MedWatch)", icon=":material/gavel:"):
        if pack["days_left"] is not None:
            late = pack["days_left"] < 0
            (st.error if late or pack["days_left"] <= 3 else st.warning)(
                f"Serious case: {abs(pack['days_left'])} day(s) {'past' if late else 'left to'} the 15-day "
                "expedited-report deadline.")
        if pack["counterfeit"]:
            st.warning(pack["counterfeit"])
        missing = pack["missing"]
        if missing:
            st.warning("Mandatory fields still missing: "
                       + "; ".join(sorted({f"{f.field} ({f.e2b})" for f in missing})))
        table = pd.DataFrame([{"Scheme": reg.SCHEMES[f.scheme], "Section": f.section, "Field": f.field,
                               "E2B(R3)": f.e2b, "Value": f.value or ("MISSING" if f.missing else ""),
                               "Mandatory": f.mandatory} for f in pack["fields"]])
        st.dataframe(table, hide_index=True, width="stretch")
        c1, c2 = st.columns(2)
        c1.download_button("Printable pack (HTML)", reg.pack_html(pack), file_name=f"regulator-{case['event_ref']}.html",
                           mime="text/html", key=f"rg_html_{event_id}")
        c2.download_button("Pack as CSV", reg.pack_csv(pack), file_name=f"regulator-{case['event_ref']}.csv",
                           mime="text/csv", key=f"rg_csv_{event_id}")
        subs = pack["submissions"]
        for s in subs.itertuples():
            st.text(f"Reported to {reg.SCHEMES[s.scheme]} on {s.submitted_on:%d %b %Y}, reference {s.reference} "
                    f"(recorded by {s.recorded_by})")
        if not user.can("case.follow_up"):
            return
        with st.form(f"rg_form_{event_id}", border=False):
            st.markdown("**Record a submission**")
            a, b, c = st.columns(3)
            scheme = a.selectbox("Scheme", list(reg.SCHEMES), format_func=reg.SCHEMES.get, key=f"rg_scheme_{event_id}")
            ref = b.text_input("Reference number", max_chars=200, key=f"rg_ref_{event_id}")
            when = c.date_input("Submitted on", value=date.today(), max_value=date.today(), format="DD/MM/YYYY",
                                key=f"rg_date_{event_id}")
            if st.form_submit_button("Record submission"):
                try:
                    reg.record_submission(db, user, event_id, scheme=scheme, reference=ref, submitted_on=when)
                    st.rerun()
                except ValueError as exc:
                    st.warning(str(exc))


def completeness_section(db: Database, user: User) -> None:
    """Trends: reporting completeness beside the rates (reviewed share, events found by follow-up, and a note
    where a low rate rests on few reviews)."""
    from dashboard.followup.completeness import WINDOW_DAYS, completeness

    st.subheader("Reporting completeness")
    st.caption(f"Treatments of the last {WINDOW_DAYS} days whose review is due. Every rate here is a reported rate: "
               "an injector who never follows up looks safest, so read a low rate together with the share reviewed. "
               "Reviewed: a review recorded on Follow-ups, or an event reported. Found by follow-up: events from a "
               "patient's self-report or reported on or after the review day.")
    df = completeness(db, user)
    if df.empty:
        st.info("No treatment has reached its review day yet.")
        return
    flagged = df[df["note"] != ""]
    if not flagged.empty:
        st.warning(f"{len(flagged)} low rate(s) rest on few reviews: read them with the share reviewed.")
        st.text("\n".join(f"{r.injector} ({r.clinic}): {r.note}." for r in flagged.itertuples()))
    def pct(v: float) -> str:
        return "—" if v != v else f"{v:.0%}"

    st.table(pd.DataFrame({  # a static table: the figures are few (one row per clinic and injector)
        "Clinic": df["clinic"], "Injector": df["injector"], "Treatments": df["treatments"],
        "Events per 1,000": df["rate_per_1000"].map(lambda v: f"{v:.1f}"),
        "Reviewed": df["reviewed_share"].map(pct), "Found by follow-up": df["found_share"].map(pct),
        "Note": df["note"]}).set_index(["Clinic", "Injector"]))


def settings_section(db: Database, user: User) -> None:
    """Follow-ups (managers): the clinics' phone numbers for patients, the links' base address, the SMTP server of
    red-flag e-mails, and the outbox with Send now."""
    from dashboard.followup import escalation
    if not (user.can("accounts.manage") and user.can("case.view_all")):
        return
    with st.expander("Patient links and red-flag e-mail: settings and outbox", icon=":material/settings:"):
        current = escalation.smtp_settings(db, user)
        clinic_ids, base = escalation.link_settings(db, user)
        with st.form("fu_settings", border=False):
            values: dict[str, str] = {}
            for r in clinic_ids.itertuples():
                st.text(f"Clinic: {r.name}")  # stored names go into plain text, never into a Markdown label
                values[f"clinic_phone:{r.clinic_id}"] = st.text_input(
                    "Phone patients of this clinic call", value=r.phone,
                    max_chars=40, key=f"fu_phone_{r.clinic_id}")
            values["patient_link_base_url"] = st.text_input(
                "Address patients' links start with", value=base, key="fu_base",
                help="The address of this app as patients reach it, e.g. https://injectwatch.clinic.example")
            a, b, c, d = st.columns(4)
            values["smtp.host"] = a.text_input("SMTP server", value=current.get("smtp.host", ""), key="fu_host")
            values["smtp.port"] = b.text_input("Port", value=current.get("smtp.port", "25"), key="fu_port")
            values["smtp.from"] = c.text_input("From", value=current.get("smtp.from", ""), key="fu_from")
            values["smtp.to"] = d.text_input("Red flags go to", value=current.get("smtp.to", ""), key="fu_to")
            if st.form_submit_button("Save settings"):
                if not values["patient_link_base_url"].startswith(("http://", "https://")):
                    st.warning("The links' address must start with http:// or https://.")
                elif values["smtp.port"] and not values["smtp.port"].isdigit():
                    st.warning("The SMTP port is a number, such as 25 or 587.")
                else:
                    try:
                        escalation.save_settings(db, user, values)
                        st.success("Settings saved.")
                    except ValueError as exc:
                        st.warning(str(exc))
        box = escalation.outbox(db, user)
        st.caption(f"Outbox: {int(box['sent_at'].isna().sum())} waiting, {int(box['sent_at'].notna().sum())} sent "
                   "(latest 100).")
        if not box.empty:
            st.dataframe(box, hide_index=True, width="stretch")
        if st.button("Send waiting e-mails now", key="fu_send"):
            sent, failed = escalation.send_outbox(db, user)
            st.info(f"{sent} sent, {failed} failed." if sent or failed else
                    "Nothing sent: no SMTP server is set, or nothing is waiting.")
