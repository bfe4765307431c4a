"""Meetings: preparation, agenda and minutes (pages and PDFs)."""


urlpatterns: list = []
