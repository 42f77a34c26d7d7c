-- First and last day with treatments in the trends cells (NULLs when there are none).
SELECT min(day) AS first_day, max(day) AS last_day FROM trends_treatment_cells
