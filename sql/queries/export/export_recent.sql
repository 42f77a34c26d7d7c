-- The latest exports from the audit trail (page "Quarterly export"): when, who, which quarter, identified or not,
-- and the treatments and events it held.
SELECT occurred_at, actor, entity_id AS quarter, action = 'export.identified' AS identified,
       CAST(json_extract_string(detail, '$.rows."treatments.csv"') AS BIGINT) AS treatments,
       CAST(json_extract_string(detail, '$.rows."events.csv"') AS BIGINT) AS events
FROM audit_log
WHERE action IN ('export', 'export.identified')
ORDER BY audit_id DESC
LIMIT $limit
