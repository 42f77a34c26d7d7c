"""Quarterly export: pick a quarter, see what will be exported, prepare the zip and download it."""

from datetime import date

import pandas as pd
import streamlit as st

from dashboard import export
from dashboard.web.guard import require_permission
from dashboard.web.ui import data_version, get_db

user = require_permission("export.run")
db = get_db()

st.title("Quarterly export")
st.caption("A zip of CSV files (InjectWatch interchange format v1) for your records, your clinic network or the "
           "regulator. It opens in Excel and LibreOffice and can be imported into another InjectWatch.")

FILE_NOTES = {
    "treatments.csv": "treatments given in the quarter, plus earlier treatments that the quarter's events follow",
    "injections.csv": "treated areas and injection points of those treatments",
    "events.csv": "adverse events that began in the quarter (latest version of each)",
    "event_versions.csv": "every recorded version of those events",
    "summary.csv": "events and treatments by clinic, injector, area and event, with the rate per 1,000 treatments",
    "data_dictionary.csv": "every column of every file: its type and meaning",
    "manifest.json": "quarter, time of export, who exported, row counts and checksums",
}


@st.cache_data(ttl=300, show_spinner=False)
def _choices(version: int) -> list:
    return export.quarters_with_data(db, user)


@st.cache_data(ttl=300, show_spinner=False)
def _preview(version: int, label: str):
    return export.preview(db, user, export.parse_quarter(label))


@st.cache_data(ttl=60, show_spinner=False)
def _recent(version: int) -> pd.DataFrame:
    return export.recent_exports(db, user)


version = data_version()
with_data = {c.quarter.label: c for c in _choices(version)}
last_complete = export.quarter_of(date.today()).previous()
labels = sorted({*with_data, last_complete.label, last_complete.next().label}, reverse=True)
default = last_complete.label if last_complete.label in with_data or not with_data else next(iter(with_data))


def _n(count: int, noun: str) -> str:
    return f"{count:,} {noun}" + ("" if count == 1 else "s")


def _describe(label: str) -> str:
    q = export.parse_quarter(label)
    c = with_data.get(label)
    counts = f"{_n(c.treatments, 'treatment')}, {_n(c.events, 'event')}" if c else "no data"
    return f"{q.year} Q{q.number}  ·  {q.describe()}  ·  {counts}"


left, right = st.columns([3, 2])
label = left.selectbox("Quarter", labels, index=labels.index(default), format_func=_describe, key="export_quarter",
                       help="Calendar quarters in the clinic's local time.")
quarter = export.parse_quarter(label)

choices = ["De-identified (recommended)"]
if user.can("export.identified"):
    choices.append("Identified")
mode = right.radio("Patient data", choices, key="export_mode",
                   help="De-identified: patient refs become keyed pseudonyms, birth years 10-year bands, and "
                        "narratives, actions taken and reporter names are left out.")
identified = mode == "Identified"
if not user.can("export.identified"):
    right.caption("Identified exports need the manager role.")

pv = _preview(version, label)
given = pv.treatments - pv.treatments_from_earlier_quarters
mode_label = "Identified" if identified else "De-identified"
st.subheader(f"What will be exported: {quarter.year} Q{quarter.number} ({quarter.describe()})")
m1, m2, m3 = st.columns(3)
m1.metric("Treatments given in the quarter", f"{given:,}")
m2.metric("Adverse events that began in it", f"{pv.events:,}")
m3.metric("Patient data", mode_label)
if identified:
    st.warning("Identified export: it contains patient refs, birth years, narratives, actions taken and reporter "
               "names. It is recorded in the audit trail under your name. Store and send it only as your "
               "data-protection rules allow.", icon=":material/warning:")
else:
    st.info("De-identified: patient refs are replaced by pseudonyms that only this installation can link back; "
            "birth years become 10-year bands; narratives, actions taken and reporter names are left out.",
            icon=":material/verified_user:")
if pv.empty:
    st.info("Nothing was recorded in this quarter. The export is still a valid bundle: a manifest that says so and "
            "files that hold only their header rows.")

rows = pv.rows(identified)
files = pd.DataFrame({
    "File": list(FILE_NOTES),
    "Rows": [f"{rows[f]:,}" if f in rows else "–" for f in FILE_NOTES],
    "What it holds": list(FILE_NOTES.values()),
})
st.dataframe(files, hide_index=True, width="stretch")
if pv.treatments_from_earlier_quarters:
    earlier = pv.treatments_from_earlier_quarters
    st.caption(f"treatments.csv also holds {_n(earlier, 'treatment')} given before this quarter, because an adverse "
               "event that began in this quarter follows " + ("it." if earlier == 1 else "them."))

wanted = (label, identified)
ready = st.session_state.get("export_ready")
if ready and ready["key"] != wanted:
    st.session_state.pop("export_ready")
    ready = None

if st.button(f"Prepare the {'identified' if identified else 'de-identified'} export", type="primary",
             key="export_prepare"):
    try:
        with st.spinner("Building the export…"):
            name, data, result = export.export_zip_for(db, user, quarter, identified=identified)
    except (export.ExportError, OSError) as exc:
        st.error(f"The export could not be built: {exc}")
    else:
        ready = {"key": wanted, "name": name, "data": data, "note": result.manifest["note"],
                 "at": result.manifest["exported_at"]}
        st.session_state["export_ready"] = ready
        _recent.clear()

if ready:
    st.success(f"{ready['name']} is ready ({len(ready['data']) / 1024:,.0f} KB).", icon=":material/check_circle:")
    st.text(ready["note"])
    st.download_button(f"Download {ready['name']}", data=ready["data"], file_name=ready["name"],
                       mime="application/zip", on_click="ignore", key="export_download", type="primary")

st.subheader("Recent exports")
recent = _recent(data_version())
if recent.empty:
    st.caption("No export yet.")
else:
    st.dataframe(recent, hide_index=True, width="stretch", column_config={
        "occurred_at": st.column_config.DatetimeColumn("When", format="D MMM YYYY, HH:mm"),
        "actor": "Who", "quarter": "Quarter",
        "identified": st.column_config.CheckboxColumn("Identified"),
        "treatments": st.column_config.NumberColumn("treatments.csv rows", format="%d"),
        "events": st.column_config.NumberColumn("events.csv rows", format="%d"),
    })
