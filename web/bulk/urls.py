"""Recording a whole agenda on one page: all or nothing."""

from django.urls import path

from web.bulk import views as views_bulk

app_name = "bulk"

urlpatterns = [
    path("meetings/<int:pk>/bulk/", views_bulk.meeting_bulk, name="meeting_bulk"),
]
