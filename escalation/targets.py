"""Who hears about a missed deadline (SPEC §4): the people holding the target role in the case's
own chain of the organisation tree, one level up when that node has nobody in the role."""

from dataclasses import dataclass

from django.db.models import Q
from django.utils.translation import gettext as _

from cases.models import LEVEL_OWNER_ROLE, Case
from org.models import NODE_DEPTH, ROLE_NODE_KIND, ROLE_RANK, NodeKind, OrgNode, Role, User
from org.selectors import people_at_or_above

from .models import Target

TARGET_ROLE = {
    Target.REGIONAL_DIRECTOR: Role.REGIONAL_DIRECTOR,
    Target.AREA_DIRECTOR: Role.AREA_DIRECTOR,
    Target.HQ: Role.HQ,
}


@dataclass(frozen=True)
class Resolved:
    people: list[User]
    node: OrgNode | None
    level: str | None  # the level the case rises to, None when the target raises nothing
    note: str = ""


def administrators() -> list[User]:
    return list(User.objects.filter(Q(is_staff=True) | Q(is_superuser=True), is_active=True)
                .order_by("pk"))


def level_for_role(role: str) -> str:
    """The highest level this role owns or outranks (a regional director and above: L4)."""
    return max(lvl for lvl, owner in LEVEL_OWNER_ROLE.items()
               if ROLE_RANK[owner] <= ROLE_RANK[role])


def _expected_code(*, case: Case, role: str) -> str:
    """Code of the node in the case's chain where `role` sits (the path is HQ/area/region/store)."""
    codes = case.store.path.strip("/").split("/")
    return codes[NODE_DEPTH[NodeKind(ROLE_NODE_KIND[Role(role)])]]


def in_chain(*, case: Case, role: str) -> tuple[list[User], OrgNode | None, str]:
    """People holding `role` in the case's chain, or the next role up, with a note saying so."""
    people, node, found_role = people_at_or_above(node=case.store, role=role)
    expected = _expected_code(case=case, role=role)
    if people and node.code == expected and found_role == role:
        return people, node, ""
    if not people:
        return [], None, _("Nobody holds the role %(role)s at %(node)s or above.") % {
            "role": Role(role).label, "node": expected}
    return people, node, _(
        "Nobody holds the role %(role)s at %(node)s; went up to %(found)s at %(found_node)s."
    ) % {"role": Role(role).label, "node": expected, "found": Role(found_role).label,
         "found_node": node.code}


def owner_people(*, case: Case) -> list[User]:
    """The case owner; when the case has none, the nearest holders of its level's owner role."""
    if case.owner and case.owner.is_active:
        return [case.owner]
    people, _node, _role = people_at_or_above(node=case.store, role=case.owner_role)
    return people


def _superior_role(*, case: Case) -> str | None:
    role = case.owner.role if case.owner and case.owner.role else case.owner_role
    rank = ROLE_RANK[role]
    return Role.values[rank] if rank < len(Role.values) else None


def _resolve(*, case: Case, target: str) -> Resolved:
    if target == Target.ADMINS:
        return Resolved(people=administrators(), node=None, level=None)
    if target == Target.OWNER:
        return Resolved(people=owner_people(case=case), node=case.store, level=None)
    if target == Target.OWNER_SUPERIOR:
        owners = owner_people(case=case)
        superior = _superior_role(case=case)
        if superior is None:
            return Resolved(people=owners, node=case.store, level=None)
        people, node, note = in_chain(case=case, role=superior)
        return Resolved(people=owners + people, node=node, level=level_for_role(superior),
                        note=note)
    role = TARGET_ROLE[Target(target)]
    people, node, note = in_chain(case=case, role=role)
    return Resolved(people=people, node=node, level=level_for_role(role), note=note)


def resolve(*, case: Case, target: str) -> Resolved:
    """The people to notify for a breach of a deadline with this target, the node they sit at,
    the level the case rises to and a note on any step up the tree. Nobody in the whole chain:
    the administrators hear of it, so no breach goes unheard."""
    resolved = _resolve(case=case, target=target)
    if resolved.people:
        return resolved
    note = " ".join(filter(None, [resolved.note, _("Notified the administrators instead.")]))
    return Resolved(people=administrators(), node=resolved.node, level=resolved.level, note=note)

