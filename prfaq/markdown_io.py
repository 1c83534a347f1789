"""One canonical Markdown file per document, and import from it or from pasted prose.

The canonical format (what export writes, and what import reads back
unchanged):

    ---
    title: Tide Alerts
    template: prfaq
    ---

    # Headline

    Tide Alerts tell skippers when the bar is safe

    ## Problem
    ...
    # FAQ

    ## External

    ### Q: Does it need a smartphone?

    No. Plain SMS.

    ## Internal

    ### Q: What does it cost? (finances)

Body lines that would read as structure (a line starting with ``#``) get one
more leading backslash on export and lose one on import, so any text survives.
Anything without that structure is read as prose pasted from a word processor
(see ``prfaq.prose``).
"""

import json
import re
from dataclasses import dataclass, field

from prfaq.content import Content, FaqEntry
from prfaq.document_templates import FAQ_TOPICS, TEMPLATES, DocumentTemplate, SectionKind

MAX_IMPORT_BYTES = 2 * 1024 * 1024

TOPIC_BY_LABEL = {label.lower(): key for key, label in FAQ_TOPICS} | {
    key.replace("-", " "): key for key, _ in FAQ_TOPICS
}
LABEL_BY_TOPIC = {key: label.lower() for key, label in FAQ_TOPICS}
SECTION_ALIASES = {
    "how it works": "how_it_works",
    "getting started": "how_it_works",
    "how it works getting started": "how_it_works",
    "leader quote": "leader_quote",
    "quote from a leader": "leader_quote",
    "customer quote": "customer_quote",
    "quote from a customer": "customer_quote",
    "call to action": "call_to_action",
    "how we will know it worked": "success",
    "how we ll know it worked": "success",
    "success": "success",
    "success metrics": "success",
    "metrics": "success",
    "faq": "faq",
    "faqs": "faq",
    "frequently asked questions": "faq",
}
_HEADING = re.compile(r"^(#{1,3})\s+(.*?)\s*#*\s*$")
_QUESTION = re.compile(r"^###\s+Q:\s?(.*)$")
_STRUCTURE = re.compile(r"^(\\*)#")
_ESCAPED = re.compile(r"^(\\+)#")
_TRAILING_TOPIC = re.compile(r"^(.*?)(\s*)(\\*)\(([^()]*)\)$")


class ImportError_(ValueError):
    """The file cannot be read as a PR/FAQ; the message says why in one sentence."""


@dataclass
class Imported:
    """What an import recognised, shown to the user before anything is saved."""

    title: str
    template: DocumentTemplate
    content: Content
    format: str  # "canonical" or "prose"
    notes: list[str] = field(default_factory=list)
    paragraphs: list[tuple[str, str]] = field(default_factory=list)  # (text, section key)

    @property
    def sections_found(self) -> list[str]:
        keys = [k for k, text in self.content.sections.items() if text.strip()]
        return keys + (["faq"] if self.content.faq else [])


def _norm(heading: str) -> str:
    return " ".join(re.sub(r"[^\w]+", " ", heading.lower()).split())


def section_key(heading: str, template: DocumentTemplate) -> str | None:
    """The key of the template's section a heading names, if any."""
    name = _norm(heading)
    for spec in template.sections:
        if name in (_norm(spec.title), _norm(spec.key)):
            return spec.key
    key = SECTION_ALIASES.get(name)
    return key if key and template.section(key) else None


def _escape(body: str) -> str:
    return "\n".join(_STRUCTURE.sub(r"\\\1#", line) for line in body.split("\n"))


def _unescape(body: str) -> str:
    return "\n".join(
        _ESCAPED.sub(lambda m: m.group(1)[1:] + "#", line) for line in body.split("\n")
    )


def _front_matter_value(value: str) -> str:
    needs_quotes = (
        not value
        or value != value.strip()
        or value[0] in "\"'[{&*!|>%@`#-"
        or any(c in value for c in ":\n\r")
    )
    return json.dumps(value, ensure_ascii=False) if needs_quotes else value


def _question_line(entry: FaqEntry) -> str:
    question = " ".join(entry.question.split())
    if entry.topic in LABEL_BY_TOPIC:
        return f"### Q: {question} ({LABEL_BY_TOPIC[entry.topic]})".rstrip()
    match = _TRAILING_TOPIC.match(question)
    if match and match.group(4).strip().lower() in TOPIC_BY_LABEL:
        # A question that merely ends in a topic's name: escape it so it stays text.
        before, space, slashes, label = match.groups()
        question = f"{before}{space}\\{slashes}({label})"
    return f"### Q: {question}".rstrip()


def export_markdown(*, title: str, template: DocumentTemplate, content: Content) -> str:
    """The canonical Markdown of a document."""
    out = [
        "---",
        f"title: {_front_matter_value(title)}",
        f"template: {template.key}",
        "---",
        "",
    ]
    first = True
    for spec in template.sections:
        if spec.kind == SectionKind.FAQ:
            out += [f"# {spec.title}", ""]
            side = None
            for entry in content.faq:
                if entry.side != side:
                    side = entry.side
                    out += ["## Internal" if side == "internal" else "## External", ""]
                out += [_question_line(entry), ""]
                answer = entry.answer.strip("\n")
                if answer:
                    out += [_escape(answer), ""]
            continue
        out += [f"{'#' if first else '##'} {spec.title}", ""]
        first = False
        body = content.section(spec.key).strip("\n")
        if body:
            out += [_escape(body), ""]
    return "\n".join(out).rstrip("\n") + "\n"


def decode_upload(data: bytes) -> str:
    """Bytes of an uploaded or named file as text, or ImportError_ with the reason."""
    if len(data) > MAX_IMPORT_BYTES:
        raise ImportError_(
            f"The file is {len(data) / 1_048_576:.1f} MB; a PR/FAQ file may be at most 2 MB."
        )
    if b"\x00" in data:
        raise ImportError_("The file is binary, not text: save it as Markdown or plain text.")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ImportError_(
            f"The file is not UTF-8 text (byte {exc.start + 1} cannot be read): "
            "save it as UTF-8 Markdown or plain text."
        ) from None
    return text


def _front_matter(lines: list[str]) -> tuple[dict[str, str], list[str]]:
    if not lines or lines[0].strip() != "---":
        return {}, lines
    for end in range(1, min(len(lines), 50)):
        if lines[end].strip() == "---":
            meta = {}
            for line in lines[1:end]:
                key, sep, value = line.partition(":")
                if sep:
                    value = value.strip()
                    if value.startswith('"'):
                        try:
                            value = json.loads(value)
                        except json.JSONDecodeError:
                            value = value.strip('"')
                    meta[key.strip().lower()] = value
            return meta, lines[end + 1 :]
    return {}, lines


def looks_canonical(text: str) -> bool:
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    meta, body = _front_matter(lines)
    if meta:
        return True
    known = 0
    for line in body:
        match = _HEADING.match(line)
        if match and any(section_key(match.group(2), t) for t in TEMPLATES.values()):
            known += 1
    has_questions = any(_QUESTION.match(line) for line in body)
    return known >= 2 or (known >= 1 and has_questions)


def parse_markdown(text: str) -> Imported:
    """Read a document: canonical Markdown when it has that structure, prose otherwise."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    if not text.strip():
        raise ImportError_("The file is empty.")
    if looks_canonical(text):
        return _parse_canonical(text)
    from prfaq.prose import parse_prose

    return parse_prose(text)


def _pick_template(meta: dict[str, str], headings: list[str]) -> DocumentTemplate:
    name = meta.get("template", "").strip()
    if name:
        if name not in TEMPLATES:
            known = " and ".join(TEMPLATES)
            raise ImportError_(f"The front matter names template \u201c{name}\u201d; use {known}.")
        return TEMPLATES[name]
    one_pager = TEMPLATES["one-pager"]
    if any(section_key(h, one_pager) == "success" for h in headings):
        return one_pager
    return TEMPLATES["prfaq"]


def _parse_canonical(text: str) -> Imported:
    meta, lines = _front_matter(text.split("\n"))
    headings = [m.group(2) for line in lines if (m := _HEADING.match(line))]
    template = _pick_template(meta, headings)
    notes: list[str] = []
    sections: dict[str, list[str]] = {}
    faq: list[dict] = []
    current: list[str] | None = None
    in_faq, side = False, "external"
    for line in lines:
        question = _QUESTION.match(line) if in_faq else None
        heading = _HEADING.match(line) if not question else None
        if question:
            faq.append({"q": question.group(1), "side": side, "a": []})
            current = faq[-1]["a"]
            continue
        if heading:
            title = heading.group(2)
            key = section_key(title, template)
            if key == "faq":
                in_faq, current = True, None
                continue
            if in_faq and _norm(title) in ("external", "internal", "customer", "stakeholder"):
                side = "internal" if _norm(title) in ("internal", "stakeholder") else "external"
                current = None
                continue
            if key and not in_faq:
                current = sections.setdefault(key, [])
                continue
            notes.append(f"Kept the heading \u201c{title}\u201d as text: no section has that name.")
        if current is not None:
            current.append(line)
        elif line.strip() and not in_faq:
            notes.append(f"Left out text outside any section: \u201c{line.strip()[:60]}\u201d.")
    content = Content(
        sections={
            spec.key: _unescape("\n".join(sections.get(spec.key, [])).strip("\n"))
            for spec in template.text_sections
        },
        faq=tuple(_faq_entry(item) for item in faq),
    )
    unanswered = sum(1 for entry in content.faq if not entry.answer.strip())
    if unanswered:
        notes.append(f"FAQ questions without an answer: {unanswered}.")
    title = str(meta.get("title", "")).strip() or content.section("headline").split("\n")[0]
    if not meta and not sections and not faq:
        raise ImportError_("No section of a PR/FAQ was recognised in the file.")
    return Imported(
        title=title[:200], template=template, content=content, format="canonical", notes=notes
    )


def _faq_entry(item: dict) -> FaqEntry:
    question, topic = item["q"].strip(), ""
    match = _TRAILING_TOPIC.match(question)
    if match and match.group(4).strip().lower() in TOPIC_BY_LABEL:
        before, space, slashes, label = match.groups()
        if slashes:
            question = f"{before}{space}{slashes[1:]}({label})"
        else:
            question, topic = before, TOPIC_BY_LABEL[label.strip().lower()]
    answer = _unescape("\n".join(item["a"]).strip("\n"))
    return FaqEntry(question=question, answer=answer, side=item["side"], topic=topic)
