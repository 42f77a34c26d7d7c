-- Per product: treatments and events in the period.
WITH den AS (
    SELECT day, clinic_id, injector_id, product, lot_id, treatments FROM trends_treatment_cells
    WHERE CAST($area AS VARCHAR) IS NULL
    UNION ALL
    SELECT day, clinic_id, injector_id, product, lot_id, treatments FROM trends_area_cells
    WHERE area = $area
), t AS (
    SELECT product, CAST(sum(treatments) AS BIGINT) AS treatments
    FROM den
    WHERE day BETWEEN $start AND $end AND ($clinic IS NULL OR clinic_id = $clinic) AND ($injector IS NULL OR injector_id = $injector)
  AND (CAST($product AS VARCHAR) IS NULL OR product = $product) AND ($lot IS NULL OR lot_id = $lot)
    GROUP BY product
), e AS (
    SELECT product, count(DISTINCT event_id) AS events
    FROM trends_event_facts
    WHERE day BETWEEN $start AND $end AND ($clinic IS NULL OR clinic_id = $clinic) AND ($injector IS NULL OR injector_id = $injector)
  AND (CAST($product AS VARCHAR) IS NULL OR product = $product) AND ($lot IS NULL OR lot_id = $lot)
      AND (CAST($area AS VARCHAR) IS NULL OR area = $area) AND (CAST($term AS VARCHAR) IS NULL OR term = $term)
  AND severity >= $min_severity AND (NOT $serious_only OR serious)
    GROUP BY product
)
SELECT t.product, p.brand || ' (' || p.inn || ')' AS product_name, t.treatments, coalesce(e.events, 0) AS events
FROM t
JOIN ref_products p ON p.code = t.product
LEFT JOIN e ON e.product = t.product
ORDER BY t.product
