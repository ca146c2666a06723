"""The ``aiwatch`` command. Thin: parse options, call one core function, render, pick the exit code.

Exit codes (a contract for CI): 0 ran fine; 1 a condition the user asked to fail on;
2 usage or configuration error (bad option, broken catalog, unusable settings or database);
3 a source could not be polled (`check --strict`), or `sources test` got no feed.
"""

from __future__ import annotations

import datetime as dt
import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, NoReturn

import typer

from aiwatch.errors import AiwatchError

# pydantic looks for plugins among all installed distributions the first time a model is built
# (tens of milliseconds of importlib.metadata at every start). aiwatch uses none; a user who
# wants one can still set PYDANTIC_DISABLE_PLUGINS themselves.
os.environ.setdefault("PYDANTIC_DISABLE_PLUGINS", "__all__")

if TYPE_CHECKING:
    from aiwatch.settings import Settings
    from aiwatch.store import Store
    from aiwatch.timeline import Filters
    from aiwatch.watch.report import PollOptions

EXIT_OK, EXIT_CONDITION, EXIT_USAGE, EXIT_SOURCES = 0, 1, 2, 3

app = typer.Typer(
    help="Track the EU AI Act: its deadlines, governance bodies and Commission guidance.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
catalog_app = typer.Typer(help="Work with catalog folders.", no_args_is_help=True)
db_app = typer.Typer(help="Database maintenance.", no_args_is_help=True)
config_app = typer.Typer(help="Settings.", no_args_is_help=True)
calendar_app = typer.Typer(help="iCalendar feeds.", no_args_is_help=True)
sources_app = typer.Typer(help="News sources: health and trial fetches.", no_args_is_help=True)
subscribers_app = typer.Typer(help="Who receives alerts.", no_args_is_help=True)
deliveries_app = typer.Typer(help="The outbox of alerts.", no_args_is_help=True)
app.add_typer(catalog_app, name="catalog")
app.add_typer(db_app, name="db")
app.add_typer(config_app, name="config")
app.add_typer(calendar_app, name="calendar")
app.add_typer(sources_app, name="sources")
app.add_typer(subscribers_app, name="subscribers")
app.add_typer(deliveries_app, name="deliveries")


class Format(StrEnum):
    table = "table"
    json = "json"
    markdown = "markdown"


class TimelineFormat(StrEnum):
    table = "table"
    json = "json"


class State:
    config: Path | None = None
    database_url: str | None = None


STATE = State()

RoleOpt = Annotated[
    list[str] | None, typer.Option("--role", help="Only entries for this role (repeatable).")
]
TopicOpt = Annotated[
    list[str] | None, typer.Option("--topic", help="Only entries on this topic (repeatable).")
]
KindOpt = Annotated[
    list[str] | None,
    typer.Option("--kind", help="Only this kind, or 'milestone' / 'event' (repeatable)."),
]
AsOfOpt = Annotated[
    str | None, typer.Option("--as-of", help="Answer as on this date (YYYY-MM-DD).")
]


def fail(message: str, code: int = EXIT_USAGE) -> NoReturn:
    sys.stderr.write(f"aiwatch: error: {message}\n")
    raise typer.Exit(code)


@app.callback()
def main_options(
    config: Annotated[
        Path | None,
        typer.Option(
            "--config",
            help="Catalog and settings folder (env AIWATCH_CONFIG).",
            show_default=False,
        ),
    ] = None,
    db: Annotated[
        str | None,
        typer.Option("--db", help="Database URL (env AIWATCH_DATABASE_URL).", show_default=False),
    ] = None,
) -> None:
    STATE.config = config
    STATE.database_url = db


def settings() -> Settings:
    from aiwatch.settings import load_settings

    return load_settings(STATE.config, STATE.database_url)


def parse_date(value: str | None, option: str) -> dt.date | None:
    if value is None:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        fail(f"{option}: '{value}' is not a date; write YYYY-MM-DD")


def make_filters(
    roles: list[str] | None,
    topics: list[str] | None,
    kinds: list[str] | None,
    date_from: dt.date | None = None,
    date_to: dt.date | None = None,
) -> Filters:
    from aiwatch.timeline import Filters
    from aiwatch.vocabulary import ENTRY_KINDS, ROLES, TOPICS

    for option, values, allowed in (
        ("--role", roles, ROLES),
        ("--topic", topics, TOPICS),
        ("--kind", kinds, ENTRY_KINDS),
    ):
        for value in values or ():
            if value not in allowed:
                fail(f"{option}: unknown value '{value}'; valid: {', '.join(allowed)}")
    return Filters(
        roles=frozenset(roles or ()),
        topics=frozenset(topics or ()),
        kinds=frozenset(kinds or ()),
        date_from=date_from,
        date_to=date_to,
    )


@app.command()
def check(
    within: Annotated[
        int | None,
        typer.Option(
            "--within",
            min=0,
            help="Days ahead to list (default 90: setting check_within_days).",
            show_default=False,
        ),
    ] = None,
    role: RoleOpt = None,
    topic: TopicOpt = None,
    kind: KindOpt = None,
    as_of: AsOfOpt = None,
    fmt: Annotated[Format, typer.Option("--format", help="Output format.")] = Format.table,
    fail_within: Annotated[
        int | None,
        typer.Option(
            "--fail-within",
            min=0,
            help="Exit 1 if a matching date (law, not a proposal) is within N days.",
        ),
    ] = None,
    fail_on: Annotated[
        list[str] | None,
        typer.Option(
            "--fail-on",
            help="Exit 1 on: 'changed' (a date or status changed since the previous check), "
            "'new' (new items) or 'new:LABEL,LABEL' (new items with one of these labels).",
        ),
    ] = None,
    offline: Annotated[bool, typer.Option("--offline", help="Do not poll news sources.")] = False,
    sources_file: Annotated[
        Path | None,
        typer.Option("--sources", help="Poll the sources in this file, not the configured ones."),
    ] = None,
    strict: Annotated[
        bool, typer.Option("--strict", help="Exit 3 when a source could not be polled.")
    ] = False,
    no_send: Annotated[
        bool, typer.Option("--no-send", help="Plan alerts and show them; send nothing.")
    ] = False,
) -> None:
    """Deadlines coming up, what changed since the previous check, new items from the news."""
    from aiwatch.clock import utcnow

    changed, new_labels = parse_fail_on(fail_on or [])
    filters = make_filters(role, topic, kind)
    as_of_date = parse_date(as_of, "--as-of")
    try:
        from aiwatch.check import run_check

        poll = None if offline else poll_options(sources_file)
        try:
            report = run_check(
                settings(), utcnow(), as_of_date, within, filters, poll, send=not no_send
            )
        finally:
            PROGRESS.stop()
    except AiwatchError as exc:
        fail(str(exc))
    from aiwatch.render import write_check

    write_check(report, fmt.value)
    if fail_within is not None and report.due_within(fail_within):
        raise typer.Exit(EXIT_CONDITION)
    if changed and report.changes:
        raise typer.Exit(EXIT_CONDITION)
    if new_labels is not None and any(
        not new_labels or item["label"] in new_labels for item in report.new_items
    ):
        raise typer.Exit(EXIT_CONDITION)
    if strict and any(s["status"] in ("error", "backoff") for s in report.sources):
        raise typer.Exit(EXIT_SOURCES)


def parse_fail_on(conditions: list[str]) -> tuple[bool, frozenset[str] | None]:
    """['changed', 'new:guideline,consultation'] -> (True, {'guideline', 'consultation'}).
    The label set is None when new items should not fail the run, and empty for any label."""
    changed = False
    if not conditions:
        return changed, None
    from aiwatch.watch.classify import LABELS

    labels: frozenset[str] | None = None
    for condition in conditions:
        name, _, wanted = condition.partition(":")
        if name == "changed" and not wanted:
            changed = True
        elif name == "new":
            chosen = frozenset(w.strip() for w in wanted.split(",") if w.strip())
            unknown = sorted(chosen - set(LABELS))
            if unknown:
                fail(f"--fail-on: unknown label '{unknown[0]}'; valid: {', '.join(LABELS)}")
            if not chosen or labels == frozenset():
                labels = frozenset()  # 'new' alone: any label
            else:
                labels = (labels or frozenset()) | chosen
        else:
            fail(f"--fail-on: unknown condition '{condition}'; valid: changed, new, new:LABEL,...")
    return changed, labels


class _Progress:
    """A progress bar on stderr while many sources are polled on a terminal; silent otherwise."""

    def __init__(self) -> None:
        self.bar: Any = None
        self.task: Any = None

    def start(self, total: int) -> None:
        if total > 3 and sys.stderr.isatty():
            from rich.console import Console
            from rich.progress import Progress

            self.bar = Progress(console=Console(stderr=True), transient=True)
            self.bar.start()
            self.task = self.bar.add_task("Polling sources", total=total)

    def advance(self, _report: object) -> None:
        if self.bar is not None:
            self.bar.advance(self.task)

    def stop(self) -> None:
        if self.bar is not None:
            self.bar.stop()
            self.bar = None


PROGRESS = _Progress()


def poll_options(sources_file: Path | None) -> PollOptions:
    from aiwatch.watch.report import PollOptions

    return PollOptions(sources_file, on_done=PROGRESS.advance, on_start=PROGRESS.start)


@app.command()
def timeline(
    role: RoleOpt = None,
    topic: TopicOpt = None,
    kind: KindOpt = None,
    date_from: Annotated[
        str | None, typer.Option("--from", help="From this date (YYYY-MM-DD).")
    ] = None,
    date_to: Annotated[
        str | None, typer.Option("--to", help="Up to this date (YYYY-MM-DD).")
    ] = None,
    as_of: AsOfOpt = None,
    fmt: Annotated[
        TimelineFormat, typer.Option("--format", help="Output format.")
    ] = TimelineFormat.table,
    show_replaced: Annotated[
        bool,
        typer.Option("--all", help="Also list dates replaced by a later law as their own rows."),
    ] = False,
) -> None:
    """The whole timeline: milestones and events, past and future."""
    from aiwatch.clock import utcnow

    filters = make_filters(
        role, topic, kind, parse_date(date_from, "--from"), parse_date(date_to, "--to")
    )
    now = utcnow()
    as_of_date = parse_date(as_of, "--as-of") or now.date()
    try:
        from aiwatch.views import read_timeline

        with synced_store(now) as store:
            items = read_timeline(store, as_of_date, filters, show_replaced)
    except AiwatchError as exc:
        fail(str(exc))
    from aiwatch.render import write_timeline

    write_timeline(items, fmt.value)


@catalog_app.command("validate")
def catalog_validate(
    directory: Annotated[
        Path | None,
        typer.Argument(help="Catalog folder (default: the configured one).", show_default=False),
    ] = None,
) -> None:
    """Check a catalog folder; print every problem with its file and entry id."""
    from aiwatch.catalog.loader import load_catalog

    try:
        folder = directory or settings().config
        catalog = load_catalog(folder)
    except AiwatchError as exc:
        fail(str(exc))
    counts: dict[str, int] = {}
    for entry in catalog.entries.values():
        counts[entry.entry_type] = counts.get(entry.entry_type, 0) + 1
    typer.echo(
        f"{folder}: OK, {counts.get('milestone', 0)} milestones and {counts.get('event', 0)} events"
    )


@db_app.command("upgrade")
def db_upgrade() -> None:
    """Create the database or migrate it to the newest schema."""
    from aiwatch.store import SCHEMA_REVISION, Store, display_url

    try:
        current = settings()
        store = Store(current.effective_database_url)
        before = store.schema_revision()
        store.upgrade()
        store.close()
    except AiwatchError as exc:
        fail(str(exc))
    url = display_url(current.effective_database_url)
    typer.echo(f"{url}: schema {before or 'none'} -> {SCHEMA_REVISION}")


@config_app.command("show")
def config_show() -> None:
    """Print every setting's effective value and what it means."""
    from aiwatch.settings import Settings

    try:
        current = settings()
    except AiwatchError as exc:
        fail(str(exc))
    for name, info in Settings.model_fields.items():
        value = getattr(current, name)
        if name == "database_url" and not value:
            value = f"(empty: {current.effective_database_url})"
        if name == "smtp_password" and value:
            value = "********"
        typer.echo(f"{name} = {value}    # AIWATCH_{name.upper()}: {info.description}")


@sources_app.command("list")
def sources_list(
    fmt: Annotated[
        TimelineFormat, typer.Option("--format", help="Output format.")
    ] = TimelineFormat.table,
    sources_file: Annotated[
        Path | None, typer.Option("--sources", help="A sources file instead of the configured one.")
    ] = None,
) -> None:
    """Each source's health: last poll, HTTP status, items, last error, next poll, stale."""
    from aiwatch.clock import utcnow

    now = utcnow()
    try:
        from aiwatch.watch.health import source_health
        from aiwatch.watch.report import config_file
        from aiwatch.watch.sources import SOURCES_FILE

        with synced_store(now) as store:
            rows = source_health(store, sources_file or config_file(settings(), SOURCES_FILE), now)
    except AiwatchError as exc:
        fail(str(exc))
    from aiwatch.render import write_sources

    write_sources(rows, fmt.value)


@sources_app.command("test")
def sources_test(
    url: Annotated[str, typer.Argument(help="The feed URL to fetch once.")],
    fmt: Annotated[
        TimelineFormat, typer.Option("--format", help="Output format.")
    ] = TimelineFormat.table,
) -> None:
    """Fetch, parse, classify and extract one URL, storing nothing. Exit 3 if it is not a feed."""
    from aiwatch.clock import utcnow

    try:
        from aiwatch.watch.trial import trial_fetch

        result = trial_fetch(url, settings(), utcnow())
    except AiwatchError as exc:
        fail(str(exc))
    from aiwatch.render import write_trial

    write_trial(result, fmt.value)
    if result["status"] == "error":
        raise typer.Exit(EXIT_SOURCES)


@subscribers_app.command("add")
def subscribers_add(
    name: Annotated[str, typer.Argument(help="A name for this subscriber.")],
    webhook: Annotated[
        str | None, typer.Option("--webhook", help="URL that receives signed POSTs.")
    ] = None,
    email: Annotated[
        str | None, typer.Option("--email", help="Address that receives mail.")
    ] = None,
    apprise: Annotated[
        str | None, typer.Option("--apprise", help="Apprise URL (Slack, Teams, Matrix, ntfy, …).")
    ] = None,
    secret: Annotated[
        str | None, typer.Option("--secret", help="whsec_… secret; generated if not given.")
    ] = None,
    role: RoleOpt = None,
    topic: TopicOpt = None,
    label: Annotated[
        list[str] | None, typer.Option("--label", help="News labels to receive (repeatable).")
    ] = None,
    lang: Annotated[
        list[str] | None, typer.Option("--lang", help="News languages to receive (repeatable).")
    ] = None,
    lead: Annotated[str, typer.Option("--lead", help="Days ahead to remind.")] = "90,30,7,1",
    tz: Annotated[
        str, typer.Option("--tz", help="Time zone of the send time.")
    ] = "Europe/Brussels",
    at: Annotated[str, typer.Option("--at", help="Send time, HH:MM.")] = "09:00",
    news: Annotated[
        str, typer.Option("--news", help="News: immediate, daily or weekly.")
    ] = "immediate",
) -> None:
    """Register a subscriber with one channel. A webhook's generated secret is printed once."""
    from aiwatch.clock import utcnow

    channels = [
        (c, t) for c, t in (("webhook", webhook), ("email", email), ("apprise", apprise)) if t
    ]
    if len(channels) != 1:
        fail("give exactly one channel: --webhook URL, --email ADDRESS or --apprise URL")
    channel, target = channels[0]
    try:
        leads = [int(part) for part in lead.split(",") if part.strip()]
    except ValueError:
        fail(f"--lead: '{lead}' is not a list of days, e.g. 90,30,7,1")
    try:
        from aiwatch.subscribers import SubscriberSpec, add

        spec = SubscriberSpec(
            name, target, secret, role or [], topic or [], label or [], lang or [], leads, tz,
            at, news, channel,
        )  # fmt: skip
        with synced_store(utcnow()) as store:
            row, generated = add(store, spec, utcnow())
    except AiwatchError as exc:
        fail(str(exc))
    typer.echo(f"added {row.name}: {row.channel} {row.target}")
    if generated:
        typer.echo(f"secret (shown once, keep it to verify signatures): {generated}")
    typer.echo(f"personal calendar: /calendars/{row.calendar_token}.ics")


@subscribers_app.command("import")
def subscribers_import(
    file: Annotated[Path, typer.Argument(help="A .json list of objects or a .csv with a header.")],
) -> None:
    """Add many subscribers at once, all or nothing; every bad row is reported by line."""
    from aiwatch.clock import utcnow

    try:
        from aiwatch.subscribers import import_file

        with synced_store(utcnow()) as store:
            added = import_file(store, file, utcnow())
    except AiwatchError as exc:
        fail(str(exc))
    for row, generated in added:
        extra = f" secret (shown once): {generated}" if generated else ""
        typer.echo(f"added {row.name}: {row.channel} {row.target}{extra}")
    typer.echo(f"{len(added)} subscriber(s) imported")


@subscribers_app.command("test")
def subscribers_test(name: Annotated[str, typer.Argument(help="The subscriber's name.")]) -> None:
    """Send a signed test event now and print the receiver's answer (exit 3 if it failed)."""
    from aiwatch.clock import utcnow

    try:
        from aiwatch.deliver.dispatch import DeliveryLimits, send_test
        from aiwatch.subscribers import find

        current = settings()
        with synced_store(utcnow()) as store:
            row = find(store, name)
        limits = DeliveryLimits(
            allow_private_targets=current.allow_private_targets,
            timeout=current.webhook_timeout_seconds,
            smtp=current.smtp(),
        )
        outcome = send_test(row, utcnow(), limits)
    except AiwatchError as exc:
        fail(str(exc))
    answer = f"HTTP {outcome.status_code}" if outcome.status_code else "no HTTP status"
    if outcome.delivered:
        typer.echo(f"{name}: delivered ({answer}, {outcome.duration_ms} ms)")
        return
    typer.echo(f"{name}: not delivered ({answer}): {outcome.error}")
    raise typer.Exit(EXIT_SOURCES)


@subscribers_app.command("list")
def subscribers_list(
    fmt: Annotated[
        TimelineFormat, typer.Option("--format", help="Output format.")
    ] = TimelineFormat.table,
) -> None:
    """Every subscriber with its channel, filters and lead times."""
    from aiwatch.clock import utcnow

    try:
        from aiwatch.subscribers import listing

        with synced_store(utcnow()) as store:
            rows = listing(store)
    except AiwatchError as exc:
        fail(str(exc))
    data: list[dict[str, Any]] = [
        {"name": r.name, "channel": r.channel, "target": r.target, "active": r.active,
         "roles": r.roles, "topics": r.topics, "labels": r.labels, "langs": r.langs,
         "leads": r.leads, "tz": r.tz, "at": r.send_at, "news": r.news}
        for r in rows
    ]  # fmt: skip
    from aiwatch.render import write_json, write_table

    if fmt.value == "json":
        write_json(data, sys.stdout)
        return
    cells = [
        [d["name"], d["channel"], d["target"], "yes" if d["active"] else "no",
         ",".join(d["roles"]) or "all", ",".join(map(str, d["leads"])), f"{d['at']} {d['tz']}",
         d["news"]]
        for d in data
    ]  # fmt: skip
    columns = ("NAME", "CHANNEL", "TARGET", "ACTIVE", "ROLES", "LEADS", "SEND AT", "NEWS")
    write_table(f"Subscribers ({len(cells)})", columns, cells, sys.stdout)


@subscribers_app.command("show")
def subscribers_show(name: Annotated[str, typer.Argument(help="The subscriber's name.")]) -> None:
    """One subscriber, with its personal calendar URL path."""
    from aiwatch.clock import utcnow

    try:
        from aiwatch.subscribers import find

        with synced_store(utcnow()) as store:
            row = find(store, name)
    except AiwatchError as exc:
        fail(str(exc))
    for key in ("name", "channel", "target", "active", "roles", "topics", "labels", "langs",
                "leads", "tz", "send_at", "news", "created_at"):  # fmt: skip
        typer.echo(f"{key}: {getattr(row, key)}")
    typer.echo(f"calendar: /calendars/{row.calendar_token}.ics")


@subscribers_app.command("remove")
def subscribers_remove(name: Annotated[str, typer.Argument(help="The subscriber's name.")]) -> None:
    """Stop sending to a subscriber (its delivery history is kept)."""
    from aiwatch.clock import utcnow

    try:
        from aiwatch.subscribers import remove

        with synced_store(utcnow()) as store:
            remove(store, name)
    except AiwatchError as exc:
        fail(str(exc))
    typer.echo(f"removed {name}")


@deliveries_app.command("list")
def deliveries_list(
    status: Annotated[
        str | None, typer.Option("--status", help="pending, failed, dead, delivered, cancelled.")
    ] = None,
    fmt: Annotated[
        TimelineFormat, typer.Option("--format", help="Output format.")
    ] = TimelineFormat.table,
) -> None:
    """The outbox: what is waiting, failing, dead or delivered."""
    from aiwatch.clock import utcnow

    statuses = ("pending", "delivering", "failed", "dead", "delivered", "cancelled")
    if status is not None and status not in statuses:
        fail(f"--status: unknown status '{status}'; valid: {', '.join(statuses)}")

    try:
        from aiwatch.alerts import outbox_rows

        with synced_store(utcnow()) as store:
            rows = outbox_rows(store, status)
    except AiwatchError as exc:
        fail(str(exc))
    from aiwatch.render import write_json, write_table

    if fmt.value == "json":
        write_json(rows, sys.stdout)
        return
    cells = [
        [str(r["id"]), r["subscriber"], r["kind"], r["status"], str(r["attempts"]),
         r["next_attempt_at"][:16], r["last_error"] or ""]
        for r in rows
    ]  # fmt: skip
    columns = ("ID", "SUBSCRIBER", "KIND", "STATUS", "ATTEMPTS", "NEXT ATTEMPT", "LAST ERROR")
    write_table(f"Deliveries ({len(cells)})", columns, cells, sys.stdout)


@deliveries_app.command("retry")
def deliveries_retry(
    row_id: Annotated[int | None, typer.Argument(help="The delivery's ID.")] = None,
    dead: Annotated[bool, typer.Option("--dead", help="Retry every dead delivery.")] = False,
) -> None:
    """Put a failed or dead delivery back in the queue, due now."""
    from aiwatch.clock import utcnow

    if (row_id is None) == (not dead):
        fail("give either an ID or --dead")
    try:
        from aiwatch.deliver.outbox import requeue

        with synced_store(utcnow()) as store, store.session() as session:
            count = requeue(session, utcnow(), row_id)
    except AiwatchError as exc:
        fail(str(exc))
    if row_id is not None and count == 0:
        fail(f"no failed or dead delivery with ID {row_id}")
    typer.echo(f"{count} delivery(ies) queued again")


@calendar_app.command("export")
def calendar_export(
    directory: Annotated[Path, typer.Argument(help="Folder to write the .ics files into.")] = Path(
        "feeds"
    ),
) -> None:
    """Write aiact.ics (everything), one calendar per role and one per topic."""
    from aiwatch.clock import utcnow
    from aiwatch.export import export_calendars

    try:
        with synced_store(utcnow()) as store:
            written, unchanged, removed = export_calendars(store, directory)
    except (AiwatchError, OSError) as exc:
        fail(str(exc))
    typer.echo(
        f"{directory}: {len(written)} written, {len(unchanged)} unchanged, {len(removed)} removed"
    )


@app.command()
def serve(
    host: Annotated[str, typer.Option(help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on.")] = 8080,
) -> None:
    """Serve the calendars over HTTP: /calendar.ics, /calendars/{token}.ics, /healthz."""
    import uvicorn

    from aiwatch.clock import utcnow
    from aiwatch.web.app import create_app

    try:
        from aiwatch.subscribers import calendar_resolver

        with synced_store(utcnow()) as store:
            app = create_app(store, calendar_resolver(store))
            uvicorn.run(app, host=host, port=port, log_level="info")
    except AiwatchError as exc:
        fail(str(exc))
    except SystemExit as exc:  # uvicorn exits 3 when it cannot start (a port in use)
        if exc.code not in (0, None):
            fail(f"cannot serve on {host}:{port} (is the port in use?)")
        raise


@app.command("run")
def run_daemon(
    host: Annotated[str, typer.Option(help="Address of the HTTP app.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port of the HTTP app.")] = 8080,
    no_http: Annotated[bool, typer.Option("--no-http", help="Do not serve HTTP.")] = False,
    log_format: Annotated[str, typer.Option("--log-format", help="text or json.")] = "text",
) -> None:
    """The daemon: poll, plan, deliver on a clock; serve calendars, health and metrics."""
    if log_format not in ("text", "json"):
        fail(f"--log-format: '{log_format}' is not text or json")
    try:
        from aiwatch.daemon import run

        run(settings(), host, port, not no_http, log_format)
    except AiwatchError as exc:
        fail(str(exc))


@contextmanager
def synced_store(now: dt.datetime) -> Iterator[Store]:
    """The configured database, migrated and holding the current catalog; closed afterwards."""
    from aiwatch.sync import prepare_store

    store = prepare_store(settings(), now)
    try:
        yield store
    finally:
        store.close()


def main() -> None:
    app()
