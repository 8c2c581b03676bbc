from django.apps import AppConfig


class SopConfig(AppConfig):
    name = "warta.sop"
    label = "sop"
