"""The response queue API: an incident's queue (flag, claim, assign, answer, close, escalate,
near-duplicates, bulk, figures), the cell's rules and response times, a claim's mentions.

Every list is scoped to the incident (or cell) after the membership check; roles:
observers read, members act on items, managers assign, write freely, set rules and SLA.
"""

from django.contrib.auth import get_user_model
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response
from rest_framework.views import APIView

from cells.access import membership_for, require_role
from cells.models import Role
from core.api.docs import ERRORS, READ_ERRORS
from core.api.query_params import check_query
from incidents.api.scoped import IncidentScopedViewSet

from .. import claims, integration, selectors, services
from ..models import ClaimMention, ItemState, QueueItem, QueueRule, WaitingMention, WaitingState
from ..sla import policy_for
from .serializers import (
    AnswerSerializer,
    AssignSerializer,
    BulkReportSerializer,
    BulkSerializer,
    ClaimLinkSerializer,
    ClaimMentionSerializer,
    DuplicatesSerializer,
    FlagSerializer,
    MentionBriefSerializer,
    MetricsSerializer,
    QueueItemSerializer,
    ReasonSerializer,
    RuleSerializer,
    RuleWriteSerializer,
    SlaSerializer,
    SlaWriteSerializer,
    SuggestionSerializer,
    WaitingQueueSerializer,
    WaitingSerializer,
)


def validated(request, serializer_class, **kwargs) -> dict:
    serializer = serializer_class(data=request.data, **kwargs)
    serializer.is_valid(raise_exception=True)
    return serializer.validated_data


def _template(incident, version_id):
    if not version_id:
        return None
    version = integration.template_version(incident, version_id)
    if version is None:
        from django.core.exceptions import ValidationError

        raise ValidationError({"template": _("No such template in this incident.")})
    return version


STATE = OpenApiParameter("state", str, enum=["new", "assigned", "answered", "no_reply", "escalated"])
MINE = OpenApiParameter("mine", bool, description="Only the items assigned to you.")
MENTION = OpenApiParameter(
    "mention", int, description="The items of one mention, whatever their state: was it answered, and by whom?"
)


@extend_schema_view(
    list=extend_schema(
        summary="The incident's response queue, most urgent first (open items by default)",
        parameters=[STATE, MINE, MENTION],
    ),
    retrieve=extend_schema(summary="One item", responses={200: QueueItemSerializer, **READ_ERRORS}),
    create=extend_schema(
        summary="Flag a mention of the cell by hand (member or above)",
        request=FlagSerializer,
        responses={201: QueueItemSerializer, **ERRORS},
    ),
)
class QueueViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, IncidentScopedViewSet):
    serializer_class = QueueItemSerializer
    queryset = QueueItem.objects.none()
    filter_backends = []
    http_method_names = ["get", "post", "head", "options"]

    def get_serializer_context(self):
        return {**super().get_serializer_context(), "now": timezone.now()}

    def list(self, request, *args, **kwargs):
        check_query(request, single=("state", "mention"), booleans=("mine",))
        errors = {}
        if request.query_params.get("state", "") not in ("", *ItemState.values):
            errors["state"] = [_("One of: %(states)s.") % {"states": ", ".join(ItemState.values)}]
        if not request.query_params.get("mention", "0").isdigit():
            errors["mention"] = [_("A mention number.")]
        if errors:
            raise ValidationError(errors)
        return super().list(request, *args, **kwargs)

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return QueueItem.objects.none()
        params = self.request.query_params
        mine = params.get("mine") == "true"
        state = params.get("state", "")
        mention = params.get("mention", "")
        items = selectors.items_of_incident(
            self.incident(Role.OBSERVER),
            state=state,
            assignee=self.request.user if mine else None,
            open_only=not state and not mention,
        )
        if mention:
            items = items.filter(mention_id=int(mention)) if mention.isdigit() else items.none()
        return items

    def get_object(self, minimum=Role.OBSERVER) -> QueueItem:
        incident = self.incident(minimum)
        try:
            return QueueItem.objects.select_related("incident__cell", "mention", "assignee").get(
                incident=incident, pk=int(self.kwargs["pk"])
            )
        except (QueueItem.DoesNotExist, ValueError):
            raise Http404(_("No such item in this queue.")) from None

    def _answer(self, item, code=status.HTTP_200_OK):
        item = QueueItem.objects.select_related("mention").get(pk=item.pk)
        return Response(QueueItemSerializer(item, context=self.get_serializer_context()).data, status=code)

    def create(self, request, *args, **kwargs):
        incident = self.incident(Role.MEMBER)
        data = validated(request, FlagSerializer)
        return self._answer(
            services.flag(
                actor=request.user, incident=incident, mention_id=data["mention"], reason=data.get("reason", "")
            ),
            status.HTTP_201_CREATED,
        )

    @extend_schema(
        summary="Claim a new item: one of several claiming at once wins, the others get 409",
        request=None,
        responses={200: QueueItemSerializer, **ERRORS},
    )
    @action(detail=True, methods=["post"])
    def claim(self, request, *args, **kwargs):
        return self._answer(services.claim(actor=request.user, item=self.get_object(Role.MEMBER)))

    @extend_schema(
        summary="Assign an open item to a member (manager or above)",
        request=AssignSerializer,
        responses={200: QueueItemSerializer, **ERRORS},
    )
    @action(detail=True, methods=["post"])
    def assign(self, request, *args, **kwargs):
        item = self.get_object(Role.MANAGER)
        data = validated(request, AssignSerializer)
        assignee = get_user_model().objects.filter(pk=data["assignee"]).first()
        return self._answer(services.assign(actor=request.user, item=item, assignee=assignee))

    @extend_schema(
        summary=(
            "Answer from an approved, published response template ({author}, {ticket} filled in), or freely (manager)"
        ),
        request=AnswerSerializer,
        responses={200: QueueItemSerializer, **ERRORS},
    )
    @action(detail=True, methods=["post"])
    def answer(self, request, *args, **kwargs):
        item = self.get_object(Role.MEMBER)
        data = validated(request, AnswerSerializer)
        data["template"] = _template(item.incident, data.get("template"))
        return self._answer(services.answer(actor=request.user, item=item, **data))

    @extend_schema(
        summary="Close: no reply needed, with the reason",
        request=ReasonSerializer,
        responses={200: QueueItemSerializer, **ERRORS},
    )
    @action(detail=True, methods=["post"], url_path="no-reply")
    def no_reply(self, request, *args, **kwargs):
        item = self.get_object(Role.MEMBER)
        data = validated(request, ReasonSerializer)
        return self._answer(services.close_without_reply(actor=request.user, item=item, reason=data["reason"]))

    @extend_schema(
        summary="Escalate to the managers, with the reason",
        request=ReasonSerializer,
        responses={200: QueueItemSerializer, **ERRORS},
    )
    @action(detail=True, methods=["post"])
    def escalate(self, request, *args, **kwargs):
        item = self.get_object(Role.MEMBER)
        data = validated(request, ReasonSerializer)
        return self._answer(services.escalate(actor=request.user, item=item, reason=data["reason"]))

    @extend_schema(
        methods=["get"],
        summary="Open items that say nearly the same (rapidfuzz)",
        responses={200: SuggestionSerializer(many=True), **READ_ERRORS},
    )
    @extend_schema(
        methods=["post"],
        summary="Mark items as copies of this one (member or above)",
        request=DuplicatesSerializer,
        responses={200: QueueItemSerializer, **ERRORS},
    )
    @action(detail=True, methods=["get", "post"])
    def duplicates(self, request, *args, **kwargs):
        if request.method == "GET":
            item = self.get_object()
            context = self.get_serializer_context()
            return Response(
                [
                    {"item": QueueItemSerializer(other, context=context).data, "score": score}
                    for other, score in selectors.near_duplicates(item)
                ]
            )
        item = self.get_object(Role.MEMBER)
        data = validated(request, DuplicatesSerializer)
        copies = list(QueueItem.objects.filter(incident=item.incident, pk__in=data["items"]))
        services.mark_duplicates(actor=request.user, original=item, items=copies)
        return self._answer(item)

    @extend_schema(
        summary="Answer or close many items at once; each reported (member or above)",
        request=BulkSerializer,
        responses={200: BulkReportSerializer, **ERRORS},
    )
    @action(detail=False, methods=["post"])
    def bulk(self, request, *args, **kwargs):
        incident = self.incident(Role.MEMBER)
        data = validated(request, BulkSerializer)
        action_name = data.pop("action")
        items = data.pop("items")
        if action_name == "answer":
            params = {
                "template": _template(incident, data.get("template")),
                "ticket": data.get("ticket", ""),
                "channel": data.get("channel", ""),
            }
        else:
            params = {"reason": data.get("reason", "")}
        return Response(
            services.bulk(actor=request.user, incident=incident, item_ids=items, action=action_name, **params)
        )

    @extend_schema(
        summary="Backlog by state and age, time to first response, share within the SLA, per hour",
        responses={200: MetricsSerializer, **READ_ERRORS},
    )
    @action(detail=False, methods=["get"])
    def metrics(self, request, *args, **kwargs):
        incident = self.incident(Role.OBSERVER)
        return Response(MetricsSerializer({**selectors.metrics(incident), "hourly": selectors.hourly(incident)}).data)


@extend_schema_view(
    list=extend_schema(summary="The cell's queue rules (member or above)"),
    retrieve=extend_schema(summary="One rule", responses={200: RuleSerializer, **READ_ERRORS}),
    create=extend_schema(
        summary="New rule (manager or above)", request=RuleWriteSerializer, responses={201: RuleSerializer, **ERRORS}
    ),
    partial_update=extend_schema(
        summary="Change a rule (manager or above)",
        request=RuleWriteSerializer(partial=True),
        responses={200: RuleSerializer, **ERRORS},
    ),
    destroy=extend_schema(summary="Delete a rule (manager or above)", responses={204: None, **ERRORS}),
)
class RuleViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    serializer_class = RuleSerializer
    queryset = QueueRule.objects.none()
    filter_backends = []
    http_method_names = ["get", "post", "patch", "delete", "head", "options"]

    def membership(self, minimum=Role.MEMBER):
        return require_role(membership_for(self.request.user, self.kwargs["cell_pk"]), minimum)

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return QueueRule.objects.none()
        return QueueRule.objects.filter(cell_id=self.membership().cell_id).order_by("name", "pk")

    def get_object(self, minimum=Role.MEMBER) -> QueueRule:
        membership = self.membership(minimum)
        rule = QueueRule.objects.filter(cell_id=membership.cell_id, pk=self.kwargs["pk"]).first()
        if rule is None:
            raise Http404(_("No such rule."))
        return rule

    def create(self, request, *args, **kwargs):
        membership = self.membership(Role.MANAGER)
        rule = services.rule_save(actor=request.user, cell=membership.cell, **validated(request, RuleWriteSerializer))
        return Response(RuleSerializer(rule).data, status=status.HTTP_201_CREATED)

    def partial_update(self, request, *args, **kwargs):
        rule = self.get_object(Role.MANAGER)
        data = validated(request, RuleWriteSerializer, partial=True)
        merged = {f: data.get(f, getattr(rule, f)) for f in ("name", "kind", "terms", "min_reach", "is_active")}
        rule = services.rule_save(actor=request.user, cell=rule.cell, instance=rule, **merged)
        return Response(RuleSerializer(rule).data)

    def destroy(self, request, *args, **kwargs):
        services.rule_delete(actor=request.user, rule=self.get_object(Role.MANAGER))
        return Response(status=status.HTTP_204_NO_CONTENT)


@extend_schema_view(
    list=extend_schema(
        summary="Mentions the rules matched while no incident was open (observer or above)",
        parameters=[OpenApiParameter("state", str, enum=WaitingState.values, description="default: waiting")],
    ),
    retrieve=extend_schema(summary="One waiting mention", responses={200: WaitingSerializer, **READ_ERRORS}),
)
class WaitingViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """The cell's waiting list: when an incident opens, the recent ones enter its queue by themselves;
    members put one in an open incident's queue, or dismiss it with a reason."""

    serializer_class = WaitingSerializer
    queryset = WaitingMention.objects.none()
    filter_backends = []

    def membership(self, minimum=Role.OBSERVER):
        return require_role(membership_for(self.request.user, self.kwargs["cell_pk"]), minimum)

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return WaitingMention.objects.none()
        membership = self.membership()
        state = self.request.query_params.get("state", WaitingState.WAITING)
        return (
            WaitingMention.objects.filter(cell_id=membership.cell_id, state=state)
            .select_related("mention", "rule", "item")
            .order_by("-mention__published_at", "-pk")
        )

    def list(self, request, *args, **kwargs):
        self.membership()  # 404 / 403 before any word on the parameters
        check_query(request, single=("state",))
        if request.query_params.get("state", WaitingState.WAITING) not in WaitingState.values:
            raise ValidationError({"state": [_("One of: %(states)s.") % {"states": ", ".join(WaitingState.values)}]})
        return super().list(request, *args, **kwargs)

    def get_object(self, minimum=Role.OBSERVER) -> WaitingMention:
        membership = self.membership(minimum)
        found = (
            WaitingMention.objects.select_related("mention", "rule", "item")
            .filter(cell_id=membership.cell_id, pk=self.kwargs["pk"])
            .first()
        )
        if found is None:
            raise Http404(_("No such waiting mention in this cell."))
        return found

    @extend_schema(
        summary="Put it in an open incident's queue (member or above)",
        request=WaitingQueueSerializer,
        responses={201: QueueItemSerializer, **ERRORS},
    )
    @action(detail=True, methods=["post"])
    def queue(self, request, *args, **kwargs):
        waiting = self.get_object(Role.MEMBER)
        incident_id = validated(request, WaitingQueueSerializer)["incident"]
        incident = integration.open_incidents(waiting.cell_id).filter(pk=incident_id).first()
        item = services.waiting_to_incident(actor=request.user, waiting=waiting, incident=incident)
        data = QueueItemSerializer(item, context={"now": timezone.now()}).data
        return Response(data, status=status.HTTP_201_CREATED)

    @extend_schema(
        summary="Dismiss it: no answer needed (member or above)",
        request=ReasonSerializer,
        responses={200: WaitingSerializer, **ERRORS},
    )
    @action(detail=True, methods=["post"])
    def dismiss(self, request, *args, **kwargs):
        waiting = self.get_object(Role.MEMBER)
        waiting = services.waiting_dismiss(
            actor=request.user, waiting=waiting, reason=validated(request, ReasonSerializer)["reason"]
        )
        return Response(WaitingSerializer(waiting).data)


class SlaView(APIView):
    """The cell's response times by level: members read, managers change."""

    def membership(self, minimum):
        return require_role(membership_for(self.request.user, self.kwargs["cell_pk"]), minimum)

    @extend_schema(summary="Answer within, by level (member or above)", responses={200: SlaSerializer, **READ_ERRORS})
    def get(self, request, cell_pk):
        return Response(SlaSerializer(policy_for(self.membership(Role.MEMBER).cell)).data)

    @extend_schema(
        summary="Change the response times (manager or above)",
        request=SlaWriteSerializer,
        responses={200: SlaSerializer, **ERRORS},
    )
    def patch(self, request, cell_pk):
        membership = self.membership(Role.MANAGER)
        policy = services.sla_save(actor=request.user, cell=membership.cell, **validated(request, SlaWriteSerializer))
        return Response(SlaSerializer(policy).data)


@extend_schema_view(
    list=extend_schema(summary="Mentions linked to the claim"),
    create=extend_schema(
        summary="Link a mention to the claim (member or above)",
        request=ClaimLinkSerializer,
        responses={201: ClaimMentionSerializer, **ERRORS},
    ),
    destroy=extend_schema(summary="Unlink (member or above)", responses={204: None, **ERRORS}),
)
class ClaimMentionViewSet(mixins.ListModelMixin, mixins.DestroyModelMixin, IncidentScopedViewSet):
    serializer_class = ClaimMentionSerializer
    queryset = ClaimMention.objects.none()
    filter_backends = []
    http_method_names = ["get", "post", "delete", "head", "options"]

    def claim(self, minimum=Role.OBSERVER):
        claim = integration.claim_of_incident(self.incident(minimum), self.kwargs["claim_pk"])
        if claim is None:
            raise Http404(_("No such claim in this incident."))
        return claim

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return ClaimMention.objects.none()
        return ClaimMention.objects.filter(claim=self.claim()).select_related("mention")

    def create(self, request, *args, **kwargs):
        claim = self.claim(Role.MEMBER)
        data = validated(request, ClaimLinkSerializer)
        link = claims.link(
            actor=request.user, claim=claim, mention_id=data["mention"], source=data.get("source", "hand")
        )
        return Response(ClaimMentionSerializer(link).data, status=status.HTTP_201_CREATED)

    def destroy(self, request, *args, **kwargs):
        claim = self.claim(Role.MEMBER)
        link = ClaimMention.objects.filter(claim=claim, pk=self.kwargs["pk"]).first()
        if link is None:
            raise Http404(_("No such link."))
        claims.unlink(actor=request.user, link=link)
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(
        summary="Mentions of the cell that say nearly what the claim says",
        responses={200: MentionBriefSerializer(many=True), **READ_ERRORS},
    )
    @action(detail=False, methods=["get"])
    def suggestions(self, request, *args, **kwargs):
        claim = self.claim(Role.MEMBER)
        return Response([{**MentionBriefSerializer(m).data, "score": score} for m, score in claims.suggestions(claim)])

    @extend_schema(
        summary="How many mentions carry the claim, per hour over the last 24 hours",
        responses={200: dict, **READ_ERRORS},
    )
    @action(detail=False, methods=["get"])
    def volume(self, request, *args, **kwargs):
        found = claims.volume(self.claim())
        return Response(
            {
                "total": found["total"],
                "series": [{"at": row["at"].isoformat(), "count": row["count"]} for row in found["series"]],
            }
        )
