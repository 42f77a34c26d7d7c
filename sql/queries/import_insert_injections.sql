-- Import step: insert every accepted new injection row under its (new or stored) treatment, set-wise.
INSERT INTO injections (treatment_id, area, side, point, units, points, volume_ml, depth)
SELECT t.treatment_id, n.v_area, n.v_side, n.v_point, CAST(n.v_units AS DECIMAL(8, 2)), n.v_points,
    CAST(n.v_volume_ml AS DECIMAL(7, 3)), n.v_depth
FROM iw_cls_injections n
JOIN clinics c ON c.name = n.parent_clinic
JOIN treatments t ON t.clinic_id = c.clinic_id AND t.treatment_ref = n.v_ref
WHERE n.status = 'new'
