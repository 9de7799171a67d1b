from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from .models import Notification
from .services import notifications_mark_read


@login_required
def notification_list(request):
    notes = Notification.objects.filter(recipient=request.user).select_related("case")[:100]
    return render(request, "notifications/list.html", {"notes": notes})


@login_required
@require_POST
def notifications_read(request):
    notifications_mark_read(user=request.user)
    return redirect("notification-list")
