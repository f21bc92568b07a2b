from django.urls import path, re_path

from . import claim_views, views

app_name = "facts"

urlpatterns = [
    # Fragments of the workspace, for live updates: each returns its panel's refreshable wrapper.
    path("incidents/<int:pk>/panels/facts/", views.facts_panel_fragment, name="panel"),
    path("incidents/<int:pk>/panels/claims/", claim_views.claims_panel_fragment, name="claims-panel"),
    # Facts.
    path("incidents/<int:pk>/facts/new/", views.fact_add, name="add"),
    path("incidents/<int:pk>/facts/<int:fact_pk>/", views.fact_detail, name="detail"),
    path("incidents/<int:pk>/facts/<int:fact_pk>/edit/", views.fact_edit, name="edit"),
    path("incidents/<int:pk>/facts/<int:fact_pk>/sources/", views.source_add, name="source-add"),
    re_path(
        r"^incidents/(?P<pk>[0-9]+)/facts/(?P<fact_pk>[0-9]+)/(?P<action>verify|refute|retract)/$",
        views.fact_move,
        name="move",
    ),
    # Claims.
    path("incidents/<int:pk>/claims/new/", claim_views.claim_add, name="claim-add"),
    path("incidents/<int:pk>/claims/<int:claim_pk>/", claim_views.claim_detail, name="claim-detail"),
    path("incidents/<int:pk>/claims/<int:claim_pk>/status/", claim_views.claim_transition, name="claim-transition"),
    path("incidents/<int:pk>/claims/<int:claim_pk>/facts/", claim_views.claim_link, name="claim-link"),
]
