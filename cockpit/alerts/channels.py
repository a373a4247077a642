"""Delivery of alerts: e-mail over SMTP and a generic JSON webhook. Each returns 'ok' or the error text."""

from __future__ import annotations

import os
import smtplib
from email.message import EmailMessage

import requests

from cockpit.alerts.config import EmailChannel, WebhookChannel


def send_email(channel: EmailChannel, subject: str, body: str) -> str:
    return send_message(channel, email_message(channel, subject, body))


def email_message(channel: EmailChannel, subject: str, body: str) -> EmailMessage:
    """A plain-text e-mail from the channel's sender to its recipients (attachments may be added)."""
    message = EmailMessage()
    message["Subject"] = subject
    message["From"] = channel.sender
    message["To"] = ", ".join(channel.to)
    message.set_content(body)
    return message


def send_message(channel: EmailChannel, message: EmailMessage) -> str:
    """Send `message` over the channel's SMTP server: 'ok' or the error text."""
    smtp_class = smtplib.SMTP_SSL if channel.ssl else smtplib.SMTP
    try:
        with smtp_class(channel.host, channel.port, timeout=channel.timeout) as smtp:
            if channel.starttls:
                smtp.starttls()
            if channel.username:
                smtp.login(channel.username, os.environ.get(channel.password_env or "", ""))
            smtp.send_message(message)
    except (OSError, smtplib.SMTPException) as exc:
        return f"e-mail failed: {exc}"
    return "ok"


def send_webhook(channel: WebhookChannel, payload: dict) -> str:
    try:
        response = requests.post(channel.url, json=payload, timeout=channel.timeout)
    except requests.RequestException as exc:
        return f"webhook failed: {exc}"
    if response.status_code >= 300:
        return f"webhook failed: HTTP {response.status_code}"
    return "ok"


def deliver(channel, subject: str, body: str, payload: dict) -> str:
    if isinstance(channel, EmailChannel):
        return send_email(channel, subject, body)
    return send_webhook(channel, payload)
