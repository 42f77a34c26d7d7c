-- Day x term: observed events (for the temporal scans).
SELECT day, term, count(*) AS observed FROM sig_ev GROUP BY day, term
