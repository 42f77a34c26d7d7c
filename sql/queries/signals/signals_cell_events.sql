-- Treatments with the term per case-mix cell.
SELECT cell_id, term, count(*) AS events
FROM sig_ev
GROUP BY cell_id, term
ORDER BY cell_id, term
