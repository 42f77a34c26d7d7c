"""The app's pages: one thin Streamlit script per file, run by st.navigation (never imported by the code)."""
