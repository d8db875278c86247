"""Form widgets shared by the admin pages."""

from django import forms
from django.db import models

from essays.validation import BoundedJSONField

SHORT_TEXTAREA = {models.TextField: {"widget": forms.Textarea(attrs={"rows": 3, "cols": 60})}}
#: Keyword fields: JSON nested deeper than keywords can be is refused before parsing.
BOUNDED_JSON = {models.JSONField: {"form_class": BoundedJSONField}}
