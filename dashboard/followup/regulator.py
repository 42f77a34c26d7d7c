"""The regulator report pack of a case: the fields of the MHRA Yellow Card and of FDA MedWatch 3500 (voluntary),
each with its ICH E2B(R3) data element, filled from the case, treatment, product and lot; mandatory fields still
missing are marked. Printable HTML and CSV; the case records its submissions (scheme, reference number, date).

Section letters of the 3500 follow the FDA's current voluntary form (A patient, B event, D suspect product,
G reporter); check them against the form in use before submitting. InjectWatch never sends anything itself.
"""

from __future__ import annotations

import csv
import html
import io
import json
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

import duckdb
import pandas as pd

from dashboard.core.authz import User, read_scope, require
from dashboard.core.db import Database

SCHEMES = {"yellow_card": "MHRA Yellow Card", "medwatch": "FDA MedWatch 3500 (voluntary)", "other": "Other scheme"}
EXPEDITED_DAYS = 15
# marketing authorisation holder or manufacturer, as on the product labels
MANUFACTURER = {"ona": "AbbVie (Allergan Aesthetics)", "inco": "Merz Pharmaceuticals", "prabot": "Evolus",
                "leti": "Hugel", "abo": "Ipsen (aesthetic use: Galderma)", "daxi": "Revance Therapeutics"}
OUTCOME_E2B = {"recovered": "1 recovered/resolved", "recovering": "2 recovering/resolving",
               "not_recovered": "3 not recovered/not resolved/ongoing",
               "recovered_with_sequelae": "4 recovered/resolved with sequelae", "fatal": "5 fatal",
               "unknown": "0 unknown"}
SERIOUS_E2B = {"death": "E.i.3.2a results in death", "life_threatening": "E.i.3.2b life threatening",
               "hospitalisation": "E.i.3.2c caused/prolonged hospitalisation",
               "disability": "E.i.3.2d disabling/incapacitating", "congenital_anomaly": "E.i.3.2e congenital anomaly",
               "medically_important": "E.i.3.2f other medically important condition"}
COUNTERFEIT_ROUTE = (
    "Suspected counterfeit: keep the vial, carton and lot details and stop using that stock. Report it to the "
    "regulator's falsified-medicines route (UK: MHRA Yellow Card, choosing a fake or counterfeit medicine report; "
    "US: FDA MedWatch, marking a product problem) and to the manufacturer's medical information or product-"
    "complaint line ({maker}), who can check the lot.")
FIELDS_NOTE = "Mandatory: needed before the scheme accepts the report (one patient identifier, reporter, product, event)."


@dataclass(frozen=True)
class PackField:
    """One field of one scheme's form."""

    scheme: str
    section: str
    field: str
    e2b: str
    value: str
    mandatory: bool

    @property
    def missing(self) -> bool:
        """True when the field is mandatory and still empty."""
        return self.mandatory and not self.value


def _v(x: Any) -> Any:
    return None if x is None or (not isinstance(x, str | list) and pd.isna(x)) else x


def _d(x: Any) -> str:
    x = _v(x)
    return "" if x is None else f"{pd.Timestamp(x):%Y-%m-%d}"


def _case(db: Database, user: User, event_id: int) -> dict[str, Any]:
    found = db.query("regulator_case", {**read_scope(user), "event_id": int(event_id)})
    if found.empty:
        raise PermissionError("this case is not one you may see")
    return {k: _v(v) for k, v in found.iloc[0].to_dict().items()}


def _history(c: dict[str, Any]) -> str:
    flags = {"allergy_history": "allergy history", "neuromuscular_disorder": "neuromuscular disorder",
             "anticoagulant": "anticoagulant", "interacting_medication": "interacting medication",
             "pregnant_or_breastfeeding": "pregnant or breastfeeding", "prior_toxin_90d": "toxin in the last 90 days"}
    return "; ".join(label for k, label in flags.items() if c.get(k))


def pack_fields(c: dict[str, Any], reporter: str) -> list[PackField]:
    """Return the fields of both schemes filled from one case row (see regulator_case.sql)."""
    onset = pd.Timestamp(c["onset_at"])
    age = "" if c["birth_year"] is None else f"{onset.year - int(c['birth_year'])} years (from birth year)"
    sex = {"F": "female", "M": "male"}.get(c["sex"] or "", "")
    patient = c["reported_by"] == "patient"
    product = f"{c['brand']} ({c['inn']})"
    dose = "" if c["total_units"] is None else f"{c['total_units']:g} U ({c['brand']} units), single session"
    route = ("intradermal" if c["depths"] == "intradermal" else "intramuscular")
    indication = f"cosmetic: {c['areas']}" if c["areas"] else ""
    serious = (SERIOUS_E2B.get(c["seriousness"], "") if c["serious"] else "not serious")
    narrative = c["narrative"] or ""
    event = f"{c['term_name']} ({c['preferred_term']}), grade {c['severity']}"
    common = [
        ("Patient", "Local patient identifier", "D.1.1.2", c["patient_ref"] or "", True),
        ("Patient", "Initials", "D.1", "", False),
        ("Patient", "Age at onset", "D.2.2a/b", age, False),
        ("Patient", "Sex", "D.5", sex, False),
        ("Patient", "Weight", "D.3", "", False),
        ("Patient", "Relevant history and allergies", "D.7.2", _history(c), False),
        ("Suspect product", "Brand name", "G.k.2.2", product, True),
        ("Suspect product", "Manufacturer", "G.k.3.3", MANUFACTURER.get(c["product"], ""), False),
        ("Suspect product", "Batch / lot number", "G.k.4.r.7", c["lot_number"] or "", True),
        ("Suspect product", "Dose", "G.k.4.r.1a/b", dose, False),
        ("Suspect product", "Route", "G.k.4.r.10.1", route, False),
        ("Suspect product", "Date given", "G.k.4.r.4", _d(c["treated_at"]), True),
        ("Suspect product", "Indication", "G.k.7.r.1", indication, False),
        ("Suspect product", "Action taken with the drug", "G.k.8", "9 not applicable (single treatment)", False),
        ("Reaction", "Reaction as reported", "E.i.1.1a", event, True),
        ("Reaction", "MedDRA term", "E.i.2.1b", c["preferred_term"] or "", True),
        ("Reaction", "Start date", "E.i.4", _d(c["onset_at"]), True),
        ("Reaction", "End date", "E.i.5", _d(c["resolved_at"]), False),
        ("Reaction", "Seriousness", "E.i.3.2", serious, True),
        ("Reaction", "Outcome", "E.i.7", OUTCOME_E2B.get(c["outcome"], ""), True),
        ("Reaction", "Causality (reporter's assessment)", "G.k.9.i.2.r.3", c["causality"] or "", False),
        ("Reaction", "Treatment of the reaction", "H.1", c["action_taken"] or "", False),
        ("Case", "Narrative", "H.1", narrative, False),
        ("Case", "Sender's case identifier", "C.1.1", c["event_ref"], True),
        ("Case", "First received from the source", "C.1.4", _d(c["reported_at"]), True),
        ("Case", "Most recent information", "C.1.5", _d(c["changed_at"]), True),
        ("Reporter", "Reporter name", "C.2.r.1", reporter, True),
        ("Reporter", "Organisation (clinic)", "C.2.r.2.1", c["clinic"], True),
        ("Reporter", "Qualification", "C.2.r.4",
         "5 consumer (patient-reported, confirmed by a clinician)" if patient else "3 other health professional",
         True),
    ]
    medwatch = {"Patient": "A", "Suspect product": "D", "Reaction": "B", "Case": "B", "Reporter": "G"}
    out = [PackField("yellow_card", s, f, e, v, m) for s, f, e, v, m in common]
    out += [PackField("medwatch", f"{medwatch[s]} {s}", f, e, v, m) for s, f, e, v, m in common
            if f not in ("Initials", "Treatment of the reaction")]
    return out


def regulator_pack(db: Database, user: User | None, event_id: int, *, today: date | None = None) -> dict[str, Any]:
    """Return the pack of a case this user may see: its fields, missing mandatory ones, deadline and submissions."""
    require(user, "case.view_own")
    assert user is not None
    c = _case(db, user, event_id)
    fields = pack_fields(c, user.display_name)
    subs = db.query("regulator_submissions_for", {"event_id": int(event_id)})
    days_left = None
    if c["serious"] and subs.empty:
        days_left = EXPEDITED_DAYS - ((today or date.today()) - pd.Timestamp(c["reported_at"]).date()).days
    return {"case": c, "fields": fields, "missing": [f for f in fields if f.missing], "submissions": subs,
            "days_left": days_left,
            "counterfeit": COUNTERFEIT_ROUTE.format(maker=MANUFACTURER.get(c["product"], "the manufacturer"))
            if c["term"] == "suspected_counterfeit" else None}


def pack_csv(pack: dict[str, Any]) -> str:
    """Return the pack as CSV (scheme, section, field, E2B element, value, mandatory, missing); text that a
    spreadsheet would run as a formula gets a leading apostrophe (spec 7.6)."""
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\r\n")
    w.writerow(["scheme", "section", "field", "e2b_r3", "value", "mandatory", "missing"])

    def safe(text: str) -> str:
        return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text

    for f in pack["fields"]:
        w.writerow([f.scheme, f.section, f.field, f.e2b, safe(f.value), str(f.mandatory).lower(),
                    str(f.missing).lower()])
    return buf.getvalue()


def pack_html(pack: dict[str, Any]) -> str:
    """Return the pack as a printable page (every value escaped, no script)."""
    e = html.escape
    c = pack["case"]
    parts = [f"<!doctype html><html lang='en'><head><meta charset='utf-8'><title>Regulator pack {e(c['event_ref'])}"
             "</title><style>body{font-family:system-ui,sans-serif;font-size:10.5pt}table{border-collapse:collapse;"
             "width:100%;margin-bottom:14pt}td,th{border:1px solid #999;padding:2pt 4pt;text-align:left;"
             "vertical-align:top}.missing{background:#fde2e2;font-weight:bold}h2{page-break-before:auto}</style>"
             f"</head><body><h1>Regulator report pack: case {e(c['event_ref'])}</h1>",
             f"<p>{e(c['term_name'])} after treatment {e(c['treatment_ref'])} at {e(c['clinic'])}. {e(FIELDS_NOTE)}</p>"]
    if pack["days_left"] is not None:
        parts.append(f"<p><b>Serious case: {pack['days_left']} day(s) left to the 15-day expedited-report "
                     "deadline.</b></p>")
    if pack["counterfeit"]:
        parts.append(f"<p><b>{e(pack['counterfeit'])}</b></p>")
    for scheme, title in (("yellow_card", SCHEMES["yellow_card"]), ("medwatch", SCHEMES["medwatch"])):
        parts.append(f"<h2>{e(title)}</h2><table><tr><th>Section</th><th>Field</th><th>E2B(R3)</th><th>Value</th>"
                     "<th>Mandatory</th></tr>")
        for f in pack["fields"]:
            if f.scheme != scheme:
                continue
            cls = " class='missing'" if f.missing else ""
            value = e(f.value) if f.value else ("MISSING" if f.missing else "")
            parts.append(f"<tr{cls}><td>{e(f.section)}</td><td>{e(f.field)}</td><td>{e(f.e2b)}</td><td>{value}</td>"
                         f"<td>{'yes' if f.mandatory else ''}</td></tr>")
        parts.append("</table>")
    parts.append("</body></html>")
    return "".join(parts)


def record_submission(db: Database, user: User | None, event_id: int, *, scheme: str, reference: str,
                      submitted_on: date) -> int:
    """Record that the case was reported (scheme, the regulator's reference number, date); audited."""
    require(user, "case.follow_up")
    assert user is not None
    _case(db, user, event_id)
    if scheme not in SCHEMES:
        raise ValueError(f"Choose a scheme: {', '.join(SCHEMES.values())}.")
    ref = (reference or "").strip()
    if not ref or len(ref) > 200:
        raise ValueError("Type the reference number the regulator gave (1 to 200 characters).")
    if submitted_on > date.today():
        raise ValueError("The submission date cannot be in the future.")

    def work(cur: duckdb.DuckDBPyConnection) -> int:
        sid = int(db.execute_named(cur, "regulator_submission_insert", {
            "event_id": int(event_id), "scheme": scheme, "reference": ref, "submitted_on": submitted_on,
            "recorded_at": datetime.now().replace(microsecond=0), "recorded_by": user.username}).fetchone()[0])
        db.audit(cur, user.username, "event.regulator_report", "event", str(int(event_id)), json.dumps({
            "submission_id": sid, "scheme": scheme, "reference": ref, "submitted_on": submitted_on.isoformat()}))
        return sid

    return db.write(work)
