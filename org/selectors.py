import copy

from django.db.models import QuerySet

from recovery.config_cache import config_cached

from .models import ROLE_RANK, NodeKind, OrgNode, Role, User


def node_subtree(*, node: OrgNode) -> QuerySet[OrgNode]:
    return OrgNode.objects.filter(path__startswith=node.path)


def user_visible_nodes(*, user: User) -> QuerySet[OrgNode]:
    if user.is_superuser:
        return OrgNode.objects.all()
    if not user.node_id:
        return OrgNode.objects.none()
    return node_subtree(node=user.node)


def store_by_code(code: str) -> OrgNode | None:
    """The store with this code; every intake names one. Cached with the configuration; each
    caller gets its own copy. A code the cache does not know is looked up: a store just added
    in another process is found at once, not refused for CONFIG_CACHE_SECONDS."""
    stores = config_cached("stores-by-code", lambda: {
        node.code: node for node in OrgNode.objects.filter(kind=NodeKind.STORE)})
    store = stores.get(code)
    if store is None:
        if "\x00" in code:  # PostgreSQL refuses NUL in a text; no code has one
            return None
        return OrgNode.objects.filter(kind=NodeKind.STORE, code=code).first()
    return copy.copy(store)


def active_user_with_node(pk: int) -> User | None:
    """An active user and their node, for an integration account that signs each request.
    Cached with the configuration (a user saved clears it; other processes follow within
    CONFIG_CACHE_SECONDS); each caller gets its own copy of both. One not found (inactive) is
    looked up again each time: reactivated, it works at once."""
    user = (config_cached(f"active-user:{pk}", lambda: _active_user_with_node_read(pk))
            or _active_user_with_node_read(pk))
    if user is None:
        return None
    user = copy.copy(user)
    if user.node_id:
        user.node = copy.copy(user.node)
    return user


def _active_user_with_node_read(pk: int) -> User | None:
    return User.objects.select_related("node").filter(pk=pk, is_active=True).first()


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


def _chain_holders(*, node: OrgNode, roles: list[str]) -> dict[tuple[str, str], list[User]]:
    """Active holders of `roles` at this node and every node above it, keyed by (node code,
    role). Read on every case opened, escalation and approval, and changed rarely: cached with
    the configuration (cleared when a user or node is saved; other processes follow within
    CONFIG_CACHE_SECONDS)."""
    return config_cached(f"chain-holders:{node.path}:{','.join(roles)}",
                         lambda: _chain_holders_read(node=node, roles=roles))


def _chain_holders_read(*, node: OrgNode, roles: list[str]) -> dict[tuple[str, str], list[User]]:
    codes = node.path.strip("/").split("/")
    found: dict[tuple[str, str], list[User]] = {}
    people = (User.objects.filter(node__code__in=codes, role__in=roles, is_active=True)
              .select_related("node").order_by("id"))
    for person in people:
        found.setdefault((person.node.code, person.role), []).append(person)
    return found


def _nearest(*, node: OrgNode, role: str, holders: dict) -> tuple[list[User], OrgNode | None]:
    for code in reversed(node.path.strip("/").split("/")):
        people = holders.get((code, role))
        if people:
            return people, people[0].node
    return [], None


def people_in_chain(*, node: OrgNode, role: str) -> tuple[list[User], OrgNode | None]:
    """Active users holding `role` at the node of the case's chain where that role sits; when that
    node has nobody in the role, the next node up is tried. Returns the people and the node they
    were found at (None when the whole chain is empty)."""
    return _nearest(node=node, role=role, holders=_chain_holders(node=node, roles=[role]))


def people_at_or_above(*, node: OrgNode, role: str) -> tuple[list[User], OrgNode | None, str]:
    """The nearest holders of `role` in the chain; when the chain has nobody in that role, the
    next more senior role is tried. Returns people, node and the role actually found."""
    candidates = Role.values[ROLE_RANK[role] - 1:]
    holders = _chain_holders(node=node, roles=candidates)
    for candidate in candidates:
        people, found_at = _nearest(node=node, role=candidate, holders=holders)
        if people:
            return people, found_at, candidate
    return [], None, role
