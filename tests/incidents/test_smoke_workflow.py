from incidents import services
from incidents.crisislog import verify_chain


def test_member_escalates_to_alert_and_chain_stays_valid(incident, member):
    incident = services.incident_transition(actor=member, incident=incident, to_level="alert", reason="Volume x8")
    assert incident.level == "alert"
    report = verify_chain(incident)
    assert report.valid and report.checked == 2
