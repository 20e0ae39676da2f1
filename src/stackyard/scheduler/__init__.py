"""The scheduler: starts the runs of due schedules (`stackyard scheduler run`, or a server).

from stackyard.scheduler import run_due
started = run_due(Client().store)  # what is due now, once
"""

from __future__ import annotations

from stackyard.scheduler.plan import Firing, plan_firing
from stackyard.scheduler.runner import fire_schedule, loop, run_due, start_background_scheduler

__all__ = [
    "Firing",
    "fire_schedule",
    "loop",
    "plan_firing",
    "run_due",
    "start_background_scheduler",
]
