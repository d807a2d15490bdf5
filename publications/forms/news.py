from django import forms
from django.utils.translation import gettext_lazy as _

from truonghoc.forms import BootstrapFormMixin, MultipleFileField, MultipleFileInput, RichTextWidget
from units.models import Unit

from ..services.news import IMAGES_MAX, NOTE_MAX, image_limits_text
from .recipients import acting_unit_field

IMAGE_ACCEPT = "image/jpeg,image/png,image/gif,image/webp"


class ArticleForm(BootstrapFormMixin, forms.Form):
    """Text and pictures of an article. Pictures are plain file fields: the service judges them by
    content and re-encodes them, and says which file is wrong."""

    unit = acting_unit_field(label=_("Unit"), refused=_("You cannot write news for this unit."))
    title = forms.CharField(label=_("Title"), max_length=255)
    summary = forms.CharField(
        label=_("Summary"),
        max_length=500,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("One or two sentences shown in lists and when the link is shared."),
    )
    body = forms.CharField(label=_("Text"), widget=RichTextWidget(attrs={"rows": 12}))
    cover = forms.FileField(
        label=_("Cover image"), required=False, widget=forms.ClearableFileInput(attrs={"accept": IMAGE_ACCEPT})
    )
    remove_cover = forms.BooleanField(label=_("Remove the cover image"), required=False)
    images = MultipleFileField(
        label=_("Add pictures to the gallery"), widget=MultipleFileInput(attrs={"accept": IMAGE_ACCEPT})
    )
    for_parents = forms.BooleanField(
        label=_("For parents too"),
        required=False,
        help_text=_(
            "Once approved, the article also shows on the home page of the parents of the students of the unit."
        ),
    )
    captions = forms.CharField(
        label=_("Captions of the new pictures"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("One line per picture, in the order the pictures were chosen."),
    )

    def __init__(self, *args, units=(), article=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.article = article
        self.images_list = list(article.images.order_by("position", "id")) if article is not None else []
        limits = image_limits_text()
        self.fields["cover"].help_text = limits
        self.fields["images"].help_text = _("At most %(max)d pictures in all. %(limits)s") % {
            "max": IMAGES_MAX,
            "limits": limits,
        }
        if article is None:
            self.fields["unit"].queryset = Unit.objects.filter(pk__in=[u.pk for u in units]).order_by("path")
            del self.fields["remove_cover"]
        else:
            del self.fields["unit"]
            if not article.cover:
                del self.fields["remove_cover"]
        for image in self.images_list:
            self.fields[f"caption_{image.pk}"] = forms.CharField(
                label=_("Caption"), max_length=255, required=False, initial=image.caption
            )
            self.fields[f"remove_{image.pk}"] = forms.BooleanField(label=_("Remove"), required=False)
        # The per-picture fields are rendered next to their pictures, not in the main list.
        self.gallery_rows = [
            {"image": image, "caption": self[f"caption_{image.pk}"], "remove": self[f"remove_{image.pk}"]}
            for image in self.images_list
        ]
        # These fields came after the mixin gave widgets their classes.
        for name in self.fields:
            if name.startswith("caption_"):
                self.fields[name].widget.attrs.setdefault("class", "form-control form-control-sm")
            elif name.startswith("remove_"):
                self.fields[name].widget.attrs["class"] = "form-check-input"

    def main_fields(self):
        return [self[name] for name in self.fields if not name.startswith(("caption_", "remove_"))]

    def service_data(self) -> dict:
        """What article_create and article_update both take from the form."""
        fields = ("title", "summary", "body", "cover", "images", "for_parents")
        return {**{name: self.cleaned_data[name] for name in fields}, "captions": self.new_captions()}

    def new_captions(self) -> list[str]:
        return [line.strip() for line in self.cleaned_data.get("captions", "").splitlines()]

    def image_captions(self) -> dict[int, str]:
        return {image.pk: self.cleaned_data.get(f"caption_{image.pk}", "") for image in self.images_list}

    def removed_images(self) -> list[int]:
        return [image.pk for image in self.images_list if self.cleaned_data.get(f"remove_{image.pk}")]


class ReviewForm(BootstrapFormMixin, forms.Form):
    decision = forms.ChoiceField(
        label=_("Decision"),
        choices=[("approve", _("Approve and publish")), ("return", _("Return to the author for changes"))],
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose whether to approve the article or return it.")},
    )
    note = forms.CharField(
        label=_("Note to the author"),
        max_length=NOTE_MAX,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Required when returning the article: say what to change."),
    )

    def clean(self):
        data = super().clean()
        if data.get("decision") == "return" and not (data.get("note") or "").strip():
            self.add_error("note", _("Say what the author should change."))
        return data
