from django.db.models import QuerySet

from .models import ROLE_RANK, OrgNode, Role, User


def node_subtree(*, node: OrgNode) -> QuerySet[OrgNode]:
    return OrgNode.objects.filter(path__startswith=node.path)


def user_visible_nodes(*, user: User) -> QuerySet[OrgNode]:
    if user.is_superuser:
        return OrgNode.objects.all()
    if not user.node_id:
        return OrgNode.objects.none()
    return node_subtree(node=user.node)


def user_scope_path(*, user: User) -> str | None:
    """The path prefix the user may see: '' for everything, None for nothing."""
    if user.is_superuser:
        return ""
    if not user.is_authenticated or not user.node_id:
        return None
    return user.node.path


def user_can_see_node(*, user: User, node: OrgNode) -> bool:
    scope = user_scope_path(user=user)
    return scope is not None and node.path.startswith(scope)


def people_in_chain(*, node: OrgNode, role: str) -> tuple[list[User], OrgNode | None]:
    """Active users holding `role` at the node of the case's chain where that role sits; when that
    node has nobody in the role, the next node up is tried. Returns the people and the node they
    were found at (None when the whole chain is empty)."""
    for ancestor in node.ancestors():
        people = list(
            User.objects.filter(node=ancestor, role=role, is_active=True).order_by("id")
        )
        if people:
            return people, ancestor
    return [], None


def people_at_or_above(*, node: OrgNode, role: str) -> tuple[list[User], OrgNode | None, str]:
    """The nearest holders of `role` in the chain; when the chain has nobody in that role, the
    next more senior role is tried. Returns people, node and the role actually found."""
    for candidate in Role.values[ROLE_RANK[role] - 1:]:
        people, found_at = people_in_chain(node=node, role=candidate)
        if people:
            return people, found_at, candidate
    return [], None, role
