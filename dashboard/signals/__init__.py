"""Signal detection: DuckDB aggregates, detection per family, classification, reviews and the command."""
