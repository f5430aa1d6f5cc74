#!/usr/bin/env python3
"""Generate a large synthetic archive for benchmarks: `python bench/generate.py OUT --meetings 4000`.

The archive is made from a fixed seed, so every run measures the same content:
several committees meeting monthly for decades, each meeting with standing
items, report items with summaries, recommendations, contacts, minutes with
headings, bullets and a table, decisions, and indicator codes in the text.

`--vocabulary zipf` writes the text from a vocabulary shaped like real English
instead of 30 words: common English words first, then about 49,000 made-up
words (syllables joined from a fixed seed), drawn with Zipf's law (frequency
about 1/rank), so that most words are rare and on few pages, as in real minutes;
the words residents search for (budget, care leavers, safeguarding, ...) sit at
the ranks such words have, and attendees have common British surnames. A word
list generated here rather than a package's (e.g. wordfreq): no new dependency,
and the same words on every machine.
"""
from __future__ import annotations

import argparse
import datetime
import random
from pathlib import Path

COMMITTEES = ["cabinet", "children-families-scrutiny", "adult-social-care-scrutiny", "planning",
              "audit", "licensing", "health-wellbeing-board", "economy-regeneration-scrutiny"]
WORDS = ["council", "members", "report", "officers", "budget", "performance", "target", "residents", "housing",
         "schools", "transport", "safeguarding", "review", "scrutiny", "committee", "service", "plan", "quarter",
         "strategy", "funding", "response", "concern", "improvement", "partnership", "assessment", "consultation",
         "outcome", "data", "priority", "programme"]


COMMON = ["the", "of", "and", "to", "a", "in", "that", "was", "for", "be", "on", "with", "as", "by", "it", "at",
          "this", "from", "had", "were", "which", "been", "their", "an", "or", "would", "are", "have", "not", "they",
          "all", "its", "there", "but", "more", "members", "council", "report", "committee", "officers", "noted",
          "asked", "whether", "how", "said", "also", "work", "would", "could", "about", "service", "services",
          "children", "people", "year", "plan"]
# the searched-for words, at about the rank such words have in minutes (1 = most frequent)
PLACED = {"budget": 80, "care": 120, "school": 150, "transport": 400, "safeguarding": 600, "inspection": 900,
          "leavers": 2500, "ofsted": 3000}
SURNAMES = ["Smith", "Jones", "Taylor", "Brown", "Williams", "Wilson", "Johnson", "Davies", "Robinson", "Wright",
            "Thompson", "Evans", "Walker", "White", "Roberts", "Green", "Hall", "Wood", "Jackson", "Clarke",
            "Hartley", "Ashworth", "Pickering", "Whitworth", "Openshaw"]
SYLLABLES = ["ab", "ac", "ad", "al", "am", "an", "ar", "as", "at", "ba", "be", "bi", "bo", "ca", "ce", "ci", "co",
             "da", "de", "di", "do", "el", "em", "en", "er", "es", "fa", "fe", "fi", "fo", "ga", "ge", "gi", "go",
             "ha", "he", "hi", "ho", "il", "im", "in", "is", "la", "le", "li", "lo", "ma", "me", "mi", "mo", "na",
             "ne", "ni", "no", "ol", "om", "on", "or", "pa", "pe", "pi", "po", "ra", "re", "ri", "ro", "sa", "se",
             "si", "so", "ta", "te", "ti", "to", "ul", "um", "un", "ur", "va", "ve", "vi", "vo"]


class Vocabulary:
    """Words drawn by Zipf's law from common English, the searched-for words and made-up ones."""

    def __init__(self, seed: int, size: int = 49_000, exponent: float = 1.07):
        rng = random.Random(seed)
        made: list[str] = []
        seen = set(COMMON) | set(PLACED)
        while len(made) < size - len(COMMON) - len(PLACED):
            word = "".join(rng.choice(SYLLABLES) for _ in range(rng.choice((2, 2, 3, 3, 3, 4))))
            if word not in seen:
                seen.add(word)
                made.append(word)
        words = list(COMMON)
        for word, rank in sorted(PLACED.items(), key=lambda kv: kv[1]):
            made.insert(rank - len(COMMON) - 1, word)
        self.words = words + made
        weights = [1 / (rank ** exponent) for rank in range(1, len(self.words) + 1)]
        total = 0.0
        self.cumulative = []
        for weight in weights:
            total += weight
            self.cumulative.append(total)

    def draw(self, rng: random.Random, count: int) -> list[str]:
        return rng.choices(self.words, cum_weights=self.cumulative, k=count)


VOCABULARY: Vocabulary | None = None


def sentence(rng: random.Random, codes: list[str]) -> str:
    count = rng.randint(8, 22)
    words = VOCABULARY.draw(rng, count) if VOCABULARY else [rng.choice(WORDS) for _ in range(count)]
    if codes and rng.random() < 0.3:
        words.insert(rng.randint(0, len(words)), rng.choice(codes))
    return " ".join(words).capitalize() + "."


def write_archive(out: Path, meetings: int, seed: int = 20201209, vocabulary: str = "small") -> None:
    global VOCABULARY
    VOCABULARY = Vocabulary(seed) if vocabulary == "zipf" else None
    rng = random.Random(seed)
    content = out
    (content / "committees").mkdir(parents=True, exist_ok=True)
    (content / "portfolios").mkdir(exist_ok=True)
    (content / "indicators").mkdir(exist_ok=True)
    (content / "site.yml").write_text("title: Benchmark minutes\norganisation: Benchmark Council\n"
                                      "base_url: https://bench.example.org\nlanguage: en-GB\n", encoding="utf-8")
    for slug in COMMITTEES:
        (content / "committees" / f"{slug}.yml").write_text(f"name: {slug.replace('-', ' ').title()} Committee\n",
                                                            encoding="utf-8")
    (content / "portfolios" / "services.yml").write_text(
        "name: Services\npriorities:\n" + "".join(f"  - {{number: {n}, title: Priority {n}}}\n" for n in range(1, 6)),
        encoding="utf-8")
    codes = []
    for number in range(1, 121):
        code = f"PI.{number}"
        codes.append(code)
        values = "".join(f"  - {{period: {2000 + y}/{(y + 1) % 100:02d}, actual: {rng.randint(20, 90)}, "
                         f"target: 60, rag: {rng.choice(['red', 'amber', 'green'])}}}\n" for y in range(6))
        (content / "indicators" / f"{code}.yml").write_text(
            f"code: {code}\ntitle: Indicator number {number}\nportfolio: services\npriority: {number % 5 + 1}\n"
            f"unit: \"%\"\npolarity: higher-is-better\nvalues:\n{values}", encoding="utf-8")
    mention_codes = codes + ["PI.500", "PI.501"]  # two undefined
    per_committee = -(-meetings // len(COMMITTEES))
    written = 0
    for index, committee in enumerate(COMMITTEES):
        date = datetime.date(1990, 1, 10 + index)
        for _ in range(per_committee):
            if written == meetings:
                break
            year_dir = content / "meetings" / str(date.year)
            year_dir.mkdir(parents=True, exist_ok=True)
            items = ["  - number: 1\n    title: Apologies\n", "  - number: 2\n    title: Declarations of interest\n"]
            body = ["## 1. Apologies\n\nApologies were received from two members.\n"]
            for number in range(3, rng.randint(5, 9)):
                recs = "".join(f"      - \"{sentence(rng, [])}\"\n" for _ in range(rng.randint(1, 3)))
                items.append(
                    f"  - number: {number}\n    title: Report {number} on {rng.choice(WORDS)}\n"
                    f"    issue: issue-{rng.randint(1, 400)}\n    report_of: Director of {rng.choice(WORDS).title()}\n"
                    f"    summary: \"{sentence(rng, mention_codes)}\"\n    recommendations:\n{recs}"
                    f"    contacts:\n      - {{name: Officer {number}, role: Manager, "
                    f"email: officer{number}@bench.example.org, phone: 0161 000 000{number}}}\n"
                    f"    documents:\n      - {{title: Report, size: {rng.randint(50, 900)} KB}}\n"
                    f"    portfolio: services\n    decision: That the report be noted.\n")
                paragraphs = "\n\n".join(" ".join(sentence(rng, mention_codes) for _ in range(4)) for _ in range(3))
                bullets = "\n".join(f"- {sentence(rng, mention_codes)}" for _ in range(rng.randint(3, 7)))
                body.append(f"## {number}. Report {number}\n\n{paragraphs}\n\n### Questions\n\n{bullets}\n\n"
                            f"| Measure | Value |\n| --- | --- |\n| A | {rng.randint(1, 99)} |\n")
            attendees = ""
            if VOCABULARY:
                members = ", ".join(f"Councillor {rng.choice('ABCDEFGHJKLMNPRSTW')}. {rng.choice(SURNAMES)}"
                                    for _ in range(rng.randint(5, 9)))
                attendees = f"attendees:\n  members: [{members}]\n"
            front = (f"---\ncommittee: {committee}\ndate: {date.isoformat()}\ntime: \"18:00\"\nvenue: Town Hall\n"
                     f"status: approved\n{attendees}items:\n{''.join(items)}---\n")
            (year_dir / f"{date.isoformat()}-{committee}.md").write_text(front + "\n".join(body), encoding="utf-8")
            written += 1
            date += datetime.timedelta(days=28 + rng.randint(0, 14))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", type=Path, help="content folder to create")
    parser.add_argument("--meetings", type=int, default=4000)
    parser.add_argument("--vocabulary", choices=("small", "zipf"), default="small")
    args = parser.parse_args()
    write_archive(args.out, args.meetings, vocabulary=args.vocabulary)
    print(f"wrote {args.meetings} meetings into {args.out}")


if __name__ == "__main__":
    main()
