"""Engine signals, sent inside the transaction of the change (so receivers that enqueue tasks
through the database backend enqueue atomically with it)."""

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
