"""The editors' admin for topics, collections, essays, sections and references.

Every change is recorded by django-simple-history; an essay's history page shows each
version with readable diffs of the essay and its sections and references, and reverts
the essay together with them. Deleted essays can be recovered. Saving an essay checks
that nobody else saved it since the editor opened it. Collections can be imported from
an uploaded source document after a preview.
"""

from django.contrib import admin

from essays.admin import collection_admin, essay_admin, row_admin, topic_admin

__all__ = ["collection_admin", "essay_admin", "row_admin", "topic_admin"]

admin.site.site_header = "文章库管理"
admin.site.site_title = "文章库管理"
admin.site.index_title = "内容管理"
