"""The classifier against real, published headlines (tests/fixtures/headlines.toml): accuracy per
label and per set, printed at the end of the test run. Aim: at least 90% overall."""

from __future__ import annotations

import tomllib
from collections import Counter
from pathlib import Path

from aiwatch.settings import bundled_config_dir
from aiwatch.watch.classify import LABELS, load_classifier
from reports import SUMMARY

HEADLINES = Path(__file__).resolve().parent / "fixtures" / "headlines.toml"
REPORT = SUMMARY


def test_labelled_headlines_are_real_and_complete() -> None:
    headlines = tomllib.loads(HEADLINES.read_text(encoding="utf-8"))["headline"]
    assert len(headlines) >= 120
    assert {h["lang"] for h in headlines} >= {"en", "de", "fr", "sv", "nl", "it", "es"}
    for headline in headlines:
        assert headline["label"] in LABELS, headline
        assert headline["url"].startswith(("https://", "http://")), headline
        assert len(headline["date"]) == 10, headline
    titles = [h["title"].casefold() for h in headlines]
    assert len(titles) == len(set(titles))


def test_accuracy_on_real_headlines() -> None:
    classifier = load_classifier(bundled_config_dir() / "classify.toml")
    headlines = tomllib.loads(HEADLINES.read_text(encoding="utf-8"))["headline"]
    right: Counter[tuple[str, str]] = Counter()
    total: Counter[tuple[str, str]] = Counter()
    misses = []
    for headline in headlines:
        got = classifier.classify(headline["title"]).label
        for key in ((headline["label"], headline["set"]), (headline["label"], "all")):
            total[key] += 1
            right[key] += got == headline["label"]
        if got != headline["label"]:
            misses.append(f"  want {headline['label']}, got {got}: {headline['title'][:90]}")
    overall = sum(right[k] for k in total if k[1] == "all") / len(headlines)
    by_set = {
        split: (
            sum(right[k] for k in total if k[1] == split),
            sum(total[k] for k in total if k[1] == split),
        )
        for split in ("dev", "held-out")
    }
    REPORT.append(f"classifier accuracy on {len(headlines)} real headlines: {overall:.1%}")
    for split, (ok, n) in by_set.items():
        REPORT.append(f"  {split:<9} {ok}/{n} = {ok / n:.1%}")
    for label in LABELS:
        if total[(label, "all")]:
            REPORT.append(f"  {label:<17} {right[(label, 'all')]}/{total[(label, 'all')]}")
    REPORT.extend(misses)
    assert overall >= 0.9, "\n".join(REPORT)
