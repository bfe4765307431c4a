"""The allocation assistant on a council or committee meeting (issue 20)."""

from django.urls import path

from web.allocation import views

app_name = "allocation"

urlpatterns = [
    path("meetings/<int:pk>/allocation/", views.meeting_allocation, name="meeting_allocation"),
]
