"""Small inline SVG charts, drawn on the server (no script, no library): bars per hour.

Colours are SVG presentation attributes, not style: the content security policy allows no inline style."""

from django.utils.html import format_html, format_html_join

WIDTH, HEIGHT, PAD = 300, 80, 14
INCOMING, ANSWERED = "#f59e0b", "#2563eb"


def bars(series: list[dict], keys: tuple[str, ...], *, label: str, colours: tuple[str, ...]) -> str:
    """Grouped bars (one group per point of `series`, one bar per key), with an accessible label."""
    if not series:
        return ""
    peak = max([max((row[key] or 0) for key in keys) for row in series] + [1])
    group = (WIDTH - 2) / len(series)
    bar = max(1.0, group / (len(keys) + 1))
    rects = []
    for index, row in enumerate(series):
        for offset, (key, css) in enumerate(zip(keys, colours, strict=True)):
            value = row[key] or 0
            height = (HEIGHT - PAD) * value / peak
            x = 1 + index * group + offset * bar
            rects.append((css, f"{x:.1f}", f"{HEIGHT - PAD - height:.1f}", f"{bar:.1f}", f"{height:.1f}", value))
    body = format_html_join(
        "",
        '<rect fill="{}" x="{}" y="{}" width="{}" height="{}"><title>{}</title></rect>',
        rects,
    )
    return format_html(
        '<svg class="mini-chart" viewBox="0 0 {} {}" role="img" aria-label="{}" preserveAspectRatio="none">'
        '<line x1="0" y1="{}" x2="{}" y2="{}" stroke="#94a3b8"></line>{}</svg>',
        WIDTH,
        HEIGHT,
        label,
        HEIGHT - PAD,
        WIDTH,
        HEIGHT - PAD,
        body,
    )
