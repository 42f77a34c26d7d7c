"""Developer tools that do not ship with the app: the benchmark, the pandas reference of the Trends queries,
data-set synthesis and the calibration run. `python -m dashboard bench|calibrate` reach them from a checkout."""
