"""Measured accuracy of the problem gates on a labelled corpus of PR/FAQs.

Every document in ``corpus/`` comes with its problem paragraph and a
solution-first rewrite of it (``*.json``). From each we make three variants,
read them the way ``check_prfaq`` does, and count:

* ``problem-paragraph`` must flag at least 95% of documents without a problem
  paragraph, and at most 5% of those with one;
* ``problem-first`` must flag at least 80% of solution-first problem paragraphs,
  with at most 10% false alarms on the real ones.
"""

import json
from dataclasses import dataclass
from pathlib import Path

import pytest

from prfaq.markdown_io import parse_markdown
from reviews.gates import Draft, run_gates

CORPUS = Path(__file__).parent / "corpus"


@dataclass(frozen=True)
class Labelled:
    name: str
    text: str
    problem: str
    solution_first: str
    format: str


def corpus() -> list[Labelled]:
    documents = []
    for labels in sorted(CORPUS.glob("*.json")):
        data = json.loads(labels.read_text(encoding="utf-8"))
        text = labels.with_suffix(".md").read_text(encoding="utf-8")
        assert data["problem"] in text, f"{labels.name}: the labelled problem is not in the text"
        documents.append(
            Labelled(labels.stem, text, data["problem"], data["solution_first"], data["format"])
        )
    return documents


def gates_fired(text: str) -> set[str]:
    imported = parse_markdown(text)
    draft = Draft(imported.content, imported.template, imported.title)
    return {finding.gate for finding in run_gates(draft)}


def rate(hits: list[str], total: int) -> str:
    return f"{len(hits)}/{total} ({100 * len(hits) / max(total, 1):.0f}%)"


def test_corpus_is_big_and_varied_enough():
    documents = corpus()
    assert len(documents) >= 30
    assert {d.format for d in documents} == {"headings", "prose"}


def test_problem_gates_meet_their_accuracy_targets(request):
    documents = corpus()
    n = len(documents)
    missed_absent, false_absent, missed_first, false_first = [], [], [], []
    for doc in documents:
        with_problem = gates_fired(doc.text)
        without = gates_fired(doc.text.replace(doc.problem, ""))
        solution_first = gates_fired(doc.text.replace(doc.problem, doc.solution_first))
        if "problem-paragraph" in with_problem:
            false_absent.append(doc.name)
        if "problem-paragraph" not in without:
            missed_absent.append(doc.name)
        if "problem-first" in with_problem:
            false_first.append(doc.name)
        if "problem-first" not in solution_first:
            missed_first.append(doc.name)
    report = (
        f"\nproblem-paragraph: flags {rate(missed_absent, n)} missed of documents without one "
        f"(caught {n - len(missed_absent)}/{n}), false alarms {rate(false_absent, n)}"
        f"\nproblem-first: missed {rate(missed_first, n)} of solution-first paragraphs, "
        f"false alarms {rate(false_first, n)}"
        f"\n  missed absent: {missed_absent}\n  false absent: {false_absent}"
        f"\n  missed first: {missed_first}\n  false first: {false_first}"
    )
    request.node.user_properties.append(("figures", ["problem gates", report.splitlines()[1:]]))
    assert len(missed_absent) <= 0.05 * n, report
    assert len(false_absent) <= 0.05 * n, report
    assert len(missed_first) <= 0.20 * n, report
    assert len(false_first) <= 0.10 * n, report


@pytest.mark.parametrize("name", ["tidewater-headings.md", "shelfsense-prose.md"])
def test_shared_examples_pass_the_problem_gates(name):
    path = Path(__file__).resolve().parents[3] / "shared" / "corpus" / name
    if not path.exists():
        pytest.skip("the shared example corpus is not on this machine")
    assert not {"problem-paragraph", "problem-first"} & gates_fired(path.read_text())
