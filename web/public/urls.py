"""The public pages, per municipality, no sign-in: its calls and its grants register.

Included LAST in config/urls.py: ``<slug>/`` would otherwise answer for every other
one-segment path (``/admin/``, ``/notifications/``). A municipality's slug can never be
the first segment of another path (``cases.validators.validate_public_slug``).
The paths are Danish (what citizens read); the names English.
"""

from django.urls import path

from web.public import views

app_name = "public"

urlpatterns = [
    path("kommuner/", views.index, name="index"),
    path("<slug:slug>/", views.municipality, name="municipality"),
    path("<slug:slug>/puljer/<int:pk>/", views.call, name="call"),
    path("<slug:slug>/tilskud/", views.register, name="register"),
    path("<slug:slug>/tilskud.csv", views.register_csv, name="register_csv"),
    path("<slug:slug>/tilskud.json", views.register_json, name="register_json"),
    path("<slug:slug>/tilskud.atom", views.register_atom, name="register_atom"),
]
