from django.urls import path

from web.accounts import views

app_name = "accounts"

urlpatterns = [
    path("login/", views.LoginView.as_view(), name="login"),
    path("logout/", views.LogoutView.as_view(), name="logout"),
    path("login/setup-code/", views.otp_setup, name="otp_setup"),
    path("login/code/", views.otp_verify, name="otp_verify"),
    path("session/stay/", views.session_stay, name="session_stay"),
]
