"""Forms for comments: they parse; the models decide."""

from django import forms

from reviews.models import COMMENT_MAX_CHARS, QUOTE_MAX_CHARS


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
