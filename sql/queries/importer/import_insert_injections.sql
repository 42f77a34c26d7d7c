-- Import step: insert every accepted new injection row under its stored or newly drawn treatment id, set-wise.
INSERT INTO injections (treatment_id, area, side, point, units, points, volume_ml, depth)
SELECT coalesce(n.db_treatment_id, n.parent_new_id), n.v_area, n.v_side, n.v_point, CAST(n.v_units AS DECIMAL(8, 2)),
    n.v_points, CAST(n.v_volume_ml AS DECIMAL(7, 3)), n.v_depth
FROM iw_cls_injections n
WHERE n.status = 'new'
ORDER BY 1  -- by treatment: the foreign-key checks and index appends walk the treatments index in order
