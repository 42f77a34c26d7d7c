"""Work the app does by itself while it runs: nightly backups (keeping the newest N) and the optional quarterly
export, through the app's own database connection. No streamlit import: the web layer starts the scheduler once
per process (dashboard/web/ui.py) and the pages read the settings and the status from here."""

from dashboard.scheduling.jobs import RunRecord
from dashboard.scheduling.runner import Scheduler, SchedulerBusy
from dashboard.scheduling.settings import (
    ScheduleError,
    ScheduleSettings,
    load_settings,
    save_settings,
    schedule_problems,
    scheduler_switched_on,
)
from dashboard.scheduling.status import (
    backup_warning,
    human_size,
    last_run,
    next_backup_at,
    next_export_at,
    recent_runs,
    when_text,
)

__all__ = [
    "RunRecord", "ScheduleError", "ScheduleSettings", "Scheduler", "SchedulerBusy", "backup_warning",
    "human_size", "last_run", "load_settings", "next_backup_at", "next_export_at", "recent_runs", "save_settings",
    "schedule_problems", "scheduler_switched_on", "when_text",
]
