"""The production WSGI app for in-process HTTP clients (schemathesis, the generated client)."""

from django.core.signals import request_finished, request_started
from django.db import close_old_connections

from panel1.wsgi import application


def wsgi_app(environ, start_response):
    """The production WSGI app, minus closing the test's database connection after each
    request (as Django's test client does)."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        response = application(environ, start_response)
        try:
            body = b"".join(response)
        finally:
            response.close()
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)
    return [body]
