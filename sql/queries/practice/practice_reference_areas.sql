-- Treatment areas top of the face first, with their usual number of injection points.
SELECT code, name, region, points_lo, points_hi
FROM ref_areas
ORDER BY chart_y DESC, code
