-- Full rebuild, step 3: drop every event fact.
DELETE FROM trends_event_facts
