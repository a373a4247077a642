"""Mail an archived report (PDF and XLSX attached) to e-mail channels in the alert channels' format: when a
schedule archives a report, or when an admin publishes a pending one."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from cockpit.alerts.channels import email_message, send_message
from cockpit.alerts.config import EmailChannel
from cockpit.i18n import t
from cockpit.reports.period import parse_period
from cockpit.roles import Role

if TYPE_CHECKING:
    from cockpit.runtime import Cockpit


def send_report(channel: EmailChannel, subject: str, body: str, name: str, pdf: bytes, xlsx: bytes) -> str:
    message = email_message(channel, subject, body)
    message.add_attachment(pdf, maintype="application", subtype="pdf", filename=f"{name}.pdf")
    message.add_attachment(xlsx, maintype="application",
                           subtype="vnd.openxmlformats-officedocument.spreadsheetml.sheet", filename=f"{name}.xlsx")
    return send_message(channel, message)


def mail_report(cockpit: Cockpit, channels: Sequence, channel_ids: Sequence[str], report_id: int) -> tuple[str, ...]:
    """Mail the archived report to the e-mail channels among `channel_ids`; one 'channel: outcome' each."""
    if not channel_ids:
        return ()
    report, pdf = cockpit.store.archived_report_file(Role.ADMIN, report_id, "pdf")
    _, xlsx = cockpit.store.archived_report_file(Role.ADMIN, report_id, "xlsx")
    lang, period = report.lang, parse_period(report.period)
    subject = t("reports.mail.subject", lang, period=period.text(lang), city=cockpit.catalog.city.get(lang))
    body = t("reports.mail.body", lang, period=period.text(lang), id=report_id, sha=report.pdf_sha256)
    name = f"bericht-{period.code}-{report.audience}-{lang}"
    delivered = []
    for channel_id in channel_ids:
        channel = next((c for c in channels if c.id == channel_id), None)
        if isinstance(channel, EmailChannel):
            delivered.append(f"{channel_id}: {send_report(channel, subject, body, name, pdf, xlsx)}")
    return tuple(delivered)
