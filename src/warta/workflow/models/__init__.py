from warta.workflow.models.alerts import *  # noqa: F403
from warta.workflow.models.cases import *  # noqa: F403
