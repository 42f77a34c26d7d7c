-- Within a day range, per lot and injector: observed events of one term.
SELECT lot_id, injector_id, count(*) AS observed
FROM sig_ev
WHERE term = $term AND day BETWEEN CAST($day_from AS DATE) AND CAST($day_to AS DATE)
GROUP BY lot_id, injector_id
