-- Record "reviewed: no adverse event" for a treatment (a review, not an event).
INSERT INTO followup_reviews (treatment_id, reviewed_at, reviewed_by, outcome, note, client_token)
VALUES ($treatment_id, $reviewed_at, $reviewed_by, 'no_event', $note, $client_token)
RETURNING review_id
