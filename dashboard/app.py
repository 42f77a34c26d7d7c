"""InjectWatch Streamlit entry point: page config, sign-in gate, role-based navigation."""

import sys
from pathlib import Path

import streamlit as st

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # `streamlit run dashboard/app.py` from anywhere

from dashboard.core.db import DatabaseLockedError
from dashboard.web.guard import current_user
from dashboard.web.navigation import VIEWS, pages_for
from dashboard.web.signin import sign_in_gate, sign_in_notice, sign_out_button
from dashboard.web.ui import get_db, get_scheduler
from dashboard.web.warmup import start_warm_up

st.set_page_config(page_title="InjectWatch", page_icon=":material/vaccines:", layout="wide")

if st.query_params.get("report"):  # a patient's self-report link: no sign-in and no menu, one treatment only
    st.navigation([st.Page(str(VIEWS / "patient_report.py"), title="Your treatment", url_path="report",
                           default=True)], position="hidden").run()
    st.stop()


@st.cache_resource(show_spinner=False)
def _warm_up() -> None:
    start_warm_up(get_db())  # once per server process, while the first person signs in


_warm_up()
try:
    get_scheduler()  # nightly backups and the quarterly export, from the first visit on (a missed one runs now)
except DatabaseLockedError:
    pass  # another program holds the file: the sign-in screen says so, and the next visit starts the scheduler

user = current_user() or sign_in_gate()
if user is None:
    st.stop()
sign_out_button(user)
sign_in_notice()

sections: dict[str, list] = {}
for spec in pages_for(user.role):
    sections.setdefault(spec.section, []).append(
        st.Page(str(VIEWS / spec.file), title=spec.title, icon=spec.icon, url_path=spec.url_path,
                default=spec.file == "home.py")
    )
st.navigation(sections).run()
