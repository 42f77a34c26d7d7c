-- Empty the follow-up schedule before it is reloaded from the reference file.
DELETE FROM ref_followup_rules
