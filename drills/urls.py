from django.urls import path

from . import views

app_name = "drills"

urlpatterns = [
    path("cells/<int:cell_id>/drills/", views.cell_drills, name="cell"),
    path("cells/<int:cell_id>/drills/scenarios/<int:scenario_pk>/start/", views.drill_start, name="start"),
    path("drills/<int:pk>/", views.drill_detail, name="detail"),
    path("drills/<int:pk>/control/", views.drill_control, name="control"),
]
