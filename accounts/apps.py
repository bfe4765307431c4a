from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = _("Accounts and sign-in")

    def ready(self) -> None:
        from cases.services.retention_schedule import accounts_due

        from . import signals  # noqa: F401  (connects the login/logout/deactivation receivers)
        from .retention import anonymise_accounts

        accounts_due.connect(anonymise_accounts, dispatch_uid="accounts.retention")
