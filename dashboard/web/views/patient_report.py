"""The patient's self-report page: opened from a link or QR code, no sign-in and no menu, phone-first.

The token in the address (?report=...) is the only credential and opens one treatment; the page shows nothing but
that treatment's date and the clinic's name. A refused token (changed, expired, revoked, too many tries) gets a
plain page. A red-flag answer shows the emergency instruction and the clinic's phone at once.
"""

import uuid
from datetime import date

import streamlit as st

from dashboard.followup import links
from dashboard.followup.questions import EMERGENCY_TEXT, FREE_TEXT_LIMIT, QUESTIONS
from dashboard.web.ui import get_db

st.set_page_config(page_title="How are you after your treatment?", layout="centered",
                   initial_sidebar_state="collapsed")
st.html("""<style>
[data-testid="stSidebar"], [data-testid="stSidebarCollapsedControl"], [data-testid="stToolbar"],
[data-testid="stHeader"], [data-testid="stDecoration"] { display: none !important; }
.block-container { padding: 1rem 1rem 3rem 1rem !important; max-width: 34rem; }
div[role="radiogroup"] label { font-size: 1.05rem; }
</style>""")

db = get_db()
ss = st.session_state
token = str(st.query_params.get("report") or "")
address = getattr(st.context, "ip_address", None)
if address in ("127.0.0.1", "::1"):
    address = None  # on localhost every browser shares one address: only the per-link limit applies


def _plain_page(title: str, message: str) -> None:
    st.header(title)
    st.write(message)
    st.stop()


if "pr_sent" in ss:  # the answers just sent: say what happens next (and, for a red flag, what to do now)
    sent = ss["pr_sent"]
    if sent["red_flag"]:
        st.error(f"**{EMERGENCY_TEXT}**", icon=":material/emergency:")
        if sent["phone"]:
            st.error(f"**Then call your clinic on {sent['phone']}.**")  # digits, spaces, + ( ) - only
        else:
            st.error("**Then call your clinic.**")
    st.success("Thank you. Your answers have reached your clinic; someone will look at them"
               + (" and may call you." if sent["reports"] else "."))
    if st.button("Report something else", key="pr_again"):
        del ss["pr_sent"]
        st.rerun()
    st.stop()

access = links.open_link(db, token, address=address)
if not access.ok:
    _plain_page(access.title, access.message)

st.subheader("How are you after your treatment?")
st.text(f"Your treatment on {access.treated_on:%d %B %Y} at {access.clinic}.")
st.caption("Answer what applies to you. Your clinic sees your answers; nobody else does.")
ss.setdefault("pr_nonce", uuid.uuid4().hex)

with st.form("pr_form", border=False):
    for q in QUESTIONS:
        st.radio(q.text, ["No", "Yes"], key=f"pr_{q.key}", horizontal=True, index=0)
    today = date.today()
    st.date_input("If something is wrong: when did it start?", key="pr_onset", value=None,
                  min_value=access.treated_on, max_value=today, format="DD/MM/YYYY")
    st.text_area("Anything else you want to tell us (optional)", key="pr_text", max_chars=FREE_TEXT_LIMIT,
                 height=100)
    send = st.form_submit_button("Send to my clinic", type="primary", width="stretch")

if send:
    result = links.submit_answers(
        db, token, {q.key: ss.get(f"pr_{q.key}") == "Yes" for q in QUESTIONS}, ss.get("pr_text"),
        ss.get("pr_onset"), nonce=ss["pr_nonce"], address=address)
    if not result.ok:
        if result.reason in ("too_long", "bad_date"):
            st.warning(f"**{result.title}.** {result.message}")
        else:
            _plain_page(result.title, result.message)
    else:
        if result.red_flag:
            from dashboard.followup.escalation import send_in_background

            send_in_background(db)  # the clinic's e-mail, when configured; the outbox keeps it otherwise
        ss["pr_sent"] = {"red_flag": result.red_flag, "phone": result.clinic_phone, "reports": result.reports}
        del ss["pr_nonce"]
        for q in QUESTIONS:
            ss.pop(f"pr_{q.key}", None)
        ss.pop("pr_text", None)
        ss.pop("pr_onset", None)
        st.rerun()

if access.clinic_phone:
    st.text(f"Questions? Call {access.clinic} on {access.clinic_phone}.")
