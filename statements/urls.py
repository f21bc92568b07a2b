from django.urls import path, re_path

from . import views

app_name = "statements"

urlpatterns = [
    # Fragments of the workspace, for live updates: each returns its panel's refreshable wrapper.
    path("incidents/<int:pk>/panels/statements/", views.statements_panel_fragment, name="panel"),
    path("incidents/<int:pk>/panels/needs-review/", views.needs_review_fragment, name="needs-review-panel"),
    path("incidents/<int:pk>/panels/glance/", views.glance_fragment, name="glance-panel"),
    path("incidents/<int:pk>/statements/new/", views.statement_add, name="add"),
    path("incidents/<int:pk>/statements/<int:statement_pk>/", views.statement_detail, name="detail"),
    path("incidents/<int:pk>/statements/<int:statement_pk>/edit/", views.statement_update, name="update"),
    path("incidents/<int:pk>/statements/<int:statement_pk>/review-due/", views.review_due, name="review-due"),
    path(
        "incidents/<int:pk>/statements/<int:statement_pk>/v<int:number>/edit/",
        views.version_edit,
        name="version-edit",
    ),
    re_path(
        r"^incidents/(?P<pk>[0-9]+)/statements/(?P<statement_pk>[0-9]+)/v(?P<number>[0-9]+)/"
        r"(?P<action>submit|approve|reject|publish|withdraw)/$",
        views.version_action,
        name="version-action",
    ),
]
