-- The event's treatment and term when its latest version names a red-flag term within the treatment's red-flag
-- watch (the latest watch end of the follow-up rules that apply; 28 days when no rule is loaded).
SELECT ec.treatment_id, ec.term
FROM events_current ec
JOIN treatments t ON t.treatment_id = ec.treatment_id
WHERE ec.event_id = $event_id
  AND list_contains($red_terms, ec.term)
  AND CAST(ec.onset_at AS DATE) <= CAST(t.treated_at AS DATE) + coalesce((
        SELECT max(r.watch_until_day) FROM ref_followup_rules r
        WHERE (r.product IS NULL OR r.product = t.product)
          AND (r.area IS NULL OR EXISTS (SELECT 1 FROM injections j
                                         WHERE j.treatment_id = t.treatment_id AND j.area = r.area))), 28)
