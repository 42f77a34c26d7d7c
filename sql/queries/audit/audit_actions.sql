-- Every kind of action in the audit trail (for the action filter).
SELECT DISTINCT action FROM audit_log ORDER BY action
