-- Record one treated area of a treatment.
INSERT INTO injections (treatment_id, area, side, units, points, volume_ml, depth)
VALUES ($treatment_id, $area, $side, $units, $points, $volume_ml, $depth)
