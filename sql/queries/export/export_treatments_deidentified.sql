-- treatments.csv, de-identified: as export_treatments, but patient_ref becomes the keyed pseudonym
-- $pseudonym_prefix || HMAC-SHA256(secret, patient_ref) (hex, first $pseudonym_chars digits; the HMAC is built from
-- the padded keys $hmac_ikey/$hmac_okey) and the birth year becomes its 10-year band, e.g. '1980-1989'.
WITH ev AS (
    SELECT treatment_id FROM events_current WHERE onset_at >= $start AND onset_at < $end
), tr AS (
    SELECT treatment_id FROM treatments WHERE treated_at >= $start AND treated_at < $end
    UNION
    SELECT treatment_id FROM ev
), pseudonyms AS (  -- one HMAC per patient, not per treatment
    SELECT p.patient_id,
           $pseudonym_prefix || substr(sha256($hmac_okey || unhex(sha256($hmac_ikey || encode(p.patient_ref)))),
                                       1, $pseudonym_chars) AS pseudonym
    FROM patients p
    WHERE p.patient_id IN (SELECT t.patient_id FROM tr JOIN treatments t ON t.treatment_id = tr.treatment_id)
)
SELECT t.treatment_ref AS treatment_id, c.name AS clinic, t.treated_at,
       ps.pseudonym AS patient_ref,
       CASE WHEN p.birth_year IS NOT NULL
            THEN CAST(p.birth_year // 10 * 10 AS VARCHAR) || '-' || CAST(p.birth_year // 10 * 10 + 9 AS VARCHAR)
       END AS patient_birth_band,
       p.sex AS patient_sex, i.name AS injector, t.product,
       l.lot_number AS lot, t.vial_units, t.diluent_ml, t.reconstituted_at,
       t.alcohol_48h, t.anticoagulant, t.interacting_medication, t.prior_toxin_90d, t.allergy_history,
       t.allergy_test_done, t.neuromuscular_disorder, t.pregnant_or_breastfeeding, t.skin_infection_at_site,
       t.aftercare_lay_down_4h, t.aftercare_heat_or_exercise
FROM tr
JOIN treatments t ON t.treatment_id = tr.treatment_id
JOIN clinics c ON c.clinic_id = t.clinic_id
JOIN patients p ON p.patient_id = t.patient_id
JOIN pseudonyms ps ON ps.patient_id = t.patient_id
JOIN injectors i ON i.injector_id = t.injector_id
LEFT JOIN lots l ON l.lot_id = t.lot_id
ORDER BY t.treated_at, c.name, t.treatment_ref
