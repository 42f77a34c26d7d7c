-- Per lot: treatments and events in the period (treatments without a recorded lot are left out).
WITH den AS (
    SELECT day, clinic_id, injector_id, product, lot_id, treatments FROM trends_treatment_cells
    WHERE CAST($area AS VARCHAR) IS NULL
    UNION ALL
    SELECT day, clinic_id, injector_id, product, lot_id, treatments FROM trends_area_cells
    WHERE area = $area
), t AS (
    SELECT lot_id, CAST(sum(treatments) AS BIGINT) AS treatments
    FROM den
    WHERE day BETWEEN $start AND $end AND lot_id IS NOT NULL AND ($clinic IS NULL OR clinic_id = $clinic) AND ($injector IS NULL OR injector_id = $injector)
  AND (CAST($product AS VARCHAR) IS NULL OR product = $product) AND ($lot IS NULL OR lot_id = $lot)
    GROUP BY lot_id
), e AS (
    SELECT lot_id, count(DISTINCT event_id) AS events
    FROM trends_event_facts
    WHERE day BETWEEN $start AND $end AND lot_id IS NOT NULL AND ($clinic IS NULL OR clinic_id = $clinic) AND ($injector IS NULL OR injector_id = $injector)
  AND (CAST($product AS VARCHAR) IS NULL OR product = $product) AND ($lot IS NULL OR lot_id = $lot)
      AND (CAST($area AS VARCHAR) IS NULL OR area = $area) AND (CAST($term AS VARCHAR) IS NULL OR term = $term)
  AND severity >= $min_severity AND (NOT $serious_only OR serious)
    GROUP BY lot_id
)
SELECT t.lot_id, l.lot_number, p.brand || ' lot ' || l.lot_number AS lot_label, l.product, p.brand AS product_name, t.treatments, coalesce(e.events, 0) AS events
FROM t
JOIN lots l ON l.lot_id = t.lot_id
JOIN ref_products p ON p.code = l.product
LEFT JOIN e ON e.lot_id = t.lot_id
ORDER BY l.product, l.lot_number
