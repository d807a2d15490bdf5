from django import forms
from django.utils.translation import gettext_lazy as _

from truonghoc.forms import BootstrapFormMixin

from .services import BODY_MAX_CHARS

BODY_HELP = _("Plain text, or simple formatting: bold, italic, lists, quotes, links and code.")


class ThreadForm(BootstrapFormMixin, forms.Form):
    title = forms.CharField(label=_("Title"), max_length=255)
    body = forms.CharField(
        label=_("Message"), max_length=BODY_MAX_CHARS, widget=forms.Textarea(attrs={"rows": 5}), help_text=BODY_HELP
    )


class ReplyForm(BootstrapFormMixin, forms.Form):
    body = forms.CharField(
        label=_("Your reply"), max_length=BODY_MAX_CHARS, widget=forms.Textarea(attrs={"rows": 4}), help_text=BODY_HELP
    )
    quoted = forms.IntegerField(required=False, widget=forms.HiddenInput)


class PostEditForm(BootstrapFormMixin, forms.Form):
    body = forms.CharField(
        label=_("Message"), max_length=BODY_MAX_CHARS, widget=forms.Textarea(attrs={"rows": 6}), help_text=BODY_HELP
    )


class ReasonForm(BootstrapFormMixin, forms.Form):
    reason = forms.CharField(label=_("Reason"), max_length=255)


class ModeratorForm(BootstrapFormMixin, forms.Form):
    username = forms.CharField(label=_("Username"), max_length=150)
