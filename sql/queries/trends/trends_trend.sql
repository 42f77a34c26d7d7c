-- Events per bucket (week or month of treatment) for all events and per term group (body region),
-- with the treatments of the bucket as denominator; every bucket with treatments appears for every group.
WITH den AS (
    SELECT day, clinic_id, injector_id, product, lot_id, treatments FROM trends_treatment_cells
    WHERE CAST($area AS VARCHAR) IS NULL
    UNION ALL
    SELECT day, clinic_id, injector_id, product, lot_id, treatments FROM trends_area_cells
    WHERE area = $area
), t AS (
    SELECT date_trunc($grain, day) AS bucket, CAST(sum(treatments) AS BIGINT) AS treatments
    FROM den
    WHERE day BETWEEN $start AND $end AND ($clinic IS NULL OR clinic_id = $clinic) AND ($injector IS NULL OR injector_id = $injector)
  AND (CAST($product AS VARCHAR) IS NULL OR product = $product) AND ($lot IS NULL OR lot_id = $lot)
    GROUP BY 1
), f AS (
    SELECT date_trunc($grain, day) AS bucket, body_region, event_id
    FROM trends_event_facts
    WHERE day BETWEEN $start AND $end AND ($clinic IS NULL OR clinic_id = $clinic) AND ($injector IS NULL OR injector_id = $injector)
  AND (CAST($product AS VARCHAR) IS NULL OR product = $product) AND ($lot IS NULL OR lot_id = $lot)
      AND (CAST($area AS VARCHAR) IS NULL OR area = $area) AND (CAST($term AS VARCHAR) IS NULL OR term = $term)
  AND severity >= $min_severity AND (NOT $serious_only OR serious)
), e AS (
    SELECT bucket, body_region, count(DISTINCT event_id) AS events FROM f GROUP BY 1, 2
    UNION ALL
    SELECT bucket, 'All adverse events', count(DISTINCT event_id) FROM f GROUP BY 1
), g AS (
    SELECT DISTINCT body_region FROM e
)
SELECT CAST(t.bucket AS DATE) AS bucket, g.body_region AS term_group, t.treatments,
       coalesce(e.events, 0) AS events
FROM t CROSS JOIN g
LEFT JOIN e ON e.bucket = t.bucket AND e.body_region = g.body_region
ORDER BY g.body_region <> 'All adverse events', g.body_region, t.bucket
