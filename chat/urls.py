from django.urls import path

from . import views

# The chat's URL names stay as they were before it had its own app ("messaging:chat-post").
app_name = "messaging"

urlpatterns = [
    path("incidents/<int:pk>/panels/chat/", views.chat_panel_fragment, name="chat-panel"),
    path("incidents/<int:pk>/chat/", views.chat_post, name="chat-post"),
    path("incidents/<int:pk>/chat/<int:message_pk>/promote/", views.chat_promote, name="chat-promote"),
]
