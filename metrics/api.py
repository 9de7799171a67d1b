from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.response import Response
from rest_framework.views import APIView

from .selectors import metrics_node, metrics_report, metrics_sources
from .serializers import MetricsOut, MetricsQueryIn, report_out


class MetricsApi(APIView):
    @extend_schema(
        parameters=[OpenApiParameter("from", OpenApiTypes.DATE), OpenApiParameter(
            "to", OpenApiTypes.DATE), OpenApiParameter("node", OpenApiTypes.STR)],
        responses={200: MetricsOut})
    def get(self, request):
        query = MetricsQueryIn(data=request.query_params)
        query.is_valid(raise_exception=True)
        node = metrics_node(user=request.user, code=query.validated_data.get("node"))
        report = metrics_report(sources=metrics_sources(user=request.user, node=node),
                                period=query.validated_data["period"], node=node)
        return Response(MetricsOut(report_out(report)).data)
