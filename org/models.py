from django.contrib.auth.models import AbstractUser
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.db.models import Value
from django.db.models.functions import Concat, Substr
from django.utils.translation import gettext_lazy as _

from .signals import node_moved


class NodeKind(models.TextChoices):
    HQ = "hq", _("Headquarters")
    AREA = "area", _("Area")
    REGION = "region", _("Region")
    STORE = "store", _("Store")


# Depth of each kind in the tree HQ → area → region → store.
NODE_DEPTH = {NodeKind.HQ: 0, NodeKind.AREA: 1, NodeKind.REGION: 2, NodeKind.STORE: 3}


class Role(models.TextChoices):
    ADVISOR = "advisor", _("Service advisor")
    SERVICE_MANAGER = "service_manager", _("Service manager")
    CENTER_DIRECTOR = "center_director", _("Center director")
    REGIONAL_DIRECTOR = "regional_director", _("Regional director")
    AREA_DIRECTOR = "area_director", _("Area director")
    HQ = "hq", _("Headquarters")


# Seniority: a higher rank may do what a lower one may.
ROLE_RANK = {role: rank for rank, role in enumerate(Role.values, start=1)}

# The kind of node each role sits at.
ROLE_NODE_KIND = {
    Role.ADVISOR: NodeKind.STORE,
    Role.SERVICE_MANAGER: NodeKind.STORE,
    Role.CENTER_DIRECTOR: NodeKind.STORE,
    Role.REGIONAL_DIRECTOR: NodeKind.REGION,
    Role.AREA_DIRECTOR: NodeKind.AREA,
    Role.HQ: NodeKind.HQ,
}


class OrgNode(models.Model):
    """One node of the organisation tree. `path` is a materialised path ("HQ/A1/R1/S01/") so a
    subtree is one indexed prefix query."""

    code = models.CharField(_("code"), max_length=32, unique=True)
    name = models.CharField(_("name"), max_length=120)
    kind = models.CharField(_("kind"), max_length=10, choices=NodeKind.choices)
    parent = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="children",
        verbose_name=_("parent"),
    )
    path = models.CharField(max_length=255, unique=True, editable=False)

    class Meta:
        ordering = ["path"]
        verbose_name = _("organisation node")
        verbose_name_plural = _("organisation nodes")
        indexes = [models.Index(fields=["path"], name="orgnode_path_prefix",
                                opclasses=["varchar_pattern_ops"])]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"

    def save(self, *args, **kwargs):
        old_path = self.path
        self.path = f"{self.parent.path if self.parent else ''}{self.code}/"
        with transaction.atomic():
            super().save(*args, **kwargs)
            if old_path and old_path != self.path:
                # Moving or renaming a node moves its whole subtree.
                OrgNode.objects.filter(path__startswith=old_path).exclude(pk=self.pk).update(
                    path=Concat(Value(self.path), Substr("path", len(old_path) + 1))
                )
                node_moved.send(sender=OrgNode, instance=self, old_path=old_path)

    def clean(self) -> None:
        depth = NODE_DEPTH[NodeKind(self.kind)]
        if depth == 0 and self.parent_id:
            raise ValidationError({"parent": _("Headquarters has no parent.")})
        if depth > 0 and (not self.parent or NODE_DEPTH[NodeKind(self.parent.kind)] != depth - 1):
            raise ValidationError({"parent": _("The parent must be one level up the tree.")})

    def ancestors(self) -> list["OrgNode"]:
        """This node and every node above it, nearest first."""
        codes = self.path.strip("/").split("/")
        by_code = {n.code: n for n in OrgNode.objects.filter(code__in=codes)}
        return [by_code[c] for c in reversed(codes)]

    def contains(self, other: "OrgNode") -> bool:
        return other.path.startswith(self.path)


class User(AbstractUser):
    """A user holds one role at one node and sees what lies under that node."""

    role = models.CharField(_("role"), max_length=20, choices=Role.choices, blank=True)
    node = models.ForeignKey(
        OrgNode, on_delete=models.PROTECT, null=True, blank=True, related_name="members",
        verbose_name=_("organisation node"),
    )
    phone = models.CharField(_("phone"), max_length=32, blank=True)

    class Meta(AbstractUser.Meta):
        swappable = "AUTH_USER_MODEL"
        indexes = [models.Index(fields=["role", "node"], name="user_role_node")]

    def clean(self) -> None:
        super().clean()
        if self.role and self.node and self.node.kind != ROLE_NODE_KIND[Role(self.role)]:
            raise ValidationError({"node": _("This role sits at a node of another kind.")})

    @property
    def rank(self) -> int:
        return ROLE_RANK.get(self.role, 0)

    def has_rank(self, role: str) -> bool:
        return self.is_superuser or self.rank >= ROLE_RANK[role]
