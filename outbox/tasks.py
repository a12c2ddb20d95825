from django.tasks import task


@task
def deliver_email(email_id):
    from outbox.delivery import deliver

    deliver(email_id)
