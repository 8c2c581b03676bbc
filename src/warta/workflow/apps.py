from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WorkflowConfig(AppConfig):
    name = "warta.workflow"
    label = "workflow"
    verbose_name = _("Workflow")

    def ready(self) -> None:
        from warta.workflow import deadlines, signals
        from warta.workflow.models import StepRun

        signals.step_started.connect(
            deadlines.on_step_started, sender=StepRun, dispatch_uid="warta.deadlines"
        )
