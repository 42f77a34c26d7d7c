"""The read-only Reference page's data (products, doses per area, event terms), without streamlit."""
