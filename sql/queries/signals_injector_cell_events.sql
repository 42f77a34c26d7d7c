-- Injector x case-mix cell x term: treatments with the event (to fit a term's model without one injector's work).
SELECT injector_id, cell_id, term, count(*) AS events
FROM sig_ev
GROUP BY injector_id, cell_id, term
