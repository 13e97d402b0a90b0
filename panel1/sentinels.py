"""`UNSET`: the default of optional service arguments, meaning "leave this field as it is"."""

from typing import Any


class _Unset:
    def __repr__(self):
        return "UNSET"


UNSET: Any = _Unset()
