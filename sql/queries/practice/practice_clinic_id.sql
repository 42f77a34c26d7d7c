-- The id of a clinic by name.
SELECT clinic_id FROM clinics WHERE name = $name
