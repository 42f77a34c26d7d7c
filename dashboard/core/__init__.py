"""The core: settings, the one DuckDB owner with its migration runner, named SQL, reference data, access rules.

Nothing here imports streamlit or a feature package; every feature and the web app build on it.
"""
