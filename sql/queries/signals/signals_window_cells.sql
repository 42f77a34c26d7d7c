-- Within a day range, per lot, injector and case-mix cell: treatments (expected events follow in numpy).
SELECT lot_id, injector_id, cell_id, count(*) AS n
FROM sig_ta
WHERE day BETWEEN CAST($day_from AS DATE) AND CAST($day_to AS DATE)
GROUP BY lot_id, injector_id, cell_id
