"""The rule builder moved into the desk's admin area (/desk/admin/automation/): the old
addresses redirect there (GET with 301, other methods with 307 so a POST stays a POST)."""

from django.http import HttpResponsePermanentRedirect
from django.urls import re_path

app_name = "automation"

NEW_HOME = "/desk/admin/automation/"


def moved(request, rest: str = ""):
    target = NEW_HOME + rest
    if request.META.get("QUERY_STRING"):
        target += "?" + request.META["QUERY_STRING"]
    response = HttpResponsePermanentRedirect(target)
    if request.method not in ("GET", "HEAD"):
        response.status_code = 307
    return response


urlpatterns = [
    re_path(r"^desk/automation/(?P<rest>.*)$", moved, name="moved"),
]
