"""A synthetic news corpus with known gold spans, built from the sample article's patterns.

No NER corpus with gold labels can be downloaded on the machines this project is built and tested
on (only package registries are reachable, and no package there ships one under a licence we could
use), so the suggestion tests and the "what it is worth" benchmark use this generator. It imitates
the sample article (seeds/nk-troops-kursk.jsonl) and the example layers in docs/examples: actors
are people with and without titles, governments, ministries and forces; claims are reported
clauses (often with a number inside, so spans nest); denials are "dismissed ... as", "denied ...",
"rejected ..."; numbers come with units and quantifiers. Names follow a Zipf-like distribution
(a few recur in many articles, most are rare), a country name is an actor as the subject of a
statement but not in "in Russia", and numbers rarely repeat - so the memory cannot be perfect
and a model has something to generalise. Deterministic for a given seed.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

FIRST = (
    "Robert Anna Vassily Sergiy Volodymyr Kim Olena Dmitry Maria John Hiroshi Amina Pierre Ingrid Carlos "
    "Fatima Lars Mei Ahmed Elena Tomasz Yuki Nadia Omar Sofia Pavel Grace Ivan Leila Mateo"
).split()
LAST = (
    "Wood Evstigneeva Nebenzia Kyslytsya Zelenskyy Sang Petrova Ivanov Schmidt Okafor Tanaka Haddad "
    "Dubois Larsen Moreno Novak Kowalski Sato Rahman Costa Berg Lindqvist Mensah Rossi Kovalenko Shevchenko "
    "Yilmaz Fischer Nakamura Silva"
).split()
TITLES = (
    "Ambassador",
    "Deputy Ambassador",
    "Foreign Minister",
    "Defence Minister",
    "President",
    "spokesperson",
    "General",
    "Prime Minister",
)
COUNTRIES = (
    "Russia",
    "Ukraine",
    "North Korea",
    "South Korea",
    "the U.S.",
    "China",
    "Japan",
    "France",
    "Germany",
    "Poland",
    "Belarus",
    "Iran",
)
DEMONYMS = {
    "Russia": "Russian",
    "Ukraine": "Ukrainian",
    "North Korea": "North Korean",
    "South Korea": "South Korean",
    "the U.S.": "U.S.",
    "China": "Chinese",
    "Japan": "Japanese",
    "France": "French",
    "Germany": "German",
    "Poland": "Polish",
    "Belarus": "Belarusian",
    "Iran": "Iranian",
}
BODIES = ("government", "Foreign Ministry", "Defence Ministry", "forces", "military", "embassy")
PLACES = (
    "the Kursk region",
    "Donetsk",
    "the border",
    "Kharkiv",
    "Crimea",
    "the front line",
    "Belgorod",
    "Zaporizhzhia",
)
UNITS = ("troops", "soldiers", "personnel", "drones", "missiles", "tanks", "civilians", "shells")
QUANTIFIERS = ("", "", "nearly ", "about ", "more than ", "some ", "at least ")
EVENTS = (
    "were deployed to",
    "have reached",
    "were moved towards",
    "are preparing for combat near",
    "were sent to",
    "have crossed into",
    "were stationed near",
)
DENIAL_VERBS = ("dismissed", "rejected", "denied", "rebuffed")
DENIAL_WORDS = ("lies", "propaganda", "fabrications", "nonsense", "provocation")
FILLER = (
    "The situation remains tense.",
    "Fighting continued through the night.",
    "The meeting lasted several hours.",
    "Observers expect further talks next week.",
    "The prospect of escalation is attracting significant attention.",
    "Independent verification was not possible.",
    "Residents described a quiet morning.",
)

LABELS = ("actor", "claim", "denial", "number")


@dataclass
class SyntheticDocument:
    id: str
    text: str
    spans: list[tuple[int, int, str]]


class _Builder:
    def __init__(self) -> None:
        self.parts: list[str] = []
        self.length = 0
        self.spans: list[tuple[int, int, str]] = []

    def add(self, text: str, label: str | None = None) -> tuple[int, int]:
        start = self.length
        self.parts.append(text)
        self.length += len(text)
        if label is not None:
            self.spans.append((start, self.length, label))
        return start, self.length


def _zipf(rng: random.Random, items: tuple[str, ...] | list[str], s: float = 1.1) -> str:
    weights = [1 / (rank + 1) ** s for rank in range(len(items))]
    return rng.choices(list(items), weights)[0]


class Corpus:
    """A reproducible stream of synthetic articles."""

    def __init__(self, seed: int = 0) -> None:
        rng = random.Random(seed)
        people = [f"{f} {ln}" for f in FIRST for ln in LAST]
        rng.shuffle(people)
        self.people = people[:300]
        self.titles = {person: rng.choice(TITLES) for person in self.people}
        self.nations = {person: rng.choice(COUNTRIES) for person in self.people}
        self.seed = seed

    def _actor(self, rng: random.Random, b: _Builder) -> str:
        kind = rng.random()
        if kind < 0.55:
            person = _zipf(rng, self.people, 1.05)
            form = rng.random()
            if form < 0.4:
                text = f"{self.titles[person]} {person}"
            elif form < 0.55:
                nation = DEMONYMS[self.nations[person]]
                text = f"{nation} {self.titles[person]} {person}"
            else:
                text = person
            b.add(text[0].upper() + text[1:] if not b.parts or b.parts[-1].endswith(". ") else text, "actor")
        elif kind < 0.8:
            country = _zipf(rng, COUNTRIES)
            body = rng.choice(BODIES)
            text = f"the {DEMONYMS[country]} {body}"
            b.add(text[0].upper() + text[1:] if not b.parts or b.parts[-1].endswith(". ") else text, "actor")
        else:
            country = _zipf(rng, COUNTRIES)
            b.add(
                country[0].upper() + country[1:] if not b.parts or b.parts[-1].endswith(". ") else country,
                "actor",
            )
        return ""

    def _number(self, rng: random.Random, b: _Builder) -> None:
        n = rng.choice([rng.randint(2, 99), rng.randint(100, 999), rng.randint(1000, 20000)])
        shown = f"{n:,}"
        b.add(f"{rng.choice(QUANTIFIERS)}{shown} {rng.choice(UNITS)}", "number")

    def _claim(self, rng: random.Random, b: _Builder) -> None:
        start = b.length
        country = _zipf(rng, COUNTRIES)
        if rng.random() < 0.6:
            self._number(rng, b)
            b.add(f" from {country} {rng.choice(EVENTS)} {rng.choice(PLACES)}")
        else:
            b.add(f"{DEMONYMS[country]} forces {rng.choice(EVENTS)} {rng.choice(PLACES)}")
        b.spans.append((start, b.length, "claim"))

    def _sentence(self, rng: random.Random, b: _Builder) -> None:
        kind = rng.random()
        if kind < 0.3:
            self._actor(rng, b)
            b.add(f" {rng.choice(['said', 'stated', 'claimed', 'told reporters'])} that ")
            self._claim(rng, b)
            b.add(". ")
        elif kind < 0.5:
            self._actor(rng, b)
            b.add(" ")
            start = b.length
            verb = rng.choice(DENIAL_VERBS)
            if verb == "dismissed" or rng.random() < 0.4:
                b.add(
                    f"{verb} claims of {DEMONYMS[_zipf(rng, COUNTRIES)]} troop deployments "
                    f"as “{rng.choice(DENIAL_WORDS)}”"
                )
            else:
                b.add(f"{verb} the reports")
            b.spans.append((start, b.length, "denial"))
            b.add(". ")
        elif kind < 0.65:
            b.add("According to ")
            self._actor(rng, b)
            b.add(", ")
            self._claim(rng, b)
            b.add(". ")
        elif kind < 0.75:
            b.add(f"Since {rng.choice(['August', 'October', 'spring', 'last week'])}, ")
            self._number(rng, b)
            b.add(f" have been reported in {rng.choice(PLACES)}. ")
        elif kind < 0.85:
            country = _zipf(rng, COUNTRIES)
            b.add(
                f"Tension is rising in {country}. " if rng.random() < 0.5 else f"Talks in {country} stalled. "
            )
        else:
            b.add(rng.choice(FILLER) + " ")

    def document(self, index: int, size: int = 1500) -> SyntheticDocument:
        rng = random.Random(f"{self.seed}-{index}")
        b = _Builder()
        while b.length < size:
            self._sentence(rng, b)
        text = "".join(b.parts).rstrip()
        spans = sorted({(s, min(e, len(text)), label) for s, e, label in b.spans if s < len(text)})
        return SyntheticDocument(f"article-{index:04d}", text, spans)

    def documents(self, count: int, size: int = 1500) -> list[SyntheticDocument]:
        return [self.document(i, size) for i in range(count)]


__all__ = ["LABELS", "Corpus", "SyntheticDocument"]
