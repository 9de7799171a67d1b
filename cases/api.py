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
from .selectors import case_filtered, case_get, triage_corrections
from .services import (
    PUBLIC_TRANSITIONS,
    case_change_severity,
    case_note_add,
    case_plan_set,
    case_reassign,
    case_report_incident,
    case_transition,
    case_triage_correct,
    case_watch,
    checklist_item_set,
    checklist_item_waive,
    default_outcome,
    survey_response_receive,
)


def _response_out(response: SurveyResponse, created: bool) -> Response:
    # A response stored by this request is answered from memory (its case's deadlines are read);
    # an earlier one is read back whole.
    if not created:
        response = SurveyResponse.objects.select_related(
            "store", "customer", "case__failure_type").prefetch_related(
            "case__deadlines").get(pk=response.pk)
    return Response(s.SurveyResponseOut.represent(response),
                    status=status.HTTP_201_CREATED if created else status.HTTP_200_OK)


class SurveyResponseCreateApi(APIView):
    authentication_classes = [SignedSourceAuthentication,
                              *api_settings.DEFAULT_AUTHENTICATION_CLASSES]

    @extend_schema(request=s.SurveyResponseIn, responses={201: s.SurveyResponseOut,
                                                          200: s.SurveyResponseOut})
    def post(self, request):
        data = s.SurveyResponseIn.validated(request.data)
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

    @extend_schema(request=s.IncidentIn, responses={201: s.CaseDetailOut, 200: s.CaseDetailOut},
                   parameters=[OpenApiParameter(
                       "Idempotency-Key", str, OpenApiParameter.HEADER, required=False,
                       description="Sent again with the same key, the report answers 200 with "
                                   "the case it opened and opens nothing.")])
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
        key = request.headers.get("Idempotency-Key", "").strip()
        if len(key) > 64:
            raise ValidationError({"Idempotency-Key": ["At most 64 characters."]})
        case = case_report_incident(
            actor=request.user, store=store, customer=customer,
            failure_type=data["failure_type"], description=data["description"],
            flags=data["flags"], score=data["score"], occurred_at=data["occurred_at"],
            idempotency_key=key,
        )
        return Response(_detail(request, case.pk), status=status.HTTP_200_OK if case.replayed
                        else status.HTTP_201_CREATED)


def _detail(request, case_id: int) -> dict:
    case = case_get(user=request.user, case_id=case_id)
    case = type(case).objects.prefetch_related(
        "deadlines", "checklist", "events__actor", "escalations__target_node",
        "watchers__user"
    ).select_related("store", "customer", "failure_type", "owner", "service_record"
                     ).get(pk=case.pk)
    return s.CaseDetailOut(case, context={"request": request}).data


class CaseDetailApi(APIView):
    @extend_schema(responses=s.CaseDetailOut)
    def get(self, request, case_id: int):
        return Response(_detail(request, case_id))

    @extend_schema(request=s.CaseCorrectionIn, responses=s.CaseDetailOut,
                   description="Correct what triage read (owner and above); each changed field "
                               "is a timeline event, the level and checklist follow.")
    def patch(self, request, case_id: int):
        case = case_get(user=request.user, case_id=case_id)
        data_in = s.CaseCorrectionIn(data=request.data)
        data_in.is_valid(raise_exception=True)
        changes = dict(data_in.validated_data)
        note = changes.pop("note")
        case_triage_correct(case_id=case.pk, actor=request.user, changes=changes, note=note)
        return Response(_detail(request, case.pk))


class TriageCorrectionsApi(APIView):
    @extend_schema(parameters=[s.CorrectionReportIn], responses=s.CorrectionRowOut(many=True))
    def get(self, request):
        params = s.CorrectionReportIn(data=request.query_params)
        params.is_valid(raise_exception=True)
        rows = triage_corrections(user=request.user, months=params.validated_data["months"])
        return Response(s.CorrectionRowOut(rows, many=True).data)


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
        data = data_in.validated_data
        params = {}
        if name == "close":
            params["outcome"] = data.get("outcome") or default_outcome(case)
        elif name == "reopen":
            params["reason"] = data["reason"]
        elif name == "propose" and data["plan"]:
            params["plan"] = data["plan"]
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


class CaseOwnerApi(APIView):
    @extend_schema(request=s.ReassignIn, responses=s.CaseDetailOut)
    def post(self, request, case_id: int):
        """Hand the case to another owner (a service manager or above; `reason` required)."""
        case = case_get(user=request.user, case_id=case_id)
        data_in = s.ReassignIn(data=request.data)
        data_in.is_valid(raise_exception=True)
        case_reassign(case_id=case.pk, actor=request.user, **data_in.validated_data)
        return Response(_detail(request, case.pk))


class CaseWatchersApi(APIView):
    @extend_schema(request=s.WatcherIn, responses=s.CaseDetailOut)
    def post(self, request, case_id: int):
        """Watch the case (or add a colleague as a watcher): they receive its notifications."""
        return self._watch(request, case_id, watching=True)

    @extend_schema(request=s.WatcherIn, responses={200: s.CaseDetailOut})
    def delete(self, request, case_id: int):
        """Stop watching (or remove a colleague)."""
        return self._watch(request, case_id, watching=False)

    def _watch(self, request, case_id: int, *, watching: bool):
        case = case_get(user=request.user, case_id=case_id)
        data_in = s.WatcherIn(data=request.data)
        data_in.is_valid(raise_exception=True)
        case_watch(case_id=case.pk, user=data_in.validated_data["user"] or request.user,
                   actor=request.user, watching=watching)
        return Response(_detail(request, case.pk))


class CaseNotesApi(APIView):
    @extend_schema(request=s.NoteIn, responses={201: s.CaseEventOut})
    def post(self, request, case_id: int):
        """A note on the timeline; `@username` notifies that colleague."""
        case = case_get(user=request.user, case_id=case_id)
        data_in = s.NoteIn(data=request.data)
        data_in.is_valid(raise_exception=True)
        event = case_note_add(case_id=case.pk, actor=request.user,
                              note=data_in.validated_data["note"])
        return Response(s.CaseEventOut(event).data, status=status.HTTP_201_CREATED)


class CasePlanApi(APIView):
    @extend_schema(request=s.PlanIn, responses=s.CaseDetailOut)
    def put(self, request, case_id: int):
        """The written plan; with it, `propose` may run without an offer."""
        case = case_get(user=request.user, case_id=case_id)
        data_in = s.PlanIn(data=request.data)
        data_in.is_valid(raise_exception=True)
        case_plan_set(case=case, plan=data_in.validated_data["plan"], actor=request.user)
        return Response(_detail(request, case.pk))


class ChecklistWaiveApi(APIView):
    @extend_schema(request=s.ChecklistWaiveIn, responses=s.ChecklistItemOut)
    def post(self, request, case_id: int, item_id: int):
        """Waive a checklist item that does not apply, with the reason (empty: un-waive)."""
        case = case_get(user=request.user, case_id=case_id)
        item = get_object_or_404(ChecklistItem, case=case, pk=item_id)
        data_in = s.ChecklistWaiveIn(data=request.data)
        data_in.is_valid(raise_exception=True)
        item = checklist_item_waive(item=item, reason=data_in.validated_data["reason"],
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
