from django.contrib import admin
from django.urls import include, path

urlpatterns = [
    path("", include("web.urls")),
    path("notifications/", include("web.notifications.urls")),
    path("api/v1/", include("api.urls")),
    path("", include("web.accounts.urls")),
    path("", include("web.nemlogin.urls")),
    path("oidc/", include("accounts.oidc.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
    # Last: the public pages' /<slug>/ must not answer for any path above (web/public/urls.py).
    path("", include("web.public.urls")),
]

# The 500 page shows the request's id, which its log line carries (config/errors.py).
handler500 = "config.errors.server_error"
