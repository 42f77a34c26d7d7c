-- Day x clinic x term: observed events (for the temporal scans, chain-wide and per clinic).
SELECT day, clinic_id, term, count(*) AS observed FROM sig_ev GROUP BY day, clinic_id, term
