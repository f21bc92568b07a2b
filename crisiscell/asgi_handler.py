"""Django's ASGI handler, with a request's synchronous work done in one thread hop.

Django's own handler builds an async middleware chain. Every middleware written
as `MiddlewareMixin` (sessions, locale, CSRF, auth, messages...) then runs each
of its hooks through `sync_to_async`, a sync-only one (WhiteNoise, ours) turns
the rest of the chain back into a thread, the view's middleware (CSRF's
`process_view`) and the view are one more hop each: several thread hops per
request, each a future, a wake-up of the event loop and a hand-over of the GIL
(issue 12: over a third of an API read's samples were outside the view).

Here the chain is built synchronously, as under WSGI, and a request's
synchronous work is one call in a worker thread: `request_started` (its
receivers close stale database connections), the middleware chain and the
view, and, for a response that is not streamed, `response.close()`
(`request_finished`: the connections go back to the pool). Django made three
hops of it (the two signals and the chain), and started a new thread for every
request (`ThreadSensitiveContext`): ~0.2 ms of CPU per request measured here,
a tenth of an API read. The threads are a pool of their own
(ASGI_REQUEST_THREADS), reused from one request to the next as WSGI servers
reuse theirs; a thread does one request at a time, and its database connection
is closed at the end of each. A streamed response (WhiteNoise's files) is
closed after it is sent, as Django does. There are no async views in this
project; the WebSocket side (channels) does not go through this handler.

It also settles what this module was first written for: Django turns an
exception (Http404, PermissionDenied, a bug) into its error page in a thread of
the default executor, not the request's; whatever that page queried opened a
connection there that nothing closed, and with the psycopg pool a burst of
403/404 pages emptied the pool. In the synchronous chain every exception is
turned into its response in the request's thread, which closes its connections
at the end of the request (tests/integration/test_error_pages_connections.py).
"""

import asyncio
from concurrent.futures import ThreadPoolExecutor

import django
from asgiref.sync import ThreadSensitiveContext, sync_to_async
from django.conf import settings
from django.core import signals
from django.core.exceptions import RequestAborted
from django.core.handlers.asgi import ASGIHandler, get_script_prefix
from django.http import FileResponse
from django.urls import set_script_prefix, set_urlconf
from django.utils.log import log_response


class SyncChainASGIHandler(ASGIHandler):
    def load_middleware(self, is_async=False):
        super().load_middleware(is_async=False)
        self._executor = ThreadPoolExecutor(
            max_workers=settings.ASGI_REQUEST_THREADS, thread_name_prefix="django-request"
        )

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            raise ValueError(f"Django can only handle ASGI/HTTP connections, not {scope['type']}.")
        # Kept for whatever still asks for the request's thread (closing a streamed response).
        async with ThreadSensitiveContext():
            await self.handle(scope, receive, send)

    async def handle(self, scope, receive, send):
        try:
            body_file = await self.read_body(receive)
        except RequestAborted:
            return
        set_script_prefix(get_script_prefix(scope))
        try:
            response, closed = await sync_to_async(self._respond, thread_sensitive=False, executor=self._executor)(
                scope, body_file
            )
            try:
                await self.send_response(response, send)
            except asyncio.CancelledError:
                pass  # the client went away while it was being sent
            finally:
                if not closed:
                    await sync_to_async(response.close)()
        finally:
            body_file.close()

    def _respond(self, scope, body_file):
        """In a worker thread: the signal, the request, the chain, and (unless streamed) the close."""
        signals.request_started.send(sender=self.__class__, scope=scope)
        request, response = self.create_request(scope, body_file)
        if request is not None:
            set_urlconf(settings.ROOT_URLCONF)
            response = self._middleware_chain(request)
            response._resource_closers.append(request.close)
            if response.status_code >= 400:
                log_response("%s: %s", response.reason_phrase, request.path, response=response, request=request)
        response._handler_class = self.__class__
        if isinstance(response, FileResponse):
            response.block_size = self.chunk_size  # the ASGI server chunks it
        if response.streaming:
            return response, False
        response.close()  # request_finished, in the thread that used the connections
        return response, True


def get_asgi_application() -> ASGIHandler:
    """django.core.asgi.get_asgi_application, with the handler above."""
    django.setup(set_prefix=False)
    return SyncChainASGIHandler()
