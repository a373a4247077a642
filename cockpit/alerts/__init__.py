"""Alerts: rules from configuration, notified over e-mail and webhook once per state change and on recovery."""

from cockpit.alerts.config import AlertConfig, AlertConfigError, load_alert_config
from cockpit.alerts.job import Notification, add_alert_job, run_alerts

__all__ = ["AlertConfig", "AlertConfigError", "Notification", "add_alert_job", "load_alert_config", "run_alerts"]
