"""Each gate on its own: what it flags, what it leaves alone, and what it says."""

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from prfaq.content import Content, FaqEntry
from prfaq.document_templates import ONE_PAGER, PRFAQ
from reviews.gates import REGISTRY, Draft, Severity, gate, run_gates

PAIN = (
    "Today, a skipper of a small boat decides every evening whether to sail, reading a tide "
    "table, two weather sites and a swell chart on a phone. When the call is wrong, crews lose "
    "a day's catch worth $1,800 or run the bar in breaking surf."
)
FULL_FAQ = (
    FaqEntry("How many boats could use it?", "About 11,000 boats in New England.", "internal",
             "market-size"),
    FaqEntry("Why us?", "We already license tide data to 140 harbours.", "internal",
             "strategy-fit"),
    FaqEntry("Why now?", "Swell forecasts became free in 2026.", "internal", "why-now"),
    FaqEntry("What do we depend on?", "Army Corps bar surveys.", "internal", "dependencies"),
    FaqEntry("What does it cost?", "$0.48 per boat a month; break-even at 260 boats.",
             "internal", "finances"),
    FaqEntry("What is hardest?", "Predicting breaking surf; we start conservative.", "internal",
             "technical-risk"),
)  # fmt: skip


def draft(problem: str = PAIN, faq=FULL_FAQ, outline=PRFAQ, **sections) -> Draft:
    content = Content(
        sections={
            "headline": "Tide Alerts tell skippers when the bar is safe",
            "summary": "PORTLAND, Maine \u2014 May 4, 2027 \u2014 Tidewater today announced "
            "Tide Alerts, a text message for skippers.",
            "problem": problem,
            "solution": "Tide Alerts does the arithmetic the skipper does today.",
            **sections,
        },
        faq=faq,
    )
    return Draft(content, outline, "Tide Alerts")


def fired(d: Draft, gate_id: str):
    return [f for f in run_gates(d) if f.gate == gate_id]


def test_registry_holds_every_gate_of_the_design():
    assert {
        "problem-paragraph",
        "problem-first",
        "big-idea",
        "should-we",
        "plan-to-succeed",
        "length",
        "writing",
    } <= set(REGISTRY)


def test_a_complete_document_passes_every_warning_gate():
    assert [f for f in run_gates(draft()) if f.severity != Severity.INFO] == []


@pytest.mark.parametrize("problem", ["", "   ", "TBD", "Problem goes here.", "Users hate it."])
def test_problem_paragraph_blocks_missing_or_token_text(problem):
    (finding,) = fired(draft(problem=problem), "problem-paragraph")
    assert finding.severity == Severity.BLOCKER
    assert finding.section == "problem"
    assert "maybe if you don\u2019t have a problem paragraph" in finding.message.lower()


def test_problem_paragraph_accepts_pain_without_the_word_problem():
    assert fired(draft(), "problem-paragraph") == []


@pytest.mark.parametrize(
    ("problem", "why"),
    [
        ("Tide Alerts is a text service that combines tide tables with swell forecasts for "
         "boats, sent every evening.", "product's name"),
        ("Our new service sends skippers one text every evening with the safe windows for "
         "crossing the bar.", "leads with the product"),
        ("We will build a messaging service that tells skippers when the harbour bar is safe "
         "to cross.", "we will build"),
        ("By combining NOAA tide predictions, swell forecasts, GPS data and a machine learning "
         "model on our cloud platform, we compute safe windows.", "combination of technologies"),
        ("Tide tables, swell charts and bar depths are combined into one go or no-go answer, "
         "computed nightly and delivered as a short message.", "no customer"),
    ],
)  # fmt: skip
def test_problem_first_flags_solution_first_paragraphs(problem, why):
    (finding,) = fired(draft(problem=problem), "problem-first")
    assert finding.severity == Severity.WARNING
    assert why in finding.message.lower()
    assert finding.excerpt


def test_problem_first_leaves_the_customers_pain_alone():
    assert fired(draft(), "problem-first") == []


def test_big_idea_asks_for_market_size_and_the_size_of_the_pain():
    (finding,) = fired(
        draft(
            problem="Skippers of small boats decide every evening whether to sail, and when "
            "the call is wrong, crews lose the catch or run the bar in breaking surf.",
            faq=(),
        ),
        "big-idea",
    )
    assert "market size" in finding.message
    assert "size of the pain" in finding.message


def test_big_idea_accepts_a_market_question_without_a_topic():
    faq = (FaqEntry("How many customers could this serve?", "48,000 boats.", "internal"),)
    assert fired(draft(faq=faq + FULL_FAQ[1:]), "big-idea") == []


def test_should_we_names_what_is_missing_and_where():
    (finding,) = fired(draft(faq=FULL_FAQ[:1]), "should-we")
    assert "Strategy fit" in finding.message and "Why now" in finding.message


def test_plan_to_succeed_needs_internal_answers_with_numbers():
    faq = list(FULL_FAQ)
    faq[4] = FaqEntry("What does it cost?", "Not much.", "internal", "finances")
    (finding,) = fired(draft(faq=tuple(faq)), "plan-to-succeed")
    assert "numbers in the finances answer" in finding.message
    external = tuple(FaqEntry(e.question, e.answer, "external", e.topic) for e in FULL_FAQ)
    (finding,) = fired(draft(faq=external), "plan-to-succeed")
    assert "dependencies" in finding.message and "technical risk" in finding.message


def test_length_warns_over_a_page_and_over_five():
    long = "word " * 700
    (finding,) = fired(draft(summary=long), "length")
    assert "more than about one page" in finding.message
    faq = (FaqEntry("Q?", "answer " * 2800),)
    assert any("five pages" in f.message for f in fired(draft(faq=faq), "length"))


def test_writing_flags_unanswered_and_not_answer_first_and_weasel_words():
    faq = (
        FaqEntry("Does it need a smartphone?", "Alerts are SMS, which any phone receives."),
        FaqEntry("What about winter?", ""),
        FaqEntry("Is it accurate?", "Great question. It is."),
    )
    findings = fired(draft(faq=faq, solution="It saves a significant amount of time."), "writing")
    messages = " ".join(f.message for f in findings)
    assert "answer first with yes or no" in messages
    assert "has no answer" in messages
    assert "Drop the preamble" in messages
    assert "\u201csignificant\u201d where data belongs" in messages
    assert {f.severity for f in findings} == {Severity.INFO, Severity.WARNING}


def test_writing_leaves_numbers_and_quotes_alone():
    findings = fired(draft(solution="It saves most skippers 30 minutes a day."), "writing")
    assert not [f for f in findings if f.section == "solution"]


def test_one_pager_runs_the_same_gates():
    d = draft(outline=ONE_PAGER, problem="")
    assert fired(d, "problem-paragraph")


def test_findings_come_blockers_first_in_document_order():
    findings = run_gates(draft(problem="", faq=()))
    assert findings[0].severity == Severity.BLOCKER
    ranks = [f.severity.rank for f in findings]
    assert ranks == sorted(ranks)


def test_adding_a_gate_is_one_decorated_function():
    @gate("test-only-gate")
    def always(d):
        yield from ()

    try:
        assert "test-only-gate" in REGISTRY
        with pytest.raises(ValueError, match="Two gates"):
            gate("test-only-gate")(always)
    finally:
        del REGISTRY["test-only-gate"]


def test_gates_need_no_database():
    # No django_db mark: touching the ORM here would fail the test.
    assert run_gates(draft(problem=""))


@pytest.mark.parametrize(
    "opening",
    [
        "Our clients tell us",
        "We deliver groceries to 40,000 homes, and every week",
        "The new booster guidance means that",
        "Every time an owner gets a new puppy,",
        "At Redbud Veterinary Group,",
    ],
)
def test_ordinary_openings_of_a_problem_paragraph_are_not_taken_for_product_talk(opening):
    problem = (
        f"{opening} pet owners miss a vaccination booster because the reminder card gets lost; "
        "clinics spend two hours a day phoning them, and a missed booster costs an owner $300 "
        "in a restarted course."
    )
    d = draft(problem=problem)
    assert fired(d, "problem-paragraph") == [] and fired(d, "problem-first") == []


def test_the_organisation_launching_is_not_the_product():
    d = Draft(
        Content(
            sections={
                "headline": "North Coast Ambulance Service launches ShiftSwap for paramedics",
                "summary": "HALIFAX \u2014 May 1, 2027 \u2014 North Coast Ambulance Service today "
                "launched ShiftSwap, an app for swapping shifts.",
                "problem": "North Coast Ambulance Service paramedics who need to swap a shift "
                "today spend an evening phoning colleagues, and one swap in five fails, costing "
                "them a missed family event or a double shift.",
            }
        ),
        PRFAQ,
        "ShiftSwap",
    )
    assert "North Coast Ambulance Service" not in d.product_names
    assert "ShiftSwap" in d.product_names
    assert fired(d, "problem-paragraph") == [] and fired(d, "problem-first") == []


def test_features_without_anybodys_pain_are_flagged():
    (finding,) = fired(
        draft(
            problem="The service is a guided web form backed by a rules engine that validates "
            "each declaration and generates the customs paperwork automatically."
        ),
        "problem-first",
    )
    assert finding.severity == Severity.WARNING


def test_punctuation_runs_are_token_text_and_fast():
    from prfaq.cues import is_token_text

    words = "skippers lose a day of fishing every week to tides"
    assert is_token_text("." * 20_000 + words) is False  # words, not a placeholder
    assert is_token_text("." * 20_000)
    assert is_token_text("  TBD.  ")


@settings(max_examples=200, deadline=None)
@given(
    st.lists(
        st.sampled_from(["Spend", "WAITING", "today", "Machine  Learning", "API", "apis"])
        | st.text(alphabet="abcdefgiklmnoprstuwAEIOUPST .,-\n", max_size=12),
        max_size=12,
    )
)
def test_word_lists_count_as_if_case_did_not_matter(pieces):
    """``count`` lowercases the text and matches lowercase word lists: the same counts as
    matching the lists case-insensitively."""
    from prfaq.cues import PAIN, PRODUCT, TECHNOLOGY, TODAY, count

    text = " ".join(pieces)
    for words in (PAIN, TODAY, PRODUCT, TECHNOLOGY):
        assert count(words, text) == len(re.findall(words.pattern, text, re.IGNORECASE))


def _as_listed(words: re.Pattern) -> re.Pattern:
    """A word list matched as it was before it became a prefix tree: one phrase after the
    other, the first listed winning."""
    from prfaq.cues import PHRASES

    return re.compile(rf"\b(?:{'|'.join(PHRASES[words])})")


def _listed_words():
    from prfaq.cues import PHRASES

    spoken = {p.replace(r"\s+", " ").replace(r"\b", "") for ps in PHRASES.values() for p in ps}
    return sorted(spoken | {"later", "than", "s", "ed", "ing", "ly", "-", "'", "x"})


@settings(max_examples=300, deadline=None)
@given(st.data())
def test_word_lists_as_prefix_trees_count_as_listed(data):
    """The cue word lists are matched as prefix trees ("wait(?:s|ed)?"), which try the
    longer of two phrases that begin alike first; one after the other, the first listed
    won. Either way ``count`` gives the same, for any mix of their words."""
    from prfaq.cues import PAIN, PRODUCT, TECHNOLOGY, TODAY, count

    pieces = data.draw(st.lists(st.sampled_from(_listed_words()), min_size=1, max_size=14))
    gaps = data.draw(st.lists(st.sampled_from(["", " ", "  ", "\n"]), min_size=len(pieces)))
    text = "".join(gap + piece for gap, piece in zip(gaps, pieces, strict=False))
    for words in (PAIN, TODAY, PRODUCT, TECHNOLOGY):
        assert count(words, text) == len(_as_listed(words).findall(text.lower())), text


def test_a_word_list_tree_finds_every_phrase_of_its_list():
    from prfaq.cues import PAIN, PHRASES, PRODUCT, count

    for words in (PAIN, PRODUCT):
        for phrase in PHRASES[words]:
            spoken = phrase.replace(r"\s+", " ").replace(r"\b", "").replace("[sz]", "s")
            assert count(words, f"and {spoken} and") == 1, spoken
    assert count(PAIN, "painter pains") == 0  # "pain\b": not the start of another word
    assert count(PAIN, "Waiting, waits, WAITED") == 3


# The weasel words and numbers in words as they were matched before they became prefix
# trees matched in lowercased text: case-insensitively, one after the other.
_WEASEL_AS_LISTED = re.compile(
    r"\b(?:significant(?:ly)?|substantial(?:ly)?|numerous|countless|huge|massive|vast(?:ly)?"
    r"|tremendous(?:ly)?|enormous(?:ly)?|dramatic(?:ally)?|extremely|very|world-class"
    r"|best-in-class|industry-leading|market-leading|revolutionary|game-changing|cutting-edge"
    r"|state-of-the-art|next-generation|seamless(?:ly)?|robust|innovative|unparalleled"
    r"|unprecedented|a lot of|lots of|many|various|several|most|some|clearly|obviously"
    r"|arguably|virtually|literally|experts say|it is believed|studies show|up to)\b",
    re.IGNORECASE,
)
_NUMBER_WORDS_AS_LISTED = re.compile(
    r"\b(?:one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|twenty|thirty|forty|"
    r"fifty|hundred|hundreds|thousand|thousands|million|millions|half|third|quarter|dozen|"
    r"dozens|twice|double)\b",
    re.IGNORECASE,
)


def _weasel_sentences_as_listed(text: str) -> tuple:
    from prfaq.cues import sentences
    from reviews.gates.writing import MAX_PER_SECTION

    found = []
    for sentence in sentences(text):
        match = _WEASEL_AS_LISTED.search(sentence)
        numbered = re.search(r"\d", sentence) or _NUMBER_WORDS_AS_LISTED.search(sentence)
        if not match or numbered or sentence.lstrip().startswith(("\u201c", '"')):
            continue
        found.append((match.group(0), sentence))
        if len(found) == MAX_PER_SECTION:
            break
    return tuple(found)


_WRITING_WORDS = [
    *"significant significantly vast vastly very Very VERY world-class a lot of lots of".split(),
    *"Most mostly some something up to upto it is believed experts say Studies show".split(),
    *"one two Twenty dozens doubled twice 7 3% seven eleven Half".split(),
    *"the landlord pays late İstanbul İ Ω costs . , ; ! ? “ \" ' -".split(),
]


# The two letters a case-insensitive pattern takes for others that lowercasing does not
# make them: the dotless i (U+0131) for "i" and the long s (U+017F) for "s" (a "seven"
# spelled with a long s was a number).
_FOLDED_OTHERWISE = "\u0131\u017f"


@settings(max_examples=300, deadline=None)
@given(
    st.lists(
        st.sampled_from(_WRITING_WORDS)
        | st.text(st.characters(exclude_characters=_FOLDED_OTHERWISE), max_size=6),
        max_size=30,
    )
)
def test_weasel_words_are_found_as_before_in_lowercased_text(pieces):
    """Weasel words and numbers in words are matched in the lowercased sentence, by prefix
    trees: the same sentences and the same words (as written) as matching them
    case-insensitively, one after the other (but for ``_FOLDED_OTHERWISE``)."""
    from reviews.gates.writing import _weasel_sentences

    text = " ".join(pieces)
    assert _weasel_sentences.__wrapped__(text) == _weasel_sentences_as_listed(text)


def test_a_weasel_word_is_quoted_as_written():
    from reviews.gates.writing import _weasel_sentences

    found = _weasel_sentences.__wrapped__("The İstanbul team saw VERY good results. Ok.")
    assert found == (("VERY", "The İstanbul team saw VERY good results."),)
    assert _weasel_sentences.__wrapped__("We Significantly cut costs. Twelve teams use it.") == (
        ("Significantly", "We Significantly cut costs."),
    )


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=40))
def test_a_texts_edges_are_cut_as_the_regular_expression_cut_them(text):
    from prfaq.cues import _without_edges

    assert _without_edges(text) == re.sub(r"^\W+|\W+$", "", text)


def test_numbers_in_words_are_found_as_before_where_lowercase_is_longer():
    """An "İ" lowercases to two characters, the second no letter: the text is then matched
    case-insensitively, as before, not with word boundaries it does not have."""
    from prfaq.cues import has_number

    assert not has_number("BİTEN")  # no word "ten" in it
    assert has_number("FİVE")  # "five", case aside
    assert has_number("Five tenants") and has_number("3 tenants")
    assert not has_number("Tenants often forget")


def test_a_word_pattern_takes_plain_phrases_only():
    from prfaq.cues import word_pattern

    assert word_pattern("pain\\b|synchroni[sz]|can't|must ").search("synchronize")
    with pytest.raises(ValueError, match="Not a plain phrase"):
        word_pattern("wait(?:s|ed)")
