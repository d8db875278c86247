"""The editors' admin: Chinese header, essay inlines, saving inline edits."""

import pytest
from django.urls import reverse

from essays.models import Section
from essays.services.editing import version_token
from tests.factories import make_collection, make_essay, make_topic

pytestmark = pytest.mark.django_db


@pytest.fixture
def essay():
    return make_essay(
        collection=make_collection(title="提升服务意识 统筹城乡发展"),
        number=3,
        title="统筹城乡发展",
        topics=[make_topic()],
        sections=[
            {"level": 1, "number": "一", "heading": "旧标题", "text": "正文"},
            {"level": 2, "number": "1", "heading": "子标题", "text": "子正文", "parent": 0},
        ],
        references=[{"label": "[1]", "text": "[1]文献[M].2002.", "kind": "M", "year": 2002}],
    )


def change_url(essay) -> str:
    return reverse("admin:essays_essay_change", args=[essay.pk])


def test_admin_index_is_chinese(admin_client):
    html = admin_client.get(reverse("admin:index")).content.decode()
    assert "文章库管理" in html
    assert "文章" in html and "文集" in html and "主题" in html


def test_essay_change_page_renders_inlines(admin_client, essay):
    response = admin_client.get(change_url(essay))
    assert response.status_code == 200
    html = response.content.decode()
    assert "sections-TOTAL_FORMS" in html
    assert "references-TOTAL_FORMS" in html
    assert 'value="旧标题"' in html
    assert "[1]文献[M].2002." in html
    assert 'href="/admin/r/' in html  # view on site


def test_section_parent_choices_are_limited_to_the_same_essay(admin_client, essay):
    other = make_essay(number=9, sections=[{"heading": "别的文章的章节"}])
    assert other.sections.exists()
    response = admin_client.get(change_url(essay))
    formset = response.context["inline_admin_formsets"][0].formset
    choices = set(formset.forms[0].fields["parent"].queryset)
    assert choices == set(essay.sections.all())


def post_data(essay, **section_overrides) -> dict:
    """The change form's data as the browser would submit it."""
    sections = list(essay.sections.order_by("order"))
    data = {
        "collection": essay.collection_id,
        "number": essay.number,
        "title": essay.title,
        "subtitle": essay.subtitle,
        "intro": essay.intro,
        "keywords": "[]",
        "topics": [t.pk for t in essay.topics.all()],
        "version": version_token(essay.updated_at),
        "sections-TOTAL_FORMS": len(sections),
        "sections-INITIAL_FORMS": len(sections),
        "sections-MIN_NUM_FORMS": 0,
        "sections-MAX_NUM_FORMS": 1000,
        "references-TOTAL_FORMS": 1,
        "references-INITIAL_FORMS": 1,
        "references-MIN_NUM_FORMS": 0,
        "references-MAX_NUM_FORMS": 1000,
    }
    for i, section in enumerate(sections):
        prefix = f"sections-{i}-"
        data.update(
            {
                prefix + "id": section.pk,
                prefix + "essay": essay.pk,
                prefix + "order": section.order,
                prefix + "level": section.level,
                prefix + "number": section.number,
                prefix + "heading": section.heading,
                prefix + "parent": section.parent_id or "",
                prefix + "text": section.text,
            }
        )
    reference = essay.references.get()
    data.update(
        {
            "references-0-id": reference.pk,
            "references-0-essay": essay.pk,
            "references-0-order": reference.order,
            "references-0-label": reference.label,
            "references-0-text": reference.text,
            "references-0-kind": reference.kind,
            "references-0-year": reference.year,
        }
    )
    data.update(section_overrides)
    return data


def test_saving_an_inline_section_edit_changes_the_database(admin_client, essay):
    response = admin_client.post(
        change_url(essay), post_data(essay, **{"sections-0-heading": "新标题"})
    )
    assert response.status_code == 302, response.context and response.context["errors"]
    first = Section.objects.get(essay=essay, order=1)
    assert first.heading == "新标题"
    assert Section.objects.get(essay=essay, order=2).parent == first


def test_a_parent_from_another_essay_is_rejected(admin_client, essay):
    foreign = make_essay(number=9, sections=[{"heading": "别的"}]).sections.get()
    response = admin_client.post(
        change_url(essay), post_data(essay, **{"sections-1-parent": foreign.pk})
    )
    assert response.status_code == 200  # form redisplayed with an error
    assert Section.objects.get(essay=essay, order=2).parent.heading == "旧标题"


def test_collection_change_page_shows_raw_text_and_essays_read_only(admin_client, essay):
    url = reverse("admin:essays_collection_change", args=[essay.collection_id])
    html = admin_client.get(url).content.decode()
    assert "原始文本" in html
    assert '<li value="3">统筹城乡发展</li>' in html
    assert 'name="raw_text"' not in html


def test_changelists_render(admin_client, essay):
    for name in ("essay", "collection", "topic", "section", "reference"):
        response = admin_client.get(reverse(f"admin:essays_{name}_changelist"))
        assert response.status_code == 200, name
    response = admin_client.get(reverse("admin:essays_essay_changelist"), {"q": "统筹"})
    assert "统筹城乡发展" in response.content.decode()
