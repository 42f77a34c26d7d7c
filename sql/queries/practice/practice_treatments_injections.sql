-- The treated areas of several treatments (the caller passes only treatments the user may see).
SELECT j.treatment_id, j.area, a.name AS area_name, j.side, CAST(j.units AS DOUBLE) AS units, j.points,
       CAST(j.volume_ml AS DOUBLE) AS volume_ml, j.depth
FROM injections j
JOIN ref_areas a ON a.code = j.area
WHERE list_contains($treatment_ids, j.treatment_id)
ORDER BY j.treatment_id, a.chart_y DESC, j.injection_id
