"""Forms for comments: they parse; the models decide."""

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Submit
from django import forms
from django.contrib.auth import get_user_model

from prfaq.models import LEADERSHIP_GROUP
from reviews.models import (
    COMMENT_MAX_CHARS,
    CRITERIA,
    QUOTE_MAX_CHARS,
    Answer,
    CommentText,
    Verdict,
)
from reviews.workflow import warning_key


class CommentForm(forms.Form):
    body = forms.CharField(
        label="Comment",
        strip=True,
        max_length=COMMENT_MAX_CHARS,
        widget=forms.Textarea(
            attrs={"rows": 2, "class": "form-control form-control-sm mention-input autogrow"}
        ),
        help_text="Markdown works. Type @ and a name to mention someone.",
        error_messages={
            "required": "Write something first: the comment is empty.",
            "max_length": (
                f"The comment is %(show_value)s characters; the limit is {COMMENT_MAX_CHARS:,}."
            ),
        },
    )

    def clean_body(self) -> CommentText:
        """Checked and rendered here, before the view's transaction (``CommentText``)."""
        return CommentText.of(self.cleaned_data["body"])


class NewThreadForm(CommentForm):
    section = forms.ChoiceField(label="Section")
    quote = forms.CharField(
        required=False,
        strip=True,
        label="Quoted passage",
        max_length=QUOTE_MAX_CHARS,
        widget=forms.Textarea(attrs={"rows": 1}),
        help_text="Optional: the words you are commenting on, exactly as they read.",
        error_messages={"max_length": f"Quote at most {QUOTE_MAX_CHARS:,} characters."},
    )
    revision = forms.IntegerField(widget=forms.HiddenInput, required=False, min_value=1)

    def __init__(self, *args, outline, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["section"].choices = [(s.key, s.title) for s in outline.sections]
        self.fields["section"].error_messages["invalid_choice"] = (
            "That section is not part of this document."
        )
        self.order_fields(["section", "quote", "body", "revision"])


class PeopleField(forms.ModelMultipleChoiceField):
    """Several people; ids out of any database's range are refused like unknown ones."""

    def clean(self, value):
        if value and any(len(str(v)) > 18 for v in value):
            raise forms.ValidationError(
                self.error_messages["invalid_choice"], code="invalid_choice", params={"value": "?"}
            )
        return super().clean(value)


class SubmitForm(forms.Form):
    """Submit for review: who approves, who reviews, by when, and notes on the gate warnings."""

    revision = forms.IntegerField(widget=forms.HiddenInput, min_value=1)
    # The document's version when the page was drawn: an autosave may rewrite the newest
    # revision in place, so its number alone does not say the text is the one read.
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=0, required=False)
    approvers = PeopleField(
        queryset=None,
        widget=forms.CheckboxSelectMultiple,
        help_text="Members of Leadership who decide. Every one of them must approve.",
        error_messages={"required": "Name at least one approver from Leadership."},
    )
    reviewers = PeopleField(
        queryset=None,
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 6}),
        help_text="People whose verdict you want; they do not decide. Ctrl/Cmd-click for several.",
    )
    due_date = forms.DateField(widget=forms.DateInput(attrs={"type": "date"}))
    feedback_wanted = forms.CharField(
        required=False,
        max_length=2000,
        label="What do you want feedback on?",
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, *args, document, warnings, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        User = get_user_model()
        editors = [document.owner_id, *document.collaborators.values_list("pk", flat=True)]
        leaders = User.objects.filter(groups__name=LEADERSHIP_GROUP, is_active=True)
        self.fields["approvers"].queryset = leaders.exclude(pk__in=editors).order_by("username")
        self.fields["approvers"].label_from_instance = lambda u: u.display_name
        self.fields["reviewers"].queryset = (
            User.objects.filter(is_active=True).exclude(pk=document.owner_id).order_by("username")
        )
        self.fields["reviewers"].label_from_instance = lambda u: f"{u.display_name} (@{u.username})"
        self.warnings = warnings
        for finding in warnings:
            self.fields[f"ack_{warning_key(finding)}"] = forms.CharField(
                label=finding.message,
                max_length=500,
                error_messages={"required": "Acknowledge this warning with a short note."},
                widget=forms.TextInput(
                    attrs={"placeholder": "Why this is fine for now, or what you will do"}
                ),
            )

    def acknowledgements(self) -> dict[str, str]:
        return {
            name.removeprefix("ack_"): value
            for name, value in self.cleaned_data.items()
            if name.startswith("ack_")
        }

    def warning_fields(self):
        return [self[f"ack_{warning_key(f)}"] for f in self.warnings]


ANSWER_WIDGET = forms.RadioSelect(attrs={"class": "form-check-inline"})


class VerdictForm(forms.Form):
    revision = forms.IntegerField(widget=forms.HiddenInput, min_value=1)
    # The document's version when the page was drawn: an autosave may rewrite the newest
    # revision in place, so its number alone does not say the text is the one read.
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=0, required=False)
    big_idea = forms.ChoiceField(choices=Answer.choices, widget=ANSWER_WIDGET, label=CRITERIA[0][1])
    big_idea_note = forms.CharField(
        required=False, max_length=2000, label=f"Note on \u201c{CRITERIA[0][1]}\u201d"
    )
    should_we = forms.ChoiceField(
        choices=Answer.choices, widget=ANSWER_WIDGET, label=CRITERIA[1][1]
    )
    should_we_note = forms.CharField(
        required=False, max_length=2000, label=f"Note on \u201c{CRITERIA[1][1]}\u201d"
    )
    plan = forms.ChoiceField(choices=Answer.choices, widget=ANSWER_WIDGET, label=CRITERIA[2][1])
    plan_note = forms.CharField(
        required=False, max_length=2000, label=f"Note on \u201c{CRITERIA[2][1]}\u201d"
    )
    decision = forms.ChoiceField(choices=Verdict.Decision.choices, widget=forms.RadioSelect)
    rationale = forms.CharField(
        max_length=COMMENT_MAX_CHARS,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Why: it is shown with the decision, at the top of the document.",
        error_messages={"required": "Give a short rationale for your decision."},
    )

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.add_input(Submit("give", "Record verdict"))

    def answers(self) -> dict[str, str]:
        return {key: self.cleaned_data[key] for key, _ in CRITERIA}

    def notes(self) -> dict[str, str]:
        return {key: self.cleaned_data[f"{key}_note"] for key, _ in CRITERIA}


class ConcernForm(forms.Form):
    text = forms.CharField(
        label="Blocking concern",
        max_length=COMMENT_MAX_CHARS,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="Nobody can approve while it is open; only you can resolve it.",
        error_messages={"required": "Say what the concern is."},
    )
