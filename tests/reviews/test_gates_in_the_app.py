"""Gate findings in the editor, per revision, and on the dashboard."""

from django.urls import reverse

from prfaq.content import Content
from reviews.gates import run_gates
from reviews.models import GateReport, draft_of
from reviews.workflow import save_draft
from tests.conftest import make_document
from tests.prfaq.test_editor import editor_data


def test_every_save_stores_the_gates_findings_on_its_revision(author, document):
    result = save_draft(
        document=document,
        by=author,
        title=document.title,
        content=Content(sections={"problem": ""}),
        base_version=document.version,
    )
    report = result.revision.gate_report
    assert report.blockers == 1
    assert report.finding_list()[0].gate == "problem-paragraph"


def test_a_save_from_the_editor_stores_what_the_gates_find_in_the_saved_text(
    client, author, document
):
    client.force_login(author)
    for problem in ("TBD", "Landlords lose two evenings a month matching rent payments."):
        response = client.post(
            reverse("prfaq:autosave", args=[document.pk]),
            editor_data(document, section_problem=problem),
            headers={"HX-Request": "true"},
        )
        assert response.status_code == 200
        document.refresh_from_db()
        revision = document.current_revision
        stored = GateReport.objects.get(revision=revision).finding_list()
        assert stored == run_gates(draft_of(revision))
    assert not any(finding.gate == "problem-paragraph" for finding in stored)


def test_editor_shows_findings_beside_their_section_and_in_the_summary(client, author):
    document = make_document(owner=author, content=Content(sections={"problem": "TBD"}))
    client.force_login(author)
    page = client.get(reverse("prfaq:edit", args=[document.pk])).content.decode()
    problem_card = page[page.index('id="edit-problem"') : page.index('id="edit-solution"')]
    assert 'id="findings-problem"' in problem_card
    assert "placeholder or too short" in problem_card
    assert "1 blocker" in page
    assert 'href="#edit-problem"' in page


def test_preview_updates_findings_out_of_band(client, author, document):
    client.force_login(author)
    response = client.post(
        reverse("prfaq:preview", args=[document.pk]),
        editor_data(document, section_problem="Our new app sends texts."),
        headers={"HX-Request": "true"},
    )
    page = response.content.decode()
    assert 'id="preview-body"' in page
    assert (
        'id="findings-problem" class="section-findings" aria-live="polite" hx-swap-oob="true"'
        in page
    )
    assert 'id="gate-summary"' in page and "problem-paragraph" not in page
    assert "placeholder or too short" in page or "describes the product" in page
    assert GateReport.objects.filter(revision=document.current_revision).get().blockers == 0


def test_dashboard_shows_blocker_and_warning_counts(client, author, teammate):
    make_document(owner=author, title="Blocked", content=Content(sections={"problem": ""}))
    client.force_login(teammate)
    page = client.get(reverse("prfaq:dashboard")).content.decode()
    assert "1 blocker" in page
    assert "3 warnings" in page
