-- The flagged injectors' treatments of the flagged areas per case-mix cell (the cell fixes the dose band):
-- treatments and summed dose ratio (units / top of the usual range; 1 where the reference gives no range).
-- $injector_ids and $areas are parallel lists of the (injector, area) pairs wanted.
WITH wanted AS (
    SELECT DISTINCT unnest($injector_ids) AS injector_id, unnest($areas) AS area
)
SELECT ta.injector_id, ta.area, ta.cell_id, any_value(ta.dose_band) AS dose_band, count(*) AS n,
       sum(coalesce(ta.dose_ratio, 1.0)) AS dose_sum
FROM sig_ta ta
JOIN wanted w ON w.injector_id = ta.injector_id AND w.area = ta.area
GROUP BY ta.injector_id, ta.area, ta.cell_id
ORDER BY ta.injector_id, ta.area, ta.cell_id
