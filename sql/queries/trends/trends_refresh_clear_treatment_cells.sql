-- Full rebuild, step 1: drop every treatment cell.
DELETE FROM trends_treatment_cells
