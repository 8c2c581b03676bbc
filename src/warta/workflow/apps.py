from django.apps import AppConfig


class WorkflowConfig(AppConfig):
    name = "warta.workflow"
    label = "workflow"
