-- Import step: create the clinics named by new treatments.
INSERT INTO clinics (name)
SELECT DISTINCT n.v_clinic
FROM iw_cls_treatments n
WHERE n.status = 'new' AND NOT EXISTS (SELECT 1 FROM clinics c WHERE c.name = n.v_clinic)
ORDER BY n.v_clinic
