"""The closed vocabularies of the catalog: roles, topics, kinds and statuses.

These are words, not dates: the catalog in ``config/`` holds every date. Filters on the command
line, in calendars and in subscriptions are checked against these lists, so a typo is an error,
not an empty result.
"""

from __future__ import annotations

ROLES: dict[str, str] = {
    "provider": "Providers of AI systems",
    "deployer": "Deployers (users) of AI systems",
    "gpai-provider": "Providers of general-purpose AI models",
    "gpai-systemic-risk": "Providers of general-purpose AI models with systemic risk",
    "importer": "Importers of AI systems",
    "distributor": "Distributors of AI systems",
    "member-state": "Member States and their national competent authorities",
    "commission": "The European Commission and the AI Office",
    "notified-body": "Notified bodies and notifying authorities",
    "everyone": "Everyone the Act concerns",
}

TOPICS: dict[str, str] = {
    "prohibited-practices": "Prohibited AI practices (Art. 5)",
    "ai-literacy": "AI literacy (Art. 4)",
    "ai-definition": "What counts as an AI system (Art. 3(1))",
    "gpai": "General-purpose AI models (Chapter V)",
    "high-risk": "High-risk AI systems (Chapter III)",
    "transparency": "Transparency obligations (Art. 50)",
    "governance": "Governance (Chapter VII)",
    "penalties": "Penalties and fines (Chapter XII)",
    "sandboxes": "AI regulatory sandboxes (Art. 57-59)",
    "standards": "Harmonised standards and common specifications",
    "conformity-assessment": "Conformity assessment",
    "notified-bodies": "Notifying authorities and notified bodies (Chapter III Section 4)",
    "post-market-monitoring": "Post-market monitoring (Art. 72)",
    "incident-reporting": "Serious incident reporting (Art. 73)",
    "codes-of-practice": "Codes of practice (Art. 56) and codes of conduct (Art. 95)",
    "guidelines": "Commission guidelines (Art. 96)",
    "review": "Evaluation and review (Art. 112)",
    "delegated-acts": "Delegated acts (Art. 97)",
    "implementing-acts": "Implementing acts",
    "omnibus": "The Digital Omnibus on AI",
    "large-scale-it-systems": "Large-scale IT systems (Annex X)",
    "public-sector": "Public authorities as providers or deployers",
    "fundamental-rights": "Fundamental rights protection",
    "ai-office": "The AI Office",
    "ai-board": "The European Artificial Intelligence Board",
    "scientific-panel": "The scientific panel of independent experts",
    "advisory-forum": "The advisory forum",
    "eu-database": "The EU database for high-risk AI systems (Art. 71)",
    "consultation": "Consultations and calls for evidence",
    "legislation": "Legislation amending or implementing the Act",
    "enforcement": "Supervision and enforcement",
}

MILESTONE_KINDS: dict[str, str] = {
    "publication": "Publication in the Official Journal",
    "entry-into-force": "Entry into force of an act",
    "application": "A date from which provisions apply",
    "transitional": "A transitional deadline for systems or models already on the market",
    "deadline": "A dated duty of the Commission, the Member States or operators",
    "review": "An evaluation or review the Commission must carry out",
    "delegation": "The period of a delegation of power",
    "enforcement": "The start of enforcement powers",
    "legislative": "A step in the passage of an amending act",
}

EVENT_KINDS: dict[str, str] = {
    "ai-office": "AI Office establishment and organisation",
    "ai-board": "AI Board meetings and decisions",
    "scientific-panel": "Scientific panel of independent experts",
    "advisory-forum": "Advisory forum",
    "code-of-practice": "Codes of practice",
    "guideline": "Commission guidelines",
    "template": "Templates published by the Commission",
    "consultation": "Consultations and their closing dates",
    "appointment": "Appointments",
    "legislation": "Legislation and implementing acts",
    "webinar": "Webinars and public events",
    "standardisation": "Standardisation",
    "consultation-deadline": "A closing date mentioned in a Commission news item",
    "event": "An event date mentioned in a Commission news item",
}

# Statuses typed in the catalog. "overdue" is never typed: it is computed (see catalog.status).
MILESTONE_STATUSES: dict[str, str] = {
    "in-force": "Stated in law that is in force",
    "applied": "The date has passed and the provision applies, or the step happened",
    "amended": "Stated in the original law, changed by a later law now in force",
    "superseded": "Replaced by another entry whose amending act is in force",
    "proposed": "Stated in a legislative proposal",
    "agreed": "Stated in a provisional political agreement",
    "adopted": "Stated in an adopted act that is not yet in force",
}
EVENT_STATUSES: dict[str, str] = {
    **MILESTONE_STATUSES,
    "scheduled": "Announced and still ahead",
    "held": "Took place",
    "published": "Published",
    "cancelled": "Cancelled",
    "postponed": "Postponed; the date shown is the last one announced",
}
OVERDUE = "overdue"
# Statuses whose date is not (yet) law: shown as tentative and never a reason to fail a CI run.
TENTATIVE_STATUSES = frozenset({"proposed", "agreed", "scheduled", "postponed"})
# Statuses of entries replaced by another one: kept in history, not shown as their own date.
REPLACED_STATUSES = frozenset({"superseded", "cancelled"})
# Statuses of an original date that a later law changed: hidden when a successor entry exists.
REPLACED_BY_LAW = frozenset({"superseded", "amended"})

# What a `kind` filter accepts (CLI, calendars): an entry kind, or a whole entry type.
ENTRY_KINDS: dict[str, str] = {
    "milestone": "Every milestone",
    "event": "Every event",
    **MILESTONE_KINDS,
    **EVENT_KINDS,
}

DUTY_HOLDERS = ("commission", "member-state")
DEFAULT_INSTRUMENT = "Regulation (EU) 2024/1689"
# Kinds that put a duty on someone by their date: what `check --fail-within` fails on. Publications,
# legislative steps, reviews and meetings are news, not deadlines.
DEADLINE_KINDS = frozenset(
    {
        "application",
        "transitional",
        "deadline",
        "enforcement",
        "entry-into-force",
        "consultation",
        "consultation-deadline",
    }
)
