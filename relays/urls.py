from django.urls import path, re_path

from . import views

app_name = "relays"

urlpatterns = [
    path("cells/<int:cell_id>/relays/", views.directory, name="directory"),
    path("cells/<int:cell_id>/relays/<int:relay_id>/", views.detail, name="detail"),
    path("cells/<int:cell_id>/relays/<int:relay_id>/export/", views.export, name="export"),
    path("cells/<int:cell_id>/relays/lists/<int:list_id>/", views.list_detail, name="list"),
    path("incidents/<int:pk>/statements/<int:statement_pk>/relays/", views.briefings, name="briefings"),
    path(
        "incidents/<int:pk>/statements/<int:statement_pk>/relays/panel/",
        views.statement_relays,
        name="statement-panel",
    ),
    # The relay's personal tracked link (no account): short, it goes into e-mails.
    # URL-safe base64 only: anything else (a NUL byte...) is a 404 before the database sees it.
    re_path(r"^r/(?P<token>[A-Za-z0-9_-]{1,64})/$", views.tracked, name="tracked"),
]
