from django import forms
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from truonghoc.forms import BootstrapFormMixin, MultipleFileField, MultipleFileInput, RichTextWidget
from units.models import Unit

from ..models import Letter
from ..selectors.letters import is_bare_reference, letters_by_reference_map
from ..services.letters import ATTACHMENT_MAX_BYTES, ATTACHMENTS_MAX, default_addressees, parents_units_for
from .recipients import RecipientsMixin, acting_unit_field, recipient_fields

ATTACHMENT_ACCEPT = ".pdf,.docx,application/pdf"


def citation_lines(text: str) -> list[str]:
    """The lines of "Căn cứ" in order. A line of bare letter numbers separated by ";" or "," is several
    letters; any other line is one reference, kept whole (a typed one may hold ";" and ",")."""
    lines = []
    for line in (text or "").splitlines():
        line = line.strip().rstrip(";").strip()
        if not line:
            continue
        parts = [p.strip() for p in line.replace(";", ",").split(",") if p.strip()]
        lines.extend(parts if len(parts) > 1 and all(is_bare_reference(p) for p in parts) else [line])
    return lines


def letter_recipient_fields() -> tuple:
    return recipient_fields(
        kinds_label=_("Every unit of these kinds below"),
        kinds_invalid=_("“%(value)s” is not a kind of unit below you."),
    )


class LetterForm(RecipientsMixin, BootstrapFormMixin, forms.Form):
    issuer = acting_unit_field(label=_("Issued by"), refused=_("You cannot issue letters on behalf of this unit."))
    number = forms.IntegerField(
        label=_("Number"),
        required=False,
        min_value=1,
        help_text=_("As written on the signed letter; it can be added later, but is needed to issue it."),
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
    )
    symbol = forms.CharField(
        label=_("Symbol"), max_length=60, help_text=_("The part after the number, for example SGDĐT-GDTrH.")
    )
    issued_on = forms.DateField(
        label=_("Date"),
        widget=forms.DateInput(format="%d/%m/%Y", attrs={"placeholder": "dd/mm/yyyy", "autocomplete": "off"}),
        error_messages={"invalid": _("Write the date as dd/mm/yyyy, for example 05/09/2025.")},
    )
    subject = forms.CharField(label=_("Subject (V/v)"), max_length=500, widget=forms.Textarea(attrs={"rows": 2}))
    signer_name = forms.CharField(label=_("Signed by"), max_length=150)
    signer_title = forms.CharField(
        label=_("Signer's title"), max_length=150, help_text=_("For example: Deputy Director.")
    )
    body = forms.CharField(
        label=_("Text"),
        required=False,
        widget=RichTextWidget(attrs={"rows": 10}),
        help_text=_("Paste the text of the letter. Formatting is kept; scripts and styles are removed."),
    )
    attachments = MultipleFileField(
        label=_("Attached files"),
        widget=MultipleFileInput(attrs={"accept": ATTACHMENT_ACCEPT}),
    )
    remove_attachments = forms.MultipleChoiceField(
        label=_("Remove these files"), required=False, widget=forms.CheckboxSelectMultiple
    )
    cites = forms.CharField(
        label=_("Cites (căn cứ)"),
        required=False,
        widget=forms.Textarea(
            attrs={"rows": 3, "placeholder": "1364/SGDĐT-GDTrH\nNghị định 30/2020/NĐ-CP ngày 05/3/2020 của Chính phủ"}
        ),
        help_text=_(
            "One per line, in the order they are to be shown. A number alone (1364/SGDĐT-GDTrH; add the year "
            "in brackets if two letters share it: 1364/SGDĐT-GDTrH (2024)) links to that letter on the "
            "system. Write documents that are not on it in full: “Công văn số 4567/BGDĐT-GDTrH ngày "
            "05/9/2024”, “Nghị định 30/2020/NĐ-CP”."
        ),
    )
    addressed_to = forms.ChoiceField(
        label=_("Addressed to (Kính gửi)"),
        choices=Letter.Addressees.choices,
        required=False,  # left empty: the usual addressees for the issuing unit (default_addressees)
        widget=forms.RadioSelect,
        help_text=_(
            "The unit has read the letter when one of these people opens it. Students see the letter only "
            "when it is addressed to everyone, and their opening never counts as the unit's."
        ),
        error_messages={"invalid_choice": _("Choose whom the letter is addressed to from the list.")},
    )
    parents_unit = forms.TypedChoiceField(
        label=_("Also addressed to parents"),
        required=False,
        coerce=int,
        empty_value=None,
        help_text=_(
            "Parents see the letter on their home page: those of every student below the issuing unit, or "
            "of one class of the school. Parents never see a letter that is not addressed to them."
        ),
        error_messages={"invalid_choice": _("Choose whose parents the letter is addressed to from the list.")},
    )
    is_public = forms.BooleanField(
        label=_("Public letter"),
        required=False,
        help_text=_("Shown to everyone, also on the public front page, and not only to the recipients."),
    )
    kinds, units, codes = letter_recipient_fields()

    def __init__(
        self, *args, user, issuers: list[Unit], unit_choices: list[Unit], letter: Letter | None = None, **kwargs
    ):
        self.user = user
        super().__init__(*args, **kwargs)
        self._setup_issuer("issuer", issuers)
        if not self.is_bound and "issued_on" not in self.initial:
            self.initial["issued_on"] = timezone.localdate()
        if not self.is_bound and "addressed_to" not in self.initial and issuers:
            self.initial["addressed_to"] = default_addressees(issuers[0])
        self._setup_recipients(issuers=issuers, unit_choices=unit_choices)
        self._parents_units = {u.pk: u for issuer in issuers for u in parents_units_for(issuer)}
        self.fields["parents_unit"].choices = [("", _("No: not to parents"))] + [
            (u.pk, _("The parents of the students of %(unit)s") % {"unit": u.name})
            for u in self._parents_units.values()
        ]
        self.fields["attachments"].help_text = gettext(
            "PDF or Word (.docx), at most %(size)d MB each, %(count)d files in all."
        ) % {
            "size": ATTACHMENT_MAX_BYTES // 1_048_576,
            "count": ATTACHMENTS_MAX,
        }
        existing = list(letter.attachments.all()) if letter is not None else []
        if existing:
            self.fields["remove_attachments"].choices = [(str(a.pk), a.name) for a in existing]
        else:
            del self.fields["remove_attachments"]

    def clean_cites(self):
        """The "Căn cứ" in order: letters found by their bare numbers, and typed references (str), which
        the service cleans and checks."""
        lines = citation_lines(self.cleaned_data.get("cites", ""))
        found, problems = letters_by_reference_map(
            user=self.user, references=[x for x in lines if is_bare_reference(x)]
        )
        if problems:
            raise forms.ValidationError(
                _(
                    "No letter you can see has the number %(references)s, or several do (add the year in "
                    "brackets). If it is not on the system, write what it is in full, for example “Công văn số "
                    "%(example)s ngày 05/9/2024” or “Nghị định 30/2020/NĐ-CP”."
                )
                % {"references": ", ".join(problems), "example": problems[0]},
                code="unknown",
            )
        return [found.get(line, line) for line in lines]

    def service_data(self) -> dict:
        data = self.cleaned_data
        return {
            "number": data["number"],
            "symbol": data["symbol"],
            "issued_on": data["issued_on"],
            "subject": data["subject"],
            "signer_name": data["signer_name"],
            "signer_title": data["signer_title"],
            "body": data["body"],
            "is_public": data["is_public"],
            "kinds": data["kinds"],
            "units": self.recipient_units(),
            "cites": data["cites"],
            "attachments": data["attachments"],
            "addressed_to": data.get("addressed_to") or None,
            "parents_unit": self._parents_units.get(data.get("parents_unit")),
        }


def letter_initial(letter: Letter, audience_units: list[Unit]) -> dict:
    """What the edit form starts from: the draft as saved."""
    return {
        "issuer": letter.issuer_id,
        "number": letter.number,
        "symbol": letter.symbol,
        "issued_on": letter.issued_on,
        "subject": letter.subject,
        "signer_name": letter.signer_name,
        "signer_title": letter.signer_title,
        "body": letter.body,
        "is_public": letter.is_public,
        "kinds": (letter.audience or {}).get("kinds", []),
        "units": [u.pk for u in audience_units],
        "cites": "\n".join(
            f"{c.cited.reference} ({c.cited.year})" if c.cited_id else c.text
            for c in letter.citations.select_related("cited")
        ),
        "addressed_to": letter.addressed_to,
        "parents_unit": letter.parents_unit_id,
    }


class LetterForwardForm(RecipientsMixin, BootstrapFormMixin, forms.Form):
    from_unit = acting_unit_field(
        label=_("Forward on behalf of"), refused=_("You cannot forward this letter on behalf of this unit.")
    )
    kinds, units, codes = letter_recipient_fields()

    def __init__(self, *args, from_units: list[Unit], unit_choices: list[Unit], **kwargs):
        super().__init__(*args, **kwargs)
        self._setup_issuer("from_unit", from_units, order=("path",))
        self._setup_recipients(issuers=from_units, unit_choices=unit_choices)
