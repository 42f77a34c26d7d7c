"""Pure chart builders: data in, Plotly figures out (no streamlit import)."""
