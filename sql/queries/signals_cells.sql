-- Exposure per case-mix cell: treatments, mean dose ratio.
SELECT cell_id, area, product, dose_band, vpp_band, fmask, is_main, age_band, sex, count(*) AS n, avg(dose_ratio) AS dose_ratio
FROM sig_ta
GROUP BY cell_id, area, product, dose_band, vpp_band, fmask, is_main, age_band, sex
ORDER BY cell_id
