from django.urls import path

from . import views

app_name = "playbooks"

urlpatterns = [
    path("incidents/<int:pk>/panels/tasks/", views.tasks_panel, name="panel"),
    path("incidents/<int:pk>/tasks/new/", views.task_add, name="add"),
    path("incidents/<int:pk>/tasks/apply/", views.level_apply, name="apply"),
    path("incidents/<int:pk>/tasks/<int:task_pk>/move/", views.task_move, name="move"),
    path("incidents/<int:pk>/panels/activation/", views.activation_panel, name="activation-panel"),
    path("incidents/<int:pk>/activate/", views.activate, name="activate"),
    path("incidents/<int:pk>/activations/<int:activation_pk>/", views.ack, name="ack"),
    path("tasks/", views.my_tasks, name="mine"),
    path("cells/<int:cell_id>/playbooks/", views.cell_playbooks, name="cell"),
    path("cells/<int:cell_id>/playbooks/export.yaml", views.cell_playbooks_export, name="export"),
    path("cells/<int:cell_id>/preparedness/", views.cell_settings, name="settings"),
    path("cells/<int:cell_id>/preparedness/rota/<int:slot_pk>/remove/", views.rota_remove, name="rota-remove"),
]
