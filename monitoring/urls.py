from django.urls import path

from . import views

app_name = "monitoring"

urlpatterns = [
    path("cells/<int:cell_pk>/monitoring/", views.monitoring_page, name="page"),
    path("cells/<int:cell_pk>/monitoring/live/", views.monitoring_live, name="live"),
    path("cells/<int:cell_pk>/monitoring/alerts/<int:pk>/", views.alert_detail, name="alert"),
    path("cells/<int:cell_pk>/monitoring/alerts/<int:pk>/escalate/", views.alert_escalate, name="alert-escalate"),
    path("cells/<int:cell_pk>/monitoring/alerts/<int:pk>/dismiss/", views.alert_dismiss, name="alert-dismiss"),
    path("cells/<int:cell_pk>/monitoring/imports/new/", views.import_new, name="import-new"),
    path("cells/<int:cell_pk>/monitoring/imports/<int:pk>/", views.import_detail, name="import"),
    path("cells/<int:cell_pk>/monitoring/imports/<int:pk>/progress/", views.import_progress, name="import-progress"),
    path("incidents/<int:incident_pk>/monitoring/", views.incident_volume, name="incident"),
    path("incidents/<int:pk>/monitoring/panel/", views.incident_panel, name="incident-panel"),
    path("cells/<int:cell_pk>/monitoring/mentions/", views.mention_search, name="mentions"),
    path("cells/<int:cell_pk>/monitoring/watchlists/new/", views.watchlist_edit, name="watchlist-new"),
    path("cells/<int:cell_pk>/monitoring/watchlists/<int:pk>/", views.watchlist_edit, name="watchlist-edit"),
]
