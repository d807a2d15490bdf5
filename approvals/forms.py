"""The two forms of every approval page: a decision at a step or on a proposal, and a proposal to share."""

from django import forms
from django.utils.translation import gettext_lazy as _

from truonghoc.forms import BootstrapFormMixin
from units.models import Unit


class ReviewForm(BootstrapFormMixin, forms.Form):
    decision = forms.ChoiceField(
        label=_("Decision"),
        choices=[("approve", _("Approve")), ("refuse", _("Refuse"))],
        widget=forms.RadioSelect,
    )
    reason = forms.CharField(
        label=_("Reason"),
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Required when refusing: the author reads it to fix the item."),
    )

    def clean(self):
        data = super().clean()
        if data.get("decision") == "refuse" and not (data.get("reason") or "").strip():
            self.add_error("reason", _("Say why the item is refused, so the author can fix it."))
        return data


class ProposeForm(BootstrapFormMixin, forms.Form):
    target = forms.ModelChoiceField(label=_("Propose to"), queryset=None, empty_label=None)

    def __init__(self, *args, targets, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["target"].queryset = Unit.objects.filter(pk__in=[u.pk for u in targets])
