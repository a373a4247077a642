"""Legal links in the footer of every public page and embed: Impressum, Datenschutz, Erklärung zur
Barrierefreiheit (the built-in statement unless the city configures its own), Feedback by e-mail."""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import quote

from cockpit.config import Settings
from cockpit.i18n import t

ACCESSIBILITY_PATH = "/barrierefreiheit"


@dataclass(frozen=True)
class LegalLink:
    key: str  # imprint | privacy | accessibility | feedback
    label: str
    href: str


def legal_links(settings: Settings, lang: str, city: str = "") -> tuple[LegalLink, ...]:
    """The configured links in a fixed order; the accessibility statement is always there."""
    links = []
    if settings.imprint_url:
        links.append(LegalLink("imprint", t("embed.legal.imprint", lang), settings.imprint_url))
    if settings.privacy_url:
        links.append(LegalLink("privacy", t("embed.legal.privacy", lang), settings.privacy_url))
    links.append(LegalLink("accessibility", t("embed.legal.accessibility", lang),
                           settings.accessibility_url or f"{ACCESSIBILITY_PATH}?lang={lang}"))
    if settings.feedback_email:
        links.append(LegalLink("feedback", t("embed.legal.feedback", lang), feedback_href(settings, lang, city)))
    return tuple(links)


def feedback_href(settings: Settings, lang: str, city: str = "") -> str | None:
    if not settings.feedback_email:
        return None
    subject = quote(t("embed.legal.feedback_subject", lang, city=city))
    return f"mailto:{settings.feedback_email}?subject={subject}"


def absolute(href: str, base_url: str) -> str:
    """A site path made absolute (links inside an embed must leave the frame to the cockpit)."""
    return base_url.rstrip("/") + href if href.startswith("/") else href
