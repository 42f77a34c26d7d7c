"""Follow-up after a treatment: the review schedule, the Follow-ups list, patient self-report links and the
patient-reported events a clinician confirms, edits or rejects. No streamlit import."""
