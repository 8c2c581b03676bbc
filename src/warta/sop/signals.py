"""Signals of the SOP app.

``sop_loaded`` is sent by ``warta.sop.services.load_sop`` inside the load's transaction, every
time a definition is loaded — also when its content was already loaded (``created`` is False),
so receivers can bring their own data in line with it idempotently. Arguments: ``version`` (the
``SopVersion``), ``definition`` (its parsed ``SopDefinition``) and ``created``. A receiver that
raises rolls the load back. Apps that keep data derived from definitions (accounts keeps a role
and a group per swimlane) connect a receiver in their ``AppConfig.ready()``.
"""

from __future__ import annotations

from django.dispatch import Signal

sop_loaded = Signal()
