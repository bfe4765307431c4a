"""The privacy notice: public, no sign-in needed."""

from django.urls import path

from web.privacy import views

app_name = "privacy"

urlpatterns = [
    path("privatliv/", views.privacy_notice, name="privacy_notice"),
]
