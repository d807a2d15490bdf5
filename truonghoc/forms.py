import errno
import json
import logging
from contextlib import contextmanager
from types import SimpleNamespace

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db import transaction
from django.templatetags.static import static
from django.utils.translation import gettext

from .params import parse_id
from .text import search_text
from .uploads import refused_uploads_error

logger = logging.getLogger(__name__)
# A disk (or a quota) that is full: the media's storage could not write the file. Nothing the person did
# wrong, and nothing they can fix by changing the form; said plainly, and the operators are told.
DISK_FULL_ERRNOS = frozenset({errno.ENOSPC, errno.EDQUOT})

# A moment typed in a form: <input type="datetime-local"> sends 2025-12-29T07:30; people whose browser has
# no picker type 29/12/2025 07:30 (the Vietnamese way) or 2025-12-29 07:30.
DATETIME_INPUT = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")
DATETIME_FORMATS = ["%Y-%m-%dT%H:%M", "%d/%m/%Y %H:%M", "%Y-%m-%d %H:%M"]


class SearchField(forms.CharField):
    """A search box: what was typed, NUL and other control characters dropped (text.search_text) before
    validation, so a stray NUL searches for the rest instead of refusing the form or reaching PostgreSQL."""

    def to_python(self, value):
        return search_text(super().to_python(value), max_length=self.max_length or 200)


class IdMultipleChoiceField(forms.ModelMultipleChoiceField):
    """Django's field looks every posted value up with `pk__in`: a thirty-digit one overflows SQLite's
    INTEGER there (a 500). Values that are not ids (params.parse_id) get the field's own error first."""

    def _check_values(self, value):
        for pk in value if isinstance(value, list | tuple) else ():
            if parse_id(pk) is None:
                raise ValidationError(
                    self.error_messages["invalid_pk_value"], code="invalid_pk_value", params={"pk": pk}
                )
        return super()._check_values(value)


def moment_field(*, label, invalid, help_text="") -> forms.DateTimeField:
    """A moment typed in a form, read in every way above; `invalid` tells how to write it."""
    return forms.DateTimeField(
        label=label,
        widget=DATETIME_INPUT,
        input_formats=DATETIME_FORMATS,
        error_messages={"invalid": invalid},
        help_text=help_text,
    )


class BootstrapFormMixin:
    """Gives every widget Bootstrap's classes, and marks invalid fields, so templates can render
    fields with `{% include "components/field.html" %}` and Django keeps what was typed."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            widget = field.widget
            if isinstance(widget, forms.RadioSelect | forms.CheckboxSelectMultiple):
                widget.attrs.setdefault("class", "form-check-input")
            elif isinstance(widget, forms.CheckboxInput):
                widget.attrs["class"] = "form-check-input"
            elif isinstance(widget, forms.Select):
                widget.attrs["class"] = "form-select"
            elif not isinstance(widget, forms.HiddenInput):
                widget.attrs.setdefault("class", "form-control")

    def add_error(self, field, error):
        # Field cleaning and errors a service reports after validation both come through here.
        super().add_error(field, error)
        for name in self.errors:
            if name in self.fields:
                widget = self.fields[name].widget
                classes = widget.attrs.get("class", "").split()
                if "is-invalid" not in classes:
                    widget.attrs["class"] = " ".join([*classes, "is-invalid"])


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files from one input, as a list (empty when none); the services check each file (type by
    content, size, how many) so they can say which one is wrong."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput())
        kwargs.setdefault("required", False)
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        if isinstance(data, list | tuple):
            return [super(MultipleFileField, self).clean(d, initial) for d in data if d]
        return [super().clean(data, initial)] if data else []


def add_service_errors(form, error) -> None:
    """Show a service's refusal (a ValidationError) next to the field it concerns, or above the form."""
    if hasattr(error, "error_dict"):
        for field, errors in error.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, error)


def cleaned_values(form, names) -> dict:
    """The form's cleaned values that a service takes as keyword arguments, by name."""
    return {name: form.cleaned_data[name] for name in names}


def form_saved(request, form, save, *, upload_field: str | None = None) -> SimpleNamespace | None:
    """The POST half of a form page: validate `form`, hand its cleaned data to `save` (a call of a
    service) and return what it returned as `.result`; None while the page must show the form again (a
    GET, an invalid form, or the service's refusal, which is put next to the fields it names).

    With `upload_field`, files the upload handler dropped for being too large (they never reach the
    form) are refused on that field and nothing is saved. Written once so that every form page treats a
    refusal the same way; the view keeps its own success message and redirect.

        saved = form_saved(request, form, lambda data: services.thing_create(actor=request.user, **data))
        if saved:
            messages.success(request, _("Added."))
            return redirect(saved.result)
    """
    if request.method != "POST":
        return None
    refused = refused_uploads_error(request) if upload_field else None
    if not form.is_valid() or refused is not None:
        if refused is not None:
            form.add_error(upload_field, refused)
        return None
    try:
        with transaction.atomic():
            result = save(form.cleaned_data)
    except ValidationError as exc:
        add_service_errors(form, exc)
        return None
    except OSError as exc:
        if exc.errno not in DISK_FULL_ERRNOS:
            raise
        logger.error("Media storage is full: an upload was refused (%s)", exc)
        form.add_error(
            upload_field if upload_field in form.fields else None,
            gettext("The server has no room left to store files. Nothing was saved; please try again later."),
        )
        return None
    return SimpleNamespace(result=result)


@contextmanager
def service_outcome(request, success=None):
    """Run a service in the block and tell the person how it went, as a message on the next page: the
    service's refusal (a ValidationError; the service has changed nothing), else `success`. The block may
    set `outcome.success` itself when the words depend on the result; `outcome.ok` says which it was.

        with service_outcome(request, _("The post has been removed.")):
            services.post_delete(actor=request.user, post=post)
    """
    outcome = SimpleNamespace(ok=False, success=success)
    try:
        yield outcome
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        outcome.ok = True
        if outcome.success:
            messages.success(request, outcome.success)


class RichTextWidget(forms.Textarea):
    """The one editor of formatted texts (posts, letters, news, course texts): a textarea that
    static/js/rich_text.js turns into a Quill editor with a toolbar (bold, italic, underline, headings,
    lists, quote, link). The editor writes its HTML back into the textarea, so the form posts as before;
    without JavaScript the textarea stays and plain text works (truonghoc.richtext.clean_html makes
    paragraphs of it). Whatever arrives is sanitised by the services."""

    def __init__(self, attrs=None):
        super().__init__({"rows": 8, **(attrs or {})})

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        context["widget"]["attrs"].update(
            {
                "data-rich-text": "1",
                "data-editor-js": static("vendor/quill/quill.js"),
                "data-editor-css": static("vendor/quill/quill.snow.css"),
                "data-editor-labels": json.dumps(_editor_labels(), ensure_ascii=False),
            }
        )
        return context


def _editor_labels() -> dict[str, str]:
    return {
        "bold": gettext("Bold"),
        "italic": gettext("Italic"),
        "underline": gettext("Underline"),
        "header2": gettext("Heading"),
        "header3": gettext("Subheading"),
        "header4": gettext("Small heading"),
        "ordered": gettext("Numbered list"),
        "bullet": gettext("Bulleted list"),
        "blockquote": gettext("Quote"),
        "link": gettext("Link"),
        "clean": gettext("Remove formatting"),
        "visit": gettext("Open link:"),
        "enter": gettext("Link address:"),
        "edit": gettext("Edit"),
        "save": gettext("Save"),
        "remove": gettext("Remove"),
    }
