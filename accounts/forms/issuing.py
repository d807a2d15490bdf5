from django import forms
from django.utils.translation import gettext_lazy as _

from truonghoc.forms import BootstrapFormMixin
from truonghoc.text import refuse_formula_or_bidi
from units.models import Role, Unit

from ..models import IssueBatch, QuotaRequest, User

TYPE_CHOICES = [(User.AccountType.STUDENT, _("Student")), (User.AccountType.TEACHER, _("Teacher"))]


class AccountForm(BootstrapFormMixin, forms.Form):
    """One teacher (with their professional group) or one student (with their class)."""

    account_type = forms.ChoiceField(label=_("Account for a"), choices=TYPE_CHOICES, widget=forms.RadioSelect)
    full_name = forms.CharField(label=_("Full name"), max_length=150, validators=[refuse_formula_or_bidi])
    date_of_birth = forms.DateField(label=_("Date of birth"), required=False, help_text=_("dd/mm/yyyy"))
    gender = forms.ChoiceField(label=_("Gender"), choices=[("", "—"), *User.Gender.choices], required=False)
    national_id = forms.CharField(label=_("Personal ID (mã định danh)"), max_length=20, required=False)
    school_class = forms.ModelChoiceField(label=_("Class"), queryset=Unit.objects.none(), required=False)
    group = forms.ModelChoiceField(label=_("Professional group"), queryset=Unit.objects.none(), required=False)
    email = forms.EmailField(label=_("Email"), required=False)
    phone = forms.CharField(label=_("Phone"), max_length=20, required=False)

    def __init__(self, *args, school: Unit, **kwargs):
        super().__init__(*args, **kwargs)
        inside = Unit.objects.children(school).filter(is_active=True)
        self.fields["school_class"].queryset = inside.filter(kind=Unit.Kind.CLASS).order_by("grade", "name")
        self.fields["group"].queryset = inside.filter(kind=Unit.Kind.GROUP).order_by("name")

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("account_type") == User.AccountType.STUDENT and not cleaned.get("school_class"):
            self.add_error("school_class", _("Choose the student's class."))
        if cleaned.get("account_type") == User.AccountType.TEACHER and not cleaned.get("group"):
            self.add_error("group", _("Choose the teacher's professional group."))
        return cleaned

    def values(self) -> dict:
        """The values in the shape the issuing service checks (the same as a spreadsheet row)."""
        data = self.cleaned_data
        unit = data.get("school_class") if data["account_type"] == User.AccountType.STUDENT else data.get("group")
        born = data.get("date_of_birth")
        return {
            "full_name": data.get("full_name", ""),
            "date_of_birth": born.strftime("%d/%m/%Y") if born else "",
            "gender": {"male": "nam", "female": "nu", "other": "khac"}.get(data.get("gender") or "", ""),
            "national_id": data.get("national_id", ""),
            "unit": unit.name if unit else "",
            "email": data.get("email", ""),
            "phone": data.get("phone", ""),
        }


class ImportForm(BootstrapFormMixin, forms.Form):
    account_type = forms.ChoiceField(label=_("The file lists"), choices=TYPE_CHOICES, widget=forms.RadioSelect)
    file = forms.FileField(
        label=_("Spreadsheet (.xlsx or .csv)"),
        widget=forms.ClearableFileInput(attrs={"accept": ".xlsx,.csv,text/csv"}),
    )


class QuotaRequestForm(BootstrapFormMixin, forms.ModelForm):
    """`batch` (hidden) is the school's import refused for want of places, when the request is made from it."""

    class Meta:
        model = QuotaRequest
        fields = ["account_type", "amount", "reason", "batch"]
        widgets = {"reason": forms.Textarea(attrs={"rows": 3}), "batch": forms.HiddenInput}
        labels = {"amount": _("How many more accounts")}

    def __init__(self, *args, school: Unit, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["batch"].queryset = IssueBatch.objects.filter(school=school, kind=IssueBatch.Kind.IMPORT)
        self.fields["batch"].error_messages["invalid_choice"] = _("This import is not one of this school's imports.")

    def clean_amount(self):
        amount = self.cleaned_data["amount"]
        if amount < 1:
            raise forms.ValidationError(_("Ask for at least one account."))
        if amount > 100_000:
            raise forms.ValidationError(_("That is more than any school needs; check the number."))
        return amount


class QuotaSetForm(BootstrapFormMixin, forms.Form):
    teachers = forms.IntegerField(label=_("Teacher accounts"), min_value=0, max_value=100_000)
    students = forms.IntegerField(label=_("Student accounts"), min_value=0, max_value=1_000_000)
    note = forms.CharField(label=_("Note"), required=False, max_length=255)


class QuotaDecisionForm(BootstrapFormMixin, forms.Form):
    decision = forms.ChoiceField(choices=[("approve", _("Approve")), ("refuse", _("Refuse"))])
    note = forms.CharField(label=_("Reason or note"), required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("decision") == "refuse" and not (cleaned.get("note") or "").strip():
            self.add_error("note", _("Please give the reason for refusing."))
        return cleaned


class CredentialRequestForm(BootstrapFormMixin, forms.Form):
    """Staff above a school ask it to re-issue one account's credentials."""

    reason = forms.CharField(
        label=_("Why should the school re-issue the credentials?"),
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 2}),
        error_messages={"required": _("Please say why the credentials should be re-issued.")},
    )


class CredentialDecisionForm(BootstrapFormMixin, forms.Form):
    decision = forms.ChoiceField(choices=[("reissue", _("Re-issue")), ("decline", _("Decline"))])
    note = forms.CharField(
        label=_("Reason or note"), required=False, max_length=1000, widget=forms.Textarea(attrs={"rows": 2})
    )

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("decision") == "decline" and not (cleaned.get("note") or "").strip():
            self.add_error("note", _("Please give the reason for declining."))
        return cleaned


class StaffAccountForm(BootstrapFormMixin, forms.Form):
    """A new account for a staff member of an Office, Department or the Ministry, or for a school's
    principal or school admin, issued by the unit above with its role (accounts.services.staff)."""

    role = forms.ChoiceField(label=_("Role"))
    full_name = forms.CharField(label=_("Full name"), max_length=150, validators=[refuse_formula_or_bidi])
    date_of_birth = forms.DateField(label=_("Date of birth"), required=False, help_text=_("dd/mm/yyyy"))
    gender = forms.ChoiceField(label=_("Gender"), choices=[("", "—"), *User.Gender.choices], required=False)
    national_id = forms.CharField(label=_("Personal ID (mã định danh)"), max_length=20)
    email = forms.EmailField(label=_("Email"), required=False)
    phone = forms.CharField(label=_("Phone"), max_length=20, required=False)

    def __init__(self, *args, roles, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["role"].choices = [(role, Role(role).label) for role in roles]

    def values(self) -> dict:
        """The values in the shape the issuing service checks (the same as a spreadsheet row)."""
        data = self.cleaned_data
        born = data.get("date_of_birth")
        return {
            "full_name": data.get("full_name", ""),
            "date_of_birth": born.strftime("%d/%m/%Y") if born else "",
            "gender": {"male": "nam", "female": "nu", "other": "khac"}.get(data.get("gender") or "", ""),
            "national_id": data.get("national_id", ""),
            "email": data.get("email", ""),
            "phone": data.get("phone", ""),
        }
