from django.urls import include, path

from core.api.routers import Router

from . import views

cell_routes = Router()
cell_routes.register("mentions", views.MentionViewSet, basename="cell-mention")
cell_routes.register("watchlists", views.WatchlistViewSet, basename="cell-watchlist")
cell_routes.register("alerts", views.AlertViewSet, basename="cell-alert")
cell_routes.register("sources", views.SourceViewSet, basename="cell-source")
cell_routes.register("ingest-tokens", views.IngestTokenViewSet, basename="cell-ingest-token")
cell_routes.register("tone-words", views.ToneWordViewSet, basename="cell-tone-word")

urlpatterns = [
    path("mentions/batch/", views.MentionBatchView.as_view(), name="monitoring-mention-batch"),
    path("cells/<int:cell_pk>/monitoring/", include(cell_routes.urls)),
]
