"""A scenario's wave of posts: into the drill cell's monitoring stream as an exercise, through matching,
the alert thresholds and the queue rules as a real wave would, and kept out of everything real
(volumes and baselines, real alerts' evidence, real queues and their response-time figures, relays)."""

import datetime

import pytest
from django.core import mail
from django.utils import timezone
from django.utils.translation import override

from drills import services
from drills.mentions import PREFIX
from drills.models import Inject, InjectStatus
from incidents import services as incidents
from incidents.models import LogEntry
from monitoring import detection, ingest
from monitoring.models import Alert, Mention, Source, VolumeCounter, exercise_mentions
from notifications.models import Notification
from notifications.tasks import send_notification_emails
from relays import services as relays
from relays.models import BriefingDelivery
from response_queue import selectors as queue_selectors
from response_queue import tasks as queue_tasks
from response_queue.models import QueueItem, QueueRule
from statements import services as statements

from ..monitoring.support import make_source, make_watchlist

pytestmark = pytest.mark.django_db

WAVE = {
    "name": "Vague de publications",
    "crisis_type": "rumour",
    "injects": [
        {"at": 0, "kind": "log", "text": "Début"},
        {
            "at": 60,
            "kind": "mention",
            "text": "Rappel de la crème Hydra+ ?! Elle brûle la peau, c'est une honte",
            "count": 25,
            "author": "beautyleaks",
            "reach": 250_000,
        },
    ],
}


@pytest.fixture
def watchlist(cell, users):
    watchlist = make_watchlist(cell, reach_threshold=100_000)
    watchlist.watchers.add(users["member"])
    return watchlist


@pytest.fixture
def real_incident(cell, users):
    incident = incidents.incident_create(actor=users["member"], cell=cell, title="Vraie crise", crisis_type="rumour")
    return incidents.incident_transition(actor=users["manager"], incident=incident, to_level="crisis", reason="réel")


def start(cell, users):
    scenario = services.scenario_save(actor=users["manager"], cell=cell, content=WAVE)
    return services.drill_start(actor=users["manager"], scenario=scenario)


def deliver_all(drill):
    Inject.objects.filter(drill=drill).update(due_at=timezone.now() - datetime.timedelta(seconds=1))
    for inject_id, due_at in services.due():
        assert services.deliver(inject_id=inject_id, due_at=due_at)
    assert not Inject.objects.filter(drill=drill, status=InjectStatus.PENDING).exists()


def test_a_wave_arrives_in_monitoring_as_an_exercise_matched_queued_and_signalled(
    cell, users, watchlist, real_incident, settings
):
    QueueRule.objects.create(cell=cell, name="Plaintes", kind="terms", terms="honte")
    drill = start(cell, users)
    deliver_all(drill)

    posts = Mention.objects.filter(cell=cell)
    assert posts.count() == 25
    assert posts.filter(exercise_mentions()).count() == 25  # from the drill's exercise source
    source = Source.objects.get(cell=cell, name__startswith=PREFIX)
    assert source.is_active is False and source.config["drill"] == drill.pk
    assert all(post.text.startswith(PREFIX) for post in posts)
    # Matched and toned by monitoring's own ingestion.
    assert all(str(watchlist.pk) in post.matched for post in posts)
    assert posts.filter(tone=-1).count() == 25
    # Never counted: the volumes, baselines and real alerts do not see them.
    assert not VolumeCounter.objects.filter(watchlist=watchlist).exists()
    assert detection.volume_figures(watchlist, timezone.now())["count"] == 0
    assert detection.evaluate(watchlist) == [] and not Alert.objects.exists()
    # The thresholds, on the drill's posts: a volume spike, a negative tone, a high-reach author, once each.
    signals = LogEntry.objects.filter(incident=drill.incident, data__action="signal")
    assert sorted(signals.values_list("data__cause", flat=True)) == ["negative", "reach", "volume"]
    notices = Notification.objects.filter(incident=drill.incident, kind="monitoring")
    assert set(notices.values_list("user", flat=True)) == {users["member"].pk}  # the watchers
    assert all(n.shown_title.startswith("EXERCICE / EXERCISE") for n in notices)
    mail.outbox.clear()
    send_notification_emails([n.pk for n in notices])
    assert mail.outbox and all(m.subject.startswith("EXERCICE / EXERCISE") for m in mail.outbox)
    # The cell's queue rules put them in the drill's queue; the real crisis's queue gets none.
    assert QueueItem.objects.filter(incident=drill.incident).count() == 25
    assert not QueueItem.objects.filter(incident=real_incident).exists()
    # The scan job that reads the cell's new mentions leaves them out too.
    queue_tasks.scan_cell(cell.pk)
    assert not QueueItem.objects.filter(incident=real_incident).exists()
    inject = Inject.objects.get(drill=drill, kind="mention")
    assert inject.result["wave"]["mentions"] == 25 and inject.result["wave"]["queued"] == 25


def test_real_posts_and_figures_stay_apart_from_a_drill(cell, users, watchlist, real_incident):
    QueueRule.objects.create(cell=cell, name="Plaintes", kind="terms", terms="honte")
    drill = start(cell, users)
    deliver_all(drill)
    # A drill is never where the scan puts real posts, however urgent it plays.
    incidents.incident_transition(actor=users["manager"], incident=drill.incident, to_level="crisis", reason="exo")
    source = make_source(cell)
    now = timezone.now()
    records = [
        ingest.MentionIn(
            external_id=f"real-{n}", text="Hydra+ quelle honte", published_at=now, author_handle=f"client{n}"
        )
        for n in range(3)
    ]
    ingest.ingest_records(source, records)
    queue_tasks.scan_cell(cell.pk)
    assert QueueItem.objects.filter(incident=real_incident).count() == 3
    assert QueueItem.objects.filter(incident=drill.incident).count() == 25
    # Real volumes count the real posts only, and a real alert's evidence names none of the drill's.
    assert detection.volume_figures(watchlist, now)["count"] == 3
    tops = detection.top_mentions(watchlist, now - datetime.timedelta(hours=1))
    assert tops and all(not top["text"].startswith(PREFIX) for top in tops)
    # Answering in the drill leaves the real crisis's response-time figures as they were.
    item = QueueItem.objects.filter(incident=drill.incident).first()
    QueueItem.objects.filter(pk=item.pk).update(state="answered", done_at=timezone.now())
    real = queue_selectors.metrics(real_incident)
    assert real["answered"] == 0 and real["by_state"]["new"] == 3
    assert queue_selectors.metrics(drill.incident)["answered"] == 1


@override("en")
def test_flagging_by_hand_keeps_the_two_apart(cell, users, watchlist, real_incident):
    from django.core.exceptions import ValidationError

    from response_queue import services as queue

    drill = start(cell, users)
    deliver_all(drill)
    exercise_post = Mention.objects.filter(cell=cell).first()
    with pytest.raises(ValidationError, match="belongs to a drill"):
        queue.flag(actor=users["member"], incident=real_incident, mention_id=exercise_post.pk)
    assert queue.flag(actor=users["member"], incident=drill.incident, mention_id=exercise_post.pk)
    records = [ingest.MentionIn(external_id="real-1", text="Un vrai avis", published_at=timezone.now())]
    ingest.ingest_records(make_source(cell), records)
    real_post = Mention.objects.get(external_id="real-1")
    with pytest.raises(ValidationError, match="This post is real"):
        queue.flag(actor=users["member"], incident=drill.incident, mention_id=real_post.pk)
    with pytest.raises(ValidationError, match="No such mention"):
        queue.flag(actor=users["member"], incident=drill.incident, mention_id="abc")


def test_a_drills_briefing_never_reaches_a_real_relay(cell, users):
    drill = start(cell, users)
    relay = relays.relay_create(
        actor=users["manager"],
        cell=cell,
        name="Léa",
        kind="influencer",
        email="lea@example.org",
        consent="given",
        consent_how="formulaire",
        consent_at=timezone.localdate(),
    )
    statement = statements.statement_create(
        actor=users["member"], incident=drill.incident, kind="holding", audience="relays", title="T", text="Texte."
    )
    version = statement.versions.get()
    version = statements.version_submit(actor=users["member"], version=version)
    version = statements.version_approve(actor=users["manager"], version=version)
    version = statements.version_publish(actor=users["manager"], version=version, channel="website")
    mail.outbox.clear()
    briefing = relays.brief(actor=users["manager"], version=version, relays=[relay.pk])
    delivery = BriefingDelivery.objects.get(briefing=briefing)
    assert (delivery.status, delivery.skip_reason) == ("skipped", "exercise")
    assert relays.deliver(delivery.pk) is False
    assert mail.outbox == []


def test_a_waves_shape_is_checked_line_by_line(cell, users):
    from playbooks import yamlio

    text = (
        "scenarios:\n"
        "  - name: Vague\n"
        "    crisis_type: rumour\n"
        "    injects:\n"
        "      - {at: 10, kind: mention, text: 'Rappel ?', count: 0}\n"
        "      - {at: 20, kind: mention, text: 'Rappel !', reach: -5}\n"
        "      - {at: 30, kind: log, text: Appel, count: 3}\n"
        "      - {at: 40, kind: mention, text: Bien, count: 12, author: '@lea', reach: 5000}\n"
    )
    with pytest.raises(yamlio.ImportRefused) as refused:
        services.scenarios_import(actor=users["manager"], cell=cell, text=text)
    assert [(e.line, e.field) for e in refused.value.errors] == [
        (5, "scenarios[0].injects[0].count"),
        (6, "scenarios[0].injects[1].reach"),
        (7, "scenarios[0].injects[2].count"),
    ]
    good = text.replace("count: 0", "count: 1").replace("reach: -5", "reach: 5").replace(", count: 3", "")
    [scenario] = services.scenarios_import(actor=users["manager"], cell=cell, text=good)
    assert scenario.injects[-1] == {
        "at": 40,
        "kind": "mention",
        "text": "Bien",
        "count": 12,
        "author": "lea",
        "reach": 5000,
    }
    drill = services.drill_start(actor=users["manager"], scenario=scenario)
    assert drill.injects.get(position=3).params == {"count": 12, "author": "lea", "reach": 5000}


def test_a_wave_counts_as_answered_once_one_of_its_posts_is_handled_in_the_queue(cell, users, watchlist):
    QueueRule.objects.create(cell=cell, name="Plaintes", kind="terms", terms="honte")
    drill = start(cell, users)
    deliver_all(drill)
    QueueItem.objects.filter(incident=drill.incident).update(state="answered", done_at=timezone.now())
    # Only the first post: the others wait.
    first = QueueItem.objects.filter(incident=drill.incident).order_by("pk").first()
    QueueItem.objects.filter(incident=drill.incident).exclude(pk=first.pk).update(state="new", done_at=None)
    card = services.drill_end(actor=users["manager"], drill=drill).scorecard
    assert card["injects_delivered"] == 2 and card["injects_answered"] == 1  # the wave; the log inject was not


def test_a_real_incidents_monitoring_stream_leaves_the_drills_posts_out(client, cell, users, watchlist, real_incident):
    from django.urls import reverse

    Alert.objects.create(
        cell=cell, watchlist=watchlist, cause="volume", status="escalated", incident=real_incident, evidence={}
    )
    drill = start(cell, users)
    deliver_all(drill)
    records = [ingest.MentionIn(external_id="real-1", text="Hydra+ un vrai avis", published_at=timezone.now())]
    ingest.ingest_records(make_source(cell), records)
    client.force_login(users["member"])
    for name in ("monitoring:incident", "monitoring:incident-panel"):
        html = client.get(reverse(name, args=[real_incident.pk])).content.decode()
        assert "Hydra+ un vrai avis" in html, name
        assert "Rappel de la crème" not in html, name
    # The cell's own monitoring page shows both, the drill's marked.
    html = client.get(reverse("monitoring:page", args=[cell.pk])).content.decode()
    assert "Hydra+ un vrai avis" in html and "EXERCICE / EXERCISE — Rappel de la crème" in html
