from django.urls import path

from web.feedback import views

app_name = "feedback"

urlpatterns = [
    path("applications/<int:pk>/feedback/", views.feedback_answer, name="feedback_answer"),
    path("feedback/rounds/<int:pk>/", views.round_results, name="round_results"),
    path("feedback/year/", views.year_results, name="year_results"),
    path("feedback/summary/new/", views.summary_new, name="summary_new"),
    path("feedback/summaries/", views.summaries, name="summaries"),
    path("feedback/summaries/<int:pk>/pdf/", views.summary_pdf, name="summary_pdf"),
]
