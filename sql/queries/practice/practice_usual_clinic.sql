-- The clinic an injector works at most, over their last 200 treatments (ties: the most recent).
WITH recent AS (
    SELECT t.clinic_id, t.treated_at
    FROM treatments t JOIN injectors i ON i.injector_id = t.injector_id
    WHERE i.name = $injector_name
    ORDER BY t.treated_at DESC
    LIMIT 200
)
SELECT c.name
FROM recent JOIN clinics c ON c.clinic_id = recent.clinic_id
GROUP BY c.name
ORDER BY count(*) DESC, max(recent.treated_at) DESC
LIMIT 1
