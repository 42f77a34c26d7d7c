-- Append one version of an event; earlier versions are never updated.
INSERT INTO event_versions (
    event_id, version, term, onset_at, severity, serious, seriousness, outcome, resolved_at, side, area,
    causality, action_taken, reported_by, reported_at, narrative, changed_at, changed_by, change_note, client_token)
VALUES (
    $event_id, $version, $term, $onset_at, $severity, $serious, $seriousness, $outcome, $resolved_at, $side, $area,
    $causality, $action_taken, $reported_by, $reported_at, $narrative, $changed_at, $changed_by, $change_note,
    $client_token)
