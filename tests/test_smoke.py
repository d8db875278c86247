"""The project boots and migrates with the three default topics."""

import pytest

from essays.models import Topic


@pytest.mark.django_db
def test_default_topics_exist_after_migrate():
    slugs = set(Topic.objects.values_list("slug", flat=True))
    assert {"chengxiang-tongchou", "fuwu-yishi", "laodongli-zhuanyi"} <= slugs
