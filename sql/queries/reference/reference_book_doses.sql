-- Label and usual total doses per area for one product ($product), with the usual number of injection points.
SELECT a.code AS area, a.name AS area_name, a.region, d.label_total, d.usual_lo, d.usual_hi, d.per_point_lo,
       d.per_point_hi, a.points_lo, a.points_hi, d.basis
FROM ref_area_doses d
JOIN ref_areas a ON a.code = d.area
WHERE d.product = $product
ORDER BY CASE a.region WHEN 'upper face' THEN 1 WHEN 'mid face' THEN 2 WHEN 'lower face' THEN 3 WHEN 'neck' THEN 4
                       ELSE 5 END, a.name
