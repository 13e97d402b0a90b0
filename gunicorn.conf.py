"""gunicorn settings, read from the directory gunicorn runs in (the project root, or its
`--chdir`); command-line options still win.

After a worker has loaded the application, the objects of its start-up (modules, models,
URL patterns, settings: several hundred thousand, alive as long as the process) are moved
out of the garbage collector's reach with `gc.freeze()`. Otherwise every full collection
walks all of them again, which on a busy 2-core machine took ~0.5 s each, charged to
whichever request triggered it.
"""

import gc


def post_worker_init(worker):
    from django.conf import settings
    from django.urls import get_resolver

    # The URL configurations (and with them every view module) are imported on the first
    # request otherwise: import them now, so they are frozen too.
    for urlconf in {settings.ROOT_URLCONF, getattr(settings, "PUBLIC_SCHEMA_URLCONF", None)}:
        if urlconf:
            get_resolver(urlconf).url_patterns  # noqa: B018 (imports the URLconf)
    gc.freeze()
