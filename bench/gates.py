"""Time the review gates and the import on a 10,000-word PR/FAQ.

    uv run python bench/gates.py [--runs 50]

Prints the median, minimum and maximum of each, in milliseconds. The target
for all gates together is 20 ms or less on a 10,000-word document.
"""

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "prfaq.settings")

from prfaq.content import Content, FaqEntry  # noqa: E402
from prfaq.document_templates import PRFAQ  # noqa: E402
from prfaq.markdown_io import export_markdown, parse_markdown  # noqa: E402
from reviews.gates import Draft, run_gates  # noqa: E402

SAMPLE = ROOT / "tests" / "reviews" / "corpus" / "h-handoffnote.md"
TARGET_WORDS = 10_000


def big_document() -> tuple[str, Content]:
    """The sample PR/FAQ, its sections and FAQ repeated until it has 10,000 words."""
    base = parse_markdown(SAMPLE.read_text(encoding="utf-8")).content
    sections = {k: "\n\n".join([v] * 4) for k, v in base.sections.items()}
    faq: list[FaqEntry] = []
    content = Content(sections=sections, faq=())
    while content.word_count < TARGET_WORDS:
        faq.extend(base.faq)
        content = Content(sections=sections, faq=tuple(faq))
    return export_markdown(title="Bench", template=PRFAQ, content=content), content


def timed(function, runs: int) -> list[float]:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        function()
        times.append((time.perf_counter() - start) * 1000)
    return times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=50)
    runs = parser.parse_args().runs
    markdown, content = big_document()
    draft = Draft(content, PRFAQ, "Bench")
    prose = "\n\n".join(p for p in content.sections.values() if p)
    rows = [
        ("all gates", timed(lambda: run_gates(draft), runs)),
        ("import (canonical Markdown)", timed(lambda: parse_markdown(markdown), runs)),
        ("import (prose)", timed(lambda: parse_markdown(prose), runs)),
    ]
    print(f"{content.word_count:,}-word document, {runs} runs each (milliseconds)")
    print(f"{'what':<30}{'median':>10}{'min':>10}{'max':>10}")
    for name, times in rows:
        print(f"{name:<30}{statistics.median(times):>10.2f}{min(times):>10.2f}{max(times):>10.2f}")
    median_gates = statistics.median(rows[0][1])
    print(f"gates target 20 ms: {'met' if median_gates <= 20 else 'MISSED'}")


if __name__ == "__main__":
    main()
