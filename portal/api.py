"""`/api/v1/cases/{id}/customer-link/` (SPEC §11): make a link (optionally sending it), or
revoke the case's links."""

from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.response import Response
from rest_framework.views import APIView

from toolkit.selectors import case_visible

from .models import LinkChannel
from .services import link_create, link_send, link_url, links_revoke


class LinkIn(serializers.Serializer):
    channel = serializers.ChoiceField(
        choices=LinkChannel.choices, default=LinkChannel.COPIED,
        help_text="sms or wechat send the link to the customer; copied only makes it.")


class LinkOut(serializers.Serializer):
    url = serializers.CharField()
    expires_at = serializers.DateTimeField()
    channel = serializers.CharField()


class CustomerLinkApi(APIView):
    @extend_schema(request=LinkIn, responses={201: LinkOut})
    def post(self, request, case_id: int):
        case = case_visible(user=request.user, case_id=case_id)
        data_in = LinkIn(data=request.data)
        data_in.is_valid(raise_exception=True)
        channel = data_in.validated_data["channel"]
        if channel == LinkChannel.COPIED:
            link, token = link_create(case_id=case.pk, actor=request.user)
        else:
            link, token = link_send(case_id=case.pk, actor=request.user, channel=channel)
        return Response(LinkOut({"url": link_url(token), "expires_at": link.expires_at,
                                 "channel": link.channel}).data,
                        status=status.HTTP_201_CREATED)

    @extend_schema(request=None, responses={204: None})
    def delete(self, request, case_id: int):
        case = case_visible(user=request.user, case_id=case_id)
        links_revoke(case_id=case.pk, actor=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)
