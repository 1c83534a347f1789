"""A comment as a thread shows it, rendered once per version of it.

A reply answers with every comment posted since the newest one its page shows (on a busy
thread, a dozen or more), and a thread renders its first and latest comments: each costs
the template engine about 0.12 ms, most of it in the dozen values it prints. Around the
comment's HTML, ``{% kept_comment %}`` keeps what it rendered (the ``comments`` cache,
per worker) under a key naming the comment, whether the viewer wrote it, the document,
and a digest of what it shows (its text, times and author's name): a key never names two
texts, so nothing is invalidated. What differs per request is left out and filled in
each time: the relative time ("3 minutes ago", from ``time_label``) and the CSRF token.
"""

import hashlib
import secrets

from django import template
from django.contrib.humanize.templatetags.humanize import naturaltime
from django.core.cache import caches
from django.utils.html import escape

from prfaq.pagecache import CSRF_MARK

register = template.Library()

TIME_MARK = f"time{secrets.token_hex(16)}"  # unguessable: see CSRF_MARK


@register.tag
def kept_comment(parser, token):
    """``{% kept_comment %}…{% endkept_comment %}``: the HTML of ``comment``."""
    nodelist = parser.parse(("endkept_comment",))
    parser.delete_first_token()
    return KeptCommentNode(nodelist)


class KeptCommentNode(template.Node):
    def __init__(self, nodelist):
        self.nodelist = nodelist

    def render(self, context) -> str:
        comment = context["comment"]
        token = context.get("csrf_token")
        if context.get("editing") == comment.pk or not token or token == "NOTPROVIDED":
            return self.nodelist.render(context)  # the edit form, or a form without a token
        user = context.get("user")
        own = user is not None and comment.author_id == user.pk
        made_from = "\0".join(
            (
                comment.author.display_name,
                comment.body_html,
                str(comment.created_at),
                str(comment.edited_at),
                str(comment.deleted_at),
            )
        )
        key = "comment:{}:{}:{}:{}:{}".format(
            comment.pk,
            comment.version,
            int(own),
            context.get("doc_url", ""),
            hashlib.blake2b(made_from.encode(), digest_size=16).hexdigest(),
        )
        kept = caches["comments"].get(key)
        if kept is None:
            with context.push(csrf_token=CSRF_MARK, time_label=TIME_MARK):
                kept = self.nodelist.render(context)
            caches["comments"].set(key, kept)
        when = escape(str(naturaltime(comment.created_at)))
        return kept.replace(TIME_MARK, when).replace(CSRF_MARK, str(token))
