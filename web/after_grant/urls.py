from django.urls import path

from web.after_grant import views as views_reports

app_name = "after_grant"

urlpatterns = [
    path(
        "applications/<int:pk>/report/",
        views_reports.report_submit,
        name="report_submit",
    ),
    path(
        "applications/<int:pk>/report/approve/",
        views_reports.report_approve,
        name="report_approve",
    ),
    path(
        "report-attachments/<int:pk>/",
        views_reports.report_attachment_download,
        name="report_attachment_download",
    ),
    path("usage-reports/", views_reports.usage_reports, name="usage_reports"),
    path("payouts/", views_reports.payouts, name="payouts"),
]
