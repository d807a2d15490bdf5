"""Forms for making and editing learning materials (deciding and proposing are approvals.forms).
Business rules (file checks by kind, who may act, the approval steps) live in materials.services.library;
these forms turn what was typed into values and keep it when the service refuses."""

import re

from django import forms
from django.utils.translation import gettext_lazy as _

from truonghoc.forms import BootstrapFormMixin, RichTextWidget, SearchField

from ..models import Kind, Licence, Material
from ..permissions import materials_visible_q

USES_MAX = 50


def search_field(placeholder) -> forms.CharField:
    """The search box of the library's and the bank's filters (every word must appear, accents aside:
    selectors.library.search_words)."""
    return SearchField(
        label=_("Search"),
        required=False,
        max_length=200,
        widget=forms.TextInput(attrs={"type": "search", "placeholder": placeholder}),
    )


class MaterialForm(BootstrapFormMixin, forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=Kind.choices)
    title = forms.CharField(label=_("Title"), max_length=255)
    subject = forms.CharField(label=_("Subject"), max_length=100, required=False)
    grade = forms.IntegerField(label=_("Grade"), required=False, min_value=1, max_value=12)
    topic = forms.CharField(label=_("Topic"), max_length=255, required=False)
    licence = forms.ChoiceField(label=_("Licence"), choices=Licence.choices, initial=Licence.CC_BY)
    description = forms.CharField(label=_("Description"), widget=RichTextWidget(attrs={"rows": 4}), required=False)
    usage_guide = forms.CharField(label=_("Usage guide"), widget=RichTextWidget(attrs={"rows": 4}), required=False)
    body = forms.CharField(
        label=_("Lesson content"),
        widget=RichTextWidget(attrs={"rows": 8}),
        required=False,
        help_text=_("For illustrative and interactive lessons: the activities, the content and its questions."),
    )
    file = forms.FileField(
        label=_("File"),
        required=False,
        help_text=_(
            "Video: MP4 or WebM up to 500 MB. Document: PDF, Word, Excel or PowerPoint up to 50 MB. "
            "Image: JPEG or PNG up to 20 MB. Audio: MP3, OGG or WAV up to 100 MB. "
            "Simulation: an HTML5 package (.zip with index.html) up to 100 MB."
        ),
    )
    link_url = forms.URLField(
        label=_("Link"),
        required=False,
        max_length=1000,
        assume_scheme="https",
        help_text=_("Only for a simulation hosted elsewhere, instead of a package."),
    )
    uses = forms.CharField(
        label=_("Items this lesson uses"),
        required=False,
        help_text=_(
            "Numbers of approved library items, separated by commas, for example 12, 40; "
            "or find them with the search below."
        ),
    )

    def __init__(self, *args, user, material: Material | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        self.material = material
        if material is not None:
            # The kind never changes; the catalogue fields are fixed once reviewers approved them.
            del self.fields["kind"]
            if material.live_version_id is not None:
                for name in ("subject", "grade", "topic", "licence"):
                    del self.fields[name]

    def clean_link_url(self):
        value = self.cleaned_data["link_url"]
        if value and not value.lower().startswith(("http://", "https://")):
            raise forms.ValidationError(_("A link must start with http:// or https://."))
        return value

    def clean_uses(self):
        raw = self.cleaned_data["uses"]
        numbers = [int(n) for n in re.findall(r"\d+", raw or "")]
        if len(numbers) != len(re.findall(r"[^\s,;#]+", raw or "")):
            raise forms.ValidationError(_("Write item numbers only, separated by commas."))
        numbers = list(dict.fromkeys(numbers))
        if len(numbers) > USES_MAX:
            raise forms.ValidationError(_("A lesson can use at most %(max)d items.") % {"max": USES_MAX})
        found = {
            m.pk: m
            for m in Material.objects.filter(
                materials_visible_q(self.user), pk__in=numbers, live_version__isnull=False
            ).exclude(pk=getattr(self.material, "pk", None))
        }
        missing = [str(n) for n in numbers if n not in found]
        if missing:
            raise forms.ValidationError(
                _("These numbers are not approved items you can see: %(numbers)s.") % {"numbers": ", ".join(missing)}
            )
        return [found[n] for n in numbers]

    def service_fields(self) -> dict:
        data = dict(self.cleaned_data)
        data.pop("kind", None)
        data["file"] = data.get("file") or None
        return data
