-- Everyone who appears in the audit trail, most active first (for the actor filter).
SELECT actor, count(*) AS entries
FROM audit_log
GROUP BY actor
ORDER BY entries DESC, actor
