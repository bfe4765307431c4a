"""An association's registration by CVR number and its details page (issue 18)."""

from django.urls import path

from web.associations import views

app_name = "associations"

urlpatterns = [
    path("associations/new/", views.association_new, name="association_new"),
    path("associations/<int:pk>/", views.association_details, name="association_details"),
    path("associations/<int:pk>/cvr/", views.association_refresh, name="association_refresh"),
]
