-- Treatment areas for the filter.
SELECT code AS id, name AS label FROM ref_areas ORDER BY chart_y DESC
