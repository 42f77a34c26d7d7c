-- How many of an injector's events of a term placed on an area were recorded there by the reporter (the rest were
-- placed on it by the attribution rule): evidence that an excess sits in that area.
SELECT count(*) FILTER (WHERE e.area = $area) AS recorded_here, count(*) AS events
FROM sig_ev s
JOIN events_current e ON e.event_id = s.event_id
WHERE s.injector_id = $injector_id AND s.area = $area AND s.term = $term
