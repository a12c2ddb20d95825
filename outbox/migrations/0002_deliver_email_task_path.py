from django.db import migrations

OLD = "outbox.tasks.deliver_email"
NEW = "outbox.delivery.deliver_email"


def rename(old, new):
    def move(apps, schema_editor):
        # Tasks queued before the task moved to outbox/delivery.py (no import cycle) run under its new path.
        apps.get_model("django_tasks_database", "DBTaskResult").objects.filter(task_path=old).update(task_path=new)

    return move


class Migration(migrations.Migration):
    dependencies = [
        ("outbox", "0001_initial"),
        ("django_tasks_database", "0021_conditional_partial_index_ordering"),
    ]

    operations = [migrations.RunPython(rename(OLD, NEW), rename(NEW, OLD))]
