-- One version of a patient report (earlier versions stay untouched).
INSERT INTO patient_report_versions (report_id, version, status, term, severity, red_flag, narrative, event_id,
                                     changed_at, changed_by, note)
VALUES ($report_id, $version, $status, $term, $severity, $red_flag, $narrative, $event_id, $changed_at,
        $changed_by, $note)
RETURNING version_id
