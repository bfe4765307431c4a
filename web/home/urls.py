"""The home of every role ("Mine opgaver"): the landing page after signing in."""

from django.urls import path

from web.home import views

app_name = "home"

urlpatterns = [
    path("", views.home, name="home"),
]
