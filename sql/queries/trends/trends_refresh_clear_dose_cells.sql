-- Full rebuild: drop every dose cell.
DELETE FROM trends_dose_cells
