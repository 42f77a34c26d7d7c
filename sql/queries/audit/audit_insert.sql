-- Append one audit-trail row (the trail is append-only: nothing ever updates or deletes it).
INSERT INTO audit_log (occurred_at, actor, action, entity, entity_id, detail)
VALUES ($occurred_at, $actor, $action, $entity, $entity_id, $detail)
