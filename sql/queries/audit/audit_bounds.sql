-- The first and last moment in the audit trail (for the default period).
SELECT min(occurred_at), max(occurred_at) FROM audit_log
