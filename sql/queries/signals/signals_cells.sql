-- Exposure per case-mix cell: treatments, mean dose ratio.
SELECT cell_id, area, product, dose_band, vpp_band, fmask, is_main, age_band, sex, areas_band, clinic_id, count(*) AS n, avg(dose_ratio) AS dose_ratio
FROM sig_ta
GROUP BY cell_id, area, product, dose_band, vpp_band, fmask, is_main, age_band, sex, areas_band, clinic_id
ORDER BY cell_id
