from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError as DjangoValidationError
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.response import Response

from core.api.serializers import StrictSerializer

from . import services
from .access import cells_for_user, get_cell_for_user
from .models import Cell, Membership, Role


class CellSerializer(serializers.ModelSerializer):
    my_role = serializers.SerializerMethodField()

    class Meta:
        model = Cell
        fields = ["id", "name", "description", "created_at", "my_role"]

    def get_my_role(self, cell) -> str:
        return self.context["roles_by_cell"].get(cell.pk, "")


class MembershipSerializer(StrictSerializer, serializers.ModelSerializer):
    username = serializers.SlugRelatedField(
        source="user", slug_field="username", queryset=get_user_model().objects.filter(is_active=True)
    )
    full_name = serializers.CharField(source="user.get_full_name", read_only=True)
    role = serializers.ChoiceField(choices=Role.choices)

    class Meta:
        model = Membership
        fields = ["id", "cell", "user", "username", "full_name", "role", "created_at"]
        read_only_fields = ["cell", "user", "created_at"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance is not None:
            self.fields["username"].read_only = True


@extend_schema_view(list=extend_schema(summary="The cells you belong to, with your role"))
class CellViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = CellSerializer
    filter_backends = []

    def get_queryset(self):
        return cells_for_user(self.request.user).order_by("name")

    def get_serializer_context(self):
        roles = dict(Membership.objects.filter(user=self.request.user).values_list("cell_id", "role"))
        return {**super().get_serializer_context(), "roles_by_cell": roles}


@extend_schema_view(
    list=extend_schema(summary="Members of a cell"),
    create=extend_schema(summary="Add a member (cell admin)"),
    partial_update=extend_schema(summary="Change a member's role (cell admin)"),
    destroy=extend_schema(summary="Remove a member (cell admin)"),
)
class MembershipViewSet(
    mixins.ListModelMixin,
    mixins.CreateModelMixin,
    mixins.RetrieveModelMixin,
    mixins.UpdateModelMixin,
    mixins.DestroyModelMixin,
    viewsets.GenericViewSet,
):
    serializer_class = MembershipSerializer
    # Never queried (get_queryset scopes by cell): it tells drf-spectacular the
    # model, so the `id` path parameter is an integer in the schema.
    queryset = Membership.objects.none()
    filter_backends = []
    http_method_names = ["get", "post", "patch", "delete", "head", "options"]

    def cell(self, minimum: Role = Role.OBSERVER) -> Cell:
        return get_cell_for_user(self.request.user, self.kwargs["cell_pk"], minimum)

    def get_queryset(self):
        return Membership.objects.filter(cell=self.cell()).select_related("user").order_by("user__username")

    def get_object(self):
        cell = self.cell(Role.ADMIN if self.request.method not in ("GET", "HEAD", "OPTIONS") else Role.OBSERVER)
        return get_object_or_404(Membership.objects.select_related("user", "cell"), cell=cell, pk=self.kwargs["pk"])

    def create(self, request, *args, **kwargs):
        cell = self.cell(Role.ADMIN)
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        try:
            membership = services.membership_add(cell=cell, user=data["user"], role=data["role"])
        except DjangoValidationError as error:
            # The service speaks of the user; the client sent a username.
            raise serializers.ValidationError(
                {"username" if field == "user" else field: messages for field, messages in error.message_dict.items()}
            ) from None
        return Response(self.get_serializer(membership).data, status=status.HTTP_201_CREATED)

    def update(self, request, *args, **kwargs):
        membership = self.get_object()
        serializer = self.get_serializer(membership, data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        if "role" not in serializer.validated_data:
            raise serializers.ValidationError({"role": _("Give the new role.")})
        membership = services.membership_change_role(membership=membership, role=serializer.validated_data["role"])
        return Response(self.get_serializer(membership).data)

    def perform_destroy(self, instance):
        services.membership_remove(membership=instance)
