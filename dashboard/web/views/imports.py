"""Imports: upload a data set (.zip) and import it; past imports and, for each, its quarantined rows as a table and CSV."""

import pandas as pd
import streamlit as st

from dashboard.importer import ImportInputError
from dashboard.importer.history import (
    get_import,
    import_totals,
    import_upload,
    list_imports,
    quarantine_download,
    quarantine_file_name,
    quarantine_rows,
    raw_values,
)
from dashboard.web.guard import require_permission
from dashboard.web.ui import get_db

SHOWN_IMPORTS = 200
SHOWN_ROWS = 1000
FILE_NAMES = {"treatments": "treatments.csv", "injections": "injections.csv", "events": "events.csv"}
ENCODINGS = {"utf-8": "UTF-8 (the format's own)", "windows-1252": "Windows-1252 (the \"CSV\" of older Excel)",
             "latin-1": "Latin-1 (ISO-8859-1)", "utf-16": "UTF-16 (\"Unicode text\")"}
DATE_CHOICES = {"iso": "YYYY-MM-DD (the format's own)", "DD/MM/YYYY": "DD/MM/YYYY: 03/04/2024 is 3 April",
                "MM/DD/YYYY": "MM/DD/YYYY: 03/04/2024 is 4 March"}

user = require_permission("import.run")
db = get_db()

st.title("Imports")
st.caption("Bring a clinic's records into InjectWatch: a .zip holding treatments.csv, injections.csv and, if there "
           "are any, events.csv (InjectWatch interchange format v1, the same as the quarterly export). Rows that "
           "break a rule are not imported and not lost: they are kept in the quarantine below with their file, "
           "line, raw values and every reason, so the file can be fixed and imported again. Importing the same "
           "data set twice changes nothing the second time.")


def _n(count: int, noun: str) -> str:
    return f"{count:,} {noun}" + ("" if count == 1 else "s")


# ---------------------------------------------------------------------- upload and import
st.subheader("Import a data set")
upload = st.file_uploader("Data set (.zip)", type=["zip"], key="imp_file",
                          help="A .zip of one folder with treatments.csv and injections.csv (events.csv optional)")
with st.expander("Files saved by another program (encoding, dates)"):
    st.caption("The format asks for UTF-8 files with dates as YYYY-MM-DD. A spreadsheet's own CSV can be read as "
               "it is: name how it was saved. A file that is already UTF-8 is read as UTF-8 whatever is chosen here; "
               "dates as YYYY-MM-DD are read under every choice.")
    left, right = st.columns(2)
    encoding = left.selectbox("File encoding", list(ENCODINGS), key="imp_encoding", format_func=ENCODINGS.get)
    date_format = right.selectbox("Dates", list(DATE_CHOICES), key="imp_dates", format_func=DATE_CHOICES.get)
if st.button("Import", type="primary", key="imp_run", disabled=upload is None, icon=":material/upload:"):
    try:
        with st.spinner("Importing… (the app waits until the import has finished)"):
            result = import_upload(db, user, upload.name, upload.getvalue(),
                                   encoding=None if encoding == "utf-8" else encoding,
                                   date_format=None if date_format == "iso" else date_format)
    except ImportInputError as exc:
        st.session_state["imp_last"] = {"error": str(exc)}
    else:
        st.session_state["imp_last"] = {
            "import_id": result.import_id, "summary": result.summary(), "warnings": list(result.warnings),
            "quarantined": result.quarantined, "seconds": result.seconds,
            "files": [{"file": FILE_NAMES[f], "rows_read": c.rows_read, "imported": c.imported,
                       "quarantined": c.quarantined, "unchanged": c.unchanged} for f, c in result.files.items()],
        }
        st.session_state["imp_chosen"] = result.import_id
        st.session_state.pop("imp_csv", None)

last = st.session_state.get("imp_last")
if last and "error" in last:
    st.error("The data set could not be imported, and nothing was changed:", icon=":material/error:")
    st.text(last["error"])
elif last:
    if last["quarantined"]:
        st.warning(f"Import {last['import_id']} finished, but {_n(last['quarantined'], 'row')} "
                   f"{'was' if last['quarantined'] == 1 else 'were'} quarantined: see below.",
                   icon=":material/warning:")
    else:
        st.success(f"Import {last['import_id']} finished.", icon=":material/check_circle:")
    st.text(last["summary"])
    st.dataframe(pd.DataFrame(last["files"]), hide_index=True, width="stretch", key="imp_result_files",
                 column_config={
                     "file": st.column_config.TextColumn("File"),
                     "rows_read": st.column_config.NumberColumn("Rows read", format="localized"),
                     "imported": st.column_config.NumberColumn("Imported", format="localized",
                                                               help="New rows, and new versions of stored events"),
                     "quarantined": st.column_config.NumberColumn("Quarantined", format="localized"),
                     "unchanged": st.column_config.NumberColumn("Already stored", format="localized",
                                                                help="Rows stored before with the same values"),
                 })
    if last["warnings"]:
        st.caption(f"{_n(len(last['warnings']), 'warning')} about the files (nothing was refused for these):")
        st.text("\n".join(last["warnings"]))

# ---------------------------------------------------------------------- past imports
st.subheader("Past imports")
imports_run, quarantined_total = import_totals(db, user)
if imports_run == 0:
    st.info("No data set has been imported yet.")
    st.stop()
past = list_imports(db, user, limit=SHOWN_IMPORTS)
shown = f"the newest {SHOWN_IMPORTS:,} of " if imports_run > SHOWN_IMPORTS else ""
st.write(f"Showing {shown}{_n(imports_run, 'import')}, newest first; "
         f"{_n(quarantined_total, 'row')} quarantined in all.")
st.dataframe(past, hide_index=True, width="stretch", key="imp_past",
             column_order=("import_id", "started_at", "source_label", "actor", "rows_read", "imported", "quarantined",
                           "unchanged"),
             column_config={
                 "import_id": st.column_config.NumberColumn("#", format="%d", width="small"),
                 "started_at": st.column_config.DatetimeColumn("When", format="DD/MM/YYYY HH:mm"),
                 "source_label": st.column_config.TextColumn("Source"),
                 "actor": st.column_config.TextColumn("Who"),
                 "rows_read": st.column_config.NumberColumn("Rows read", format="localized"),
                 "imported": st.column_config.NumberColumn("Imported", format="localized"),
                 "quarantined": st.column_config.NumberColumn("Quarantined", format="localized"),
                 "unchanged": st.column_config.NumberColumn("Already stored", format="localized"),
             })

# ---------------------------------------------------------------------- the quarantine of one import
st.subheader("Quarantined rows")
labels = {int(r.import_id): f"Import {int(r.import_id)} · {r.started_at:%d/%m/%Y %H:%M} · {r.source_label} · "
                            f"{int(r.quarantined):,} quarantined" for r in past.itertuples()}
if st.session_state.get("imp_chosen") not in labels:
    with_rows = [i for i, q in zip(past["import_id"], past["quarantined"], strict=True) if q]
    st.session_state["imp_chosen"] = int(with_rows[0]) if with_rows else int(past["import_id"].iloc[0])
chosen = st.selectbox("Import", list(labels), key="imp_chosen", format_func=labels.get)
info = get_import(db, user, chosen)
count = int(info["quarantined"])
if count == 0:
    st.info(f"Import {chosen} quarantined no new rows: every row was imported, already stored, or already in the "
            "quarantine of an earlier import with the same values and reasons (see the list above).")
    st.stop()

rows = quarantine_rows(db, user, chosen, limit=SHOWN_ROWS)
first = f"; the first {SHOWN_ROWS:,} are shown here, the CSV holds them all" if count > SHOWN_ROWS else ""
st.write(f"Import {chosen} quarantined {_n(count, 'row')}{first}. Fix {'it' if count == 1 else 'them'} in the file "
         "and import it again: rows already stored are recognised and left as they are.")
st.dataframe(rows, hide_index=True, width="stretch", key="imp_rows",
             column_order=("file", "line", "reasons", "problem", "raw"),
             column_config={
                 "file": st.column_config.TextColumn("File"),
                 "line": st.column_config.NumberColumn("Line", format="%d", width="small",
                                                       help="Line in the file; the header is line 1"),
                 "problem": st.column_config.TextColumn("What is wrong", width="large"),
                 "reasons": st.column_config.TextColumn("Reasons"),
                 "raw": st.column_config.TextColumn("Values in the file", width="large"),
             })

with st.container(border=True):
    pick = st.selectbox("Read one row in full", range(len(rows)), key=f"imp_row_{chosen}",
                        format_func=lambda i: f"{rows['file'].iloc[i]}, line {rows['line'].iloc[i]}")
    row = rows.iloc[pick]
    st.caption("What is wrong")
    st.text(row["problem"])
    st.caption("Values in the file")
    st.dataframe(pd.DataFrame(raw_values(row["raw_json"]), columns=["column", "value"]), hide_index=True,
                 width="stretch", column_config={"column": st.column_config.TextColumn("Column"),
                                                 "value": st.column_config.TextColumn("Value", width="large")})

if st.button(f"Prepare CSV of {_n(count, 'quarantined row')}", key="imp_prepare", icon=":material/description:"):
    data, n = quarantine_download(db, user, chosen)
    st.session_state["imp_csv"] = (chosen, data, n)
prepared = st.session_state.get("imp_csv")
if prepared and prepared[0] == chosen:
    st.download_button(f"Download {quarantine_file_name(chosen)} ({_n(prepared[2], 'row')})", prepared[1],
                       file_name=quarantine_file_name(chosen), mime="text/csv", on_click="ignore",
                       key="imp_download", type="primary", icon=":material/download:")
st.caption("The CSV has one line per quarantined row: import, file, line, reason codes and what is wrong, then every "
           "value exactly as it was in the file. It holds patient data: keep it as safe as the data set itself. "
           "Preparing it is written to the audit trail. The same file comes from "
           "`python -m dashboard quarantine --import ID --out FILE.csv`.")
