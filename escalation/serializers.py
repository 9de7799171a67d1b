"""The deadlines and escalations in the case's API answers (`cases.serializers`, registered in
`EscalationConfig.ready`)."""

from django.utils import timezone
from rest_framework import serializers

from cases.serializers import ModelOutputSerializer, OutputSerializer

from .deadlines import deadline_remaining
from .models import DeadlineKind, Escalation


# The intake's answer carries the deadlines: fields copied, never rebuilt per use
# (`cases.serializers.OutputSerializer`), a cost every survey response would pay.
class DeadlineOut(OutputSerializer):
    kind = serializers.ChoiceField(choices=DeadlineKind.choices, read_only=True)
    round = serializers.IntegerField(read_only=True)
    due_at = serializers.DateTimeField(read_only=True)
    warn_at = serializers.DateTimeField(read_only=True, allow_null=True)
    met_at = serializers.DateTimeField(read_only=True, allow_null=True)
    escalated_at = serializers.DateTimeField(read_only=True, allow_null=True)
    cancelled_at = serializers.DateTimeField(read_only=True, allow_null=True)
    status = serializers.SerializerMethodField()
    remaining_seconds = serializers.SerializerMethodField()

    def get_status(self, obj) -> str:
        if obj.met_at:
            return "met"
        if obj.cancelled_at:
            return "cancelled"
        if obj.escalated_at or obj.due_at <= timezone.now():
            return "overdue"
        return "waiting"

    def get_remaining_seconds(self, obj) -> int | None:
        """Seconds left (negative when overdue) while the deadline is still to be met, on the
        SLA's own clock: business time while the store is open, or wall time."""
        if obj.met_at or obj.cancelled_at:
            return None
        return int(deadline_remaining(obj, now=timezone.now()).total_seconds())


class EscalationOut(ModelOutputSerializer):
    target_node = serializers.CharField(source="target_node.code", default=None,
                                        allow_null=True)

    class Meta:
        model = Escalation
        fields = ["id", "kind", "from_level", "to_level", "target", "target_node", "note",
                  "due_at", "fired_at"]


def deadlines_field() -> serializers.Field:
    return DeadlineOut(many=True, read_only=True, source="deadline_rows")


def escalations_field() -> serializers.Field:
    return EscalationOut(many=True, read_only=True)
