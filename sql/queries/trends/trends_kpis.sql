-- KPI row: treatments, events, serious events and open cases in the chosen period and in the previous
-- period of the same length. Events count against the period of their treatment; with an area chosen,
-- treatments are those that treated the area and events those attributed to it.
WITH den AS (
    SELECT day, clinic_id, injector_id, product, lot_id, treatments FROM trends_treatment_cells
    WHERE CAST($area AS VARCHAR) IS NULL
    UNION ALL
    SELECT day, clinic_id, injector_id, product, lot_id, treatments FROM trends_area_cells
    WHERE area = $area
), t AS (
    SELECT sum(treatments) FILTER (WHERE day BETWEEN $start AND $end) AS cur,
           sum(treatments) FILTER (WHERE day BETWEEN $prev_start AND $prev_end) AS prev
    FROM den
    WHERE day BETWEEN $prev_start AND $end AND ($clinic IS NULL OR clinic_id = $clinic) AND ($injector IS NULL OR injector_id = $injector)
  AND (CAST($product AS VARCHAR) IS NULL OR product = $product) AND ($lot IS NULL OR lot_id = $lot)
), e AS (
    SELECT count(DISTINCT event_id) FILTER (WHERE day BETWEEN $start AND $end) AS cur,
           count(DISTINCT event_id) FILTER (WHERE day BETWEEN $prev_start AND $prev_end) AS prev,
           count(DISTINCT event_id) FILTER (WHERE serious AND day BETWEEN $start AND $end) AS cur_serious,
           count(DISTINCT event_id) FILTER (WHERE serious AND day BETWEEN $prev_start AND $prev_end) AS prev_serious,
           count(DISTINCT event_id) FILTER (WHERE is_open AND day BETWEEN $start AND $end) AS cur_open,
           count(DISTINCT event_id) FILTER (WHERE is_open AND day BETWEEN $prev_start AND $prev_end) AS prev_open
    FROM trends_event_facts
    WHERE day BETWEEN $prev_start AND $end AND ($clinic IS NULL OR clinic_id = $clinic) AND ($injector IS NULL OR injector_id = $injector)
  AND (CAST($product AS VARCHAR) IS NULL OR product = $product) AND ($lot IS NULL OR lot_id = $lot)
      AND (CAST($area AS VARCHAR) IS NULL OR area = $area) AND (CAST($term AS VARCHAR) IS NULL OR term = $term)
  AND severity >= $min_severity AND (NOT $serious_only OR serious)
)
SELECT 'current' AS period, coalesce(t.cur, 0) AS treatments, e.cur AS events, e.cur_serious AS serious_events,
       e.cur_open AS open_cases
FROM t, e
UNION ALL
SELECT 'previous', coalesce(t.prev, 0), e.prev, e.prev_serious, e.prev_open
FROM t, e
