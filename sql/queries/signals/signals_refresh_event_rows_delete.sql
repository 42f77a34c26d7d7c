-- Drop the signal event rows of events that gained a version above the old mark (they are re-inserted next).
DELETE FROM signal_event_rows
WHERE event_id IN (SELECT event_id FROM event_versions WHERE version_id > $old_mark AND version_id <= $new_mark)
