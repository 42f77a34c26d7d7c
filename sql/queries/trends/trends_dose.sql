-- Dose given per treated area (total units in the area per treatment) by product and area: the
-- 10th, 25th, 50th, 75th and 90th percentiles, the range, and how many fall outside the usual range.
WITH d AS (
    SELECT product, area, dose, CAST(sum(treatments) AS BIGINT) AS n
    FROM trends_dose_cells
    WHERE day BETWEEN $start AND $end AND ($clinic IS NULL OR clinic_id = $clinic) AND ($injector IS NULL OR injector_id = $injector)
  AND (CAST($product AS VARCHAR) IS NULL OR product = $product) AND ($lot IS NULL OR lot_id = $lot) AND (CAST($area AS VARCHAR) IS NULL OR area = $area)
    GROUP BY product, area, dose
), c AS (
    SELECT product, area, dose, n,
           sum(n) OVER (PARTITION BY product, area ORDER BY dose) AS cum,
           sum(n) OVER (PARTITION BY product, area) AS total
    FROM d
)
SELECT c.product, c.area, a.name AS area_name, CAST(max(c.total) AS BIGINT) AS treatments,
       min(c.dose) AS min_dose,
       min(c.dose) FILTER (WHERE c.cum >= 0.10 * c.total) AS p10,
       min(c.dose) FILTER (WHERE c.cum >= 0.25 * c.total) AS p25,
       min(c.dose) FILTER (WHERE c.cum >= 0.50 * c.total) AS p50,
       min(c.dose) FILTER (WHERE c.cum >= 0.75 * c.total) AS p75,
       min(c.dose) FILTER (WHERE c.cum >= 0.90 * c.total) AS p90,
       max(c.dose) AS max_dose,
       CAST(coalesce(sum(c.n) FILTER (WHERE c.dose < r.usual_lo), 0) AS BIGINT) AS below_usual,
       CAST(coalesce(sum(c.n) FILTER (WHERE c.dose > r.usual_hi), 0) AS BIGINT) AS above_usual,
       r.usual_lo, r.usual_hi, r.label_total
FROM c
JOIN ref_areas a ON a.code = c.area
LEFT JOIN ref_area_doses r ON r.area = c.area AND r.product = c.product
GROUP BY c.product, c.area, a.name, r.usual_lo, r.usual_hi, r.label_total, a.chart_y
ORDER BY c.product, a.chart_y DESC
