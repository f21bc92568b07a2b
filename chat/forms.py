from django import forms
from django.utils.translation import gettext_lazy as _

from incidents.models import LogCategory

from .models import ChatMessage


class ChatForm(forms.Form):
    # The crisis-log form on the same page has a "text" too: one name (and id) per field.
    prefix = "chat"

    text = forms.CharField(
        label=_("Message"),
        max_length=ChatMessage._meta.get_field("text").max_length,
        widget=forms.Textarea(
            attrs={
                "rows": 2,
                "placeholder": _("@name to notify someone; fact#3, log#12 to link. **bold**, *italics*."),
            }
        ),
    )


class PromoteForm(forms.Form):
    category = forms.ChoiceField(label=_("Category"), choices=LogCategory.choices, initial=LogCategory.DECISION)
