-- Import step: parse and check every staged injections.csv row, find its treatment (in this file or stored) and
-- classify it as new, unchanged or quarantine. A re-sent row is matched to a stored one by
-- (treatment, area, side, point); a treatment that already has stored rows accepts no new ones.
-- Reads iw_raw_injections and iw_cls_treatments; writes iw_cls_injections.
CREATE TEMP TABLE iw_cls_injections AS
WITH r AS (
    -- rows are numbered in file order (inside a transaction rowids start at an offset, hence the min)
    SELECT rowid AS rid, rowid - (SELECT min(rowid) FROM iw_raw_injections) AS n,
        iw_text(treatment_id) AS t_treatment_id,
        iw_text(area) AS t_area,
        iw_text(side) AS t_side,
        iw_text(point) AS t_point,
        iw_text(units) AS t_units,
        iw_text(points) AS t_points,
        iw_text(volume_ml) AS t_volume_ml,
        iw_text(depth) AS t_depth
    FROM iw_raw_injections
), v AS (
    SELECT r.* EXCLUDE (n),
        coalesce(l.line, r.n + 2) AS line,
        t_treatment_id AS v_ref,
        iw_code(t_area, $area_l, $area) AS v_area,
        coalesce(iw_code(t_side, $side_l, $side), CASE WHEN t_side IS NULL THEN 'B' END) AS v_side,
        t_point AS v_point,
        iw_decimal(iw_decimal_comma(t_units, $decimal_comma)) AS v_units,
        iw_int(t_points) AS v_points,
        iw_decimal(iw_decimal_comma(t_volume_ml, $decimal_comma)) AS v_volume_ml,
        iw_code(t_depth, $depth_l, $depth) AS v_depth
    FROM r LEFT JOIN iw_lines_injections l ON l.n = r.n  -- lines that are not n + 2 (staging.py)
), file_parent AS (
    SELECT v_ref AS pref, bool_or(status <> 'quarantine') AS accepted, min(line) AS first_line,
           max(CASE WHEN status <> 'quarantine' THEN v_clinic END) AS clinic,
           max(CASE WHEN status <> 'quarantine' THEN db_treatment_id END) AS db_treatment_id,
           max(new_id) AS new_id
    FROM iw_cls_treatments WHERE v_ref IS NOT NULL GROUP BY v_ref
), db_parent AS (
    SELECT t.treatment_ref, count(*) AS n, any_value(c.name) AS clinic, any_value(t.treatment_id) AS treatment_id
    FROM treatments t JOIN clinics c ON c.clinic_id = t.clinic_id
    WHERE t.treatment_ref IN (SELECT v_ref FROM v) AND t.treatment_ref NOT IN (SELECT pref FROM file_parent)
    GROUP BY t.treatment_ref
), chk AS MATERIALIZED (
    SELECT COLUMNS(lambda c: starts_with(c, 'v_') OR c IN ('line', 'rid')), fp.accepted AS parent_accepted, fp.first_line AS parent_line, dp.n AS db_matches,
        CASE WHEN fp.pref IS NOT NULL THEN fp.clinic WHEN dp.n = 1 THEN dp.clinic END AS parent_clinic,
        CASE WHEN fp.pref IS NOT NULL THEN fp.db_treatment_id WHEN dp.n = 1 THEN dp.treatment_id END AS db_treatment_id,
        fp.new_id AS parent_new_id,
        concat_ws(chr(30),
        -- a NUL character in any cell (spec 7.4); $nul is false unless the file holds a NUL byte at all
        CASE WHEN $nul THEN iw_nul(['treatment_id', 'area', 'side', 'point', 'units', 'points', 'volume_ml', 'depth'],
            [t_treatment_id, t_area, t_side, t_point, t_units, t_points, t_volume_ml, t_depth]) END,
        CASE WHEN v_ref IS NULL THEN 'missing_required' || chr(31) || ( 'treatment_id is empty') END,
        CASE WHEN t_area IS NULL THEN 'missing_required' || chr(31) || ( 'area is empty') END,
        CASE WHEN t_units IS NULL THEN 'missing_required' || chr(31) || ( 'units is empty') END,
        CASE WHEN t_units IS NOT NULL AND v_units IS NULL THEN CASE WHEN length(t_units) > 200 THEN iw_too_long('units', t_units, 200) ELSE 'bad_type' || chr(31) || (
            'units ''' || iw_shown(t_units) || ''' is not a number (use digits with ''.'' as decimal separator)') END END,
        CASE WHEN t_points IS NOT NULL AND v_points IS NULL THEN CASE WHEN length(t_points) > 200 THEN iw_too_long('points', t_points, 200) ELSE 'bad_type' || chr(31) || (
            'points ''' || iw_shown(t_points) || ''' is not a whole number') END END,
        CASE WHEN t_volume_ml IS NOT NULL AND v_volume_ml IS NULL THEN CASE WHEN length(t_volume_ml) > 200 THEN iw_too_long('volume_ml', t_volume_ml, 200) ELSE 'bad_type' || chr(31) || (
            'volume_ml ''' || iw_shown(t_volume_ml) || ''' is not a number (use digits with ''.'' as decimal separator)') END END,
        CASE WHEN t_area IS NOT NULL AND v_area IS NULL THEN CASE WHEN length(t_area) > 200 THEN iw_too_long('area', t_area, 200) ELSE 'unknown_code' || chr(31) || (
            'area ''' || iw_shown(t_area) || ''' is not a known area code (' || array_to_string($area, ', ') || ')') END END,
        CASE WHEN t_side IS NOT NULL AND v_side IS NULL THEN CASE WHEN length(t_side) > 200 THEN iw_too_long('side', t_side, 200) ELSE 'unknown_code' || chr(31) || (
            'side ''' || iw_shown(t_side) || ''' is not one of ' || array_to_string($side, ', ')) END END,
        CASE WHEN t_depth IS NOT NULL AND v_depth IS NULL THEN CASE WHEN length(t_depth) > 200 THEN iw_too_long('depth', t_depth, 200) ELSE 'unknown_code' || chr(31) || (
            'depth ''' || iw_shown(t_depth) || ''' is not one of ' || array_to_string($depth, ', ')) END END,
        CASE WHEN length(v_ref) > 200 THEN iw_too_long('treatment_id', v_ref, 200) END,
        CASE WHEN length(v_point) > 200 THEN iw_too_long('point', v_point, 200) END,
        CASE WHEN v_units <= 0 OR v_units > 1000 THEN 'out_of_range' || chr(31) || (
            'units ' || t_units || ' is impossible in one row (must be more than 0 and at most 1000)') END,
        CASE WHEN v_points NOT BETWEEN 1 AND 200 THEN 'out_of_range' || chr(31) || (
            'points ' || v_points || ' is outside 1..200') END,
        CASE WHEN v_volume_ml <= 0 OR v_volume_ml > 50 THEN 'out_of_range' || chr(31) || (
            'volume_ml ' || t_volume_ml || ' must be more than 0 and at most 50 mL') END,
        CASE WHEN v_ref IS NOT NULL AND fp.pref IS NOT NULL AND NOT fp.accepted THEN 'unknown_treatment' || chr(31) || ( 'treatment ' || iw_shown(v_ref) || ' was quarantined (treatments.csv line ' || fp.first_line || ')') END,
        CASE WHEN v_ref IS NOT NULL AND fp.pref IS NULL AND dp.n IS NULL THEN 'unknown_treatment' || chr(31) || ( 'treatment ' || iw_shown(v_ref) || ' is neither in treatments.csv nor stored') END,
        CASE WHEN v_ref IS NOT NULL AND fp.pref IS NULL AND dp.n > 1 THEN 'unknown_treatment' || chr(31) || ( 'treatment ' || iw_shown(v_ref) || ' is stored for ' || dp.n || ' clinics; send it with its treatments.csv row') END
    ) AS problems
    FROM v
    LEFT JOIN file_parent fp ON fp.pref = v.v_ref
    LEFT JOIN db_parent dp ON dp.treatment_ref = v.v_ref
), dup_hash AS (
    -- cheap first pass on a 64-bit hash of the key; the exact keys are compared below
    SELECT hash(v_ref, v_area, v_side, v_point) AS h FROM chk WHERE v_ref IS NOT NULL AND v_area IS NOT NULL AND v_side IS NOT NULL GROUP BY h HAVING count(*) > 1
), dup AS (
    SELECT v_ref, v_area, v_side, v_point, min(line) AS first_line,
           CASE WHEN min(hash(v_units, v_points, v_volume_ml, v_depth)) = max(hash(v_units, v_points, v_volume_ml, v_depth)) THEN 1 ELSE 2 END AS variants
    FROM chk WHERE v_ref IS NOT NULL AND v_area IS NOT NULL AND v_side IS NOT NULL AND hash(v_ref, v_area, v_side, v_point) IN (SELECT h FROM dup_hash)
    GROUP BY v_ref, v_area, v_side, v_point HAVING count(*) > 1
), stored AS (
    SELECT i.treatment_id, i.area, i.side, i.point, i.units, i.points, i.volume_ml, i.depth
    FROM injections i WHERE i.treatment_id IN (SELECT db_treatment_id FROM chk)
), stored_any AS (
    SELECT DISTINCT treatment_id FROM stored
), cmp AS (
    SELECT chk.*, d.first_line AS dup_first, d.variants AS dup_variants,
        s.treatment_id IS NOT NULL AS key_stored,
        sa.treatment_id IS NOT NULL AS parent_has_rows,
        concat_ws(', ',
            CASE WHEN s.units IS DISTINCT FROM TRY_CAST(v_units AS DECIMAL(8, 2)) THEN 'units' END,
            CASE WHEN s.points IS DISTINCT FROM v_points THEN 'points' END,
            CASE WHEN s.volume_ml IS DISTINCT FROM TRY_CAST(v_volume_ml AS DECIMAL(7, 3)) THEN 'volume_ml' END,
            CASE WHEN s.depth IS DISTINCT FROM v_depth THEN 'depth' END
        ) AS differs
    FROM chk
    LEFT JOIN dup d ON d.v_ref = chk.v_ref AND d.v_area = chk.v_area AND d.v_side = chk.v_side
                   AND d.v_point IS NOT DISTINCT FROM chk.v_point
    LEFT JOIN stored s ON s.treatment_id = chk.db_treatment_id AND s.area = chk.v_area AND s.side = chk.v_side
                      AND s.point IS NOT DISTINCT FROM chk.v_point
    LEFT JOIN stored_any sa ON sa.treatment_id = chk.db_treatment_id
), fin AS (
    SELECT cmp.* EXCLUDE (problems), concat_ws(chr(30), nullif(problems, ''),
        CASE WHEN dup_first IS NOT NULL AND dup_variants = 1 AND line > dup_first THEN 'duplicate_in_file' || chr(31) || ( 'the same row for treatment ' || iw_shown(v_ref) || ', ' || v_area || ', side ' || v_side
                   || coalesce(', point ' || v_point, '') || ' is on line ' || dup_first) END,
        CASE WHEN dup_first IS NOT NULL AND dup_variants > 1 THEN 'duplicate_in_file' || chr(31) || ( 'treatment ' || iw_shown(v_ref) || ', ' || v_area || ', side ' || v_side || coalesce(', point ' || v_point, '')
                   || ' appears on several lines with different values (first on line ' || dup_first || ')') END,
        CASE WHEN key_stored AND len(differs) > 0 THEN 'conflicts_with_existing' || chr(31) || ( 'treatment '
            || iw_shown(v_ref) || ', ' || v_area || ', side ' || v_side || ' is already stored with a different '
            || differs) END,
        CASE WHEN NOT key_stored AND parent_has_rows THEN 'conflicts_with_existing' || chr(31) || ( 'treatment '
            || iw_shown(v_ref) || ' is already stored with other injection rows (no ' || v_area || ', side ' || v_side
            || coalesce(', point ' || v_point, '') || ')') END
    ) AS problems
    FROM cmp
)
SELECT fin.* EXCLUDE (parent_accepted, parent_line, db_matches, problems, dup_first, dup_variants, key_stored, parent_has_rows, differs),
    CASE WHEN problems <> '' THEN array_to_string(list_sort(list_distinct(list_transform(string_split(problems, chr(30)), lambda x: split_part(x, chr(31), 1)))), ',') END AS q_reasons,
    CASE WHEN problems <> '' THEN array_to_string(list_transform(string_split(problems, chr(30)), lambda x: split_part(x, chr(31), 2)), '; ') END AS q_messages,
    CASE WHEN problems <> '' THEN 'quarantine'
         WHEN key_stored THEN 'unchanged'
         ELSE 'new' END AS status
FROM fin
