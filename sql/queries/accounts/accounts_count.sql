-- How many accounts exist (0 means first start: the setup screen creates the first manager).
SELECT count(*) FROM accounts
