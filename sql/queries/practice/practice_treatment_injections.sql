-- The treated areas of one treatment (the caller has checked that the user may see it).
SELECT j.area, a.name AS area_name, j.side, CAST(j.units AS DOUBLE) AS units, j.points,
       CAST(j.volume_ml AS DOUBLE) AS volume_ml, j.depth
FROM injections j
JOIN ref_areas a ON a.code = j.area
WHERE j.treatment_id = $treatment_id
ORDER BY a.chart_y DESC, j.injection_id
