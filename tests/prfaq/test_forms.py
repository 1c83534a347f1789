"""The editor's form reads the same whether it is shown or only checked."""

from django.http import QueryDict
from hypothesis import given, settings
from hypothesis import strategies as st

from prfaq.document_templates import FAQ_SIDES, FAQ_TOPICS, TEMPLATES
from prfaq.forms import DocumentForm

ENTRY = st.fixed_dictionaries(
    {
        "question": st.text(max_size=40),
        "answer": st.one_of(st.text(max_size=60), st.just("x" * 20_001), st.just("<script>")),
        "side": st.sampled_from([side for side, _ in FAQ_SIDES] + ["", "sideways"]),
        "topic": st.sampled_from([topic for topic, _ in FAQ_TOPICS] + ["", "nope"]),
        "thread": st.sampled_from(["", "7", "-1", "x"]),
    }
)


def posted(entries: list[dict], total: str | None = None, initial: str = "0") -> QueryDict:
    data = QueryDict(mutable=True)
    data.update({"title": "Tide alerts", "base_version": "1", "section_problem": "Floods."})
    data["faq-TOTAL_FORMS"] = str(len(entries)) if total is None else total
    data["faq-INITIAL_FORMS"] = initial
    for i, entry in enumerate(entries):
        for name, value in entry.items():
            data[f"faq-{i}-{name}"] = value
    return data


@settings(max_examples=80, deadline=None)
@given(
    entries=st.lists(ENTRY, max_size=5),
    total=st.sampled_from([None, "0", "2", "99", "x"]),
    # The editor posts its questions as initial forms, and an added blank one beyond them.
    initial=st.sampled_from(["0", "1", "3", "5", "x"]),
)
def test_an_autosave_checks_the_faq_as_the_editor_does(entries, total, initial):
    data = posted(entries, total, initial)
    shown = DocumentForm(data, outline=TEMPLATES["prfaq"])
    checked = DocumentForm(data, outline=TEMPLATES["prfaq"], shown=False)
    assert shown.is_valid() == checked.is_valid()
    assert shown.error_summary() == checked.error_summary()
    if shown.is_valid():
        assert shown.content() == checked.content()
