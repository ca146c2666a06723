"""The classification rules and date extraction in each supported language. These are examples
written for the tests, one per rule and language; accuracy on real headlines is measured in
test_classifier_accuracy.py."""

from __future__ import annotations

import datetime as dt

import pytest

from aiwatch.settings import bundled_config_dir
from aiwatch.watch.classify import load_classifier
from aiwatch.watch.extract import mentioned_dates

CLASSIFIER = load_classifier(bundled_config_dir() / "classify.toml")
PUBLISHED = dt.datetime(2026, 11, 20, 9, 0, tzinfo=dt.UTC)


@pytest.mark.parametrize(
    ("title", "label"),
    [
        ("AI Board holds its ninth meeting in Brussels", "board-meeting"),
        ("KI-Gremium: neunte Sitzung in Brüssel", "board-meeting"),
        ("Le comité de l'IA tient sa réunion", "board-meeting"),
        ("AI Office launches call for experts for the scientific panel", "appointment"),
        ("Kommission ernennt Mitglieder des Beratungsforums zur KI-Verordnung", "appointment"),
        ("La Commission nomme le directeur du Bureau de l'IA", "appointment"),
        ("AI Pact webinar on AI literacy", "event"),
        ("Informatiesessie over de AI-verordening", "event"),
        ("Convegno sul regolamento sull'IA a Roma: evento aperto", "event"),
        ("Commission opens consultation on AI regulatory sandboxes", "consultation"),
        ("Samråd om riktlinjer för AI-förordningen", "consultation"),
        ("Consulta pública sobre el Reglamento de IA", "consultation"),
        ("Kommission veröffentlicht Leitlinien zur KI-Verordnung", "guideline"),
        ("Riktlinjer om förbjudna AI-system enligt AI-förordningen", "guideline"),
        ("Richtsnoeren voor AI met een hoog risico gepubliceerd", "guideline"),
        ("Linee guida sui sistemi di IA ad alto rischio", "guideline"),
        ("Directrices sobre la IA de uso general", "guideline"),
        ("Third draft of the code of practice on general-purpose AI", "code-of-practice"),
        ("Codice di buone pratiche per l'IA per finalità generali", "code-of-practice"),
        ("Council and Parliament strike deal on the AI omnibus", "legislation"),
        ("La propuesta de modificación del Reglamento de IA entra en vigor", "legislation"),
        ("AI Act Service Desk opens", "other"),
        ("AI factories: seven new sites selected", "unrelated"),
        ("Commission approves Italian scheme for farmers", "unrelated"),
        ("Il Consiglio approva gli aiuti ai cittadini", "unrelated"),  # Italian "ai" is not AI
    ],
)
def test_labels(title: str, label: str) -> None:
    assert CLASSIFIER.classify(title).label == label


def test_rule_is_reported() -> None:
    verdict = CLASSIFIER.classify("Commission publishes guidelines on the AI system definition")
    assert (verdict.label, verdict.rule) == ("guideline", "guideline")
    assert CLASSIFIER.classify("Weather report").rule == "relevance"


@pytest.mark.parametrize(
    ("text", "lang", "label", "expected"),
    [
        (
            "Consultation on AI Act guidelines open until 15 January 2027",
            "en",
            "consultation",
            [("2027-01-15", "consultation-deadline")],
        ),
        (
            "Feedback welcome until January 15, 2027",
            "en",
            "consultation",
            [("2027-01-15", "consultation-deadline")],
        ),
        (
            "Stellungnahmen bis zum 15. Januar 2027",
            "de",
            "consultation",
            [("2027-01-15", "consultation-deadline")],
        ),
        ("Frist bis 15.01.2027", "de", "consultation", [("2027-01-15", "consultation-deadline")]),
        (
            "Contributions jusqu'au 15 janvier 2027",
            "fr",
            "consultation",
            [("2027-01-15", "consultation-deadline")],
        ),
        (
            "Synpunkter senast den 9 januari 2027",
            "sv",
            "consultation",
            [("2027-01-09", "consultation-deadline")],
        ),
        (
            "Reageren kan tot 12 februari 2027",
            "nl",
            "consultation",
            [("2027-02-12", "consultation-deadline")],
        ),
        (
            "Contributi entro il 12 febbraio 2027",
            "it",
            "consultation",
            [("2027-02-12", "consultation-deadline")],
        ),
        (
            "Abierta hasta el 12 de febrero de 2027",
            "es",
            "consultation",
            [("2027-02-12", "consultation-deadline")],
        ),
        ("AI Board meets on 10 December", "en", "board-meeting", [("2026-12-10", "event")]),
        ("Webinar on 5 January", "en", "event", [("2027-01-05", "event")]),  # the next 5 January
        ("Guidelines adopted on 18 November 2026", "en", "guideline", []),  # before publication
        ("Guidelines on Article 50 from 2 December 2026", "en", "guideline", []),  # no cue
        ("Deadline: 31 February 2027", "en", "consultation", []),  # not a date
        ("Guidelines for 2027", "en", "guideline", []),  # a year is not a day
    ],
)
def test_mentioned_dates(text: str, lang: str, label: str, expected: list[tuple[str, str]]) -> None:
    found = mentioned_dates(text, "", label, lang, PUBLISHED, PUBLISHED)
    assert [(m.date.isoformat(), m.kind) for m in found] == expected


def test_the_publication_date_is_not_a_mentioned_date() -> None:
    found = mentioned_dates("Published on 20 November 2026: consultation until 20 November 2026",
                            "", "consultation", "en", PUBLISHED, PUBLISHED)  # fmt: skip
    assert found == []
