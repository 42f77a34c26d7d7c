-- One rule of the follow-up schedule.
INSERT INTO ref_followup_rules (product, area, review_day, watch_until_day, reason)
VALUES ($product, $area, $review_day, $watch_until_day, $reason)
