from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WorkflowConfig(AppConfig):
    name = "warta.workflow"
    label = "workflow"
    verbose_name = _("Workflow")

    def ready(self) -> None:
        from warta.sop.semantics import register_definition_check
        from warta.workflow import checks, registry
        from warta.workflow.capabilities import COMPLETE, DECIDE

        registry.register_capability(COMPLETE)
        registry.register_capability(DECIDE)
        register_definition_check("workflow.names", registry.check_definition_names)
        checks.register()

        from warta.workflow import deadlines, signals
        from warta.workflow.models import StepRun

        signals.step_started.connect(
            deadlines.on_step_started, sender=StepRun, dispatch_uid="warta.deadlines"
        )

        from warta.workflow import audit_actions

        audit_actions.register()
