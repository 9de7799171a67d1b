from django.contrib import admin

from .models import KpiTarget, ProbabilityBand, ReviewAction


@admin.register(KpiTarget)
class KpiTargetAdmin(admin.ModelAdmin):
    list_display = ["kpi", "direction", "target"]
    list_editable = ["direction", "target"]


@admin.register(ProbabilityBand)
class ProbabilityBandAdmin(admin.ModelAdmin):
    list_display = ["within", "percent", "below"]


@admin.register(ReviewAction)
class ReviewActionAdmin(admin.ModelAdmin):
    list_display = ["month", "node", "action", "owner", "due", "done_at"]
    list_filter = ["month", "node"]
    raw_id_fields = ["owner", "created_by"]
