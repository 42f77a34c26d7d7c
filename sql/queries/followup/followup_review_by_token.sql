-- A review already stored for this form submission (a double click or a rerun stores it once).
SELECT review_id FROM followup_reviews WHERE client_token = $client_token
