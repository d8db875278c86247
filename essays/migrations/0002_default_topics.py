"""Create the portal's three topics with their descriptions and keyword weights."""

from django.db import migrations

TOPICS = [
    {
        "name": "城乡统筹",
        "slug": "chengxiang-tongchou",
        "description": "统筹城乡发展：城乡一体化规划、公共服务均等化、镇村一体化管理与新农村建设。",
        "keywords": {
            "城乡统筹": 5,
            "统筹城乡": 5,
            "城乡一体化": 4,
            "城乡一体": 3,
            "镇村一体化": 4,
            "一体化管理": 1,
            "城乡二元结构": 3,
            "均等化": 2,
            "城乡": 1,
            "城镇化": 1,
            "新农村": 1,
        },
    },
    {
        "name": "服务意识",
        "slug": "fuwu-yishi",
        "description": "提升服务意识：服务理念与态度、服务型政府、机关与窗口单位的优质服务。",
        "keywords": {
            "服务意识": 5,
            "服务态度": 3,
            "服务理念": 3,
            "服务型政府": 4,
            "为人民服务": 3,
            "优质服务": 2,
            "服务技巧": 2,
            "服务水平": 1,
            "服务质量": 1,
            "客户服务": 1,
        },
    },
    {
        "name": "劳动力转移",
        "slug": "laodongli-zhuanyi",
        "description": "农村劳动力转移：富余劳动力进城就业、技能培训与城乡统一的劳动力市场。",
        "keywords": {
            "劳动力转移": 5,
            "农村劳动力": 3,
            "剩余劳动力": 3,
            "富余劳动力": 3,
            "进城务工": 2,
            "外出务工": 2,
            "外出打工": 2,
            "农民工": 2,
            "劳动力市场": 2,
            "劳动力": 1,
        },
    },
]


def create_topics(apps, schema_editor):
    Topic = apps.get_model("essays", "Topic")
    for topic in TOPICS:
        Topic.objects.update_or_create(
            slug=topic["slug"],
            defaults={k: v for k, v in topic.items() if k != "slug"},
        )


def remove_topics(apps, schema_editor):
    Topic = apps.get_model("essays", "Topic")
    Topic.objects.filter(slug__in=[t["slug"] for t in TOPICS]).delete()


class Migration(migrations.Migration):
    dependencies = [("essays", "0001_initial")]

    operations = [migrations.RunPython(create_topics, remove_topics)]
