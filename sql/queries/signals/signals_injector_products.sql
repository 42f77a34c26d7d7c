-- Injector x area x product: treatments and how many were below or above the usual dose range.
SELECT injector_id, area, product, count(*) AS treatments,
       count(*) FILTER (WHERE dose_band = 0) AS below, count(*) FILTER (WHERE dose_band >= 3) AS above
FROM sig_ta
GROUP BY injector_id, area, product
ORDER BY injector_id, area, product
