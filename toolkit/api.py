"""Toolkit endpoints. Thin: scope comes from the selectors, rules and permissions from the
services; each view has an input and an output serializer."""

from django.http import Http404
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import status
from rest_framework.generics import GenericAPIView
from rest_framework.response import Response
from rest_framework.views import APIView

from . import serializers as s
from .models import Contact, StockItem, WordKind, WordTemplate
from .phrases import phrases_check
from .selectors import (
    case_profile_for,
    case_visible,
    contacts_for,
    customer_360,
    emotion_advice,
    root_cause_for,
    root_cause_report,
    stock_list,
    team_for,
)
from .services import (
    case_emotion_set,
    case_visit_set,
    contact_log,
    customer_profile_update,
    rescore_record,
    root_cause_set,
    stock_receive,
    team_member_add,
    team_member_remove,
)
from .words import FILLABLE, words_render


def _warnings(warnings) -> list[dict]:
    return [w.as_dict() for w in warnings]


class PhraseCheckApi(APIView):
    @extend_schema(request=s.PhraseCheckIn, responses=s.PhraseCheckOut)
    def post(self, request):
        data_in = s.PhraseCheckIn(data=request.data)
        data_in.is_valid(raise_exception=True)
        warnings = phrases_check(text=data_in.validated_data["text"])
        return Response(s.PhraseCheckOut({"ok": not warnings,
                                          "warnings": _warnings(warnings)}).data)


class ContactListApi(GenericAPIView):
    serializer_class = s.ContactOut
    queryset = Contact.objects.none()  # for the schema; rows come from the selector

    @extend_schema(responses=s.ContactOut(many=True))
    def get(self, request, case_id: int):
        case = case_visible(user=request.user, case_id=case_id)
        page = self.paginate_queryset(contacts_for(case=case))
        return self.get_paginated_response(s.ContactOut(page, many=True).data)

    @extend_schema(request=s.ContactIn, responses={201: s.ContactCreatedOut})
    def post(self, request, case_id: int):
        case = case_visible(user=request.user, case_id=case_id)
        data_in = s.ContactIn(data=request.data)
        data_in.is_valid(raise_exception=True)
        result = contact_log(case_id=case.pk, actor=request.user, **data_in.validated_data)
        contact = result.obj
        contact.warnings = _warnings(result.warnings)
        return Response(s.ContactCreatedOut(contact).data, status=status.HTTP_201_CREATED)


class RescoreApi(APIView):
    @extend_schema(request=s.RescoreIn, responses=s.RescoreOut)
    def post(self, request, case_id: int):
        case = case_visible(user=request.user, case_id=case_id)
        data_in = s.RescoreIn(data=request.data)
        data_in.is_valid(raise_exception=True)
        result = rescore_record(case_id=case.pk, actor=request.user, **data_in.validated_data)
        case = result.obj
        case.warnings = _warnings(result.warnings)
        return Response(s.RescoreOut(case).data)


class CustomerApi(APIView):
    @extend_schema(responses=s.Customer360Out)
    def get(self, request, customer_id: int):
        return Response(s.Customer360Out(
            customer_360(user=request.user, customer_id=customer_id),
            context={"request": request}).data)

    @extend_schema(request=s.CustomerProfileIn, responses=s.Customer360Out)
    def put(self, request, customer_id: int):
        data_in = s.CustomerProfileIn(data=request.data)
        data_in.is_valid(raise_exception=True)
        customer_profile_update(customer_id=customer_id, actor=request.user,
                                **data_in.validated_data)
        return self.get(request, customer_id)


class RootCauseApi(APIView):
    @extend_schema(responses={200: s.RootCauseOut})
    def get(self, request, case_id: int):
        case = case_visible(user=request.user, case_id=case_id)
        row = root_cause_for(case=case)
        if row is None:
            raise Http404
        return Response(s.RootCauseOut(row).data)

    @extend_schema(request=s.RootCauseIn, responses=s.RootCauseOut)
    def put(self, request, case_id: int):
        case = case_visible(user=request.user, case_id=case_id)
        data_in = s.RootCauseIn(data=request.data)
        data_in.is_valid(raise_exception=True)
        root_cause_set(case_id=case.pk, actor=request.user, **data_in.validated_data)
        return Response(s.RootCauseOut(root_cause_for(case=case)).data)


class RootCauseReportApi(APIView):
    @extend_schema(parameters=[OpenApiParameter("from", str, description="YYYY-MM-DD"),
                               OpenApiParameter("to", str, description="YYYY-MM-DD")],
                   responses=s.RootCauseReportOut)
    def get(self, request):
        data_in = s.RootCauseReportIn(data=request.query_params)
        data_in.is_valid(raise_exception=True)
        return Response(s.RootCauseReportOut(
            root_cause_report(user=request.user, **data_in.validated_data)).data)


class TeamApi(APIView):
    @extend_schema(responses=s.TeamMemberOut(many=True))
    def get(self, request, case_id: int):
        case = case_visible(user=request.user, case_id=case_id)
        return Response(s.TeamMemberOut(team_for(case=case), many=True).data)

    @extend_schema(request=s.TeamMemberIn, responses={201: s.TeamMemberOut})
    def post(self, request, case_id: int):
        case = case_visible(user=request.user, case_id=case_id)
        data_in = s.TeamMemberIn(data=request.data)
        data_in.is_valid(raise_exception=True)
        member = team_member_add(case_id=case.pk, actor=request.user, **data_in.validated_data)
        return Response(s.TeamMemberOut(member).data, status=status.HTTP_201_CREATED)


class TeamMemberApi(APIView):
    @extend_schema(responses={204: None})
    def delete(self, request, case_id: int, member_id: int):
        case = case_visible(user=request.user, case_id=case_id)
        team_member_remove(case_id=case.pk, actor=request.user, member_id=member_id)
        return Response(status=status.HTTP_204_NO_CONTENT)


def _emotion_out(case, warnings=()) -> dict:
    profile = case_profile_for(case=case)
    emotion = profile.emotion if profile else ""
    return s.EmotionOut({
        "emotion": emotion, "note": profile.emotion_note if profile else "",
        "advice": emotion_advice(emotion=emotion) if emotion else "",
        "updated_by": profile.updated_by if profile else None,
        "updated_at": profile.updated_at if profile else None,
        "warnings": _warnings(warnings),
    }).data


class EmotionApi(APIView):
    @extend_schema(responses=s.EmotionOut)
    def get(self, request, case_id: int):
        return Response(_emotion_out(case_visible(user=request.user, case_id=case_id)))

    @extend_schema(request=s.EmotionIn, responses=s.EmotionOut)
    def put(self, request, case_id: int):
        case = case_visible(user=request.user, case_id=case_id)
        data_in = s.EmotionIn(data=request.data)
        data_in.is_valid(raise_exception=True)
        result = case_emotion_set(case_id=case.pk, actor=request.user, **data_in.validated_data)
        return Response(_emotion_out(case, result.warnings))


class VisitApi(APIView):
    @extend_schema(request=s.VisitIn, responses=s.VisitBookedOut)
    def put(self, request, case_id: int):
        case = case_visible(user=request.user, case_id=case_id)
        data_in = s.VisitIn(data=request.data)
        data_in.is_valid(raise_exception=True)
        profile = case_visit_set(case_id=case.pk, actor=request.user, **data_in.validated_data)
        return Response(s.VisitBookedOut(profile).data)


class WordsApi(APIView):
    @extend_schema(
        parameters=[OpenApiParameter("kind", str, OpenApiParameter.PATH, enum=WordKind.values),
                    s.WordsIn],
        responses=s.WordsOut)
    def get(self, request, case_id: int, kind: str):
        case = case_visible(user=request.user, case_id=case_id)
        if kind not in WordKind.values:
            raise Http404
        data_in = s.WordsIn(data=request.query_params)
        data_in.is_valid(raise_exception=True)
        language = data_in.validated_data["lang"]
        try:
            words = words_render(case=case, kind=kind, language=language, actor=request.user,
                                 given={k: request.query_params[k] for k in FILLABLE
                                        if k in request.query_params})
        except WordTemplate.DoesNotExist as exc:
            raise Http404 from exc
        return Response(s.WordsOut({"kind": words.kind, "language": words.language,
                                    "text": words.text,
                                    "warnings": _warnings(words.warnings),
                                    "missing": [{"fact": f, "label": label}
                                                for f, label in words.missing]}).data)


class StockListApi(GenericAPIView):
    serializer_class = s.StockOut
    queryset = StockItem.objects.none()  # for the schema; rows come from the selector

    @extend_schema(parameters=[s.StockFilterIn], responses=s.StockOut(many=True))
    def get(self, request):
        data_in = s.StockFilterIn(data=request.query_params)
        data_in.is_valid(raise_exception=True)
        qs = stock_list(user=request.user, store_code=data_in.validated_data["store"] or None)
        if data_in.validated_data["low"]:
            qs = qs.filter(low=True)
        page = self.paginate_queryset(qs)
        return self.get_paginated_response(s.StockOut(page, many=True).data)


class StockReceiveApi(APIView):
    @extend_schema(request=s.StockReceiveIn, responses={200: s.StockOut})
    def post(self, request):
        data_in = s.StockReceiveIn(data=request.data)
        data_in.is_valid(raise_exception=True)
        stock = stock_receive(actor=request.user, **data_in.validated_data)
        return Response(s.StockOut(stock_list(user=request.user).get(pk=stock.pk)).data)
