-- Import step: create the injectors named by new treatments.
INSERT INTO injectors (name)
SELECT DISTINCT n.v_injector
FROM iw_cls_treatments n
WHERE n.status = 'new' AND NOT EXISTS (SELECT 1 FROM injectors i WHERE i.name = n.v_injector)
ORDER BY n.v_injector
