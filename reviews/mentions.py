"""Finding @username mentions in a comment's Markdown."""

import re

MAX_MENTIONS = 50

_FENCED = re.compile(r"^(```|~~~).*?^\1[^\n]*$", re.M | re.S)
_INDENTED = re.compile(r"^(?: {4}|\t).*$", re.M)
_INLINE_CODE = re.compile(r"(`+)(?:.|\n)*?\1")
# Not after a word character, "@" or ".": that would be an e-mail address or a path.
_MENTION = re.compile(r"(?<![\w@./\\-])@([A-Za-z0-9_.+-]*[A-Za-z0-9_+-])")


def mentioned_usernames(markdown_text: str) -> list[str]:
    """Usernames mentioned outside code, in order, each once, at most MAX_MENTIONS."""
    text = _FENCED.sub(" ", markdown_text)
    text = _INLINE_CODE.sub(" ", text)
    text = _INDENTED.sub(" ", text)
    seen: dict[str, None] = {}
    for match in _MENTION.finditer(text):
        seen.setdefault(match.group(1), None)
        if len(seen) >= MAX_MENTIONS:
            break
    return list(seen)
