from django import forms
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from truonghoc.forms import BootstrapFormMixin, MultipleFileField, MultipleFileInput, RichTextWidget

from .services import ATTACHMENT_MAX_BYTES, ATTACHMENT_TYPES, ATTACHMENTS_MAX, BODY_MAX_CHARS

BODY_HELP = _("Use the toolbar for bold, italic, headings, lists, quotes and links. Plain text works too.")
FILES_HELP = format_lazy(
    _("Optional: up to {count} files (PDF, Word, Excel, PowerPoint, JPEG or PNG), at most {size} MB each."),
    count=ATTACHMENTS_MAX,
    size=ATTACHMENT_MAX_BYTES // (1024 * 1024),
)


def attachments_field(label):
    return MultipleFileField(
        label=label,
        widget=MultipleFileInput(attrs={"accept": ",".join(f".{e}" for e in ATTACHMENT_TYPES)}),
        help_text=FILES_HELP,
    )


class ThreadForm(BootstrapFormMixin, forms.Form):
    title = forms.CharField(label=_("Title"), max_length=255)
    body = forms.CharField(
        label=_("Message"), max_length=BODY_MAX_CHARS, widget=RichTextWidget(attrs={"rows": 5}), help_text=BODY_HELP
    )
    files = attachments_field(_("Attached files"))


class ReplyForm(BootstrapFormMixin, forms.Form):
    body = forms.CharField(
        label=_("Your reply"), max_length=BODY_MAX_CHARS, widget=RichTextWidget(attrs={"rows": 4}), help_text=BODY_HELP
    )
    files = attachments_field(_("Attached files"))
    quoted = forms.IntegerField(required=False, widget=forms.HiddenInput)


class PostEditForm(BootstrapFormMixin, forms.Form):
    body = forms.CharField(
        label=_("Message"), max_length=BODY_MAX_CHARS, widget=RichTextWidget(attrs={"rows": 6}), help_text=BODY_HELP
    )


class ReasonForm(BootstrapFormMixin, forms.Form):
    reason = forms.CharField(label=_("Reason"), max_length=255)


class ModeratorForm(BootstrapFormMixin, forms.Form):
    username = forms.CharField(label=_("Username"), max_length=150)


class HomeroomMessageForm(BootstrapFormMixin, forms.Form):
    """A message between a child's parents and the homeroom teacher: plain text, written on a phone."""

    body = forms.CharField(
        label=_("Your message"),
        max_length=BODY_MAX_CHARS,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": _("Write something before sending.")},
    )
