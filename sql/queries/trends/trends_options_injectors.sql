-- Injectors for the filter.
SELECT injector_id AS id, name AS label FROM injectors ORDER BY name
