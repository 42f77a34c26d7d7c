-- Queue one notification; the clinic's name and the treatment ref are enough for staff to find it.
INSERT INTO notification_outbox (created_at, kind, treatment_id, clinic_id, source, subject, body, recipient)
SELECT $created_at, 'red_flag', t.treatment_id, t.clinic_id, $source,
       'InjectWatch red flag: ' || t.treatment_ref || ' at ' || c.name,
       'A red-flag answer was recorded (' || $source || ') for treatment ' || t.treatment_ref || ' at ' || c.name
           || ' on ' || strftime(t.treated_at, '%d %b %Y') || ': ' || $terms
           || '. Open InjectWatch, Follow-ups, and call the patient now.',
       $recipient
FROM treatments t JOIN clinics c ON c.clinic_id = t.clinic_id
WHERE t.treatment_id = $treatment_id
RETURNING message_id
