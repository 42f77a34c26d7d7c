"""The data dictionary of the export: every column of every file, with its type and meaning.

Types are those of interchange-v1 section 1 (text, int, decimal, bool, date, datetime, code). `required` says
whether the import of a data set needs the column (only for the three data-set files).
"""

from __future__ import annotations

from dataclasses import dataclass

from dashboard.export.pseudonym import HEX_CHARS, PREFIX

FORMAT = "injectwatch-export/1"
BOM = True  # every CSV starts with the UTF-8 byte-order mark EF BB BF (Excel then reads it as UTF-8)
ENCODING_NOTE = (
    "Every CSV file is UTF-8 and starts with a byte-order mark (EF BB BF) so that Excel reads it as UTF-8; "
    "comma separated, RFC 4180 quoting, one header row, no index column, '.' as decimal separator, LF line ends. "
    "Text and code columns (all ids included) are always quoted; numbers, booleans (true/false) and times are not. "
    "Dates are YYYY-MM-DD and times YYYY-MM-DDTHH:MM:SS in clinic-local wall time without an offset. "
    "An empty cell means unknown. In LibreOffice Calc tick 'Format quoted field as text' in the Text Import dialog "
    "so that ids such as 000123 keep their leading zeros."
)


@dataclass(frozen=True)
class Column:
    """One column of one file."""

    file: str
    column: str
    type: str
    required: str
    meaning: str


_Q = "the quarter"
_FLAGS = {
    "alcohol_48h": "alcohol within 48 h before, or the advised period after, the session",
    "anticoagulant": "anticoagulant, antiplatelet or NSAID use",
    "interacting_medication": "aminoglycosides, muscle relaxants, anticholinergics or other agents that interfere "
                              "with neuromuscular transmission",
    "prior_toxin_90d": "another botulinum toxin treatment in the previous 90 days",
    "allergy_history": "known allergy or hypersensitivity",
    "allergy_test_done": "sensitivity test performed before the session",
    "neuromuscular_disorder": "myasthenia gravis, Lambert-Eaton, ALS or similar",
    "pregnant_or_breastfeeding": "pregnant or breastfeeding",
    "skin_infection_at_site": "infection or inflammation at a proposed site",
    "aftercare_lay_down_4h": "patient lay down within 4 h after injection",
    "aftercare_heat_or_exercise": "sauna, solarium, sun or strenuous exercise within 24 h",
}


def _treatments(identified: bool) -> list[Column]:
    f = "treatments.csv"
    cols = [
        Column(f, "treatment_id", "text", "yes", "the clinic's treatment id (unique per clinic, never reused)"),
        Column(f, "clinic", "text", "yes", "clinic or site name"),
        Column(f, "treated_at", "datetime", "yes",
               f"start of the session (clinic-local). Rows treated before {_Q} are the earlier treatments that "
               "an event of this quarter follows"),
    ]
    if identified:
        cols += [
            Column(f, "patient_ref", "text", "yes", "the clinic's pseudonymous patient key, as recorded"),
            Column(f, "patient_birth_year", "int", "no", "year of birth"),
        ]
    else:
        cols += [
            Column(f, "patient_ref", "text", "yes",
                   f"pseudonym: '{PREFIX}' + the first {HEX_CHARS} hex digits of HMAC-SHA256 of the clinic's patient "
                   "key, keyed by this installation's secret. The same patient has the same pseudonym in every "
                   "export of this installation; it cannot be reversed without the secret, which is never exported"),
            Column(f, "patient_birth_band", "text", "no",
                   "10-year band of the year of birth, e.g. 1980-1989 (replaces patient_birth_year)"),
        ]
    cols += [
        Column(f, "patient_sex", "code", "no", "F, M, X (other) or U (unknown)"),
        Column(f, "injector", "text", "yes", "the practitioner who injected"),
        Column(f, "product", "code", "yes", "product code: ona, inco, prabot, leti, abo, daxi"),
        Column(f, "lot", "text", "no", "manufacturer lot / batch number"),
        Column(f, "vial_units", "int", "no", "nominal units in the vial"),
        Column(f, "diluent_ml", "decimal", "no", "mL of saline used to reconstitute the vial"),
        Column(f, "reconstituted_at", "datetime", "no", "when the vial was reconstituted (clinic-local)"),
    ]
    cols += [Column(f, name, "bool", "no", meaning) for name, meaning in _FLAGS.items()]
    return cols


def _injections() -> list[Column]:
    f = "injections.csv"
    return [
        Column(f, "treatment_id", "text", "yes", "the treatment (treatments.csv) this row belongs to"),
        Column(f, "area", "code", "yes", "treated area (interchange-v1 section 4.2)"),
        Column(f, "side", "code", "no", "L, R, B (both) or C (central / midline)"),
        Column(f, "point", "text", "no", "injection point label inside the area, when recorded"),
        Column(f, "units", "decimal", "yes", "units of the treatment's product injected in this row (never converted)"),
        Column(f, "points", "int", "no", "number of injection points this row covers"),
        Column(f, "volume_ml", "decimal", "no", "total volume injected in this row"),
        Column(f, "depth", "code", "no", "intradermal, subcutaneous, intramuscular or supraperiosteal"),
    ]


def _event_fields(f: str, identified: bool) -> list[Column]:
    cols = [
        Column(f, "term", "code", "yes", "event term (interchange-v1 section 4.3)"),
        Column(f, "onset_at", "datetime", "yes", "when the event began (clinic-local); the date alone when it was "
               "given as a date on the day of the treatment"),
        Column(f, "severity", "int", "yes", "grade 1 mild, 2 moderate, 3 severe, 4 life-threatening, 5 death"),
        Column(f, "serious", "bool", "no", "meets a seriousness criterion"),
        Column(f, "seriousness", "code", "no", "the seriousness criterion (section 4.5)"),
        Column(f, "outcome", "code", "no", "outcome (section 4.6)"),
        Column(f, "resolved_at", "datetime", "no", "when it resolved (clinic-local)"),
        Column(f, "side", "code", "no", "L, R, B or C"),
        Column(f, "area", "code", "no", "area the reporter associates with the event"),
        Column(f, "causality", "code", "no", "WHO-UMC causality (section 4.7)"),
    ]
    if identified:
        cols += [
            Column(f, "action_taken", "text", "no", "free text: what was done (at most 500 characters)"),
            Column(f, "reported_by", "text", "no", "who reported it"),
        ]
    cols.append(Column(f, "reported_at", "datetime", "no", "when it was reported (clinic-local)"))
    if identified:
        cols.append(Column(f, "narrative", "text", "no", "free-text narrative (at most 4,000 characters)"))
    return cols


def _events(identified: bool) -> list[Column]:
    f = "events.csv"
    head = [
        Column(f, "event_id", "text", "yes", "the clinic's event id (unique per clinic)"),
        Column(f, "treatment_id", "text", "yes", "the treatment (treatments.csv) the event follows"),
    ]
    return head + _event_fields(f, identified)


def _event_versions(identified: bool) -> list[Column]:
    f = "event_versions.csv"
    cols = [
        Column(f, "event_id", "text", "", "the event (events.csv)"),
        Column(f, "version", "int", "", "version number, 1 = first report; the highest is the row in events.csv"),
        Column(f, "changed_at", "datetime", "", "when this version was recorded (clinic-local)"),
        Column(f, "changed_by", "text", "", "the account or import that recorded it"),
    ]
    if identified:
        cols.append(Column(f, "change_note", "text", "", "free text: why the report changed"))
    return cols + [Column(c.file, c.column, c.type, "", c.meaning) for c in _event_fields(f, identified)]


def _summary() -> list[Column]:
    f = "summary.csv"
    return [
        Column(f, "clinic", "text", "", "clinic"),
        Column(f, "injector", "text", "", "injector of the treatments (and of the treatments the events follow)"),
        Column(f, "area", "code", "",
               "treated area. For events: the area the reporter named, else the treatment's only area; "
               "empty = not stated (then treatments counts all the injector's treatments at the clinic)"),
        Column(f, "term", "code", "", "event term; empty on a row of treatments that had no event in the quarter"),
        Column(f, "treatments", "int", "",
               f"denominator: treatments given in {_Q} by this injector at this clinic that treated this area "
               "(a treatment that treated several areas counts once in each). Repeated on every term row of the "
               "same clinic, injector and area: do not add it up across terms"),
        Column(f, "events", "int", "",
               f"numerator: events of this term with onset in {_Q} (latest version), attributed as described "
               "under area; the same events as events.csv"),
        Column(f, "serious_events", "int", "", "of those, events marked serious"),
        Column(f, "events_after_earlier_treatments", "int", "",
               f"of those, events that follow a treatment given before {_Q}"),
        Column(f, "rate_per_1000", "decimal", "",
               "1000 x events / treatments, 2 decimals (a period rate: events with onset in the quarter over "
               "treatments given in the quarter); empty when treatments is 0"),
    ]


def _dictionary() -> list[Column]:
    f = "data_dictionary.csv"
    return [
        Column(f, "file", "text", "", "the file the column belongs to ('*' = every CSV file)"),
        Column(f, "column", "text", "", "column name as in the header row"),
        Column(f, "type", "text", "", "text, int, decimal, bool, date, datetime or code (interchange-v1 section 1)"),
        Column(f, "required", "text", "", "yes/no: whether an import of the data set needs the column"),
        Column(f, "meaning", "text", "", "what the column holds"),
    ]


def _manifest() -> list[Column]:
    f = "manifest.json"
    return [
        Column(f, "format", "text", "", f"bundle format and version, '{FORMAT}'"),
        Column(f, "format_version", "int", "", "version number of the bundle format, 1"),
        Column(f, "interchange", "text", "", "the data-set format of the three data files, 'interchange-v1'"),
        Column(f, "quarter", "text", "", "the quarter, YYYYQn"),
        Column(f, "period", "object", "", "first_day and last_day (dates) of the clinic-local calendar quarter"),
        Column(f, "exported_at", "text", "", "time of export, ISO 8601 with the server's UTC offset"),
        Column(f, "exported_by", "text", "", "who exported"),
        Column(f, "identified", "bool", "", "false = de-identified (default); true = identified export"),
        Column(f, "empty", "bool", "", "true when the quarter has no treatments and no events"),
        Column(f, "note", "text", "", "a sentence describing the bundle"),
        Column(f, "encoding", "object", "", "charset (utf-8) and whether a byte-order mark is written (bom)"),
        Column(f, "rows", "object", "", "data rows (header excluded) per CSV file"),
        Column(f, "sha256", "object", "", "SHA-256 (hex) of every other file in the bundle"),
    ]


def dictionary_rows(identified: bool) -> list[Column]:
    """Every column of every file of an export (de-identified unless identified), in file order."""
    encoding = Column("*", "(encoding)", "", "", ENCODING_NOTE)
    return [encoding, *_treatments(identified), *_injections(), *_events(identified),
            *_event_versions(identified), *_summary(), *_dictionary(), *_manifest()]
