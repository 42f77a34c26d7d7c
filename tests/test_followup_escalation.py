"""Red flags: the outbox is sent through SMTP when configured (a local sink here), a practitioner's own red-flag
report is flagged like a patient's, and a failed sending stays in the outbox for the next try."""

from __future__ import annotations

from dashboard.core.authz import SYSTEM
from dashboard.followup import escalation, links
from dashboard.followup import repository as fu
from tests.followup_support import event, treat
from tests.smtp_sink import smtp_sink


def test_the_outbox_is_sent_through_the_configured_smtp_server(db, manager, practitioner):
    tid = treat(db, practitioner, "P-1", "Dr Ada Park", 4)
    link = links.create_link(db, practitioner, tid)
    links.submit_answers(db, link.token, {"vision": True}, None, None, nonce="n")
    assert escalation.send_outbox(db, manager) == (0, 0)  # nothing configured: the message waits
    with smtp_sink() as (port, messages):
        escalation.save_settings(db, SYSTEM, {"smtp.host": "127.0.0.1", "smtp.port": str(port),
                                              "smtp.from": "injectwatch@clinic.example",
                                              "smtp.to": "oncall@clinic.example"})
        assert escalation.send_outbox(db, manager) == (1, 0)
        assert escalation.send_outbox(db, manager) == (0, 0)  # sent once
    assert len(messages) == 1 and "diplopia" in messages[0] and "oncall@clinic.example" in messages[0]
    assert "P-1" not in messages[0]  # the mail names the treatment ref and clinic, never the patient
    sent = escalation.outbox(db, manager).iloc[0]
    assert sent["sent_at"] is not None and sent["attempts"] == 1


def test_a_failed_sending_is_kept_for_the_next_try(db, manager, practitioner):
    tid = treat(db, practitioner, "P-2", "Dr Ada Park", 4)
    links.submit_answers(db, links.create_link(db, practitioner, tid).token, {"allergy": True}, None, None,
                         nonce="n")
    with smtp_sink() as (port, _):
        pass  # the port is closed again
    escalation.save_settings(db, SYSTEM, {"smtp.host": "127.0.0.1", "smtp.port": str(port),
                                          "smtp.to": "oncall@clinic.example"})
    assert escalation.send_outbox(db, manager, timeout=2) == (0, 1)
    row = escalation.outbox(db, manager).iloc[0]
    assert row["last_error"] and row["attempts"] == 1 and str(row["sent_at"]) in ("NaT", "None")


def test_a_practitioners_own_red_flag_report_is_flagged_the_same_way(db, practitioner):
    tid = treat(db, practitioner, "P-3", "Dr Ada Park", 6)
    calm = event(db, practitioner, tid, "injection_site_bruising")
    assert escalation.flag_event(db, practitioner, calm) is None
    red = event(db, practitioner, tid, "dyspnoea", days_after=3)
    assert escalation.flag_event(db, practitioner, red) is not None
    (source, body), = db.rows("SELECT source, body FROM notification_outbox")
    assert source == "practitioner" and "dyspnoea" in body
    assert fu.list_followups(db, practitioner).iloc[0]["status"] == "urgent"


def test_settings_refuse_unknown_keys(db):
    import pytest

    with pytest.raises(ValueError, match="unknown setting"):
        escalation.save_settings(db, SYSTEM, {"reference_hash": "x"})


def test_a_clinic_phone_must_look_like_a_phone_number(db):
    import pytest

    with pytest.raises(ValueError, match="digits, spaces"):
        escalation.save_settings(db, SYSTEM, {"clinic_phone:1": "**call** <b>me</b>"})
