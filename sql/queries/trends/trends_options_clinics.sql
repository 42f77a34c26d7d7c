-- Clinics for the filter.
SELECT clinic_id AS id, name AS label FROM clinics ORDER BY name
