"""Forms that parse the editor's fields into content, and the small forms around it."""

import copy
import uuid
from functools import cache

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Submit
from django import forms
from django.contrib.auth import get_user_model
from django.http import QueryDict

from prfaq.content import (
    ANSWER_MAX_CHARS,
    FAQ_MAX_ENTRIES,
    QUESTION_MAX_CHARS,
    SECTION_MAX_CHARS,
    TITLE_MAX_CHARS,
    Content,
    FaqEntry,
)
from prfaq.document_templates import FAQ_SIDES, FAQ_TOPICS, TEMPLATES, DocumentTemplate
from prfaq.markdown_io import MAX_IMPORT_BYTES, ImportError_, decode_upload, parse_markdown
from prfaq.rendering import markdown_hazard


def _limit_message(what: str, limit: int) -> str:
    return (
        f"{what} is too long: %(show_value)s characters; the limit is {limit:,}. "
        "Your text is still here: shorten it, or move part of it elsewhere."
    )


def renderable(value: str) -> None:
    """Refuse Markdown the renderer cannot handle, keeping the text in the form."""
    hazard = markdown_hazard(value)
    if hazard:
        raise forms.ValidationError(
            f"This text cannot be shown as Markdown: it {hazard}. Simplify it and save again."
        )


def title_field() -> forms.CharField:
    return forms.CharField(
        max_length=TITLE_MAX_CHARS,
        strip=True,
        error_messages={
            "required": "Give the document a title.",
            "max_length": _limit_message("The title", TITLE_MAX_CHARS),
        },
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )


class NewDocumentForm(forms.Form):
    title = title_field()
    token = forms.UUIDField(widget=forms.HiddenInput, initial=uuid.uuid4, required=False)
    template = forms.ChoiceField(
        choices=[(t.key, t.name) for t in TEMPLATES.values()],
        initial="prfaq",
        widget=forms.RadioSelect,
        error_messages={"invalid_choice": "Choose one of the templates below."},
    )

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["template"].choices = [
            (t.key, f"{t.name} \u2014 {t.description}") for t in TEMPLATES.values()
        ]
        self.fields["title"].widget.attrs["autofocus"] = True
        self.helper = FormHelper()
        self.helper.add_input(Submit("start", "Start writing"))

    def clean_template(self) -> DocumentTemplate:
        return TEMPLATES[self.cleaned_data["template"]]


class FaqEntryForm(forms.Form):
    question = forms.CharField(
        required=False,
        max_length=QUESTION_MAX_CHARS,
        widget=forms.Textarea(attrs={"rows": 1, "class": "autogrow"}),
        error_messages={"max_length": _limit_message("This question", QUESTION_MAX_CHARS)},
    )
    answer = forms.CharField(
        required=False,
        max_length=ANSWER_MAX_CHARS,
        validators=[renderable],
        widget=forms.Textarea(attrs={"rows": 2, "class": "autogrow"}),
        error_messages={"max_length": _limit_message("This answer", ANSWER_MAX_CHARS)},
    )
    side = forms.ChoiceField(choices=FAQ_SIDES, initial="external")
    topic = forms.ChoiceField(choices=[("", "No topic"), *FAQ_TOPICS], required=False)
    thread = forms.IntegerField(required=False, min_value=1, widget=forms.HiddenInput)

    def clean_question(self) -> str:
        return " ".join(self.cleaned_data["question"].split())  # a question is one line

    def clean_answer(self) -> str:
        return self.cleaned_data["answer"].replace("\r\n", "\n")

    def entry(self) -> FaqEntry | None:
        data = self.cleaned_data
        if not data.get("question") and not data.get("answer"):
            return None  # an empty entry is not worth keeping
        return FaqEntry(
            question=data["question"],
            answer=data["answer"],
            side=data["side"],
            topic=data["topic"],
            thread=data.get("thread"),
        )


class BaseFaqFormSet(forms.BaseFormSet):
    def slots(self) -> list[FaqEntry | None]:
        """One item per form on the page, in order; None where the form was left blank."""
        return [form.entry() if form.cleaned_data else None for form in self.forms]

    def entries(self) -> tuple[FaqEntry, ...]:
        return tuple(entry for entry in self.slots() if entry is not None)


FAQ_FORMSET = {
    "formset": BaseFaqFormSet,
    "extra": 0,
    "max_num": FAQ_MAX_ENTRIES,
    "validate_max": True,
    "absolute_max": FAQ_MAX_ENTRIES + 10,
}
FaqFormSet = forms.formset_factory(FaqEntryForm, **FAQ_FORMSET)


class _SharedFields(dict):
    """Form fields that every form of a class uses as they are: not deep-copied per form."""

    def __deepcopy__(self, memo) -> "_SharedFields":
        return self


class _CheckedFaqEntryForm(FaqEntryForm):
    """A FAQ entry that is validated and never shown (an autosave, a preview).

    Django copies each field, widget and choice list for every form, so that one form's
    rendering may change its own (crispy-forms adds CSS classes to the widget): for a
    30-question FAQ that copying was a quarter of an autosave's time. Validating changes
    no field, so these forms share their fields.
    """

    def has_changed(self) -> bool:
        # The formset asks it of every form but uses the answer only for blank forms beyond
        # the initial ones (which may be skipped): an initial form is validated whatever
        # it holds, and comparing its fields with their defaults was 4% of an autosave.
        # (With FAQ_FORMSET's min_num of 0, the forms not empty_permitted are the initial
        # ones; a min_num would need this answer for the forms it requires.)
        return not self.empty_permitted or super().has_changed()


# After the class statement: Django's form metaclass sets ``base_fields`` itself.
_CheckedFaqEntryForm.base_fields = _SharedFields(FaqEntryForm.base_fields)


CheckedFaqFormSet = forms.formset_factory(_CheckedFaqEntryForm, **FAQ_FORMSET)


def posts_faq(data) -> bool:
    """Whether a partial post holds the FAQ: then it holds all of it (with its management
    form), as the editor posts the FAQ whole or not at all."""
    return any(name.startswith("faq-") for name in data)


class DocumentForm(forms.Form):
    """The editor: a title, one field per text section, and the FAQ as a formset.

    ``shown=False`` for a form that is only validated and read (an autosave, a preview):
    its section fields and its FAQ forms' fields are shared instead of copied
    (``_section_fields``, ``_CheckedFaqEntryForm``).

    ``partial=True`` for an autosave, which posts only what changed since its last save:
    the title, the sections and the FAQ (as a whole) it leaves out are not fields of the
    form, and ``content`` takes them from the saved text (``is_partial`` says so).
    """

    title = title_field()
    base_version = forms.IntegerField(widget=forms.HiddenInput, min_value=0)

    def __init__(
        self, *args, outline: DocumentTemplate, shown: bool = True, partial: bool = False, **kwargs
    ) -> None:
        super().__init__(*args, **kwargs)
        self.outline = outline
        posted = self.data if partial else None
        if posted is not None and "title" not in posted:
            del self.fields["title"]
        for name, field in _section_fields(outline).items():
            if posted is None or name in posted:
                # Shared by forms that are only validated, as their FAQ forms' fields are.
                self.fields[name] = copy.deepcopy(field) if shown else field
        formset = FaqFormSet if shown else CheckedFaqFormSet
        # Without its management form, the formset says what is missing.
        with_faq = outline.faq_section and (posted is None or posts_faq(posted))
        self.faq = formset(*args, prefix="faq", **kwargs) if with_faq else None
        left_out = ["title", *(f"section_{spec.key}" for spec in outline.text_sections)]
        self.is_partial = any(name not in self.fields for name in left_out) or bool(
            outline.faq_section and self.faq is None
        )

    @classmethod
    def for_revision(cls, *, outline, revision, version: int, extra_faq: int = 0) -> "DocumentForm":
        content = revision.as_content()
        initial = {"title": revision.title, "base_version": version}
        initial.update({f"section_{k}": v for k, v in content.sections.items()})
        form = cls(outline=outline, initial=initial)
        if form.faq is not None:
            entries = [entry.to_json() for entry in content.faq] + [{}] * extra_faq
            form.faq = FaqFormSet(prefix="faq", initial=entries)
        return form

    def section_fields(self):
        return [(spec, self[f"section_{spec.key}"]) for spec in self.outline.text_sections]

    def is_valid(self) -> bool:
        valid = super().is_valid()
        return (self.faq.is_valid() if self.faq is not None else True) and valid

    def content(self, faq_action: str = "", *, saved: Content | None = None) -> Content:
        """The text of the form; ``faq_action`` ("remove:3", "up:1") is the no-JavaScript
        fallback for the FAQ buttons, its index counting the questions as shown. A partial
        form's sections and FAQ it leaves out are ``saved``'s."""
        saved = Content() if saved is None else saved
        sections = {}
        for spec in self.outline.text_sections:
            name = f"section_{spec.key}"
            if name in self.fields:
                sections[spec.key] = self.cleaned_data[name].replace("\r\n", "\n")
            else:
                sections[spec.key] = saved.section(spec.key)
        if self.faq is None:
            faq = saved.faq if self.outline.faq_section else ()
        else:
            slots = _apply_faq_action(self.faq.slots(), faq_action)
            faq = tuple(e for e in slots if e is not None)
        return Content(sections=sections, faq=faq)

    def title_or(self, saved: str) -> str:
        """The posted title, or ``saved`` where a partial form leaves it out."""
        return self.cleaned_data["title"] if "title" in self.fields else saved

    def error_summary(self) -> list[str]:
        """Every error as one readable sentence, for the save status line."""
        messages = []
        for name, errors in self.errors.items():
            label = self.fields[name].label if name in self.fields else ""
            messages.extend(f"{label}: {e}" if label and name != "__all__" else e for e in errors)
        if self.faq is not None:
            for number, errors in enumerate(self.faq.errors, start=1):
                messages.extend(f"FAQ entry {number}: {e}" for el in errors.values() for e in el)
            messages.extend(self.faq.non_form_errors())
        return messages


def editor_data(*, title: str, content: Content, outline: DocumentTemplate) -> dict[str, str]:
    """The editor's fields holding ``title`` and ``content``, as a browser posts them
    (without ``base_version``)."""
    data = {"title": title}
    for spec in outline.text_sections:
        data[f"section_{spec.key}"] = content.section(spec.key)
    if outline.faq_section:
        count = str(len(content.faq))
        data |= {"faq-TOTAL_FORMS": count, "faq-INITIAL_FORMS": count}
        for i, entry in enumerate(content.faq):
            for name, value in entry.to_json().items():
                data[f"faq-{i}-{name}"] = "" if value is None else str(value)
    return data


def completed_data(
    posted: dict[str, list[str]], *, title: str, content: Content, outline: DocumentTemplate
) -> QueryDict:
    """A partial post's fields (each a list of values), and for those it leaves out the
    editor's fields holding ``title`` and ``content``: the FAQ whole from one or the other."""
    data = QueryDict(mutable=True)
    with_faq = posts_faq(posted)
    for name, value in editor_data(title=title, content=content, outline=outline).items():
        if not (with_faq and name.startswith("faq-")):
            data[name] = value
    for name, values in posted.items():
        data.setlist(name, values)
    return data


@cache
def _section_fields(outline: DocumentTemplate) -> dict[str, forms.CharField]:
    """The editor's field for each text section of ``outline``, made once per process."""
    return {
        f"section_{spec.key}": forms.CharField(
            label=spec.title,
            help_text=spec.guidance,
            required=False,
            strip=False,
            max_length=SECTION_MAX_CHARS,
            validators=[renderable],
            error_messages={"max_length": _limit_message(spec.title, SECTION_MAX_CHARS)},
            widget=forms.Textarea(
                attrs={
                    "rows": 1 if spec.single_line else 3,
                    "class": "autogrow section-input",
                    "data-word-budget": spec.word_budget,
                    "data-section": spec.key,
                }
            ),
        )
        for spec in outline.text_sections
    }


def _apply_faq_action(slots: list, action: str) -> list:
    verb, _, raw_index = action.partition(":")
    try:
        index = int(raw_index)
    except ValueError:
        return slots
    if not 0 <= index < len(slots):
        return slots
    slots = list(slots)
    if verb == "remove":
        del slots[index]
    elif verb in ("up", "down"):
        other = index - 1 if verb == "up" else index + 1
        if 0 <= other < len(slots):
            slots[index], slots[other] = slots[other], slots[index]
    return slots


class SharingForm(forms.Form):
    restricted = forms.BooleanField(
        required=False,
        label="Restricted",
        help_text="Only you, your collaborators and leadership can find or open this document.",
    )
    collaborators = forms.CharField(
        required=False,
        label="Collaborators",
        help_text="Usernames of the people who may edit with you, separated by commas or spaces.",
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )

    def __init__(self, *args, owner, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.owner = owner
        self.helper = FormHelper()
        self.helper.add_input(Submit("save", "Save sharing"))

    def clean_collaborators(self) -> list:
        names = {
            n.lstrip("@") for n in self.cleaned_data["collaborators"].replace(",", " ").split()
        }
        if len(names) > 100:
            raise forms.ValidationError("Name at most 100 collaborators.")
        users = list(get_user_model().objects.filter(username__in=names, is_active=True))
        missing = sorted(names - {u.username for u in users})
        if missing:
            raise forms.ValidationError(
                "No active user is called %(names)s.", params={"names": ", ".join(missing)}
            )
        return [u for u in users if u.pk != self.owner.pk]


class ImportForm(forms.Form):
    """Step one of an import: a file or pasted text, read into what was recognised."""

    file = forms.FileField(
        required=False,
        label="Markdown or text file",
        help_text="A file exported from PR/FAQ studio, or any .md / .txt PR/FAQ (2 MB at most).",
        widget=forms.ClearableFileInput(attrs={"accept": ".md,.markdown,.txt,text/plain"}),
    )
    text = forms.CharField(
        required=False,
        label="Or paste the text",
        help_text="Paste from a word processor: headline, subheading, a dateline summary, "
        "paragraphs, then the FAQ as Q: and A: lines.",
        widget=forms.Textarea(attrs={"rows": 10}),
    )

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.form_tag = False

    def clean(self) -> dict:
        data = super().clean()
        upload, text = data.get("file"), (data.get("text") or "")
        if upload and text.strip():
            raise forms.ValidationError("Give either a file or pasted text, not both.")
        if not upload and not text.strip():
            raise forms.ValidationError("Choose a file or paste the text of a PR/FAQ.")
        try:
            raw = decode_upload(upload.read(MAX_IMPORT_BYTES + 1) if upload else text.encode())
            data["imported"] = read_within_limits(raw)
        except ImportError_ as exc:
            raise forms.ValidationError(str(exc)) from None
        data["raw"] = raw
        return data


def read_within_limits(raw: str):
    """Parse an import and hold it to the editor's limits, so it can be edited afterwards."""
    if len(raw.encode()) > MAX_IMPORT_BYTES:
        raise ImportError_("The text is over 2 MB; a PR/FAQ file may be at most 2 MB.")
    imported = parse_markdown(raw)
    content, titles = imported.content, {s.key: s.title for s in imported.template.sections}
    problems = []
    for key, text in content.sections.items():
        if len(text) > SECTION_MAX_CHARS:
            problems.append(
                f"{titles.get(key, key)} is {len(text):,} characters "
                f"(at most {SECTION_MAX_CHARS:,})"
            )
        elif markdown_hazard(text):
            problems.append(f"{titles.get(key, key)} {markdown_hazard(text)}")
    if len(content.faq) > FAQ_MAX_ENTRIES:
        problems.append(f"the FAQ has {len(content.faq)} questions (at most {FAQ_MAX_ENTRIES})")
    for number, entry in enumerate(content.faq, start=1):
        if len(entry.question) > QUESTION_MAX_CHARS or len(entry.answer) > ANSWER_MAX_CHARS:
            problems.append(
                f"FAQ question {number} is too long (questions {QUESTION_MAX_CHARS:,} and answers "
                f"{ANSWER_MAX_CHARS:,} characters at most)"
            )
        elif markdown_hazard(entry.answer):
            problems.append(f"the answer to FAQ question {number} {markdown_hazard(entry.answer)}")
    if problems:
        raise ImportError_("This cannot be imported as it is: " + "; ".join(problems[:5]) + ".")
    return imported


class ImportConfirmForm(forms.Form):
    """Step two: the recognised text, the title, and for prose the section of each paragraph."""

    raw = forms.CharField(widget=forms.HiddenInput, strip=False)
    title = title_field()
    token = forms.UUIDField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, imported, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.imported = imported
        choices = [(s.key, s.title) for s in imported.template.text_sections]
        choices.append(("ignore", "Leave out"))
        for index, (_, key) in enumerate(imported.paragraphs):
            self.fields[f"paragraph_{index}"] = forms.ChoiceField(
                choices=choices, initial=key, label=f"Paragraph {index + 1} is the"
            )

    def paragraph_rows(self):
        return [
            (text, self[f"paragraph_{index}"])
            for index, (text, _) in enumerate(self.imported.paragraphs)
        ]

    def content(self) -> Content:
        """The imported content, with the user's corrections to prose assignments."""
        if not self.imported.paragraphs:
            return self.imported.content
        sections: dict[str, list[str]] = {}
        for index, (text, _) in enumerate(self.imported.paragraphs):
            key = self.cleaned_data[f"paragraph_{index}"]
            if key != "ignore":
                sections.setdefault(key, []).append(text)
        return Content(
            sections={
                s.key: "\n\n".join(sections.get(s.key, []))
                for s in self.imported.template.text_sections
            },
            faq=self.imported.content.faq,
        )
