"""Production settings without the CSP and sign-in throttling middleware (issue 6).

Only for ``bench/load.py --without-security-middleware`` and ``--compare-security``: the
same app with django.middleware.csp and django-axes (middleware and backend) left out,
to measure what they cost. Never serve real traffic with it.
"""

from prfaq.settings import *  # noqa: F403
from prfaq.settings import AUTHENTICATION_BACKENDS, MIDDLEWARE, TEMPLATES

ROOT_URLCONF = "bench.urls"  # with the benchmark's reference page (bench/urls.py)

_LEFT_OUT = {
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "axes.middleware.AxesMiddleware",
}
MIDDLEWARE = [m for m in MIDDLEWARE if m not in _LEFT_OUT]
AUTHENTICATION_BACKENDS = [b for b in AUTHENTICATION_BACKENDS if not b.startswith("axes.")]
TEMPLATES = [
    {
        **TEMPLATES[0],
        "OPTIONS": {
            **TEMPLATES[0]["OPTIONS"],
            "context_processors": [
                p
                for p in TEMPLATES[0]["OPTIONS"]["context_processors"]
                if p != "django.template.context_processors.csp"
            ],
        },
    }
]
