from django.urls import path

from web.case_messages import views

# Not "messages": that is django.contrib.messages' app label.
app_name = "case_messages"

urlpatterns = [
    path("applications/<int:pk>/messages/", views.message_send, name="message_send"),
]
