-- Per injector and area: treatments of the area by that injector and events attributed to it.
WITH den AS (
    SELECT injector_id, area, CAST(sum(treatments) AS BIGINT) AS treatments
    FROM trends_area_cells
    WHERE day BETWEEN $start AND $end AND ($clinic IS NULL OR clinic_id = $clinic) AND ($injector IS NULL OR injector_id = $injector)
  AND (CAST($product AS VARCHAR) IS NULL OR product = $product) AND ($lot IS NULL OR lot_id = $lot) AND (CAST($area AS VARCHAR) IS NULL OR area = $area)
    GROUP BY injector_id, area
), e AS (
    SELECT injector_id, area, count(DISTINCT event_id) AS events
    FROM trends_event_facts
    WHERE day BETWEEN $start AND $end AND area IS NOT NULL AND ($clinic IS NULL OR clinic_id = $clinic) AND ($injector IS NULL OR injector_id = $injector)
  AND (CAST($product AS VARCHAR) IS NULL OR product = $product) AND ($lot IS NULL OR lot_id = $lot)
      AND (CAST($area AS VARCHAR) IS NULL OR area = $area) AND (CAST($term AS VARCHAR) IS NULL OR term = $term)
  AND severity >= $min_severity AND (NOT $serious_only OR serious)
    GROUP BY injector_id, area
)
SELECT den.injector_id, i.name AS injector, den.area, a.name AS area_name, den.treatments,
       coalesce(e.events, 0) AS events
FROM den
JOIN injectors i ON i.injector_id = den.injector_id
JOIN ref_areas a ON a.code = den.area
LEFT JOIN e ON e.injector_id = den.injector_id AND e.area = den.area
ORDER BY i.name, a.code
