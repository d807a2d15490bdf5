"""Forms of judging and results: a judge's score, the pool of judges, award quotas, the publication time.
The rules (ranges, conflicts, locks, quotas) are the services'; these read what was typed."""

import re

from django import forms
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from truonghoc.formatting import number
from truonghoc.forms import BootstrapFormMixin, moment_field
from truonghoc.marks import read_number

from .models import Award

MAX_USERNAMES = 200


class ScoreForm(BootstrapFormMixin, forms.Form):
    """One field per criterion of the rubric ("c<id>": text, so 8,5 reads as 8.5 in the service) and a
    comment. The service checks each value against its criterion's range."""

    comment = forms.CharField(label=gettext_lazy("Comment"), required=False, max_length=5000,
                              widget=forms.Textarea(attrs={"rows": 3}))  # fmt: skip

    def __init__(self, *args, criteria, initial_values=None, **kwargs):
        super().__init__(*args, **kwargs)
        initial_values = initial_values or {}
        fields = {}
        for criterion in criteria:
            fields[f"c{criterion.pk}"] = forms.CharField(
                label=f"{criterion.title} (0–{number(criterion.max_score)})",
                required=False,
                max_length=20,
                initial=initial_values.get(str(criterion.pk), ""),
                widget=forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off", "class": "form-control"}),
                help_text=" · ".join(
                    f"{band.label} {number(band.min_score)}–{number(band.max_score)}" for band in criterion.bands.all()
                ),
            )
        comment = self.fields.pop("comment")
        self.fields.update(fields)
        self.fields["comment"] = comment
        self.criteria = criteria

    def values(self) -> dict:
        return {name: self.cleaned_data.get(name, "") for name in self.fields if name.startswith("c")}


class JudgesAddForm(BootstrapFormMixin, forms.Form):
    usernames = forms.CharField(
        label=gettext_lazy("Judges' usernames"),
        help_text=gettext_lazy("One or more usernames, separated by spaces, commas or new lines."),
        max_length=10_000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def clean_usernames(self):
        names = {n for n in self.cleaned_data["usernames"].replace(",", " ").split() if n}
        if len(names) > MAX_USERNAMES:
            raise ValidationError(_("Add at most %(n)d judges at a time.") % {"n": MAX_USERNAMES})
        users = list(get_user_model().objects.filter(username__in=names))
        missing = sorted(names - {u.username for u in users})
        if missing:
            raise ValidationError(_("No account has the username: %(names)s.") % {"names": ", ".join(missing[:10])})
        return users


class QuotasForm(BootstrapFormMixin, forms.Form):
    """For each prize: none, a number, or a percentage of the entries ranked in each unit."""

    HOW = [("", gettext_lazy("None")), ("count", gettext_lazy("Number")), ("percent", gettext_lazy("Percentage"))]

    def __init__(self, *args, quotas=None, **kwargs):
        super().__init__(*args, **kwargs)
        quotas = quotas or {}
        for prize, label in Award.Prize.choices:
            quota = quotas.get(prize)
            how = "" if quota is None else ("count" if quota.count is not None else "percent")
            amount = "" if quota is None else (quota.count if quota.count is not None else number(quota.percent))
            self.fields[f"{prize}_how"] = forms.ChoiceField(label=label, choices=self.HOW, required=False, initial=how)
            self.fields[f"{prize}_amount"] = forms.CharField(
                label=_("How many / %"), required=False, max_length=10, initial=amount,
                widget=forms.TextInput(attrs={"inputmode": "decimal"}),
            )  # fmt: skip

    def clean(self):
        data = super().clean()
        quotas = {}
        for prize, _label in Award.Prize.choices:
            how = data.get(f"{prize}_how")
            if not how:
                continue
            amount = read_number(data.get(f"{prize}_amount"))
            if amount is None or (how == "count" and amount != amount.to_integral_value()):
                self.add_error(f"{prize}_amount", _("Give a whole number of prizes, or a percentage."))
                continue
            quotas[prize] = (how, amount)
        data["quotas"] = quotas
        return data

    def prize_rows(self):
        return [(self[f"{prize}_how"], self[f"{prize}_amount"]) for prize, _label in Award.Prize.choices]


class ScheduleForm(BootstrapFormMixin, forms.Form):
    publish_at = moment_field(
        label=gettext_lazy("Results published at"),
        invalid=gettext_lazy("Write the moment as dd/mm/yyyy hh:mm."),
    )


class RubricForm(BootstrapFormMixin, forms.Form):
    """The rubric as lines: "criterion; weight; maximum; band from–to, band from–to" (the bands are optional),
    e.g. "Nội dung; 2; 10; Tốt 8–10, Khá 6,5–7,75". Each wrong line is named."""

    lines = forms.CharField(
        label=gettext_lazy("Criteria"),
        help_text=gettext_lazy(
            "One criterion a line: name; weight; maximum score; then, if you wish, bands such as "
            "Tốt 8–10, Khá 6,5–7,75."
        ),
        max_length=20_000,
        widget=forms.Textarea(attrs={"rows": 6}),
    )

    BAND = re.compile(r"^(?P<label>.+?)\s+(?P<low>[\d.,]+)\s*[–-]\s*(?P<high>[\d.,]+)$")

    def clean_lines(self):
        criteria, errors = [], []
        for line_no, line in enumerate(self.cleaned_data["lines"].splitlines(), start=1):
            if not line.strip():
                continue
            parts = [p.strip() for p in line.split(";")]
            weight = read_number(parts[1]) if len(parts) > 1 else None
            maximum = read_number(parts[2]) if len(parts) > 2 else None
            if len(parts) < 3 or not parts[0] or weight is None or maximum is None:
                errors.append(_("Line %(n)d: write name; weight; maximum score.") % {"n": line_no})
                continue
            bands = []
            # Bands are separated by commas; a comma between digits is a decimal mark (6,5).
            for text in filter(None, (b.strip() for b in re.split(r",\s*(?=\D)", ";".join(parts[3:])))):
                match = self.BAND.match(text)
                low = read_number(match["low"]) if match else None
                high = read_number(match["high"]) if match else None
                if low is None or high is None:
                    errors.append(_("Line %(n)d: write a band as its name and range, like Tốt 8–10.") % {"n": line_no})
                    break
                bands.append((match["label"], low, high))
            criteria.append({"title": parts[0], "weight": weight, "max_score": maximum, "bands": bands})
        if errors:
            raise ValidationError(errors)
        return criteria

    @staticmethod
    def lines_of(criteria) -> str:
        return "\n".join(
            "; ".join(
                [c.title, number(c.weight), number(c.max_score)]
                + ([", ".join(f"{b.label} {number(b.min_score)}–{number(b.max_score)}" for b in c.bands.all())]
                   if c.bands.all() else [])
            )
            for c in criteria
        )  # fmt: skip
