-- Demo: "reviewed: no adverse event" on the review day (plus 0-3 days) for most treatments of the demo's last
-- $days days that have no event, except by the injectors in $never (who never review); deterministic per treatment.
INSERT INTO followup_reviews (treatment_id, reviewed_at, reviewed_by, outcome, note, client_token)
SELECT t.treatment_id,
       t.treated_at + to_days(14 + CAST(hash(t.treatment_id, $seed) % 4 AS INTEGER)),
       'demo', 'no_event', 'demo: phoned the patient', 'demo-review-' || t.treatment_id
FROM treatments t
JOIN injectors i ON i.injector_id = t.injector_id
WHERE t.treated_at >= (SELECT max(treated_at) FROM treatments) - to_days($days)
  AND NOT list_contains($never, i.name)
  AND hash(t.treatment_id, $seed, 'review') % 100 < $share
  AND NOT EXISTS (SELECT 1 FROM events e WHERE e.treatment_id = t.treatment_id)
  AND NOT EXISTS (SELECT 1 FROM followup_reviews r WHERE r.treatment_id = t.treatment_id)
RETURNING review_id
