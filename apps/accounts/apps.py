from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "apps.accounts"
    verbose_name = "Accounts"

    def ready(self) -> None:
        # apps.common (the base layer) does not import accounts; accounts hands it the audit of exports.
        from apps.accounts.audit import record_export
        from apps.common.exports import register_export_recorder

        register_export_recorder(record_export)
