"""Flash messages that carry instructions for the next page's scripts (base.html turns the tags into data-*).

- `until`: the page takes the banner down when a live event makes it false
  ("Level changed to Alert", then someone moves it to Crisis). Its form is
  "<event type prefix>" or "<prefix>|<data key>=<value>" (static/js/stale-banners.js).
- `clear_draft`: the text kept locally for that form was saved; forget it (static/js/drafts.js).
"""

from django.contrib import messages


def success(request, message: str, *, until: str = "", clear_draft: str = "") -> None:
    tags = [f"stale-on:{until}" if until else "", f"clear-draft:{clear_draft}" if clear_draft else ""]
    messages.success(request, message, extra_tags=" ".join(tag for tag in tags if tag))
