from django.urls import path

from web.reports import views as views_round_report

app_name = "reports"

urlpatterns = [
    path("rounds/<int:pk>/report/", views_round_report.round_report, name="round_report"),
    path(
        "rounds/<int:pk>/report.csv", views_round_report.round_report_csv, name="round_report_csv"
    ),
    path("reports/years/", views_round_report.municipality_report, name="municipality_report"),
]
