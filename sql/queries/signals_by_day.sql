-- Clinic x day x term: treatments, observed and expected (for the temporal scans).
WITH g AS (
    SELECT clinic_id, day, cell_id, count(*) AS n FROM sig_ta GROUP BY clinic_id, day, cell_id
), e AS (
    SELECT g.clinic_id, g.day, p.term, sum(g.n * p.p) AS expected, sum(g.n) AS treatments
    FROM g JOIN sig_phat p ON p.cell_id = g.cell_id
    GROUP BY g.clinic_id, g.day, p.term
), o AS (
    SELECT clinic_id, day, term, count(*) AS observed FROM sig_ev GROUP BY clinic_id, day, term
)
SELECT e.clinic_id, e.day, e.term, e.treatments, e.expected, coalesce(o.observed, 0) AS observed
FROM e LEFT JOIN o ON o.clinic_id = e.clinic_id AND o.day = e.day AND o.term = e.term
ORDER BY e.term, e.clinic_id, e.day
