"""Practitioner workflows: log a treatment, report an adverse event, follow a case up (no streamlit)."""
