-- Clinic names for the picker.
SELECT name FROM clinics ORDER BY name
