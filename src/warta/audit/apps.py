from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "warta.audit"
    label = "audit"
