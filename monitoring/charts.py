"""Volume charts as SVG rendered on the server: readable without JavaScript, no library to vendor.

Bars: mentions per time bucket; the line: the negative share (0-100 % on the same
height); vertical marks: events on the same time axis (statements published, level
changes), so the cell sees whether a statement calmed the storm. Every text goes
through Django's escaping (format_html).

The SVG stretches to its box (preserveAspectRatio="none", strokes that do not scale):
the figures around it (the peak, the first and last times, in the reader's language and
zone like every date of the app) are HTML, so they stay readable on a phone, where a
scaled SVG's text shrank to a few pixels.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _

from core.dates import local_text

# The plot only: the figures around it are HTML (see above). PAD_TOP leaves room for the peak.
WIDTH, HEIGHT, PAD_LEFT, PAD_BOTTOM, PAD_TOP = 720, 160, 2, 0, 18


@dataclass
class Marker:
    at: datetime
    label: str
    kind: str  # "statement" | "level"


def _x(index: float, steps: int) -> float:
    return PAD_LEFT + (WIDTH - PAD_LEFT - 4) * index / max(steps, 1)


def volume_svg(points: list[dict], *, title: str, markers: list[Marker] = (), bucket_minutes: int = 15) -> SafeString:
    """`points`: selectors.volume_series output (regular buckets)."""
    steps = len(points)
    peak = max([p["count"] for p in points] + [1])
    plot_height = HEIGHT - PAD_BOTTOM - PAD_TOP
    bar_width = max((WIDTH - PAD_LEFT - 4) / max(steps, 1) - 1, 1)
    bars = []
    line = []
    for index, point in enumerate(points):
        height = plot_height * point["count"] / peak
        x = _x(index, steps)
        if point["count"]:
            bars.append(
                (
                    f"{x:.1f}",
                    f"{HEIGHT - PAD_BOTTOM - height:.1f}",
                    f"{bar_width:.1f}",
                    f"{height:.1f}",
                    _("%(when)s: %(count)s mentions, %(negative)s negative")
                    % {"when": local_text(point["at"]), "count": point["count"], "negative": point["negative"]},
                )
            )
            share = point["negative"] / point["count"]
            line.append(f"{x + bar_width / 2:.1f},{HEIGHT - PAD_BOTTOM - plot_height * share:.1f}")
    bucket = timedelta(minutes=bucket_minutes)
    # The axis runs to the end of the last bucket: an event of the last minutes is on it.
    start, end = (points[0]["at"], points[-1]["at"] + bucket) if points else (timezone.now(), timezone.now())
    marks = []
    for marker in markers:
        if not start <= marker.at <= end:
            continue
        x = _x((marker.at - start) / bucket, steps)
        marks.append(
            (
                marker.kind,
                f"{x:.1f}",
                f"{x:.1f}",
                PAD_TOP,
                HEIGHT - PAD_BOTTOM,
                marker.label,
                local_text(marker.at),
            )
        )
    body = format_html_join(
        "",
        '<rect class="bar" x="{}" y="{}" width="{}" height="{}"><title>{}</title></rect>',
        bars,
    )
    negative = (
        format_html('<polyline class="negative" fill="none" points="{}"/>', " ".join(line)) if len(line) > 1 else ""
    )
    mark_html = format_html_join(
        "",
        '<line class="mark mark-{}" x1="{}" x2="{}" y1="{}" y2="{}"><title>{} — {}</title></line>',
        marks,
    )
    axis = format_html(
        '<div class="chart-axis" aria-hidden="true"><span>{}</span><span>{}</span></div>',
        local_text(start),
        local_text(end),
    )
    summary = _("%(total)s mentions, %(negative)s negative, peak %(peak)s per %(minutes)s minutes") % {
        "total": sum(p["count"] for p in points),
        "negative": sum(p["negative"] for p in points),
        "peak": peak if any(p["count"] for p in points) else 0,
        "minutes": bucket_minutes,
    }
    return format_html(
        '<figure class="volume-chart"><div class="chart-plot"><span class="chart-peak" aria-hidden="true">{}</span>'
        '<svg viewBox="0 0 {} {}" preserveAspectRatio="none" role="img" aria-label="{}">'
        '<title>{}</title>{}{}{}</svg></div>{}<figcaption>{} <span class="muted">{}</span></figcaption></figure>',
        peak,
        WIDTH,
        HEIGHT - PAD_BOTTOM,
        f"{title}: {summary}",
        title,
        body,
        negative,
        mark_html,
        axis,
        title,
        summary,
    )


def legend() -> SafeString:
    return format_html(
        '<ul class="chart-legend muted"><li><span class="key key-bar"></span>{}</li>'
        '<li><span class="key key-negative"></span>{}</li><li><span class="key key-statement"></span>{}</li>'
        '<li><span class="key key-level"></span>{}</li></ul>',
        _("mentions"),
        _("negative share"),
        _("statement published"),
        _("level change"),
    )


def sparkline_svg(points: list[dict], *, bucket_minutes: int) -> SafeString:
    """A small volume chart for a panel: bars of mentions per bucket, the negative ones darker
    at their foot; what it says is in its label (and in the text beside it)."""
    width, height = 240, 40
    steps = max(len(points), 1)
    peak = max([p["count"] for p in points] + [1])
    step = width / steps
    bars = []
    for index, point in enumerate(points):
        if not point["count"]:
            continue
        x = index * step
        total = height * point["count"] / peak
        negative = height * point["negative"] / peak
        bars.append(("bar", f"{x:.1f}", f"{height - total:.1f}", f"{max(step - 1, 1):.1f}", f"{total:.1f}"))
        if negative:
            bars.append(("neg", f"{x:.1f}", f"{height - negative:.1f}", f"{max(step - 1, 1):.1f}", f"{negative:.1f}"))
    label = _("Volume of the last 24 hours, per %(minutes)s minutes: peak %(peak)s") % {
        "minutes": bucket_minutes,
        "peak": peak if any(p["count"] for p in points) else 0,
    }
    body = format_html_join("", '<rect class="{}" x="{}" y="{}" width="{}" height="{}"/>', bars)
    return format_html(
        '<svg class="sparkline" viewBox="0 0 {} {}" preserveAspectRatio="none" role="img" aria-label="{}">'
        "<title>{}</title>{}</svg>",
        width,
        height,
        label,
        label,
        body,
    )
