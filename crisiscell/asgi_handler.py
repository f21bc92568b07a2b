"""Django's ASGI handler, with the page of an exception rendered in the request's own thread.

Django turns an exception (Http404, PermissionDenied, a bug) into its error page
with `sync_to_async(response_for_exception, thread_sensitive=False)`: in a thread
of the default executor, not the request's. Whatever that page queried (the
user, the unread count) opened a connection in that thread, and nothing closes
it: Django closes connections when the request finishes, in the request's
thread. With the psycopg pool each such thread kept a pooled connection for
good; a burst of 403/404 pages emptied the pool and the server stopped answering.

Here every exception raised while resolving the URL or running the view is
turned into its response in the request's thread (thread_sensitive=True),
whose connections the end of the request gives back. The error pages need no
database anyway (crisiscell/error_pages.py), for the rare exception raised by
a middleware, which Django still converts in another thread.
"""

import django
from asgiref.sync import sync_to_async
from django.core.handlers.asgi import ASGIHandler
from django.core.handlers.exception import response_for_exception


class RequestThreadErrorsASGIHandler(ASGIHandler):
    async def _get_response_async(self, request):
        try:
            return await super()._get_response_async(request)
        except Exception as exc:
            return await sync_to_async(response_for_exception, thread_sensitive=True)(request, exc)


def get_asgi_application() -> ASGIHandler:
    """django.core.asgi.get_asgi_application, with the handler above."""
    django.setup(set_prefix=False)
    return RequestThreadErrorsASGIHandler()
