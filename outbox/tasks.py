from django.tasks import task


@task
def deliver_email(email_id):
    # outbox.delivery enqueues this task, so it is imported here, not at the top.
    from outbox.delivery import deliver

    deliver(email_id)
