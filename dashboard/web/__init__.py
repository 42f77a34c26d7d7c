"""The Streamlit app: the session guard, sign-in, navigation, warm-up and one thin page per file in views/.

The only package that imports streamlit (besides dashboard/app.py, the entry point); pages call the features.
"""
