"""Recording a whole agenda on one page: all or nothing."""


urlpatterns: list = []
