"""Engine signals, sent inside the transaction of the change (so receivers that enqueue tasks
through the database backend enqueue atomically with it)."""

from django.dispatch import Signal

# kwargs: step_run, case
step_started = Signal()
