from django.urls import path

from . import views

app_name = "responses"

urlpatterns = [
    path("incidents/<int:pk>/queue/", views.queue, name="queue"),
    path("incidents/<int:pk>/queue/flag/", views.flag, name="flag"),
    path("incidents/<int:pk>/queue/panel/", views.queue_panel, name="panel"),
    path("incidents/<int:pk>/queue/<int:item_pk>/", views.item, name="item"),
    path("incidents/<int:pk>/claims/<int:claim_pk>/mentions/", views.claim_mentions, name="claim"),
    path("cells/<int:cell_id>/queue-settings/", views.settings_page, name="settings"),
    path("cells/<int:cell_id>/queue-waiting/", views.waiting_page, name="waiting"),
]
