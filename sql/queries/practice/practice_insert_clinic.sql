-- Add a clinic named on the Log treatment page.
INSERT INTO clinics (name) VALUES ($name) RETURNING clinic_id
