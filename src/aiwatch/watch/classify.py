"""The classify stage (pure): an item's title and summary in, one label and the rule that chose it
out. The rules are data, ``config/classify.toml``:

1. Relevance. An item is about the AI Act if it names it or one of its bodies (a ``strong`` term),
   or names AI together with one of the Act's subjects (an ``ai`` term and a ``context`` term).
   Anything else is ``unrelated`` (rule ``relevance``).
2. Labels. The ``[[rule]]`` tables are tried in file order; the first whose ``any`` list matches
   (and whose ``with`` list, if present, also matches, and whose ``without`` list does not) gives
   the label. An item that is relevant but matches no rule is ``other`` (rule ``fallback``).

Term syntax: ``word or phrase`` matches whole words, ignoring case and accents; ``prefix*`` matches
words that start so; ``=AI`` matches case-sensitively (so that Italian "ai" is not "AI").
"""

from __future__ import annotations

import re
import tomllib
import unicodedata
from dataclasses import dataclass
from pathlib import Path

from aiwatch.errors import ConfigError

LABELS = (
    "guideline",
    "code-of-practice",
    "consultation",
    "appointment",
    "board-meeting",
    "event",
    "legislation",
    "other",
    "unrelated",
)
RULES_FILE = "classify.toml"
NON_WORD = re.compile(r"[^\w]+")


def fold(text: str, keep_case: bool = False) -> str:
    """Accents off, punctuation to spaces, padded with spaces so that ' term ' finds whole words."""
    if text.isascii():
        bare = text
    else:
        decomposed = unicodedata.normalize("NFKD", text)
        bare = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    if not keep_case:
        bare = bare.casefold()
    return " " + NON_WORD.sub(" ", bare).strip() + " "


@dataclass(frozen=True)
class Terms:
    folded: tuple[str, ...]  # " term " or " prefix"
    exact: tuple[str, ...]  # case-sensitive " AI "

    @classmethod
    def parse(cls, terms: list[str]) -> Terms:
        folded, exact = [], []
        for term in terms:
            if term.startswith("="):
                exact.append(fold(term[1:], keep_case=True))
            elif term.endswith("*"):
                folded.append(fold(term[:-1]).rstrip())
            else:
                folded.append(fold(term))
        return cls(tuple(folded), tuple(exact))

    def first_match(self, folded_text: str, cased_text: str) -> str | None:
        for term in self.folded:
            if term in folded_text:
                return term.strip()
        for term in self.exact:
            if term in cased_text:
                return term.strip()
        return None


@dataclass(frozen=True)
class Rule:
    id: str
    label: str
    any: Terms
    with_: Terms | None
    without: Terms | None


@dataclass(frozen=True)
class Classification:
    label: str
    rule: str


@dataclass(frozen=True)
class Classifier:
    strong: Terms
    ai: Terms
    context: Terms
    rules: tuple[Rule, ...]

    def classify(self, title: str, summary: str = "") -> Classification:
        title_cased = fold(title, keep_case=True)
        cased = title_cased + fold(summary, keep_case=True) if summary else title_cased
        title_folded, folded = title_cased.casefold(), cased.casefold()
        if self.strong.first_match(folded, cased) is None and (
            self.ai.first_match(folded, cased) is None
            or self.context.first_match(folded, cased) is None
        ):
            return Classification("unrelated", "relevance")
        # The title says what an item is; the summary only breaks ties the title leaves open.
        for scope_folded, scope_cased in ((title_folded, title_cased), (folded, cased)):
            for rule in self.rules:
                if rule.any.first_match(scope_folded, scope_cased) is None:
                    continue
                if rule.with_ and rule.with_.first_match(scope_folded, scope_cased) is None:
                    continue
                if rule.without and rule.without.first_match(scope_folded, scope_cased):
                    continue
                return Classification(rule.label, rule.id)
        return Classification("other", "fallback")


def load_classifier(path: Path) -> Classifier:
    """Rules from a classify.toml, checked: unknown keys and labels are errors naming the rule."""
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise ConfigError(f"cannot read classification rules: {exc}", path) from exc
    relevance = data.get("relevance", {})
    for key in ("strong", "ai", "context"):
        if not isinstance(relevance.get(key), list) or not relevance[key]:
            raise ConfigError(f"[relevance] needs a non-empty list '{key}'", path)
    rules = []
    for index, raw in enumerate(data.get("rule", [])):
        rule_id = raw.get("id", f"#{index + 1}")
        unknown = set(raw) - {"id", "label", "any", "with", "without"}
        if unknown:
            raise ConfigError(f"rule '{rule_id}': unknown key '{sorted(unknown)[0]}'", path)
        if raw.get("label") not in LABELS[:-2]:
            raise ConfigError(f"rule '{rule_id}': label must be one of {LABELS[:-2]}", path)
        if not raw.get("any"):
            raise ConfigError(f"rule '{rule_id}': 'any' needs at least one term", path)
        rules.append(
            Rule(
                id=str(rule_id),
                label=raw["label"],
                any=Terms.parse(raw["any"]),
                with_=Terms.parse(raw["with"]) if raw.get("with") else None,
                without=Terms.parse(raw["without"]) if raw.get("without") else None,
            )
        )
    return Classifier(
        Terms.parse(relevance["strong"]),
        Terms.parse(relevance["ai"]),
        Terms.parse(relevance["context"]),
        tuple(rules),
    )
