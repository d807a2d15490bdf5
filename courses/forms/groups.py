"""Forms of the professional-group pages. The checks on the file itself (type by content, size) are
the product service's, so a file refused anywhere gets the same message."""

from django import forms
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from truonghoc.forms import BootstrapFormMixin, RichTextWidget
from truonghoc.uploads import type_labels

from ..services.topics import PRODUCT_MAX_BYTES, PRODUCT_TYPES


class ProductForm(BootstrapFormMixin, forms.Form):
    title = forms.CharField(label=_("Title"), max_length=255)
    description = forms.CharField(label=_("Description"), required=False, widget=RichTextWidget(attrs={"rows": 4}))
    file = forms.FileField(label=_("File"), required=False)
    link_url = forms.URLField(
        label=_("Link"),
        required=False,
        assume_scheme="https",
        help_text=_("A video or document kept elsewhere (YouTube, Google Drive…)."),
    )
    topic = forms.ModelChoiceField(label=_("For the topic"), queryset=None, required=False, empty_label=_("(none)"))

    def __init__(self, *args, topics, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["topic"].queryset = topics
        self.fields["file"].help_text = gettext("%(types)s; at most %(size)d MB. Or give a link below.") % {
            "types": type_labels(PRODUCT_TYPES),
            "size": PRODUCT_MAX_BYTES // 1024**2,
        }
        self.fields["file"].widget.attrs["accept"] = ",".join(f".{t}" for t in PRODUCT_TYPES)
