from django.urls import path

from web.notifications import views

app_name = "notifications"

urlpatterns = [
    path("", views.notification_list, name="notification_list"),
    path("read/", views.notification_mark_all_read, name="notification_mark_all_read"),
    path("<int:pk>/", views.notification_detail, name="notification_detail"),
    path("<int:pk>/read/", views.notification_mark_read, name="notification_mark_read"),
    path("preferences/", views.notification_preferences, name="notification_preferences"),
    path("outbox/", views.notification_outbox, name="notification_outbox"),
    path("outbox/<int:municipality_pk>/", views.notification_outbox, name="notification_outbox"),
]
