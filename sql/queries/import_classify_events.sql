-- Import step: parse and check every staged events.csv row, find its treatment (in this file or stored) and
-- classify it as new, unchanged, followup (an event_id stored with other values: a new version) or quarantine.
-- Reads iw_raw_events and iw_cls_treatments; writes iw_cls_events.
CREATE TEMP TABLE iw_cls_events AS
WITH r AS (
    SELECT rowid + 2 + len(list_filter($shift, lambda t: t <= rowid)) AS line, *
    FROM iw_raw_events
), p AS (
    SELECT r.*,
        iw_text(event_id) AS v_ref,
        iw_text(treatment_id) AS v_treatment_ref,
        iw_code(term, $term_l, $term) AS v_term,
        iw_dt_parts(onset_at) AS p_onset_at,
        regexp_full_match(iw_text(onset_at), '[0-9]{4}-[0-9]{2}-[0-9]{2}') AS onset_date_only,
        iw_int(severity) AS v_severity,
        iw_bool(serious) AS v_serious_given,
        iw_code(seriousness, $seriousness_l, $seriousness) AS v_seriousness,
        iw_code(outcome, $outcome_l, $outcome) AS v_outcome_given,
        iw_dt_parts(resolved_at) AS p_resolved_at,
        iw_code(side, $side_l, $side) AS v_side,
        iw_code(area, $area_l, $area) AS v_area,
        iw_code(causality, $causality_l, $causality) AS v_causality,
        iw_text(action_taken) AS v_action_taken,
        iw_text(reported_by) AS v_reported_by,
        iw_dt_parts(reported_at) AS p_reported_at,
        iw_text(narrative) AS v_narrative
    FROM r
), v AS (
    SELECT p.* EXCLUDE (p_onset_at, p_resolved_at, p_reported_at),
        iw_dt_value(p_onset_at, $tz) AS v_onset_at,
        iw_dt_value(p_resolved_at, $tz) AS v_resolved_at,
        iw_dt_value(p_reported_at, $tz) AS v_reported_at,
        coalesce(v_serious_given, v_seriousness IS NOT NULL) AS v_serious,
        coalesce(v_outcome_given, 'unknown') AS v_outcome
    FROM p
), file_parent AS (
    SELECT v_ref AS pref, bool_or(status <> 'quarantine') AS accepted, min(line) AS first_line,
           max(CASE WHEN status <> 'quarantine' THEN v_clinic END) AS clinic,
           max(CASE WHEN status <> 'quarantine' THEN v_treated_at END) AS treated_at,
           max(CASE WHEN status <> 'quarantine' THEN db_treatment_id END) AS db_treatment_id
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
        CASE WHEN fp.pref IS NOT NULL THEN fp.db_treatment_id WHEN dp.n = 1 THEN dp.treatment_id END AS db_treatment_id
    FROM v
    LEFT JOIN file_parent fp ON fp.pref = v.v_treatment_ref
    LEFT JOIN db_parent dp ON dp.treatment_ref = v.v_treatment_ref
), chk AS (
    SELECT par.*, list_filter([
        CASE WHEN v_ref IS NULL THEN {'code': 'missing_required', 'msg': 'event_id is empty'} END,
        CASE WHEN v_treatment_ref IS NULL THEN {'code': 'missing_required', 'msg': 'treatment_id is empty'} END,
        CASE WHEN iw_text(term) IS NULL THEN {'code': 'missing_required', 'msg': 'term is empty'} END,
        CASE WHEN iw_text(onset_at) IS NULL THEN {'code': 'missing_required', 'msg': 'onset_at is empty'} END,
        CASE WHEN iw_text(severity) IS NULL THEN {'code': 'missing_required', 'msg': 'severity is empty'} END,
        CASE WHEN v_serious AND iw_text(seriousness) IS NULL THEN {'code': 'missing_required', 'msg':
            'seriousness is required when serious is true (death, life_threatening, hospitalisation, disability, congenital_anomaly or medically_important)'} END,
        CASE WHEN iw_text(onset_at) IS NOT NULL AND v_onset_at IS NULL THEN {'code': 'bad_type', 'msg':
            'onset_at ''' || iw_text(onset_at) || ''' is not a date-time (YYYY-MM-DD or YYYY-MM-DDTHH:MM[:SS], optionally ending in Z or ±HH:MM)'} END,
        CASE WHEN iw_text(resolved_at) IS NOT NULL AND v_resolved_at IS NULL THEN {'code': 'bad_type', 'msg':
            'resolved_at ''' || iw_text(resolved_at) || ''' is not a date-time (YYYY-MM-DD or YYYY-MM-DDTHH:MM[:SS], optionally ending in Z or ±HH:MM)'} END,
        CASE WHEN iw_text(reported_at) IS NOT NULL AND v_reported_at IS NULL THEN {'code': 'bad_type', 'msg':
            'reported_at ''' || iw_text(reported_at) || ''' is not a date-time (YYYY-MM-DD or YYYY-MM-DDTHH:MM[:SS], optionally ending in Z or ±HH:MM)'} END,
        CASE WHEN iw_text(severity) IS NOT NULL AND v_severity IS NULL THEN {'code': 'bad_type', 'msg':
            'severity ''' || iw_text(severity) || ''' is not a whole number (grade 1 to 5)'} END,
        CASE WHEN iw_text(serious) IS NOT NULL AND v_serious_given IS NULL THEN {'code': 'bad_type', 'msg':
            'serious ''' || iw_text(serious) || ''' is not a yes/no value'} END,
        CASE WHEN iw_text(term) IS NOT NULL AND v_term IS NULL THEN {'code': 'unknown_code', 'msg':
            'term ''' || iw_text(term) || ''' is not a known event term (see spec section 4.3)'} END,
        CASE WHEN iw_text(seriousness) IS NOT NULL AND v_seriousness IS NULL THEN {'code': 'unknown_code', 'msg':
            'seriousness ''' || iw_text(seriousness) || ''' is not one of ' || array_to_string($seriousness, ', ')} END,
        CASE WHEN iw_text(outcome) IS NOT NULL AND v_outcome_given IS NULL THEN {'code': 'unknown_code', 'msg':
            'outcome ''' || iw_text(outcome) || ''' is not one of ' || array_to_string($outcome, ', ')} END,
        CASE WHEN iw_text(side) IS NOT NULL AND v_side IS NULL THEN {'code': 'unknown_code', 'msg':
            'side ''' || iw_text(side) || ''' is not one of ' || array_to_string($side, ', ')} END,
        CASE WHEN iw_text(area) IS NOT NULL AND v_area IS NULL THEN {'code': 'unknown_code', 'msg':
            'area ''' || iw_text(area) || ''' is not a known area code (' || array_to_string($area, ', ') || ')'} END,
        CASE WHEN iw_text(causality) IS NOT NULL AND v_causality IS NULL THEN {'code': 'unknown_code', 'msg':
            'causality ''' || iw_text(causality) || ''' is not one of ' || array_to_string($causality, ', ')} END,
        CASE WHEN v_serious_given = FALSE AND v_seriousness IS NOT NULL THEN {'code': 'inconsistent', 'msg':
            'seriousness ' || v_seriousness || ' is given but serious is false'} END,
        CASE WHEN length(v_ref) > 200 THEN {'code': 'out_of_range', 'msg': 'event_id is longer than 200 characters'} END,
        CASE WHEN length(v_treatment_ref) > 200 THEN {'code': 'out_of_range', 'msg': 'treatment_id is longer than 200 characters'} END,
        CASE WHEN length(v_action_taken) > 500 THEN {'code': 'out_of_range', 'msg': 'action_taken is longer than 500 characters'} END,
        CASE WHEN length(v_reported_by) > 200 THEN {'code': 'out_of_range', 'msg': 'reported_by is longer than 200 characters'} END,
        CASE WHEN length(v_narrative) > 4000 THEN {'code': 'out_of_range', 'msg': 'narrative is longer than 4,000 characters'} END,
        CASE WHEN v_severity NOT BETWEEN 1 AND 5 THEN {'code': 'out_of_range', 'msg':
            'severity ' || v_severity || ' is not a grade from 1 to 5'} END,
        CASE WHEN v_resolved_at < v_onset_at THEN {'code': 'out_of_range', 'msg':
            'resolved_at ' || iw_text(resolved_at) || ' is before onset_at ' || iw_text(onset_at)} END,
        CASE WHEN v_onset_at > parent_treated_at + INTERVAL 365 DAY THEN {'code': 'out_of_range', 'msg':
            'onset_at ' || iw_text(onset_at) || ' is more than 365 days after the treatment (' || strftime(parent_treated_at, '%Y-%m-%d %H:%M') || ')'} END,
        CASE WHEN v_onset_at > CAST($now AS TIMESTAMP) THEN {'code': 'future_date', 'msg': 'onset_at ' || iw_text(onset_at) || ' is in the future'} END,
        CASE WHEN v_resolved_at > CAST($now AS TIMESTAMP) THEN {'code': 'future_date', 'msg': 'resolved_at ' || iw_text(resolved_at) || ' is in the future'} END,
        CASE WHEN v_reported_at > CAST($now AS TIMESTAMP) THEN {'code': 'future_date', 'msg': 'reported_at ' || iw_text(reported_at) || ' is in the future'} END,
        CASE WHEN (onset_date_only AND CAST(v_onset_at AS DATE) < CAST(parent_treated_at AS DATE))
               OR (NOT onset_date_only AND v_onset_at < parent_treated_at) THEN {'code': 'onset_before_treatment', 'msg':
            'onset_at ' || iw_text(onset_at) || ' is before the treatment (' || strftime(parent_treated_at, '%Y-%m-%d %H:%M') || ')'} END,
        CASE WHEN v_treatment_ref IS NOT NULL AND in_file AND NOT parent_accepted THEN {'code': 'unknown_treatment',
            'msg': 'treatment ' || v_treatment_ref || ' was quarantined (treatments.csv line ' || parent_line || ')'} END,
        CASE WHEN v_treatment_ref IS NOT NULL AND NOT in_file AND db_matches IS NULL THEN {'code': 'unknown_treatment',
            'msg': 'treatment ' || v_treatment_ref || ' is neither in treatments.csv nor stored'} END,
        CASE WHEN v_treatment_ref IS NOT NULL AND NOT in_file AND db_matches > 1 THEN {'code': 'unknown_treatment',
            'msg': 'treatment ' || v_treatment_ref || ' is stored for ' || db_matches || ' clinics; send it with its treatments.csv row'} END
    ], lambda x: x IS NOT NULL) AS problems
    FROM par
), dup AS (
    SELECT v_ref, min(line) AS first_line,
           count(DISTINCT hash(v_treatment_ref, v_term, v_onset_at, v_severity, v_serious, v_seriousness, v_outcome,
                 v_resolved_at, v_side, v_area, v_causality, v_action_taken, v_reported_by, v_reported_at,
                 v_narrative)) AS variants
    FROM chk WHERE v_ref IS NOT NULL GROUP BY v_ref HAVING count(*) > 1
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
        CASE WHEN s.event_id IS NULL THEN [] ELSE list_filter([
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
        ], lambda x: x IS NOT NULL) END AS differs
    FROM chk
    LEFT JOIN dup d ON d.v_ref = chk.v_ref
    LEFT JOIN stored s ON s.clinic = chk.parent_clinic AND s.event_ref = chk.v_ref
), fin AS (
    SELECT cmp.* EXCLUDE (problems), list_concat(problems, list_filter([
        CASE WHEN dup_first IS NOT NULL AND dup_variants = 1 AND line > dup_first THEN {'code': 'duplicate_in_file',
            'msg': 'event_id ' || v_ref || ' repeats line ' || dup_first} END,
        CASE WHEN dup_first IS NOT NULL AND dup_variants > 1 THEN {'code': 'duplicate_in_file',
            'msg': 'event_id ' || v_ref || ' appears on several lines with different values (first on line ' || dup_first || ')'} END,
        CASE WHEN moved THEN {'code': 'conflicts_with_existing', 'msg': 'event ' || v_ref
            || ' is already stored for another treatment'} END
    ], lambda x: x IS NOT NULL)) AS problems
    FROM cmp
)
SELECT fin.*,
    CASE WHEN len(problems) > 0 THEN CAST(to_json({'event_id': event_id, 'treatment_id': treatment_id, 'term': term, 'onset_at': onset_at, 'severity': severity, 'serious': serious, 'seriousness': seriousness, 'outcome': outcome, 'resolved_at': resolved_at, 'side': side, 'area': area, 'causality': causality, 'action_taken': action_taken, 'reported_by': reported_by, 'reported_at': reported_at, 'narrative': narrative}) AS VARCHAR) END AS q_raw,
    CASE WHEN len(problems) > 0 THEN array_to_string(list_sort(list_distinct(list_transform(problems, lambda x: x.code))), ',') END AS q_reasons,
    CASE WHEN len(problems) > 0 THEN array_to_string(list_transform(problems, lambda x: x.msg), '; ') END AS q_messages,
    CASE WHEN len(problems) > 0 THEN 'quarantine'
         WHEN db_event_id IS NULL THEN 'new'
         WHEN len(differs) = 0 THEN 'unchanged'
         ELSE 'followup' END AS status
FROM fin
