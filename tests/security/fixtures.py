"""The hostile document: a document, a review and a discussion made of the XSS corpus."""

from datetime import timedelta

import pytest
from django.utils import timezone

from prfaq.content import Content, FaqEntry
from reviews.models import Thread
from reviews.workflow import give_verdict, raise_concern, save_draft, submit_for_review
from tests.conftest import make_document, make_user
from tests.reviews.test_review_rounds import acknowledge_all
from tests.security.xss import payloads

PAYLOADS = payloads()


@pytest.fixture
def hostile(db):
    """A document, a review and a discussion made of the corpus, by people named by it."""
    author = make_user(
        "author", first_name="<script>alert(1)</script>", last_name='"><img src=x onerror=alert(2)>'
    )
    leader = make_user("leader", leader=True, first_name="<svg onload=alert(3)>")
    reviewer = make_user("reviewer", first_name="javascript:alert(4)")
    chunks = [PAYLOADS[i::8] for i in range(8)]
    sections = {
        key: "\n\n".join(chunk)
        for key, chunk in zip(
            ["headline", "subheading", "summary", "solution", "leader_quote", "how_it_works",
             "customer_quote", "call_to_action"],
            chunks,
            strict=True,
        )
    }  # fmt: skip
    sections["problem"] = (
        "Every evening skippers of small boats lose an hour to tide tables and misjudge the "
        "bar, losing a day's catch worth $1,800. " + PAYLOADS[0]
    )
    faq = tuple(
        FaqEntry(question=p[:1000].replace("\n", " "), answer=p, side="internal", topic="finances")
        for p in PAYLOADS[:60]
    )
    document = make_document(
        owner=author,
        title="<script>alert('t')</script>",
        content=Content(sections=sections, faq=faq),
    )
    document.refresh_from_db()
    for p in PAYLOADS[:40]:
        Thread.start(
            document=document, revision=document.current_revision, section="problem",
            quote="", by=reviewer, body=p,
        )  # fmt: skip
    round_ = submit_for_review(
        document=document, by=author, approvers=[leader], reviewers=[reviewer],
        due_date=timezone.localdate() + timedelta(days=3), feedback_wanted=PAYLOADS[5],
        acknowledgements={k: PAYLOADS[7][:500] for k in acknowledge_all(document)},
    )  # fmt: skip
    raise_concern(round=round_, by=reviewer, text=PAYLOADS[9])
    give_verdict(
        round=round_, by=reviewer,
        answers={"big_idea": "no", "should_we": "no", "plan": "no"},
        notes={"big_idea": PAYLOADS[11], "should_we": PAYLOADS[12], "plan": PAYLOADS[13]},
        decision="request_changes", rationale=PAYLOADS[14],
    )  # fmt: skip
    save_draft(
        document=document, by=author, title=document.title,
        content=Content(sections={**sections, "problem": sections["problem"] + " edited"}, faq=faq),
        base_version=document.version,
    )  # fmt: skip
    return document, round_, author, leader
