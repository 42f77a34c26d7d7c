-- Import step: parse and check every staged events.csv row, find its treatment (in this file or stored) and
-- classify it as new, unchanged, followup (an event_id stored with other values: a new version) or quarantine.
-- Reads iw_raw_events and iw_cls_treatments; writes iw_cls_events.
CREATE TEMP TABLE iw_cls_events AS
WITH r AS (
    -- rows are numbered in file order (inside a transaction rowids start at an offset, hence the min)
    SELECT rowid AS rid, rowid - (SELECT min(rowid) FROM iw_raw_events) AS n,
        iw_text(event_id) AS t_event_id,
        iw_text(treatment_id) AS t_treatment_id,
        iw_text(term) AS t_term,
        iw_text(onset_at) AS t_onset_at,
        iw_text(severity) AS t_severity,
        iw_text(serious) AS t_serious,
        iw_text(seriousness) AS t_seriousness,
        iw_text(outcome) AS t_outcome,
        iw_text(resolved_at) AS t_resolved_at,
        iw_text(side) AS t_side,
        iw_text(area) AS t_area,
        iw_text(causality) AS t_causality,
        iw_text(action_taken) AS t_action_taken,
        iw_text(reported_by) AS t_reported_by,
        iw_text(reported_at) AS t_reported_at,
        iw_text(narrative) AS t_narrative,
        -- as YYYY-MM-DD...: the same text unless a date format (DD/MM/YYYY, MM/DD/YYYY) was chosen
        iw_slash_date(iw_text(onset_at), $date_format) AS t_iso_onset_at,
        iw_slash_date(iw_text(resolved_at), $date_format) AS t_iso_resolved_at,
        iw_slash_date(iw_text(reported_at), $date_format) AS t_iso_reported_at
    FROM iw_raw_events
), p AS (
    SELECT r.* EXCLUDE (n),
        coalesce(l.line, r.n + 2) AS line,
        t_event_id AS v_ref,
        t_treatment_id AS v_treatment_ref,
        iw_code(t_term, $term_l, $term) AS v_term,
        iw_datetime(t_iso_onset_at, $tz) AS v_onset_at,
        length(t_iso_onset_at) = 10 AS onset_date_only,
        iw_int(t_severity) AS v_severity,
        iw_bool(t_serious) AS v_serious_given,
        iw_code(t_seriousness, $seriousness_l, $seriousness) AS v_seriousness,
        iw_code(t_outcome, $outcome_l, $outcome) AS v_outcome_given,
        iw_datetime(t_iso_resolved_at, $tz) AS v_resolved_at,
        iw_code(t_side, $side_l, $side) AS v_side,
        iw_code(t_area, $area_l, $area) AS v_area,
        iw_code(t_causality, $causality_l, $causality) AS v_causality,
        t_action_taken AS v_action_taken,
        t_reported_by AS v_reported_by,
        iw_datetime(t_iso_reported_at, $tz) AS v_reported_at,
        t_narrative AS v_narrative
    FROM r LEFT JOIN iw_lines_events l ON l.n = r.n  -- lines that are not n + 2 (staging.py)
), v AS (
    -- a resolution given as a date alone on the onset's day is stored no earlier than the onset
    SELECT p.* REPLACE (CASE WHEN length(t_iso_resolved_at) = 10 AND CAST(v_resolved_at AS DATE) = CAST(v_onset_at AS DATE)
                             THEN greatest(v_resolved_at, v_onset_at) ELSE v_resolved_at END AS v_resolved_at),
        coalesce(v_serious_given, v_seriousness IS NOT NULL) AS v_serious,
        coalesce(v_outcome_given, 'unknown') AS v_outcome
    FROM p
), file_parent AS (
    SELECT v_ref AS pref, bool_or(status <> 'quarantine') AS accepted, min(line) AS first_line,
           max(CASE WHEN status <> 'quarantine' THEN v_clinic END) AS clinic,
           max(CASE WHEN status <> 'quarantine' THEN v_treated_at END) AS treated_at,
           max(CASE WHEN status <> 'quarantine' THEN db_treatment_id END) AS db_treatment_id,
           max(new_id) AS new_id
    FROM iw_cls_treatments WHERE v_ref IS NOT NULL GROUP BY v_ref
), db_parent AS (
    SELECT t.treatment_ref, count(*) AS n, any_value(c.name) AS clinic, any_value(t.treated_at) AS treated_at,
           any_value(t.treatment_id) AS treatment_id
    FROM treatments t JOIN clinics c ON c.clinic_id = t.clinic_id
    WHERE t.treatment_ref IN (SELECT v_treatment_ref FROM v)
      AND t.treatment_ref NOT IN (SELECT pref FROM file_parent)
    GROUP BY t.treatment_ref
), par AS (
    SELECT v.*, fp.pref IS NOT NULL AS in_file, fp.accepted AS parent_accepted, fp.first_line AS parent_line,
        dp.n AS db_matches,
        CASE WHEN fp.pref IS NOT NULL THEN fp.clinic WHEN dp.n = 1 THEN dp.clinic END AS parent_clinic,
        CASE WHEN fp.pref IS NOT NULL THEN fp.treated_at WHEN dp.n = 1 THEN dp.treated_at END AS parent_treated_at,
        CASE WHEN fp.pref IS NOT NULL THEN fp.db_treatment_id WHEN dp.n = 1 THEN dp.treatment_id END AS db_treatment_id,
        fp.new_id AS parent_new_id
    FROM v
    LEFT JOIN file_parent fp ON fp.pref = v.v_treatment_ref
    LEFT JOIN db_parent dp ON dp.treatment_ref = v.v_treatment_ref
), chk AS MATERIALIZED (
    SELECT COLUMNS(lambda c: NOT starts_with(c, 't_')), concat_ws(chr(30),
        -- a NUL character in any cell (spec 7.4); $nul is false unless the file holds a NUL byte at all
        CASE WHEN $nul THEN iw_nul(['event_id', 'treatment_id', 'term', 'onset_at', 'severity', 'serious', 'seriousness', 'outcome', 'resolved_at', 'side', 'area', 'causality', 'action_taken', 'reported_by', 'reported_at', 'narrative'],
            [t_event_id, t_treatment_id, t_term, t_onset_at, t_severity, t_serious, t_seriousness, t_outcome, t_resolved_at, t_side, t_area, t_causality, t_action_taken, t_reported_by, t_reported_at, t_narrative]) END,
        CASE WHEN v_ref IS NULL THEN 'missing_required' || chr(31) || ( 'event_id is empty') END,
        CASE WHEN v_treatment_ref IS NULL THEN 'missing_required' || chr(31) || ( 'treatment_id is empty') END,
        CASE WHEN t_term IS NULL THEN 'missing_required' || chr(31) || ( 'term is empty') END,
        CASE WHEN t_onset_at IS NULL THEN 'missing_required' || chr(31) || ( 'onset_at is empty') END,
        CASE WHEN t_severity IS NULL THEN 'missing_required' || chr(31) || ( 'severity is empty') END,
        CASE WHEN v_serious AND t_seriousness IS NULL THEN 'missing_required' || chr(31) || (
            'seriousness is required when serious is true (death, life_threatening, hospitalisation, disability, congenital_anomaly or medically_important)') END,
        CASE WHEN t_onset_at IS NOT NULL AND v_onset_at IS NULL THEN CASE WHEN length(t_onset_at) > 200 THEN iw_too_long('onset_at', t_onset_at, 200) ELSE 'bad_type' || chr(31) || (
            'onset_at ''' || iw_shown(t_onset_at) || ''' is not a date-time (YYYY-MM-DD or YYYY-MM-DDTHH:MM[:SS], optionally ending in Z or ±HH:MM)' || iw_date_hint(t_onset_at, $date_format)) END END,
        CASE WHEN t_resolved_at IS NOT NULL AND v_resolved_at IS NULL THEN CASE WHEN length(t_resolved_at) > 200 THEN iw_too_long('resolved_at', t_resolved_at, 200) ELSE 'bad_type' || chr(31) || (
            'resolved_at ''' || iw_shown(t_resolved_at) || ''' is not a date-time (YYYY-MM-DD or YYYY-MM-DDTHH:MM[:SS], optionally ending in Z or ±HH:MM)' || iw_date_hint(t_resolved_at, $date_format)) END END,
        CASE WHEN t_reported_at IS NOT NULL AND v_reported_at IS NULL THEN CASE WHEN length(t_reported_at) > 200 THEN iw_too_long('reported_at', t_reported_at, 200) ELSE 'bad_type' || chr(31) || (
            'reported_at ''' || iw_shown(t_reported_at) || ''' is not a date-time (YYYY-MM-DD or YYYY-MM-DDTHH:MM[:SS], optionally ending in Z or ±HH:MM)' || iw_date_hint(t_reported_at, $date_format)) END END,
        CASE WHEN t_severity IS NOT NULL AND v_severity IS NULL THEN CASE WHEN length(t_severity) > 200 THEN iw_too_long('severity', t_severity, 200) ELSE 'bad_type' || chr(31) || (
            'severity ''' || iw_shown(t_severity) || ''' is not a whole number (grade 1 to 5)') END END,
        CASE WHEN t_serious IS NOT NULL AND v_serious_given IS NULL THEN CASE WHEN length(t_serious) > 200 THEN iw_too_long('serious', t_serious, 200) ELSE 'bad_type' || chr(31) || (
            'serious ''' || iw_shown(t_serious) || ''' is not a yes/no value') END END,
        CASE WHEN t_term IS NOT NULL AND v_term IS NULL THEN CASE WHEN length(t_term) > 200 THEN iw_too_long('term', t_term, 200) ELSE 'unknown_code' || chr(31) || (
            'term ''' || iw_shown(t_term) || ''' is not a known event term (see spec section 4.3)') END END,
        CASE WHEN t_seriousness IS NOT NULL AND v_seriousness IS NULL THEN CASE WHEN length(t_seriousness) > 200 THEN iw_too_long('seriousness', t_seriousness, 200) ELSE 'unknown_code' || chr(31) || (
            'seriousness ''' || iw_shown(t_seriousness) || ''' is not one of ' || array_to_string($seriousness, ', ')) END END,
        CASE WHEN t_outcome IS NOT NULL AND v_outcome_given IS NULL THEN CASE WHEN length(t_outcome) > 200 THEN iw_too_long('outcome', t_outcome, 200) ELSE 'unknown_code' || chr(31) || (
            'outcome ''' || iw_shown(t_outcome) || ''' is not one of ' || array_to_string($outcome, ', ')) END END,
        CASE WHEN t_side IS NOT NULL AND v_side IS NULL THEN CASE WHEN length(t_side) > 200 THEN iw_too_long('side', t_side, 200) ELSE 'unknown_code' || chr(31) || (
            'side ''' || iw_shown(t_side) || ''' is not one of ' || array_to_string($side, ', ')) END END,
        CASE WHEN t_area IS NOT NULL AND v_area IS NULL THEN CASE WHEN length(t_area) > 200 THEN iw_too_long('area', t_area, 200) ELSE 'unknown_code' || chr(31) || (
            'area ''' || iw_shown(t_area) || ''' is not a known area code (' || array_to_string($area, ', ') || ')') END END,
        CASE WHEN t_causality IS NOT NULL AND v_causality IS NULL THEN CASE WHEN length(t_causality) > 200 THEN iw_too_long('causality', t_causality, 200) ELSE 'unknown_code' || chr(31) || (
            'causality ''' || iw_shown(t_causality) || ''' is not one of ' || array_to_string($causality, ', ')) END END,
        CASE WHEN v_serious_given = FALSE AND v_seriousness IS NOT NULL THEN 'inconsistent' || chr(31) || (
            'seriousness ' || v_seriousness || ' is given but serious is false') END,
        CASE WHEN length(v_ref) > 200 THEN iw_too_long('event_id', v_ref, 200) END,
        CASE WHEN length(v_treatment_ref) > 200 THEN iw_too_long('treatment_id', v_treatment_ref, 200) END,
        CASE WHEN length(v_action_taken) > 4000 THEN iw_too_long('action_taken', v_action_taken, 4000) END,
        CASE WHEN length(v_reported_by) > 200 THEN iw_too_long('reported_by', v_reported_by, 200) END,
        CASE WHEN length(v_narrative) > 4000 THEN iw_too_long('narrative', v_narrative, 4000) END,
        CASE WHEN v_severity NOT BETWEEN 1 AND 5 THEN 'out_of_range' || chr(31) || (
            'severity ' || v_severity || ' is not a grade from 1 to 5') END,
        CASE WHEN v_resolved_at < v_onset_at THEN 'out_of_range' || chr(31) || (
            'resolved_at ' || t_resolved_at || ' is before onset_at ' || t_onset_at) END,
        CASE WHEN v_onset_at > parent_treated_at + INTERVAL 365 DAY THEN 'out_of_range' || chr(31) || (
            'onset_at ' || t_onset_at || ' is more than 365 days after the treatment (' || strftime(parent_treated_at, '%Y-%m-%d %H:%M') || ')') END,
        CASE WHEN v_onset_at > CAST($now AS TIMESTAMP) THEN 'future_date' || chr(31) || ( 'onset_at ' || t_onset_at || ' is in the future') END,
        CASE WHEN v_resolved_at > CAST($now AS TIMESTAMP) THEN 'future_date' || chr(31) || ( 'resolved_at ' || t_resolved_at || ' is in the future') END,
        CASE WHEN v_reported_at > CAST($now AS TIMESTAMP) THEN 'future_date' || chr(31) || ( 'reported_at ' || t_reported_at || ' is in the future') END,
        CASE WHEN (onset_date_only AND CAST(v_onset_at AS DATE) < CAST(parent_treated_at AS DATE))
               OR (NOT onset_date_only AND v_onset_at < parent_treated_at) THEN 'onset_before_treatment' || chr(31) || (
            'onset_at ' || t_onset_at || ' is before the treatment (' || strftime(parent_treated_at, '%Y-%m-%d %H:%M') || ')') END,
        CASE WHEN v_treatment_ref IS NOT NULL AND in_file AND NOT parent_accepted THEN 'unknown_treatment' || chr(31) || ( 'treatment ' || iw_shown(v_treatment_ref) || ' was quarantined (treatments.csv line ' || parent_line || ')') END,
        CASE WHEN v_treatment_ref IS NOT NULL AND NOT in_file AND db_matches IS NULL THEN 'unknown_treatment' || chr(31) || ( 'treatment ' || iw_shown(v_treatment_ref) || ' is neither in treatments.csv nor stored') END,
        CASE WHEN v_treatment_ref IS NOT NULL AND NOT in_file AND db_matches > 1 THEN 'unknown_treatment' || chr(31) || ( 'treatment ' || iw_shown(v_treatment_ref) || ' is stored for ' || db_matches || ' clinics; send it with its treatments.csv row') END
    ) AS problems
    FROM par
), dup_hash AS (
    -- cheap first pass on a 64-bit hash of the key; the exact keys are compared below
    SELECT hash(v_ref) AS h FROM chk WHERE v_ref IS NOT NULL GROUP BY h HAVING count(*) > 1
), dup AS (
    SELECT v_ref, min(line) AS first_line,
           CASE WHEN min(hash(v_treatment_ref, v_term, v_onset_at, v_severity, v_serious, v_seriousness, v_outcome,
                 v_resolved_at, v_side, v_area, v_causality, v_action_taken, v_reported_by, v_reported_at,
                 v_narrative)) = max(hash(v_treatment_ref, v_term, v_onset_at, v_severity, v_serious, v_seriousness, v_outcome,
                 v_resolved_at, v_side, v_area, v_causality, v_action_taken, v_reported_by, v_reported_at,
                 v_narrative)) THEN 1 ELSE 2 END AS variants
    FROM chk WHERE v_ref IS NOT NULL AND hash(v_ref) IN (SELECT h FROM dup_hash) GROUP BY v_ref HAVING count(*) > 1
), stored AS (
    SELECT c.name AS clinic, ec.event_ref, ec.event_id, ec.treatment_id, ec.version, ec.term, ec.onset_at,
           ec.severity, ec.serious, ec.seriousness, ec.outcome, ec.resolved_at, ec.side, ec.area, ec.causality,
           ec.action_taken, ec.reported_by, ec.reported_at, ec.narrative
    FROM events_current ec JOIN clinics c ON c.clinic_id = ec.clinic_id
    WHERE ec.event_ref IN (SELECT v_ref FROM chk)
), cmp AS (
    SELECT chk.*, d.first_line AS dup_first, d.variants AS dup_variants,
        s.event_id AS db_event_id, s.version AS db_version, s.reported_at AS db_reported_at,
        s.event_id IS NOT NULL AND s.treatment_id IS DISTINCT FROM chk.db_treatment_id AS moved,
        CASE WHEN s.event_id IS NULL THEN '' ELSE concat_ws(', ',
            CASE WHEN s.term IS DISTINCT FROM v_term THEN 'term' END,
            CASE WHEN s.onset_at IS DISTINCT FROM v_onset_at THEN 'onset_at' END,
            CASE WHEN s.severity IS DISTINCT FROM v_severity THEN 'severity' END,
            CASE WHEN s.serious IS DISTINCT FROM v_serious THEN 'serious' END,
            CASE WHEN s.seriousness IS DISTINCT FROM v_seriousness THEN 'seriousness' END,
            CASE WHEN s.outcome IS DISTINCT FROM v_outcome THEN 'outcome' END,
            CASE WHEN s.resolved_at IS DISTINCT FROM v_resolved_at THEN 'resolved_at' END,
            CASE WHEN s.side IS DISTINCT FROM v_side THEN 'side' END,
            CASE WHEN s.area IS DISTINCT FROM v_area THEN 'area' END,
            CASE WHEN s.causality IS DISTINCT FROM v_causality THEN 'causality' END,
            CASE WHEN s.action_taken IS DISTINCT FROM v_action_taken THEN 'action_taken' END,
            CASE WHEN s.reported_by IS DISTINCT FROM v_reported_by THEN 'reported_by' END,
            CASE WHEN v_reported_at IS NOT NULL AND s.reported_at IS DISTINCT FROM v_reported_at THEN 'reported_at' END,
            CASE WHEN s.narrative IS DISTINCT FROM v_narrative THEN 'narrative' END
        ) END AS differs
    FROM chk
    LEFT JOIN dup d ON d.v_ref = chk.v_ref
    LEFT JOIN stored s ON s.clinic = chk.parent_clinic AND s.event_ref = chk.v_ref
), fin AS (
    SELECT cmp.* EXCLUDE (problems), concat_ws(chr(30), nullif(problems, ''),
        CASE WHEN dup_first IS NOT NULL AND dup_variants = 1 AND line > dup_first THEN 'duplicate_in_file' || chr(31) || ( 'event_id ' || iw_shown(v_ref) || ' repeats line ' || dup_first) END,
        CASE WHEN dup_first IS NOT NULL AND dup_variants > 1 THEN 'duplicate_in_file' || chr(31) || ( 'event_id ' || iw_shown(v_ref) || ' appears on several lines with different values (first on line ' || dup_first || ')') END,
        CASE WHEN moved THEN 'conflicts_with_existing' || chr(31) || ( 'event ' || iw_shown(v_ref)
            || ' is already stored for another treatment') END
    ) AS problems
    FROM cmp
)
SELECT fin.* EXCLUDE (in_file, parent_accepted, parent_line, db_matches, parent_treated_at, onset_date_only, problems, dup_first, dup_variants, moved, v_serious_given, v_outcome_given),
    CASE WHEN problems <> '' THEN array_to_string(list_sort(list_distinct(list_transform(string_split(problems, chr(30)), lambda x: split_part(x, chr(31), 1)))), ',') END AS q_reasons,
    CASE WHEN problems <> '' THEN array_to_string(list_transform(string_split(problems, chr(30)), lambda x: split_part(x, chr(31), 2)), '; ') END AS q_messages,
    CASE WHEN problems = '' AND db_event_id IS NULL THEN nextval('seq_event') END AS new_event_id,
    CASE WHEN problems <> '' THEN 'quarantine'
         WHEN db_event_id IS NULL THEN 'new'
         WHEN len(differs) = 0 THEN 'unchanged'
         ELSE 'followup' END AS status
-- ids are drawn in (clinic, event_id) order, so the store inserts every key of events in index order
FROM (SELECT * FROM fin ORDER BY parent_clinic, v_ref) fin
