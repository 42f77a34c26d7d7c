-- Lot x term (over every area of the term): observed events and how many injectors saw them.
SELECT lot_id, term, count(*) AS observed, count(DISTINCT injector_id) AS injectors_with_events
FROM sig_ev WHERE lot_id IS NOT NULL
GROUP BY lot_id, term
