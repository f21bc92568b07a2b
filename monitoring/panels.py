"""The mentions panel of the incident workspace: what is said online about this incident.

It shows the watchlists of the alerts attached to the incident (the same ones as its full
page, /incidents/{id}/monitoring/): their volume over the last 24 hours as a sparkline, the
totals, and the latest matched mentions; a link leads to the full page. It is live: the
workspace page follows the cell's monitoring socket (static/js/monitoring-live.js) and
fetches the panel again (`panel_fragment`) when mentions or alerts arrive, at most once a
second. A fixed number of queries whatever the number of mentions.
"""

from datetime import timedelta

from django.utils import timezone

from . import charts, selectors
from .models import Alert

LIVE_PANEL = "monitoring-mentions"  # the name the page refreshes (data-live-panel)
STREAM = 6
HOURS = 24
BUCKET_MINUTES = 30


def incident_mentions(incident) -> dict:
    """The panel's context for an incident (the caller checked membership)."""
    watchlist_ids = sorted(set(Alert.objects.filter(incident=incident).values_list("watchlist_id", flat=True)))
    panel = {"incident": incident, "watchlists": [], "stream": [], "sparkline": "", "count": 0, "negative": 0}
    if not watchlist_ids:
        return panel
    watchlists = list(selectors.watchlists(incident.cell_id).filter(pk__in=watchlist_ids))
    until = timezone.now()
    series = selectors.volume_series(
        watchlist_ids, since=until - timedelta(hours=HOURS), until=until, bucket_minutes=BUCKET_MINUTES
    )
    names = {watchlist.pk: watchlist.name for watchlist in watchlists}
    stream = list(
        selectors.mentions(
            incident.cell_id, any_of_watchlists=watchlist_ids, for_display=True, real_only=not incident.is_exercise
        )[:STREAM]
    )
    for mention in stream:
        mention.watchlist_names = [names[int(key)] for key in mention.matched if int(key) in names]
    panel.update(
        watchlists=watchlists,
        stream=stream,
        count=sum(point["count"] for point in series),
        negative=sum(point["negative"] for point in series),
        sparkline=charts.sparkline_svg(series, bucket_minutes=BUCKET_MINUTES),
    )
    return panel
