from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    """Roles in a cell, weakest first: each role has every right of those before it."""

    OBSERVER = "observer", _("Observer")
    MEMBER = "member", _("Member")
    MANAGER = "manager", _("Manager")
    ADMIN = "admin", _("Administrator")

    @property
    def rank(self) -> int:
        return list(Role).index(self)

    def includes(self, other: "Role") -> bool:
        """True when this role has at least the rights of `other`."""
        return self.rank >= Role(other).rank

    @classmethod
    def at_least(cls, minimum: "Role") -> list["Role"]:
        return [role for role in cls if role.includes(minimum)]


class Cell(models.Model):
    """An organisation's crisis cell: the team and everything it handles."""

    name = models.CharField(_("name"), max_length=120, unique=True)
    description = models.TextField(_("description"), blank=True, max_length=2000)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    members = models.ManyToManyField(settings.AUTH_USER_MODEL, through="Membership", related_name="cells")

    class Meta:
        ordering = ["name"]
        verbose_name = _("cell")
        verbose_name_plural = _("cells")

    def __str__(self):
        return self.name


class Membership(models.Model):
    cell = models.ForeignKey(Cell, on_delete=models.CASCADE, related_name="memberships")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(_("role"), max_length=16, choices=Role.choices, default=Role.MEMBER)
    created_at = models.DateTimeField(_("member since"), auto_now_add=True)

    class Meta:
        ordering = ["cell__name", "user__username"]
        constraints = [
            models.UniqueConstraint(fields=["cell", "user"], name="one_membership_per_user_and_cell"),
            models.CheckConstraint(condition=models.Q(role__in=Role.values), name="membership_role_valid"),
        ]
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")

    def __str__(self):
        return f"{self.user} @ {self.cell} ({self.role})"

    def has_role(self, minimum: Role) -> bool:
        return Role(self.role).includes(minimum)
