from django.urls import path

from . import views

app_name = "workspace"

urlpatterns = [
    path("cells/<int:cell_id>/communication/", views.comms_settings, name="comms-settings"),
]
