-- The id of an injector by name.
SELECT injector_id FROM injectors WHERE name = $name
