"""OpenAPI: toolkit choice fields are documented inline. Their names (kind, outcome, role,
channel) are also used by other apps with other choices, and shared enum components would
collide (drf-spectacular W001)."""

from drf_spectacular.extensions import OpenApiSerializerFieldExtension
from rest_framework import serializers


class InlineChoiceField(serializers.ChoiceField):
    pass


class InlineChoiceFieldExtension(OpenApiSerializerFieldExtension):
    target_class = InlineChoiceField

    def map_serializer_field(self, auto_schema, direction):
        # A pattern, not an enum: the enum post-processing hook would lift an enum into a
        # shared component again.
        values = list(self.target.choices)
        return {"type": "string", "pattern": "^({})$".format("|".join(values)),
                "description": "One of: " + ", ".join(values)}
