"""Thin API views: validate the input, call a selector or a service, shape the output."""

from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.generics import GenericAPIView
from rest_framework.response import Response
from rest_framework.views import APIView

from cases.selectors import case_get, case_scope

from . import serializers as s
from .models import Approval, Offer
from .selectors import (
    QuoteInput,
    approval_card,
    approvals_for,
    case_quote_input,
    onsite_events,
    quote_build,
)
from .services import (
    ItemChoice,
    approval_approve,
    approval_change,
    approval_reject,
    compensation_issue,
    offer_create,
    onsite_record,
)


def _valid(serializer_class, data) -> dict:
    data_in = serializer_class(data=data)
    data_in.is_valid(raise_exception=True)
    return data_in.validated_data


def _offer_out(offer_id: int) -> dict:
    offer = (Offer.objects.select_related("approval", "proposed_by")
             .prefetch_related("lines").get(pk=offer_id))
    return s.OfferOut(offer).data


def _approval_out(approval_id: int) -> dict:
    approval = (Approval.objects.select_related("case", "approver_node", "requested_by", "offer")
                .prefetch_related("offer__lines").get(pk=approval_id))
    return s.ApprovalOut(approval).data


class QuoteApi(APIView):
    @extend_schema(request=s.QuoteIn, responses=s.QuoteOut)
    def post(self, request):
        data = _valid(s.QuoteIn, request.data)
        earlier = tuple(data.pop("earlier_visits"))
        quote = quote_build(data=QuoteInput(**{**data, "flags": tuple(data["flags"]),
                                               "earlier_amounts": earlier}))
        return Response(s.QuoteOut(quote).data)


class CaseQuoteApi(APIView):
    @extend_schema(parameters=[s.CaseQuoteIn], responses=s.QuoteOut)
    def get(self, request, case_id: int):
        case = case_get(user=request.user, case_id=case_id)
        data = _valid(s.CaseQuoteIn, request.query_params)
        quote = quote_build(data=case_quote_input(case=case, **data))
        return Response(s.QuoteOut(quote).data)


class CaseOffersApi(APIView):
    @extend_schema(responses=s.OfferOut(many=True))
    def get(self, request, case_id: int):
        case = case_get(user=request.user, case_id=case_id)
        offers = (Offer.objects.filter(case=case).select_related("approval", "proposed_by")
                  .prefetch_related("lines"))
        return Response(s.OfferOut(offers, many=True).data)

    @extend_schema(request=s.OfferIn, responses={201: s.OfferOut})
    def post(self, request, case_id: int):
        case = case_get(user=request.user, case_id=case_id)
        data = _valid(s.OfferIn, request.data)
        items = ([ItemChoice(**item) for item in data["items"]] if "items" in data else None)
        offer = offer_create(case_id=case.pk, actor=request.user, tier=data.get("tier"),
                             items=items, note=data["note"],
                             customer_loss=data["customer_loss"])
        return Response(_offer_out(offer.pk), status=status.HTTP_201_CREATED)


class OfferIssueApi(APIView):
    @extend_schema(request=s.IssueIn, responses={201: s.IssuedOut(many=True)})
    def post(self, request, offer_id: int):
        offer = get_object_or_404(Offer, pk=offer_id, case__in=case_scope(user=request.user))
        data = _valid(s.IssueIn, request.data)
        issued = compensation_issue(offer_id=offer.pk, actor=request.user,
                                    line_ids=data.get("lines"))
        return Response(s.IssuedOut(issued, many=True).data, status=status.HTTP_201_CREATED)


class CaseOnsiteApi(APIView):
    """The on-site part of the case (apology, gift handed over), recorded by the case's SA at
    any level, as on the case page."""

    @extend_schema(responses=s.OnsiteOut(many=True))
    def get(self, request, case_id: int):
        case = case_get(user=request.user, case_id=case_id)
        return Response(s.OnsiteOut(onsite_events(case=case), many=True).data)

    @extend_schema(request=s.OnsiteIn, responses={201: s.OnsiteOut})
    def post(self, request, case_id: int):
        case = case_get(user=request.user, case_id=case_id)
        data = _valid(s.OnsiteIn, request.data)
        event = onsite_record(case_id=case.pk, actor=request.user, what=data["what"],
                              note=data["note"], line_ids=data["lines"])
        return Response(s.OnsiteOut(event).data, status=status.HTTP_201_CREATED)


class ApprovalListApi(GenericAPIView):
    serializer_class = s.ApprovalOut
    # Only for the schema generator and filter backends; rows come from `approvals_for`.
    queryset = Approval.objects.none()

    @extend_schema(parameters=[s.ApprovalFilterIn], responses=s.ApprovalOut(many=True))
    def get(self, request):
        filters = _valid(s.ApprovalFilterIn, request.query_params)
        qs = approvals_for(user=request.user, status=filters.get("status"))
        page = self.paginate_queryset(qs)
        return self.get_paginated_response(s.ApprovalOut(page, many=True).data)


class ApprovalCardApi(APIView):
    @extend_schema(responses=s.ApprovalCardOut)
    def get(self, request, approval_id: int):
        approval = get_object_or_404(
            Approval.objects.select_related("case", "approver_node", "requested_by", "offer")
            .prefetch_related("offer__lines"),
            pk=approval_id, case__in=case_scope(user=request.user))
        card = approval_card(approval=approval, user=request.user)
        return Response(s.ApprovalCardOut(s.ApprovalCardOut.shape(card),
                                          context={"quote": card.quote}).data)


class ApprovalApproveApi(APIView):
    @extend_schema(request=s.ApproveIn, responses=s.ApprovalOut)
    def post(self, request, approval_id: int):
        data = _valid(s.ApproveIn, request.data)
        approval_approve(approval_id=approval_id, actor=request.user, **data)
        return Response(_approval_out(approval_id))


class ApprovalRejectApi(APIView):
    @extend_schema(request=s.RejectIn, responses=s.ApprovalOut)
    def post(self, request, approval_id: int):
        data = _valid(s.RejectIn, request.data)
        approval_reject(approval_id=approval_id, actor=request.user, **data)
        return Response(_approval_out(approval_id))


class ApprovalChangeApi(APIView):
    @extend_schema(request=s.ChangeIn, responses=s.ApprovalOut)
    def post(self, request, approval_id: int):
        data = _valid(s.ChangeIn, request.data)
        if "items" in data:
            data["items"] = [ItemChoice(**item) for item in data["items"]]
        approval_change(approval_id=approval_id, actor=request.user, **data)
        return Response(_approval_out(approval_id))
