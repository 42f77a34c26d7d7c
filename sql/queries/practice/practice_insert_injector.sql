-- Add an injector named on the Log treatment page.
INSERT INTO injectors (name) VALUES ($name) RETURNING injector_id
