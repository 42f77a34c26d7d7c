-- Treatments per day, clinic and case-mix cell (expected counts follow in numpy); the time scans run over the
-- whole chain (summed over clinics) and over each clinic on its own.
SELECT day, clinic_id, cell_id, count(*) AS n
FROM sig_ta
GROUP BY day, clinic_id, cell_id
