"""The council: assessments, conflicts of interest, the chair's overview."""


urlpatterns: list = []
