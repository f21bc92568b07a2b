from django.urls import include, path
from rest_framework.authtoken.views import ObtainAuthToken
from rest_framework.routers import DefaultRouter, SimpleRouter
from rest_framework.throttling import ScopedRateThrottle

from cells.api import CellViewSet, MembershipViewSet
from incidents.api.views import IncidentViewSet, LogEntryViewSet


class TokenView(ObtainAuthToken):
    """POST {"username", "password"} -> {"token"}; throttled, and django-axes locks out guessing."""

    throttle_scope = "token"
    throttle_classes = [ScopedRateThrottle]


router = DefaultRouter()
router.register("incidents", IncidentViewSet, basename="incident")
router.register("cells", CellViewSet, basename="cell")

incident_router = SimpleRouter()
incident_router.register(r"incidents/(?P<incident_pk>\d+)/log", LogEntryViewSet, basename="incident-log")
incident_router.register(r"cells/(?P<cell_pk>\d+)/members", MembershipViewSet, basename="cell-member")

urlpatterns = [
    path("auth/token/", TokenView.as_view(), name="api-token"),
    path("", include(incident_router.urls)),
    path("", include(router.urls)),
]
