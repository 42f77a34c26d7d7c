-- The clinics, for their patient-phone settings.
SELECT clinic_id, name FROM clinics ORDER BY name
