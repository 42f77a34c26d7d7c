-- The case listing behind a chart selection: events matching the filters and the drill-down
-- (area, injector, product, lot, term group, treatment dates), newest treatment first, with the total.
-- The limit is applied to the small facts rows before the joins, so a wide view stays fast.
WITH f AS (
    SELECT DISTINCT event_id, version_id, day, clinic_id, injector_id, product, lot_id
    FROM trends_event_facts
    WHERE day BETWEEN $start AND $end AND ($clinic IS NULL OR clinic_id = $clinic) AND ($injector IS NULL OR injector_id = $injector)
  AND (CAST($product AS VARCHAR) IS NULL OR product = $product) AND ($lot IS NULL OR lot_id = $lot)
      AND (CAST($area AS VARCHAR) IS NULL OR area = $area) AND (CAST($term AS VARCHAR) IS NULL OR term = $term)
  AND severity >= $min_severity AND (NOT $serious_only OR serious)
      AND (CAST($drill_area AS VARCHAR) IS NULL OR area = $drill_area)
      AND ($drill_injector IS NULL OR injector_id = $drill_injector)
      AND (CAST($drill_product AS VARCHAR) IS NULL OR product = $drill_product)
      AND ($drill_lot IS NULL OR lot_id = $drill_lot)
      AND (CAST($drill_group AS VARCHAR) IS NULL OR body_region = $drill_group)
      AND (CAST($drill_from AS DATE) IS NULL OR day BETWEEN $drill_from AND $drill_to)
), ids AS (
    SELECT f.*, count(*) OVER () AS total FROM f ORDER BY day DESC, event_id DESC LIMIT $limit
)
SELECT ev.event_ref, ids.day AS treated_on, e.onset_at, r.plain_name AS event,
       r.body_region AS term_group, e.severity, e.serious, replace(e.outcome, '_', ' ') AS outcome,
       coalesce(ea.name, 'not recorded') AS event_area, i.name AS injector, c.name AS clinic,
       p.brand AS product, l.lot_number AS lot, ids.total
FROM ids
JOIN event_versions e ON e.version_id = ids.version_id
JOIN events ev ON ev.event_id = ids.event_id
JOIN ref_terms r ON r.code = e.term
JOIN injectors i ON i.injector_id = ids.injector_id
JOIN clinics c ON c.clinic_id = ids.clinic_id
JOIN ref_products p ON p.code = ids.product
LEFT JOIN lots l ON l.lot_id = ids.lot_id
LEFT JOIN ref_areas ea ON ea.code = e.area
ORDER BY ids.day DESC, ids.event_id DESC
