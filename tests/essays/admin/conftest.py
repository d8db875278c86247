"""Admin test fixtures: an editor in the 编辑 group, a staff user without it, the corpus
and a search index of each test's own (the search app's fixtures), and form helpers."""

from __future__ import annotations

from html.parser import HTMLParser
from typing import Any

import pytest
from django.contrib.auth.models import Group
from django.test import Client

# Each test gets its own whoosh index; ``corpus`` loads the real documents and their index.
from tests.search.conftest import corpus, corpus_snapshot, reindex, search_index  # noqa: F401

PASSWORD = "不易猜到的密码-2024"


@pytest.fixture
def editor(django_user_model):
    """A staff user in the 编辑 group (not a superuser)."""
    user = django_user_model.objects.create_user("bianji", password=PASSWORD, is_staff=True)
    user.groups.add(Group.objects.get(name="编辑"))
    return user


@pytest.fixture
def editor_client(editor) -> Client:
    """A test client logged in as the editor."""
    client = Client()
    client.force_login(editor)
    return client


class FormFields(HTMLParser):
    """The values a browser would submit from an admin change form."""

    def __init__(self) -> None:
        super().__init__()
        self.data: dict[str, Any] = {}
        self._textarea: str | None = None
        self._select: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        name = a.get("name")
        if tag == "input" and name and a.get("type") not in {"submit", "button", "file"}:
            if a.get("type") in {"checkbox", "radio"}:
                if "checked" in a:
                    self.data.setdefault(name, []).append(a.get("value", "on"))
            else:
                self.data[name] = a.get("value") or ""
        elif tag == "textarea" and name:
            self._textarea = name
            self.data[name] = ""
        elif tag == "select" and name:
            self._select = name
            self.data.setdefault(name, [] if "multiple" in a else "")
        elif tag == "option" and self._select and "selected" in a:
            value = a.get("value") or ""
            if isinstance(self.data[self._select], list):
                self.data[self._select].append(value)
            else:
                self.data[self._select] = value

    def handle_endtag(self, tag: str) -> None:
        if tag == "textarea":
            self._textarea = None
        elif tag == "select":
            self._select = None

    def handle_data(self, data: str) -> None:
        if self._textarea:
            self.data[self._textarea] += data


def form_data(html: str) -> dict[str, Any]:
    """What submitting the page's form would send."""
    parser = FormFields()
    parser.feed(html)
    # Django renders a textarea's content after one leading newline.
    return {
        k: v[1:] if isinstance(v, str) and v.startswith("\n") else v for k, v in parser.data.items()
    }
