"""Writes of the measures: the actions agreed at the monthly review."""

from datetime import date

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils.translation import gettext as _

from org.models import OrgNode, Role, User
from org.selectors import user_can_see_node

from .models import ReviewAction


def review_action_add(*, actor: User, node: OrgNode, month: date, action: str, owner: User,
                      due: date | None = None) -> ReviewAction:
    """A service manager or someone more senior records an action for their part of the tree;
    the owner must work in that part of the tree."""
    if not (actor.has_rank(Role.SERVICE_MANAGER) and user_can_see_node(user=actor, node=node)):
        raise PermissionDenied(_("You may not record review actions for this node."))
    if not action.strip():
        raise ValidationError({"action": [_("Describe the action.")]})
    if not (owner.node_id and (node.contains(owner.node) or owner.node.contains(node))):
        raise ValidationError({"owner": [_("The owner must work in this part of the "
                                           "organisation.")]})
    return ReviewAction.objects.create(node=node, month=month.replace(day=1),
                                       action=action.strip(), owner=owner, due=due,
                                       created_by=actor)
