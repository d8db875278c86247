"""Create the "编辑" (editors) group: edit the corpus and import documents, nothing else.

Editors may add, change, delete and view essays, sections, references and topics, view
collections and change their titles, view the history of all of these, and import source
documents from the admin. Users, groups and other apps stay with superusers.
"""

from django.contrib.auth.management import create_permissions
from django.db import migrations

GROUP_NAME = "编辑"

EDITOR_PERMISSIONS = [
    *(
        f"{action}_{model}"
        for model in ("essay", "section", "reference", "topic")
        for action in ("add", "change", "delete", "view")
    ),
    "view_collection",
    "change_collection",
    "import_documents",
    *(
        f"view_historical{model}"
        for model in ("essay", "section", "reference", "topic")
    ),
]


def create_group(apps, schema_editor):
    # Permissions are normally created after all migrations ran; make sure they exist now.
    app_config = apps.get_app_config("essays")
    app_config.models_module = True
    create_permissions(app_config, apps=apps, verbosity=0)
    app_config.models_module = None

    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    group, _ = Group.objects.get_or_create(name=GROUP_NAME)
    permissions = Permission.objects.filter(
        content_type__app_label="essays", codename__in=EDITOR_PERMISSIONS
    )
    missing = set(EDITOR_PERMISSIONS) - set(permissions.values_list("codename", flat=True))
    if missing:
        raise RuntimeError(f"Missing permissions for the editors' group: {sorted(missing)}")
    group.permissions.add(*permissions)


def delete_group(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name=GROUP_NAME).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("essays", "0004_history"),
    ]

    operations = [migrations.RunPython(create_group, delete_group)]
