from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend


class AccountBackend(ModelBackend):
    """Loads the user of a session; login itself goes through accounts.services.

    Checked on every request: a session whose account was blocked, deactivated
    or deleted since it logged in ends at once.
    """

    def authenticate(self, request, **credentials):  # type: ignore[override]  # never authenticates
        return None

    def user_can_authenticate(self, user):
        return user.can_log_in

    def get_user(self, user_id):
        # With its organisme, which most pages show or check: one query, not two.
        try:
            user = get_user_model()._default_manager.select_related("organisme").get(pk=user_id)
        except get_user_model().DoesNotExist:
            return None
        return user if self.user_can_authenticate(user) else None
