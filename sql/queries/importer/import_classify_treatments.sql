-- Import step: parse and check every staged treatments.csv row, then classify it as new, unchanged or quarantine.
-- Reads iw_raw_treatments (all text) and iw_lines_treatments (the line of each row not on line n + 2: after a
-- rejected, empty or multi-line record); writes iw_cls_treatments. Parameters: $tz, $now, $sex/$sex_l and
-- $product/$product_l (canonical/lower-case codes).
CREATE TEMP TABLE iw_cls_treatments AS
WITH r AS (
    -- rows are numbered in file order (inside a transaction rowids start at an offset, hence the min)
    SELECT rowid AS rid, rowid - (SELECT min(rowid) FROM iw_raw_treatments) AS n,
        iw_text(treatment_id) AS t_treatment_id,
        iw_text(clinic) AS t_clinic,
        iw_text(treated_at) AS t_treated_at,
        iw_text(patient_ref) AS t_patient_ref,
        iw_text(patient_birth_year) AS t_patient_birth_year,
        iw_text(patient_sex) AS t_patient_sex,
        iw_text(injector) AS t_injector,
        iw_text(product) AS t_product,
        iw_text(lot) AS t_lot,
        iw_text(vial_units) AS t_vial_units,
        iw_text(diluent_ml) AS t_diluent_ml,
        iw_text(reconstituted_at) AS t_reconstituted_at,
        iw_text(alcohol_48h) AS t_alcohol_48h,
        iw_text(anticoagulant) AS t_anticoagulant,
        iw_text(interacting_medication) AS t_interacting_medication,
        iw_text(prior_toxin_90d) AS t_prior_toxin_90d,
        iw_text(allergy_history) AS t_allergy_history,
        iw_text(allergy_test_done) AS t_allergy_test_done,
        iw_text(neuromuscular_disorder) AS t_neuromuscular_disorder,
        iw_text(pregnant_or_breastfeeding) AS t_pregnant_or_breastfeeding,
        iw_text(skin_infection_at_site) AS t_skin_infection_at_site,
        iw_text(aftercare_lay_down_4h) AS t_aftercare_lay_down_4h,
        iw_text(aftercare_heat_or_exercise) AS t_aftercare_heat_or_exercise,
        -- as YYYY-MM-DD...: the same text unless a date format (DD/MM/YYYY, MM/DD/YYYY) was chosen
        iw_slash_date(iw_text(treated_at), $date_format) AS t_iso_treated_at,
        iw_slash_date(iw_text(reconstituted_at), $date_format) AS t_iso_reconstituted_at
    FROM iw_raw_treatments
), p AS (
    SELECT r.* EXCLUDE (n),
        coalesce(l.line, r.n + 2) AS line,
        t_treatment_id AS v_ref,
        t_clinic AS v_clinic,
        iw_datetime(t_iso_treated_at, $tz) AS v_treated_at,
        t_patient_ref AS v_patient_ref,
        iw_int(t_patient_birth_year) AS v_birth_year,
        iw_code(t_patient_sex, $sex_l, $sex) AS v_sex,
        t_injector AS v_injector,
        iw_code(t_product, $product_l, $product) AS v_product,
        t_lot AS v_lot,
        iw_int(t_vial_units) AS v_vial_units,
        iw_decimal(iw_decimal_comma(t_diluent_ml, $decimal_comma)) AS v_diluent_ml,
        iw_datetime(t_iso_reconstituted_at, $tz) AS v_reconstituted_at,
        iw_bool(t_alcohol_48h) AS v_alcohol_48h,
        iw_bool(t_anticoagulant) AS v_anticoagulant,
        iw_bool(t_interacting_medication) AS v_interacting_medication,
        iw_bool(t_prior_toxin_90d) AS v_prior_toxin_90d,
        iw_bool(t_allergy_history) AS v_allergy_history,
        iw_bool(t_allergy_test_done) AS v_allergy_test_done,
        iw_bool(t_neuromuscular_disorder) AS v_neuromuscular_disorder,
        iw_bool(t_pregnant_or_breastfeeding) AS v_pregnant_or_breastfeeding,
        iw_bool(t_skin_infection_at_site) AS v_skin_infection_at_site,
        iw_bool(t_aftercare_lay_down_4h) AS v_aftercare_lay_down_4h,
        iw_bool(t_aftercare_heat_or_exercise) AS v_aftercare_heat_or_exercise
    FROM r LEFT JOIN iw_lines_treatments l ON l.n = r.n  -- lines that are not n + 2 (staging.py)
), v AS (
    SELECT p.*
    FROM p
), chk AS MATERIALIZED (
    SELECT COLUMNS(lambda c: NOT starts_with(c, 't_')), concat_ws(chr(30),
        -- a NUL character in any cell (spec 7.4); $nul is false unless the file holds a NUL byte at all
        CASE WHEN $nul THEN iw_nul(['treatment_id', 'clinic', 'treated_at', 'patient_ref', 'patient_birth_year', 'patient_sex', 'injector', 'product', 'lot', 'vial_units', 'diluent_ml', 'reconstituted_at', 'alcohol_48h', 'anticoagulant', 'interacting_medication', 'prior_toxin_90d', 'allergy_history', 'allergy_test_done', 'neuromuscular_disorder', 'pregnant_or_breastfeeding', 'skin_infection_at_site', 'aftercare_lay_down_4h', 'aftercare_heat_or_exercise'],
            [t_treatment_id, t_clinic, t_treated_at, t_patient_ref, t_patient_birth_year, t_patient_sex, t_injector, t_product, t_lot, t_vial_units, t_diluent_ml, t_reconstituted_at, t_alcohol_48h, t_anticoagulant, t_interacting_medication, t_prior_toxin_90d, t_allergy_history, t_allergy_test_done, t_neuromuscular_disorder, t_pregnant_or_breastfeeding, t_skin_infection_at_site, t_aftercare_lay_down_4h, t_aftercare_heat_or_exercise]) END,
        CASE WHEN v_ref IS NULL THEN 'missing_required' || chr(31) || ( 'treatment_id is empty') END,
        CASE WHEN v_clinic IS NULL THEN 'missing_required' || chr(31) || ( 'clinic is empty') END,
        CASE WHEN t_treated_at IS NULL THEN 'missing_required' || chr(31) || ( 'treated_at is empty') END,
        CASE WHEN v_patient_ref IS NULL THEN 'missing_required' || chr(31) || ( 'patient_ref is empty') END,
        CASE WHEN v_injector IS NULL THEN 'missing_required' || chr(31) || ( 'injector is empty') END,
        CASE WHEN t_product IS NULL THEN 'missing_required' || chr(31) || ( 'product is empty') END,
        CASE WHEN t_treated_at IS NOT NULL AND v_treated_at IS NULL THEN CASE WHEN length(t_treated_at) > 200 THEN iw_too_long('treated_at', t_treated_at, 200) ELSE 'bad_type' || chr(31) || (
            'treated_at ''' || iw_shown(t_treated_at) || ''' is not a date-time (YYYY-MM-DD or YYYY-MM-DDTHH:MM[:SS], optionally ending in Z or ±HH:MM)' || iw_date_hint(t_treated_at, $date_format)) END END,
        CASE WHEN t_reconstituted_at IS NOT NULL AND v_reconstituted_at IS NULL THEN CASE WHEN length(t_reconstituted_at) > 200 THEN iw_too_long('reconstituted_at', t_reconstituted_at, 200) ELSE 'bad_type' || chr(31) || (
            'reconstituted_at ''' || iw_shown(t_reconstituted_at) || ''' is not a date-time (YYYY-MM-DD or YYYY-MM-DDTHH:MM[:SS], optionally ending in Z or ±HH:MM)' || iw_date_hint(t_reconstituted_at, $date_format)) END END,
        CASE WHEN t_patient_birth_year IS NOT NULL AND v_birth_year IS NULL THEN CASE WHEN length(t_patient_birth_year) > 200 THEN iw_too_long('patient_birth_year', t_patient_birth_year, 200) ELSE 'bad_type' || chr(31) || (
            'patient_birth_year ''' || iw_shown(t_patient_birth_year) || ''' is not a whole number') END END,
        CASE WHEN t_vial_units IS NOT NULL AND v_vial_units IS NULL THEN CASE WHEN length(t_vial_units) > 200 THEN iw_too_long('vial_units', t_vial_units, 200) ELSE 'bad_type' || chr(31) || (
            'vial_units ''' || iw_shown(t_vial_units) || ''' is not a whole number') END END,
        CASE WHEN t_diluent_ml IS NOT NULL AND v_diluent_ml IS NULL THEN CASE WHEN length(t_diluent_ml) > 200 THEN iw_too_long('diluent_ml', t_diluent_ml, 200) ELSE 'bad_type' || chr(31) || (
            'diluent_ml ''' || iw_shown(t_diluent_ml) || ''' is not a number (use digits with ''.'' as decimal separator)') END END,
        CASE WHEN t_alcohol_48h IS NOT NULL AND v_alcohol_48h IS NULL THEN CASE WHEN length(t_alcohol_48h) > 200 THEN iw_too_long('alcohol_48h', t_alcohol_48h, 200) ELSE 'bad_type' || chr(31) || ( 'alcohol_48h ''' || iw_shown(t_alcohol_48h) || ''' is not a yes/no value') END END,
        CASE WHEN t_anticoagulant IS NOT NULL AND v_anticoagulant IS NULL THEN CASE WHEN length(t_anticoagulant) > 200 THEN iw_too_long('anticoagulant', t_anticoagulant, 200) ELSE 'bad_type' || chr(31) || ( 'anticoagulant ''' || iw_shown(t_anticoagulant) || ''' is not a yes/no value') END END,
        CASE WHEN t_interacting_medication IS NOT NULL AND v_interacting_medication IS NULL THEN CASE WHEN length(t_interacting_medication) > 200 THEN iw_too_long('interacting_medication', t_interacting_medication, 200) ELSE 'bad_type' || chr(31) || ( 'interacting_medication ''' || iw_shown(t_interacting_medication) || ''' is not a yes/no value') END END,
        CASE WHEN t_prior_toxin_90d IS NOT NULL AND v_prior_toxin_90d IS NULL THEN CASE WHEN length(t_prior_toxin_90d) > 200 THEN iw_too_long('prior_toxin_90d', t_prior_toxin_90d, 200) ELSE 'bad_type' || chr(31) || ( 'prior_toxin_90d ''' || iw_shown(t_prior_toxin_90d) || ''' is not a yes/no value') END END,
        CASE WHEN t_allergy_history IS NOT NULL AND v_allergy_history IS NULL THEN CASE WHEN length(t_allergy_history) > 200 THEN iw_too_long('allergy_history', t_allergy_history, 200) ELSE 'bad_type' || chr(31) || ( 'allergy_history ''' || iw_shown(t_allergy_history) || ''' is not a yes/no value') END END,
        CASE WHEN t_allergy_test_done IS NOT NULL AND v_allergy_test_done IS NULL THEN CASE WHEN length(t_allergy_test_done) > 200 THEN iw_too_long('allergy_test_done', t_allergy_test_done, 200) ELSE 'bad_type' || chr(31) || ( 'allergy_test_done ''' || iw_shown(t_allergy_test_done) || ''' is not a yes/no value') END END,
        CASE WHEN t_neuromuscular_disorder IS NOT NULL AND v_neuromuscular_disorder IS NULL THEN CASE WHEN length(t_neuromuscular_disorder) > 200 THEN iw_too_long('neuromuscular_disorder', t_neuromuscular_disorder, 200) ELSE 'bad_type' || chr(31) || ( 'neuromuscular_disorder ''' || iw_shown(t_neuromuscular_disorder) || ''' is not a yes/no value') END END,
        CASE WHEN t_pregnant_or_breastfeeding IS NOT NULL AND v_pregnant_or_breastfeeding IS NULL THEN CASE WHEN length(t_pregnant_or_breastfeeding) > 200 THEN iw_too_long('pregnant_or_breastfeeding', t_pregnant_or_breastfeeding, 200) ELSE 'bad_type' || chr(31) || ( 'pregnant_or_breastfeeding ''' || iw_shown(t_pregnant_or_breastfeeding) || ''' is not a yes/no value') END END,
        CASE WHEN t_skin_infection_at_site IS NOT NULL AND v_skin_infection_at_site IS NULL THEN CASE WHEN length(t_skin_infection_at_site) > 200 THEN iw_too_long('skin_infection_at_site', t_skin_infection_at_site, 200) ELSE 'bad_type' || chr(31) || ( 'skin_infection_at_site ''' || iw_shown(t_skin_infection_at_site) || ''' is not a yes/no value') END END,
        CASE WHEN t_aftercare_lay_down_4h IS NOT NULL AND v_aftercare_lay_down_4h IS NULL THEN CASE WHEN length(t_aftercare_lay_down_4h) > 200 THEN iw_too_long('aftercare_lay_down_4h', t_aftercare_lay_down_4h, 200) ELSE 'bad_type' || chr(31) || ( 'aftercare_lay_down_4h ''' || iw_shown(t_aftercare_lay_down_4h) || ''' is not a yes/no value') END END,
        CASE WHEN t_aftercare_heat_or_exercise IS NOT NULL AND v_aftercare_heat_or_exercise IS NULL THEN CASE WHEN length(t_aftercare_heat_or_exercise) > 200 THEN iw_too_long('aftercare_heat_or_exercise', t_aftercare_heat_or_exercise, 200) ELSE 'bad_type' || chr(31) || ( 'aftercare_heat_or_exercise ''' || iw_shown(t_aftercare_heat_or_exercise) || ''' is not a yes/no value') END END,
        CASE WHEN t_product IS NOT NULL AND v_product IS NULL THEN CASE WHEN length(t_product) > 200 THEN iw_too_long('product', t_product, 200) ELSE 'unknown_code' || chr(31) || (
            'product ''' || iw_shown(t_product) || ''' is not a known product code (' || array_to_string($product, ', ') || ')') END END,
        CASE WHEN t_patient_sex IS NOT NULL AND v_sex IS NULL THEN CASE WHEN length(t_patient_sex) > 200 THEN iw_too_long('patient_sex', t_patient_sex, 200) ELSE 'unknown_code' || chr(31) || (
            'patient_sex ''' || iw_shown(t_patient_sex) || ''' is not one of ' || array_to_string($sex, ', ')) END END,
        CASE WHEN length(v_ref) > 200 THEN iw_too_long('treatment_id', v_ref, 200) END,
        CASE WHEN length(v_clinic) > 200 THEN iw_too_long('clinic', v_clinic, 200) END,
        CASE WHEN length(v_patient_ref) > 200 THEN iw_too_long('patient_ref', v_patient_ref, 200) END,
        CASE WHEN length(v_injector) > 200 THEN iw_too_long('injector', v_injector, 200) END,
        CASE WHEN length(v_lot) > 200 THEN iw_too_long('lot', v_lot, 200) END,
        CASE WHEN v_birth_year NOT BETWEEN 1900 AND year(CAST($now AS TIMESTAMP)) THEN 'out_of_range' || chr(31) || (
            'patient_birth_year ' || v_birth_year || ' is outside 1900..' || year(CAST($now AS TIMESTAMP))) END,
        CASE WHEN v_vial_units NOT BETWEEN 1 AND 1000 THEN 'out_of_range' || chr(31) || (
            'vial_units ' || v_vial_units || ' is outside 1..1000') END,
        CASE WHEN v_diluent_ml <= 0 OR v_diluent_ml > 20 THEN 'out_of_range' || chr(31) || (
            'diluent_ml ' || t_diluent_ml || ' must be more than 0 and at most 20 mL') END,
        CASE WHEN v_treated_at < TIMESTAMP '1900-01-01' THEN 'out_of_range' || chr(31) || (
            'treated_at ' || t_treated_at || ' is before 1900') END,
        CASE WHEN v_reconstituted_at < TIMESTAMP '1900-01-01' THEN 'out_of_range' || chr(31) || (
            'reconstituted_at ' || t_reconstituted_at || ' is before 1900') END,
        CASE WHEN v_treated_at > CAST($now AS TIMESTAMP) THEN 'future_date' || chr(31) || (
            'treated_at ' || t_treated_at || ' is in the future') END,
        CASE WHEN v_reconstituted_at > CAST($now AS TIMESTAMP) THEN 'future_date' || chr(31) || (
            'reconstituted_at ' || t_reconstituted_at || ' is in the future') END
    ) AS problems
    FROM v
), dup_hash AS (
    -- cheap first pass on a 64-bit hash of the key; the exact keys are compared below
    SELECT hash(v_ref) AS h FROM chk WHERE v_ref IS NOT NULL GROUP BY h HAVING count(*) > 1
), dup AS (
    -- every treatment_id that occurs on more than one line of the file
    SELECT v_ref, min(line) AS first_line, count(*) AS n,
           CASE WHEN min(hash(v_clinic, v_treated_at, v_patient_ref, v_birth_year, v_sex, v_injector, v_product,
                 v_lot, v_vial_units, v_diluent_ml, v_reconstituted_at, v_alcohol_48h, v_anticoagulant,
                 v_interacting_medication, v_prior_toxin_90d, v_allergy_history, v_allergy_test_done,
                 v_neuromuscular_disorder, v_pregnant_or_breastfeeding, v_skin_infection_at_site,
                 v_aftercare_lay_down_4h, v_aftercare_heat_or_exercise)) = max(hash(v_clinic, v_treated_at, v_patient_ref, v_birth_year, v_sex, v_injector, v_product,
                 v_lot, v_vial_units, v_diluent_ml, v_reconstituted_at, v_alcohol_48h, v_anticoagulant,
                 v_interacting_medication, v_prior_toxin_90d, v_allergy_history, v_allergy_test_done,
                 v_neuromuscular_disorder, v_pregnant_or_breastfeeding, v_skin_infection_at_site,
                 v_aftercare_lay_down_4h, v_aftercare_heat_or_exercise)) THEN 1 ELSE 2 END AS variants
    FROM chk WHERE v_ref IS NOT NULL AND hash(v_ref) IN (SELECT h FROM dup_hash) GROUP BY v_ref HAVING count(*) > 1
), stored AS (
    SELECT c.name AS clinic, t.treatment_ref, t.treatment_id, t.treated_at, pa.patient_ref, i.name AS injector,
           t.product, l.lot_number, t.vial_units, t.diluent_ml, t.reconstituted_at, t.alcohol_48h, t.anticoagulant,
           t.interacting_medication, t.prior_toxin_90d, t.allergy_history, t.allergy_test_done,
           t.neuromuscular_disorder, t.pregnant_or_breastfeeding, t.skin_infection_at_site,
           t.aftercare_lay_down_4h, t.aftercare_heat_or_exercise
    FROM treatments t
    JOIN clinics c ON c.clinic_id = t.clinic_id
    JOIN patients pa ON pa.patient_id = t.patient_id
    JOIN injectors i ON i.injector_id = t.injector_id
    LEFT JOIN lots l ON l.lot_id = t.lot_id
    WHERE t.treatment_ref IN (SELECT v_ref FROM chk)
), firstpat AS (
    -- a new patient's birth year and sex come from the first line that gives them
    SELECT v_patient_ref AS pref,
           arg_min(v_birth_year, line) FILTER (WHERE v_birth_year IS NOT NULL) AS birth_year,
           arg_min(v_sex, line) FILTER (WHERE v_sex IS NOT NULL) AS sex
    FROM chk WHERE len(problems) = 0 GROUP BY v_patient_ref
), cmp AS (
    SELECT chk.*, d.first_line AS dup_first, d.variants AS dup_variants, s.treatment_id AS db_treatment_id,
        CASE WHEN s.treatment_id IS NULL THEN '' ELSE concat_ws(', ',
            CASE WHEN s.treated_at IS DISTINCT FROM v_treated_at THEN 'treated_at' END,
            CASE WHEN s.patient_ref IS DISTINCT FROM v_patient_ref THEN 'patient_ref' END,
            CASE WHEN s.injector IS DISTINCT FROM v_injector THEN 'injector' END,
            CASE WHEN s.product IS DISTINCT FROM v_product THEN 'product' END,
            CASE WHEN s.lot_number IS DISTINCT FROM v_lot THEN 'lot' END,
            CASE WHEN s.vial_units IS DISTINCT FROM v_vial_units THEN 'vial_units' END,
            CASE WHEN s.diluent_ml IS DISTINCT FROM TRY_CAST(v_diluent_ml AS DECIMAL(6, 2)) THEN 'diluent_ml' END,
            CASE WHEN s.reconstituted_at IS DISTINCT FROM v_reconstituted_at THEN 'reconstituted_at' END,
            CASE WHEN s.alcohol_48h IS DISTINCT FROM v_alcohol_48h THEN 'alcohol_48h' END,
            CASE WHEN s.anticoagulant IS DISTINCT FROM v_anticoagulant THEN 'anticoagulant' END,
            CASE WHEN s.interacting_medication IS DISTINCT FROM v_interacting_medication THEN 'interacting_medication' END,
            CASE WHEN s.prior_toxin_90d IS DISTINCT FROM v_prior_toxin_90d THEN 'prior_toxin_90d' END,
            CASE WHEN s.allergy_history IS DISTINCT FROM v_allergy_history THEN 'allergy_history' END,
            CASE WHEN s.allergy_test_done IS DISTINCT FROM v_allergy_test_done THEN 'allergy_test_done' END,
            CASE WHEN s.neuromuscular_disorder IS DISTINCT FROM v_neuromuscular_disorder THEN 'neuromuscular_disorder' END,
            CASE WHEN s.pregnant_or_breastfeeding IS DISTINCT FROM v_pregnant_or_breastfeeding THEN 'pregnant_or_breastfeeding' END,
            CASE WHEN s.skin_infection_at_site IS DISTINCT FROM v_skin_infection_at_site THEN 'skin_infection_at_site' END,
            CASE WHEN s.aftercare_lay_down_4h IS DISTINCT FROM v_aftercare_lay_down_4h THEN 'aftercare_lay_down_4h' END,
            CASE WHEN s.aftercare_heat_or_exercise IS DISTINCT FROM v_aftercare_heat_or_exercise THEN 'aftercare_heat_or_exercise' END
        ) END AS differs,
        coalesce(pa.birth_year, fp.birth_year) AS known_birth_year,
        coalesce(pa.sex, fp.sex) AS known_sex
    FROM chk
    LEFT JOIN dup d ON d.v_ref = chk.v_ref
    LEFT JOIN stored s ON s.clinic = chk.v_clinic AND s.treatment_ref = chk.v_ref
    LEFT JOIN patients pa ON pa.patient_ref = chk.v_patient_ref
    LEFT JOIN firstpat fp ON fp.pref = chk.v_patient_ref
), fin AS (
    SELECT cmp.* EXCLUDE (problems), concat_ws(chr(30), nullif(problems, ''),
        CASE WHEN dup_first IS NOT NULL AND dup_variants = 1 AND line > dup_first THEN 'duplicate_in_file' || chr(31) || ( 'treatment_id ' || iw_shown(v_ref) || ' repeats line ' || dup_first) END,
        CASE WHEN dup_first IS NOT NULL AND dup_variants > 1 THEN 'duplicate_in_file' || chr(31) || ( 'treatment_id ' || iw_shown(v_ref) || ' appears on several lines with different values (first on line ' || dup_first || ')') END,
        CASE WHEN len(differs) > 0 THEN 'conflicts_with_existing' || chr(31) || ( 'treatment ' || iw_shown(v_ref)
            || ' of ' || iw_shown(v_clinic) || ' is already stored with a different ' || differs) END,
        CASE WHEN v_birth_year <> known_birth_year THEN 'conflicts_with_existing' || chr(31) || ( 'patient '
            || iw_shown(v_patient_ref) || ' is recorded with birth year ' || known_birth_year || ', not ' || v_birth_year) END,
        CASE WHEN v_sex <> known_sex THEN 'conflicts_with_existing' || chr(31) || ( 'patient '
            || iw_shown(v_patient_ref) || ' is recorded with sex ' || known_sex || ', not ' || v_sex) END
    ) AS problems
    FROM cmp
)
SELECT fin.* EXCLUDE (problems, dup_first, dup_variants, differs, known_birth_year, known_sex),
    CASE WHEN problems <> '' THEN array_to_string(list_sort(list_distinct(list_transform(string_split(problems, chr(30)), lambda x: split_part(x, chr(31), 1)))), ',') END AS q_reasons,
    CASE WHEN problems <> '' THEN array_to_string(list_transform(string_split(problems, chr(30)), lambda x: split_part(x, chr(31), 2)), '; ') END AS q_messages,
    -- ids of new treatments are drawn here, so injections and events can point at them without a join
    CASE WHEN problems = '' AND db_treatment_id IS NULL THEN nextval('seq_treatment') END AS new_id,
    CASE WHEN problems <> '' THEN 'quarantine'
         WHEN db_treatment_id IS NOT NULL THEN 'unchanged'
         ELSE 'new' END AS status
-- ids are drawn in (clinic, treatment_id) order, so the store inserts every key of treatments in index order
FROM (SELECT * FROM fin ORDER BY v_clinic, v_ref) fin
