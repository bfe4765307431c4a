from django.urls import path

from web.handover import views

app_name = "handover"

urlpatterns = [
    path("applications/<int:pk>/journal/", views.journal_now, name="journal_now"),
    path("payouts/runs/new/", views.payment_run_new, name="payment_run_new"),
    path("payouts/runs/<int:pk>/", views.payment_run_detail, name="payment_run_detail"),
    path("payouts/runs/<int:pk>/file/", views.payment_run_file, name="payment_run_file"),
    path("payouts/runs/<int:pk>/table.csv", views.payment_run_csv, name="payment_run_csv"),
]
