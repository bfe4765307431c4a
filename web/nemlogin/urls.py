from django.urls import path

from web.nemlogin import views

app_name = "nemlogin"

urlpatterns = [
    path("saml/login/", views.NemLoginLoginView.as_view(), name="login"),
    path("saml/acs/", views.NemLoginAcsView.as_view(), name="acs"),
    path("saml/logout/", views.NemLoginLogoutView.as_view(), name="logout"),
    path("saml/ls/", views.NemLoginSingleLogoutView.as_view(), name="ls"),
    path("saml/metadata/", views.NemLoginMetadataView.as_view(), name="metadata"),
    path("nemlogin/association/", views.register, name="register"),
    path("nemlogin/contact/", views.contact, name="contact"),
    path("nemlogin/act-for/", views.choose, name="choose"),
]
