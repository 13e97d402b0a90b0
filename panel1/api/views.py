from drf_spectacular.utils import extend_schema
from rest_framework.response import Response
from rest_framework.views import APIView

from panel1.api.serializers import MeSerializer


class MeView(APIView):
    @extend_schema(summary="The authenticated user", responses=MeSerializer)
    def get(self, request):
        return Response(MeSerializer(request.user, context={"request": request}).data)
