"""The privacy notice and the accessibility statement: public, no sign-in needed."""

from django.urls import path

from web.privacy import views

app_name = "privacy"

urlpatterns = [
    path("privatliv/", views.privacy_notice, name="privacy_notice"),
    path("tilgaengelighed/", views.accessibility_statement, name="accessibility_statement"),
]
