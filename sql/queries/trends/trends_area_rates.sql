-- Per area: treatments that treated the area and events attributed to it (the area filter is ignored
-- here so the face chart keeps its context; every other filter applies).
WITH den AS (
    SELECT area, CAST(sum(treatments) AS BIGINT) AS treatments
    FROM trends_area_cells
    WHERE day BETWEEN $start AND $end AND ($clinic IS NULL OR clinic_id = $clinic) AND ($injector IS NULL OR injector_id = $injector)
  AND (CAST($product AS VARCHAR) IS NULL OR product = $product) AND ($lot IS NULL OR lot_id = $lot)
    GROUP BY area
), e AS (
    SELECT area, count(DISTINCT event_id) AS events
    FROM trends_event_facts
    WHERE day BETWEEN $start AND $end AND area IS NOT NULL AND ($clinic IS NULL OR clinic_id = $clinic) AND ($injector IS NULL OR injector_id = $injector)
  AND (CAST($product AS VARCHAR) IS NULL OR product = $product) AND ($lot IS NULL OR lot_id = $lot)
      AND (CAST($term AS VARCHAR) IS NULL OR term = $term) AND severity >= $min_severity
      AND (NOT $serious_only OR serious)
    GROUP BY area
)
SELECT a.code AS area, a.name AS area_name, den.treatments, coalesce(e.events, 0) AS events
FROM den
JOIN ref_areas a ON a.code = den.area
LEFT JOIN e ON e.area = den.area
ORDER BY a.code
