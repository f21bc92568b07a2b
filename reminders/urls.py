from django.urls import path

from . import views

app_name = "reminders"

urlpatterns = [
    path("incidents/<int:pk>/reminders/<int:reminder_pk>/snooze/", views.snooze, name="snooze"),
]
