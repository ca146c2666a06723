"""Email: multipart text + HTML, a one-event .ics with every reminder, a List-Unsubscribe header;
digests list their items grouped by label. Sent with smtplib (in a worker thread) over plain SMTP,
STARTTLS or TLS, as the settings say."""

from __future__ import annotations

import asyncio
import datetime as dt
import html
import smtplib
import ssl
import time
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid
from typing import Any

from icalendar import Calendar, Event

from aiwatch.calendar import PRODID, UID_DOMAIN
from aiwatch.deliver.outbox import Outcome

SUBJECTS = {
    "deadline.reminder": "AI Act: {title} on {date} (in {days} days)",
    "deadline.changed": "AI Act: date changed: {title}",
    "event.scheduled": "AI Act: new event: {title} on {date}",
    "item.published": "AI Act news ({label}): {title}",
    "digest": "AI Act news digest ({count} items)",
    "test": "aiwatch test event",
}


def message_lines(kind: str, data: dict[str, Any]) -> list[str]:
    """The text of a notification, one line each, for mail bodies and chat messages."""
    return [line for line in _all_lines(kind, data) if line]


def _all_lines(kind: str, data: dict[str, Any]) -> list[str]:
    if kind == "digest":
        lines = []
        for label, items in sorted(data.get("items", {}).items()):
            lines.append(f"{label}:")
            lines.extend(f"  - {i['title']} {i.get('url') or ''}".rstrip() for i in items)
        return lines
    if kind == "test":
        return ["This is a test event from aiwatch: your channel works."]
    if kind == "item.published":
        dates = ", ".join(data.get("mentioned_dates", []))
        return [data["title"], data.get("url") or "", f"Label: {data['label']}",
                f"Dates mentioned: {dates}" if dates else ""]  # fmt: skip
    lines = [data["title"], f"Date: {data['date']}", f"Legal basis: {data['legal_basis']}",
             f"Status: {data['status']}"]  # fmt: skip
    if kind == "deadline.changed":
        lines.append(f"Was: {data.get('old_date')} ({data.get('old_status')}); "
                     f"now: {data.get('new_date')} ({data.get('new_status')})")  # fmt: skip
    if data.get("late"):
        lines.append("(This reminder is late: aiwatch was not running when it came due.)")
    lines.append("Sources: " + " ".join(data.get("sources", [])))
    return lines


def subject(kind: str, data: dict[str, Any]) -> str:
    count = sum(len(v) for v in data.get("items", {}).values()) if kind == "digest" else 0
    return SUBJECTS[kind].format(
        title=data.get("title", ""), date=data.get("date", ""), days=data.get("days_left", ""),
        label=data.get("label", ""), count=count,
    )[:200]  # fmt: skip


def reminder_ics(data: dict[str, Any]) -> bytes:
    """One all-day event, with the same UID as in the calendar feeds."""
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("method", "PUBLISH")
    event = Event()
    day = dt.date.fromisoformat(data["date"])
    event.add("uid", f"{data['root_id']}@{UID_DOMAIN}")
    event.add("dtstamp", dt.datetime(2024, 7, 12, tzinfo=dt.UTC))
    event.add("dtstart", day)
    event.add("dtend", day + dt.timedelta(days=1))
    event.add("summary", f"AI Act: {data['title']}")
    event.add("description", f"Legal basis: {data['legal_basis']}")
    if data.get("sources"):
        event.add("url", data["sources"][0])
    calendar.add_component(event)
    document: bytes = calendar.to_ical()
    return document


def build_message(
    kind: str, data: dict[str, Any], to: str, sender: str, msg_id: str, now: dt.datetime
) -> EmailMessage:
    message = EmailMessage()
    message["Subject"] = subject(kind, data)
    message["From"] = sender
    message["To"] = to
    message["Date"] = format_datetime(now)
    message["Message-ID"] = make_msgid(domain="aiwatch.invalid")
    message["X-Aiwatch-Id"] = msg_id  # the idempotency key, as in webhooks
    message["List-Unsubscribe"] = f"<mailto:{sender}?subject=unsubscribe%20{to}>"
    lines = message_lines(kind, data)
    message.set_content("\n".join(lines) + "\n")
    body = "".join(f"<p>{html.escape(line)}</p>" for line in lines)
    message.add_alternative(f"<html><body>{body}</body></html>", subtype="html")
    if kind == "deadline.reminder":
        message.add_attachment(
            reminder_ics(data), maintype="text", subtype="calendar",
            filename="ai-act-deadline.ics", params={"method": "PUBLISH"},
        )  # fmt: skip
    return message


def _send_sync(message: EmailMessage, smtp: dict[str, Any]) -> None:
    host, port, security = smtp["host"], smtp["port"], smtp["security"]
    timeout = smtp.get("timeout", 30.0)
    context = ssl.create_default_context()
    client: smtplib.SMTP
    if security == "tls":
        client = smtplib.SMTP_SSL(host, port, timeout=timeout, context=context)
    else:
        client = smtplib.SMTP(host, port, timeout=timeout)
    with client:
        if security == "starttls":
            client.starttls(context=context)
        if smtp.get("username"):
            client.login(smtp["username"], smtp.get("password") or "")
        client.send_message(message)


async def send_email(
    to: str, msg_id: str, payload: dict[str, Any], now: dt.datetime, smtp: dict[str, Any]
) -> Outcome:
    if not smtp.get("host") or not smtp.get("sender"):
        return Outcome(False, error="SMTP is not configured (AIWATCH_SMTP_HOST, AIWATCH_SMTP_FROM)")
    message = build_message(payload["type"], payload["data"], to, smtp["sender"], msg_id, now)
    started = time.perf_counter()
    try:
        await asyncio.to_thread(_send_sync, message, smtp)
    except smtplib.SMTPAuthenticationError as exc:
        return Outcome(False, error=f"SMTP authentication failed: {exc.smtp_code}", permanent=True)
    except smtplib.SMTPRecipientsRefused as exc:
        return Outcome(False, error=f"recipient refused: {exc.recipients}", permanent=True)
    except (smtplib.SMTPException, OSError) as exc:
        ms = int((time.perf_counter() - started) * 1000)
        return Outcome(False, error=f"{type(exc).__name__}: {exc}", duration_ms=ms)
    return Outcome(True, duration_ms=int((time.perf_counter() - started) * 1000))
