from django.shortcuts import get_object_or_404
from django.utils import timezone
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import status
from rest_framework.exceptions import ValidationError
from rest_framework.generics import GenericAPIView
from rest_framework.response import Response
from rest_framework.settings import api_settings
from rest_framework.views import APIView

from org.models import NodeKind

from . import serializers as s
from .authentication import SignedSourceAuthentication
from .models import Case, ChecklistItem, IntakeSource, SurveyResponse
from .pagination import CaseKeysetPagination
from .selectors import case_filtered, case_get
from .services import (
    PUBLIC_TRANSITIONS,
    case_change_severity,
    case_report_incident,
    case_transition,
    checklist_item_set,
    default_outcome,
    survey_response_receive,
)


def _response_out(response: SurveyResponse, created: bool) -> Response:
    # A response stored by this request is answered from memory (its case's deadlines are read);
    # an earlier one is read back whole.
    if not created:
        response = SurveyResponse.objects.select_related(
            "store", "customer", "case").prefetch_related("case__deadlines").get(pk=response.pk)
    return Response(s.SurveyResponseOut(response).data,
                    status=status.HTTP_201_CREATED if created else status.HTTP_200_OK)


class SurveyResponseCreateApi(APIView):
    authentication_classes = [SignedSourceAuthentication,
                              *api_settings.DEFAULT_AUTHENTICATION_CLASSES]

    @extend_schema(request=s.SurveyResponseIn, responses={201: s.SurveyResponseOut,
                                                          200: s.SurveyResponseOut})
    def post(self, request):
        data_in = s.SurveyResponseIn(data=request.data)
        data_in.is_valid(raise_exception=True)
        data = dict(data_in.validated_data)
        customer = dict(data.pop("customer"))
        result = survey_response_receive(
            actor=request.user, customer=customer,
            service_record=dict(data["service_record"]) if data["service_record"] else None,
            responded_at=data["responded_at"] or timezone.now(), store=data["store"],
            source=data["source"], external_id=data["external_id"], score=data["score"],
            comment=data["comment"], flags=data["flags"],
            signed_by=request.auth if isinstance(request.auth, IntakeSource) else None,
        )
        return _response_out(result.response, result.created)


class CaseListApi(GenericAPIView):
    serializer_class = s.CaseListOut
    pagination_class = CaseKeysetPagination
    queryset = Case.objects.none()  # for the schema; rows come from the scoped selector

    @extend_schema(parameters=[s.CaseFilterIn], responses=s.CaseListOut(many=True))
    def get(self, request):
        filters = s.CaseFilterIn(data=request.query_params)
        filters.is_valid(raise_exception=True)
        qs = case_filtered(user=request.user, filters=filters.validated_data)
        page = self.paginate_queryset(qs)
        return self.get_paginated_response(s.CaseListOut(page, many=True).data)

    @extend_schema(request=s.IncidentIn, responses={201: s.CaseDetailOut})
    def post(self, request):
        data_in = s.IncidentIn(data=request.data)
        data_in.is_valid(raise_exception=True)
        data = dict(data_in.validated_data)
        store = data.get("store")
        if store is None:
            if not request.user.node or request.user.node.kind != NodeKind.STORE:
                raise ValidationError({"store": ["This field is required."]})
            store = request.user.node
        customer = dict(data["customer"])
        case = case_report_incident(
            actor=request.user, store=store, customer=customer,
            failure_type=data["failure_type"], description=data["description"],
            flags=data["flags"], score=data["score"], occurred_at=data["occurred_at"],
        )
        return Response(_detail(request, case.pk), status=status.HTTP_201_CREATED)


def _detail(request, case_id: int) -> dict:
    case = case_get(user=request.user, case_id=case_id)
    case = type(case).objects.prefetch_related(
        "deadlines", "checklist", "events__actor", "escalations__target_node"
    ).select_related("store", "customer", "failure_type", "owner", "service_record"
                     ).get(pk=case.pk)
    return s.CaseDetailOut(case, context={"request": request}).data


class CaseDetailApi(APIView):
    @extend_schema(responses=s.CaseDetailOut)
    def get(self, request, case_id: int):
        return Response(_detail(request, case_id))


class CaseTransitionApi(APIView):
    @extend_schema(request=s.TransitionIn, responses={200: s.CaseDetailOut},
                   parameters=[OpenApiParameter("name", str, OpenApiParameter.PATH,
                                                enum=PUBLIC_TRANSITIONS)])
    def post(self, request, case_id: int, name: str):
        case = case_get(user=request.user, case_id=case_id)
        if name not in PUBLIC_TRANSITIONS:
            return Response({"detail": f"Unknown transition: {name}"},
                            status=status.HTTP_404_NOT_FOUND)
        data_in = s.TransitionIn(data=request.data)
        data_in.is_valid(raise_exception=True)
        params = {}
        if name == "close":
            params["outcome"] = data_in.validated_data.get("outcome") or default_outcome(case)
        case_transition(case_id=case.pk, name=name, actor=request.user,
                        note=data_in.validated_data["note"], **params)
        return Response(_detail(request, case.pk))


class ChecklistItemApi(APIView):
    @extend_schema(request=s.ChecklistItemIn, responses=s.ChecklistItemOut)
    def post(self, request, case_id: int, item_id: int):
        case = case_get(user=request.user, case_id=case_id)
        item = get_object_or_404(ChecklistItem, case=case, pk=item_id)
        data_in = s.ChecklistItemIn(data=request.data)
        data_in.is_valid(raise_exception=True)
        item = checklist_item_set(item=item, done=data_in.validated_data["done"],
                                  actor=request.user)
        return Response(s.ChecklistItemOut(item).data)


class CaseSeverityApi(APIView):
    @extend_schema(request=s.SeverityIn, responses=s.CaseDetailOut)
    def post(self, request, case_id: int):
        case = case_get(user=request.user, case_id=case_id)
        data_in = s.SeverityIn(data=request.data)
        data_in.is_valid(raise_exception=True)
        case_change_severity(case=case, actor=request.user, **data_in.validated_data)
        return Response(_detail(request, case.pk))
