"""Engine signals, sent inside the transaction of the change (so receivers that enqueue tasks
through the database backend enqueue atomically with it). The engine sends; other apps
subscribe from their ``AppConfig.ready()`` (deadlines in this app, notifications in ``notify``,
later publishing and the archive). A receiver's exception rolls the change back."""

from django.dispatch import Signal

# kwargs: step_run, case
step_started = Signal()
# kwargs: step_run, case — a step run was finished (by a person, by the system for a relay
# step, or by a cancellation); ``step_run.outcome`` says how.
step_finished = Signal()
# kwargs: case — the case reached an end state (completed, refused) or was cancelled; its row is
# saved with the final status before this is sent.
case_ended = Signal()
# kwargs: deviation, case — a new deviation was recorded (not sent again for one already there).
deviation_recorded = Signal()

# Time standards (``workflow.deadlines``), each sent once per scheduled check when it fires on a
# step still open. kwargs: step_run, case, alert (the ``StepAlert``; its pk identifies the event).
# ``step_reminder``: ``alert.ordinal`` per cent of the time standard is used up.
step_reminder = Signal()
# ``step_late``: the due time passed; kwargs also ``deviation`` (the time deviation on record).
step_late = Signal()
# ``step_escalated``: a while after the due time; kwargs also ``to_roles`` (the role ids the
# step escalates to, as the audit event records them).
step_escalated = Signal()

# Deviations explained and reviewed (``workflow.deviations``). kwargs: deviation, case, user
# (who explained or reviewed); ``deviation_reviewed`` also ``decision`` and ``note``.
deviation_explained = Signal()
deviation_reviewed = Signal()
