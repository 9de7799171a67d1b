from org.models import OrgNode, User


def node_create(*, code: str, name: str, kind: str, parent: OrgNode | None = None) -> OrgNode:
    node = OrgNode(code=code, name=name, kind=kind, parent=parent)
    node.full_clean()
    node.save()
    return node


def user_upsert(*, username: str, password: str, role: str, node: OrgNode, first_name: str = "",
                email: str = "", is_staff: bool = False, is_superuser: bool = False) -> User:
    user = User.objects.filter(username=username).first() or User(username=username)
    user.role, user.node, user.first_name, user.is_staff = role, node, first_name, is_staff
    user.is_superuser = is_superuser
    user.email = email or f"{username}@example.com"
    user.set_password(password)
    user.full_clean(exclude=["password"])
    user.save()
    return user
