from django.urls import path

from . import views

app_name = "cells"

urlpatterns = [
    path("switch/", views.switch_cell, name="switch"),
    path("<int:cell_id>/members/", views.members, name="members"),
]
