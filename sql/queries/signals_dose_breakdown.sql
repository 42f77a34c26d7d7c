-- Out-of-range treatments and events of one area x product x term by injector (who gives those doses).
WITH t AS (
    SELECT injector_id, count(*) AS treatments
    FROM sig_ta
    WHERE area = $area AND product = $product
      AND ((CAST($below AS BOOLEAN) AND dose_band = 0) OR (NOT CAST($below AS BOOLEAN) AND dose_band >= 3))
    GROUP BY injector_id
), o AS (
    SELECT injector_id, count(*) AS observed
    FROM sig_ev
    WHERE area = $area AND product = $product AND term = $term
      AND ((CAST($below AS BOOLEAN) AND dose_band = 0) OR (NOT CAST($below AS BOOLEAN) AND dose_band >= 3))
    GROUP BY injector_id
)
SELECT t.injector_id, t.treatments, coalesce(o.observed, 0) AS observed
FROM t LEFT JOIN o ON o.injector_id = t.injector_id
ORDER BY observed DESC, t.injector_id
