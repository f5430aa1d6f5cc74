#!/usr/bin/env python3
"""Generate a large synthetic archive for benchmarks: `python bench/generate.py OUT --meetings 4000`.

The archive is made from a fixed seed, so every run measures the same content:
several committees meeting monthly for decades, each meeting with standing
items, report items with summaries, recommendations, contacts, minutes with
headings, bullets and a table, decisions, and indicator codes in the text.
"""
from __future__ import annotations

import argparse
import datetime
import random
from pathlib import Path

COMMITTEES = ["cabinet", "children-families-scrutiny", "adult-social-care-scrutiny", "planning",
              "audit", "licensing", "health-wellbeing-board", "economy-regeneration-scrutiny"]
WORDS = ("council members report officers budget performance target residents housing schools transport "
         "safeguarding review scrutiny committee service plan quarter strategy funding response concern "
         "improvement partnership assessment consultation outcome data priority programme").split()


def sentence(rng: random.Random, codes: list[str]) -> str:
    words = [rng.choice(WORDS) for _ in range(rng.randint(8, 22))]
    if codes and rng.random() < 0.3:
        words.insert(rng.randint(0, len(words)), rng.choice(codes))
    return " ".join(words).capitalize() + "."


def write_archive(out: Path, meetings: int, seed: int = 20201209) -> None:
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
                    f"    contacts:\n      - {{name: Officer {number}, role: Manager, email: officer{number}@bench.example.org, phone: 0161 000 000{number}}}\n"
                    f"    documents:\n      - {{title: Report, size: {rng.randint(50, 900)} KB}}\n"
                    f"    portfolio: services\n    decision: That the report be noted.\n")
                paragraphs = "\n\n".join(" ".join(sentence(rng, mention_codes) for _ in range(4)) for _ in range(3))
                bullets = "\n".join(f"- {sentence(rng, mention_codes)}" for _ in range(rng.randint(3, 7)))
                body.append(f"## {number}. Report {number}\n\n{paragraphs}\n\n### Questions\n\n{bullets}\n\n"
                            f"| Measure | Value |\n| --- | --- |\n| A | {rng.randint(1, 99)} |\n")
            front = (f"---\ncommittee: {committee}\ndate: {date.isoformat()}\ntime: \"18:00\"\nvenue: Town Hall\n"
                     f"status: approved\nitems:\n{''.join(items)}---\n")
            (year_dir / f"{date.isoformat()}-{committee}.md").write_text(front + "\n".join(body), encoding="utf-8")
            written += 1
            date += datetime.timedelta(days=28 + rng.randint(0, 14))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", type=Path, help="content folder to create")
    parser.add_argument("--meetings", type=int, default=4000)
    args = parser.parse_args()
    write_archive(args.out, args.meetings)
    print(f"wrote {args.meetings} meetings into {args.out}")


if __name__ == "__main__":
    main()
