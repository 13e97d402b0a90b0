"""The Plugins API (ADMIN): list, enable, disable, settings; plugins' own endpoints."""

from __future__ import annotations

from django.http import Http404
from django.urls import URLResolver
from django.urls.resolvers import RegexPattern
from django.views.decorators.csrf import csrf_exempt
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import generics
from rest_framework.permissions import BasePermission
from rest_framework.response import Response
from rest_framework.views import APIView

from panel1.accounts.models import Role
from panel1.api.pagination import LimitOffsetPagination
from panel1.plugins import selectors, services, state
from panel1.plugins.api.serializers import PluginSerializer
from panel1.plugins.registry import registry

ERRORS = {401: OpenApiTypes.OBJECT, 403: OpenApiTypes.OBJECT, 404: OpenApiTypes.OBJECT}


class IsTenantAdmin(BasePermission):
    def has_permission(self, request, view):
        user = request.user
        return bool(user and user.is_authenticated and user.is_active and user.role == Role.ADMIN)


class _AdminView(APIView):
    permission_classes = [IsTenantAdmin]


@extend_schema_view(get=extend_schema(summary="List installed plugins (admin)"))
class PluginListView(generics.ListAPIView):
    """A page of the installed plugins with this tenant's state (a list, not a queryset)."""

    permission_classes = [IsTenantAdmin]
    serializer_class = PluginSerializer
    pagination_class = LimitOffsetPagination
    filter_backends: list = []

    def get_queryset(self):
        return selectors.plugin_rows()


class PluginEnableView(_AdminView):
    @extend_schema(
        summary="Enable a plugin for this tenant (admin)",
        request=None,
        responses={200: PluginSerializer, **ERRORS},
    )
    def post(self, request, name):
        services.plugin_enable(name=name, actor=request.user)
        return Response(PluginSerializer(selectors.plugin_row(name)).data)


class PluginDisableView(_AdminView):
    @extend_schema(
        summary="Disable a plugin for this tenant (admin)",
        request=None,
        responses={200: PluginSerializer, **ERRORS},
    )
    def post(self, request, name):
        services.plugin_disable(name=name, actor=request.user)
        return Response(PluginSerializer(selectors.plugin_row(name)).data)


class PluginSettingsView(_AdminView):
    @extend_schema(
        summary="A plugin's settings for this tenant (admin; also while disabled)",
        responses={200: OpenApiTypes.OBJECT, **ERRORS},
    )
    def get(self, request, name):
        return Response(services.plugin_settings_get(name=name))

    @extend_schema(
        summary="Replace a plugin's settings for this tenant (admin)",
        request=OpenApiTypes.OBJECT,
        responses={200: OpenApiTypes.OBJECT, 400: OpenApiTypes.OBJECT, **ERRORS},
    )
    def put(self, request, name):
        services.plugin_settings_update(name=name, actor=request.user, values=request.data)
        return Response(services.plugin_settings_get(name=name))


# --- plugins' own URLs --------------------------------------------------------------------

_resolvers: dict[tuple[str, str, int], URLResolver] = {}


def plugin_resolver(name: str, kind: str) -> URLResolver | None:
    """The resolver of `name`'s `api_urls`/`desk_urls`/`portal_urls`, None if it has none or
    the current tenant has not enabled it."""
    plugin = registry.get(name)
    if plugin is None or not state.is_enabled(name):
        return None
    dotted = getattr(plugin, f"{kind}_urls")
    if not dotted:
        return None
    key = (name, dotted, id(plugin))
    if key not in _resolvers:
        _resolvers[key] = URLResolver(RegexPattern(r"^/"), dotted)
    return _resolvers[key]


def dispatch_plugin_url(request, name: str, kind: str, rest: str):
    """Hand the request to the plugin's own view; 404 while the plugin is disabled."""
    resolver = plugin_resolver(name, kind)
    if resolver is None:
        raise Http404("No such page.")
    match = resolver.resolve("/" + rest)  # Resolver404 is an Http404
    request.resolver_match = match
    return match.func(request, *match.args, **match.kwargs)


@csrf_exempt  # DRF views enforce CSRF for session auth themselves
def plugin_api(request, name: str, rest: str = ""):
    return dispatch_plugin_url(request, name, "api", rest)
