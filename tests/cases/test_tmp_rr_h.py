from django.urls import reverse
from tests.cases.test_applicant_screens import edit_post
from cases.models import TargetGroup
import pytest
pytestmark = pytest.mark.django_db
def test_h(world, draft, as_user):
    ids = list(TargetGroup.objects.filter(code__in=["older"]).values_list("pk", flat=True))
    r = as_user(world.anna).post(reverse("application_edit", args=[draft.pk]), edit_post(draft, target_groups=ids))
    h = draft.history.first()
    print(h.history_user, h.history_type, [ (x.targetgroup.code) for x in h.target_groups.all()])
    print(draft.history.count())
