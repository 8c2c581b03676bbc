from django.apps import AppConfig
from django.contrib.admin import apps as admin_apps
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    default = True
    name = "warta.accounts"
    label = "accounts"
    verbose_name = _("Accounts and roles")

    def ready(self) -> None:
        from django.contrib.auth.signals import user_logged_in

        from warta.accounts import audit_actions
        from warta.accounts.middleware import mark_signed_in
        from warta.accounts.receivers import sync_roles_of_loaded_sop
        from warta.sop.signals import sop_loaded

        user_logged_in.connect(mark_signed_in, dispatch_uid="warta.accounts.mark_signed_in")
        sop_loaded.connect(
            sync_roles_of_loaded_sop, dispatch_uid="warta.accounts.sync_roles_of_loaded_sop"
        )
        audit_actions.register()


class WartaAdminConfig(admin_apps.AdminConfig):
    """``django.contrib.admin`` with ``WartaAdminSite`` as ``admin.site``."""

    default = False
    default_site = "warta.accounts.admin_site.WartaAdminSite"
