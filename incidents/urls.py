from django.urls import path, re_path

from . import panel_views, verification_views, views

app_name = "incidents"

urlpatterns = [
    path("", views.incident_list, name="list"),
    path("incidents/new/", views.incident_create, name="create"),
    path("incidents/<int:pk>/", views.incident_detail, name="detail"),
    path("incidents/<int:pk>/edit/", views.incident_edit, name="edit"),
    path("incidents/<int:pk>/search/", views.incident_search, name="search"),
    path("incidents/<int:pk>/transition/", views.incident_transition, name="transition"),
    path("incidents/<int:pk>/log/", views.log_entry_add, name="log-add"),
    path("incidents/<int:pk>/log/<int:entry_pk>/pin/", views.log_entry_pin, name="log-pin"),
    path("incidents/<int:pk>/log/verify/", verification_views.log_verify, name="log-verify"),
    path("incidents/<int:pk>/log/verification/", verification_views.log_verification, name="log-verification"),
    # Only this app's panel names: facts/, statements/... panels belong to their apps' urls.
    re_path(
        r"^incidents/(?P<pk>[0-9]+)/panels/(?P<name>{})/$".format("|".join(panel_views.PANELS)),
        panel_views.incident_panel,
        name="panel",
    ),
]
