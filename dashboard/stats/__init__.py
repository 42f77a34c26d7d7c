"""Statistical methods for signal detection: one small module per method, numpy/scipy/statsmodels only."""
