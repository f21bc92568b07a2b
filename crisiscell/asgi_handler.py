"""Django's ASGI handler, with the whole middleware chain and the view run in one thread.

Django's own handler builds an async middleware chain. Every middleware written
as `MiddlewareMixin` (sessions, locale, CSRF, auth, messages...) then runs each
of its hooks through `sync_to_async`, a sync-only one (WhiteNoise, ours) turns
the rest of the chain back into a thread, the view's middleware (CSRF's
`process_view`) and the view are one more hop each: several thread hops per
request, each a future, a wake-up of the event loop and a hand-over of the GIL
(issue 12: over a third of an API read's samples were outside the view).

Here the chain is built synchronously, as under WSGI, and entered once with
`sync_to_async(thread_sensitive=True)`: the request's middleware, view and
error page run in the request's thread, one hop in and one out. There are no
async views in this project; the WebSocket side (channels) does not go through
this handler.

It also settles what this module was first written for: Django turns an
exception (Http404, PermissionDenied, a bug) into its error page in a thread of
the default executor, not the request's; whatever that page queried opened a
connection there that nothing closed, and with the psycopg pool a burst of
403/404 pages emptied the pool. In the synchronous chain every exception is
turned into its response in the request's thread, whose connections the end of
the request gives back (tests/integration/test_error_pages_connections.py).
"""

import django
from asgiref.sync import sync_to_async
from django.core.handlers.asgi import ASGIHandler


class SyncChainASGIHandler(ASGIHandler):
    def load_middleware(self, is_async=False):
        super().load_middleware(is_async=False)
        # `get_response_async` awaits the chain: one hop into the request's thread.
        self._middleware_chain = sync_to_async(self._middleware_chain, thread_sensitive=True)


def get_asgi_application() -> ASGIHandler:
    """django.core.asgi.get_asgi_application, with the handler above."""
    django.setup(set_prefix=False)
    return SyncChainASGIHandler()
