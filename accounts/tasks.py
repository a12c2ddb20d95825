"""What a match on the public recovery pages triggers, run by the worker
rather than in the request, so that the page takes the same time whether or
not the details match an account (accounts.services.request_password_link,
remind_identifiant). The client's address goes along for the audit entries."""

from django.tasks import task

from audit.context import current_ip_address


def _from(ip_address, action, *args):
    token = current_ip_address.set(ip_address)
    try:
        action(*args)
    finally:
        current_ip_address.reset(token)


# Before the e-mails waiting for a retry, which the worker otherwise takes
# first: a second request must supersede a first link still waiting, as when
# the request did it itself.
REQUEST_PRIORITY = 10


@task(priority=REQUEST_PRIORITY)
def send_password_link(account_id: int | None, ip_address: str | None) -> None:
    # accounts.services enqueues these tasks, so it is imported here, not at the top.
    from accounts import services

    if account_id is not None:
        _from(ip_address, services.send_password_link, account_id)


@task(priority=REQUEST_PRIORITY)
def send_identifiant_reminders(account_ids: list[int], ip_address: str | None) -> None:
    from accounts import services

    if account_ids:
        _from(ip_address, services.send_identifiant_reminders, account_ids)
