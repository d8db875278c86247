"""Form widgets shared by the admin pages."""

from django import forms
from django.db import models

SHORT_TEXTAREA = {models.TextField: {"widget": forms.Textarea(attrs={"rows": 3, "cols": 60})}}
