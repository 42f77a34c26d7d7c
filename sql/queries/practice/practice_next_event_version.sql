-- The next version number of an event.
SELECT coalesce(max(version), 0) + 1 FROM event_versions WHERE event_id = $event_id
