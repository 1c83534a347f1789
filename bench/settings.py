"""Production settings, serving ``bench/urls.py``: the app's URLs and the benchmark's
reference page. Only for ``bench/load.py``; never serve real traffic with it."""

from prfaq.settings import *  # noqa: F403

ROOT_URLCONF = "bench.urls"
