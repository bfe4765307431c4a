"""The directory of associations (issue 20, item 4): the association's own screens and the
municipality's public pages and open data.

Included from web/urls.py, so before web.public's catch-all ``<slug>/`` (config/urls.py);
the public paths are Danish (what citizens read), as the register's are.
"""

from django.urls import path

from web.directory import public, views

app_name = "directory"

urlpatterns = [
    path("associations/<int:pk>/directory/", views.entries, name="entries"),
    path("associations/<int:pk>/directory/<slug:slug>/", views.entry_edit, name="entry_edit"),
    path(
        "associations/<int:pk>/directory/<slug:slug>/withdraw/",
        views.entry_withdraw,
        name="entry_withdraw",
    ),
    path("<slug:slug>/foreninger/", public.public_list, name="public_list"),
    path("<slug:slug>/foreninger/<int:pk>/", public.public_entry, name="public_entry"),
    path("<slug:slug>/foreninger.json", public.public_json, name="public_json"),
    path("<slug:slug>/foreninger.csv", public.public_csv, name="public_csv"),
]
