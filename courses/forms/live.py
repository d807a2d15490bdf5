from django import forms
from django.utils.translation import gettext_lazy as _

from truonghoc.forms import BootstrapFormMixin, moment_field

from ..models import LiveSession


class LiveSessionForm(BootstrapFormMixin, forms.ModelForm):
    starts_at = moment_field(
        label=_("Starts at"),
        invalid=_("Write the time as dd/mm/yyyy hh:mm, for example 29/12/2025 19:30."),
        help_text=_("Vietnam time."),
    )

    # A plain text field, so the service's message (https, the tool's domain) is the one people see.
    url = forms.CharField(
        label=_("Meeting link"), max_length=1000, widget=forms.URLInput(attrs={"placeholder": "https://meet.jit.si/…"})
    )

    class Meta:
        model = LiveSession
        fields = ["title", "starts_at", "duration_minutes", "tool", "url"]
        help_texts = {
            "url": _("The https link learners open to join, from the meeting tool chosen above."),
        }

    def _post_clean(self):
        # The service checks the link against the tool and saves; the form only converts input.
        pass
