"""`GET /api/v1/plugins/redaction/api/tickets/<id>/` (staff): how many values were masked."""

from django.urls import path
from rest_framework.permissions import BasePermission
from rest_framework.response import Response
from rest_framework.views import APIView

from panel1.plugins import plugin_context


class IsStaff(BasePermission):
    def has_permission(self, request, view):
        return bool(request.user.is_authenticated and request.user.is_helpdesk_staff)


class MaskedCountView(APIView):
    permission_classes = [IsStaff]

    def get(self, request, ticket):
        ctx = plugin_context("redaction")
        found = ctx.tickets.get(ticket)  # 404 for an unknown ticket (needs tickets:read)
        return Response({"ticket": found["id"], "masked": ctx.data.get(f"masked:{found['id']}", 0)})


urlpatterns = [path("tickets/<str:ticket>/", MaskedCountView.as_view())]
