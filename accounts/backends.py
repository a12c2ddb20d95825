from django.contrib.auth.backends import ModelBackend


class AccountBackend(ModelBackend):
    """Loads the user of a session; login itself goes through accounts.services.

    Checked on every request: a session whose account was blocked, deactivated
    or deleted since it logged in ends at once.
    """

    def authenticate(self, request, **credentials):
        return None

    def user_can_authenticate(self, user):
        return user.can_log_in
