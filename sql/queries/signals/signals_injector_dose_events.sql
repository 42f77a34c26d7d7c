-- Treatments with each term per dose band for the flagged injectors' areas (attributed events, one per treatment
-- and term). $injector_ids and $areas are parallel lists of the (injector, area) pairs wanted.
WITH wanted AS (
    SELECT DISTINCT unnest($injector_ids) AS injector_id, unnest($areas) AS area
)
SELECT ev.injector_id, ev.area, ev.term, ev.dose_band, count(*) AS observed
FROM sig_ev ev
JOIN wanted w ON w.injector_id = ev.injector_id AND w.area = ev.area
GROUP BY ev.injector_id, ev.area, ev.term, ev.dose_band
ORDER BY ev.injector_id, ev.area, ev.term, ev.dose_band
