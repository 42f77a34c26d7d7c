-- Injector names for the picker.
SELECT name FROM injectors ORDER BY name
