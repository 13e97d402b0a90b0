#!/usr/bin/env python3
"""Print the locale names (de fr es pt_BR ar) of every language in LANGUAGES but English:
the catalogs `make messages` writes and translators fill in."""

import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "panel1.settings")

from django.conf import settings
from django.utils.translation import to_locale

print(" ".join(to_locale(code) for code, _name in settings.LANGUAGES if code != "en"))
