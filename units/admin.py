from django import forms
from django.contrib import admin, messages
from django.contrib.admin.widgets import ForeignKeyRawIdWidget
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse, HttpResponseBadRequest
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from treebeard.admin import TreeAdmin

from .models import AuditEntry, Cluster, RoleAssignment, SchoolYear, Unit, is_below
from .services import (
    SCHOOL_YEAR_DATES,
    _check_cluster,
    _check_placement,
    _check_role_placement,
    cluster_create,
    cluster_remove,
    cluster_update,
    role_assign,
    role_revoke,
    school_year_adjust,
    school_year_label_clean,
    school_year_set,
    unit_close,
    unit_create,
    unit_move,
    unit_rename,
    unit_reopen,
)

# The admin changes the tree, the roles, the clusters and the school years only through the audited
# services (unit_create, unit_rename, unit_move, unit_close, unit_reopen, role_assign, role_revoke,
# cluster_create, cluster_update, cluster_remove, school_year_set, school_year_adjust), so every change made
# here leaves the same audit entry as one made anywhere else. What no service changes here (a unit's kind,
# level, grade, merging, declared numbers; an existing role) is read-only; a unit is closed or reopened with
# the list's actions, never deleted.


def _parent_field() -> forms.ModelChoiceField:
    # A raw id, not a <select>: a country has tens of thousands of units.
    remote = Unit._meta.get_field("merged_into").remote_field
    return forms.ModelChoiceField(
        label=gettext_lazy("Parent unit"),
        queryset=Unit.objects.all(),
        required=False,
        widget=ForeignKeyRawIdWidget(remote, admin.site),
    )


class UnitAddForm(forms.ModelForm):
    parent = _parent_field()

    class Meta:
        model = Unit
        fields = ["parent", "code", "name", "kind", "school_level", "grade"]

    def clean(self):
        data = super().clean()
        if data.get("kind"):
            try:
                _check_placement(
                    kind=data["kind"],
                    school_level=data.get("school_level") or "",
                    parent=data.get("parent"),
                    grade=data.get("grade"),
                )
            except ValidationError as error:
                self.add_error(None, error)
        return data


class UnitChangeForm(forms.ModelForm):
    parent = _parent_field()

    class Meta:
        model = Unit
        fields = ["parent", "code", "name"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.current_parent = Unit.objects.get_parent(self.instance) if self.instance.pk else None
        self.fields["parent"].initial = self.current_parent
        # A root stays a root; any other unit must stay under some parent.
        self.fields["parent"].required = self.current_parent is not None

    def clean_parent(self):
        parent = self.cleaned_data.get("parent")
        if parent is None or (self.current_parent is not None and parent.pk == self.current_parent.pk):
            return parent
        # The checks unit_move makes, shown on the form instead of failing the save.
        if is_below(parent.path, self.instance.path):
            raise ValidationError(_("A unit cannot be moved under itself."))
        try:
            _check_placement(kind=self.instance.kind, school_level=self.instance.school_level, parent=parent)
        except ValidationError as error:
            raise ValidationError(error.messages) from error
        return parent


@admin.register(Unit)
class UnitAdmin(TreeAdmin):
    list_display = ("name", "code", "kind", "school_level", "is_active")
    list_filter = ("kind", "school_level", "is_active")
    search_fields = ("name", "name_folded", "code")
    change_readonly = (
        "kind",
        "school_level",
        "grade",
        "homeroom_teacher",
        "declared_teachers",
        "declared_students",
        "is_active",
        "closed_on",
        "merged_into",
    )
    actions = ["close_units", "reopen_units"]

    def get_form(self, request, obj=None, change=False, **kwargs):
        kwargs["form"] = UnitChangeForm if obj is not None else UnitAddForm
        return super().get_form(request, obj, change=change, **kwargs)

    def get_fields(self, request, obj=None):
        if obj is None:
            return UnitAddForm.Meta.fields
        return [*UnitChangeForm.Meta.fields, *self.change_readonly]

    def get_readonly_fields(self, request, obj=None):
        return self.change_readonly if obj is not None else ()

    def has_delete_permission(self, request, obj=None):
        return False  # units are never deleted: they are closed or merged and stay, inactive

    def _each_through(self, request, queryset, service, done: str) -> None:
        count = 0
        for unit in queryset.order_by("-depth"):  # the deepest first: a parent closes after its units
            try:
                service(actor=request.user, unit=unit)
                count += 1
            except ValidationError as error:
                self.message_user(request, " ".join(error.messages), messages.ERROR)
        if count:
            self.message_user(request, done % {"count": count}, messages.SUCCESS)

    @admin.action(description=gettext_lazy("Close the selected units (today)"), permissions=["change"])
    def close_units(self, request, queryset):
        self._each_through(request, queryset, unit_close, _("%(count)d units closed."))

    @admin.action(description=gettext_lazy("Reopen the selected units"), permissions=["change"])
    def reopen_units(self, request, queryset):
        self._each_through(request, queryset.order_by("depth"), unit_reopen, _("%(count)d units reopened."))

    def save_model(self, request, obj, form, change):
        data = form.cleaned_data
        if not change:
            unit = unit_create(
                actor=request.user,
                parent=data.get("parent"),
                code=data["code"],
                name=data["name"],
                kind=data["kind"],
                school_level=data.get("school_level") or "",
                grade=data.get("grade"),
            )
        else:
            # The form has already written the new values on `obj`: the services read the saved row.
            unit = Unit.objects.get(pk=obj.pk)
            if data["name"] != unit.name or data["code"].strip() != unit.code:
                unit = unit_rename(actor=request.user, unit=unit, name=data["name"], code=data["code"])
            parent = data.get("parent")
            if parent is not None and (form.current_parent is None or parent.pk != form.current_parent.pk):
                unit = unit_move(actor=request.user, unit=unit, new_parent=parent)
        _adopt(obj, unit)

    def move_node(self, request):
        """Drag and drop in the tree list: a change of parent goes through unit_move; the order of
        siblings is not kept (children are listed by kind and name), so a reorder is refused."""
        if not self.has_change_permission(request):
            raise PermissionDenied
        try:
            node = Unit.objects.get(pk=request.POST.get("node"))
            target = Unit.objects.get(pk=request.POST.get("target"))
        except (Unit.DoesNotExist, ValueError, TypeError):
            return HttpResponseBadRequest("Invalid form data provided")
        new_parent = target if request.POST.get("relation") == "child" else Unit.objects.get_parent(target)
        old_parent = Unit.objects.get_parent(node)
        if new_parent is None or (old_parent is not None and new_parent.pk == old_parent.pk):
            messages.error(request, _("Units are listed by kind and name; only their parent unit can be changed."))
            return HttpResponseBadRequest("Only the parent can be changed")
        try:
            unit_move(actor=request.user, unit=node, new_parent=new_parent)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
            return HttpResponseBadRequest("Refused")
        messages.info(request, _("Unit moved"))
        return HttpResponse("OK")


def _adopt(obj, saved) -> None:
    # The admin goes on with `obj` (its log, its redirect): give it what the service saved.
    for field in type(saved)._meta.concrete_fields:
        setattr(obj, field.attname, getattr(saved, field.attname))
    obj._state.adding = False


class ClusterForm(forms.ModelForm):
    class Meta:
        model = Cluster
        fields = ["owner", "code", "name", "schools"]

    def clean(self):
        data = super().clean()
        owner = data.get("owner") or (self.instance.owner if self.instance.pk else None)
        if owner is not None:
            try:
                _check_cluster(owner=owner, schools=list(data.get("schools") or []))
            except ValidationError as error:
                self.add_error(None, error)
        return data


@admin.register(Cluster)
class ClusterAdmin(admin.ModelAdmin):
    """Clusters are created (cluster_create), changed (cluster_update) and removed (cluster_remove)
    here through the services; the owner is fixed once the cluster exists."""

    form = ClusterForm
    list_display = ("name", "code", "owner")
    filter_horizontal = ("schools",)
    raw_id_fields = ("owner",)

    def get_readonly_fields(self, request, obj=None):
        return ("owner",) if obj is not None else ()

    def save_model(self, request, obj, form, change):
        data = form.cleaned_data
        if change:
            cluster = cluster_update(
                actor=request.user,
                cluster=Cluster.objects.get(pk=obj.pk),
                name=data["name"],
                code=data["code"],
                schools=data["schools"],
            )
        else:
            cluster = cluster_create(
                actor=request.user, owner=data["owner"], code=data["code"], name=data["name"], schools=data["schools"]
            )
        _adopt(obj, cluster)

    def save_related(self, request, form, formsets, change):
        pass  # the service has set the schools (and audited them)

    def delete_model(self, request, obj):
        cluster_remove(actor=request.user, cluster=obj)

    def delete_queryset(self, request, queryset):
        for cluster in queryset:
            cluster_remove(actor=request.user, cluster=cluster)


class RoleAssignmentAddForm(forms.ModelForm):
    class Meta:
        model = RoleAssignment
        fields = ["user", "unit", "role"]

    def clean(self):
        data = super().clean()
        if data.get("unit") is not None and data.get("role"):
            try:
                _check_role_placement(data["role"], data["unit"])
            except ValidationError as error:
                self.add_error(None, error)
        return data


@admin.register(RoleAssignment)
class RoleAssignmentAdmin(admin.ModelAdmin):
    """A role is given (role_assign) or taken back (role_revoke) here, never edited in place: a
    change of unit or role is a revoke and an assign, each audited and telling the apps above."""

    form = RoleAssignmentAddForm
    list_display = ("user", "role", "unit", "created_at")
    list_filter = ("role",)
    search_fields = ("user__username", "user__name_folded", "unit__code")
    raw_id_fields = ("user", "unit")

    def has_change_permission(self, request, obj=None):
        return False

    def save_model(self, request, obj, form, change):
        data = form.cleaned_data
        _adopt(obj, role_assign(actor=request.user, user=data["user"], unit=data["unit"], role=data["role"]))

    def delete_model(self, request, obj):
        role_revoke(actor=request.user, user=obj.user, unit=obj.unit, role=obj.role)

    def delete_queryset(self, request, queryset):
        for assignment in queryset.select_related("user", "unit"):
            self.delete_model(request, assignment)


@admin.register(AuditEntry)
class AuditEntryAdmin(admin.ModelAdmin):
    list_display = ("created_at", "actor", "action", "target_repr", "unit")
    list_filter = ("action",)
    search_fields = ("target_repr", "action")
    raw_id_fields = ("actor", "unit")

    def has_change_permission(self, request, obj=None):
        return False  # the audit log is append-only

    def has_delete_permission(self, request, obj=None):
        return False


class SchoolYearAdminForm(forms.ModelForm):
    """A school year is written here by the service, never by the form: `school_year_set` for the
    Ministry's rows (no Department), `school_year_adjust` for a Department's adjustment. The service is the
    check: its refusals (dates out of order, a semester outside the year, an overlap, a label taken) become
    this form's errors, field by field, and nothing is written. The admin's view runs in one transaction, so
    the row the service saved is what the admin then logs and shows (`save_model` writes nothing more)."""

    actor = None  # the admin user, bound by SchoolYearAdmin.get_form
    # Typed as people type it ("2026 – 2027"): the service cleans it to "2026-2027" or says what is wrong.
    label = forms.CharField(label=gettext_lazy("school year"), max_length=20)

    class Meta:
        model = SchoolYear
        fields = ["label", "department", *SCHOOL_YEAR_DATES]

    def _post_clean(self):
        if self.errors:
            return  # a date that is not a date: the service is not asked
        data = self.cleaned_data
        row = self.instance if self.instance.pk else None
        department = row.department if row is not None else data.get("department")
        label = row.label if row is not None and row.department_id else data.get("label")
        dates = {name: data[name] for name in SCHOOL_YEAR_DATES}
        try:
            if row is None and department is not None:
                self._refuse_a_second_adjustment(department, label)
            if department is None:
                self.instance = school_year_set(actor=self.actor, label=label, year=row, **dates)
            else:
                self.instance = school_year_adjust(actor=self.actor, department=department, label=label, **dates)
        except ValidationError as error:
            # Beside its field when the form shows it, else above the form (a read-only label, a Department).
            if not hasattr(error, "error_dict"):
                self.add_error(None, error)
                return
            for field, messages_ in error.error_dict.items():
                self.add_error(field if field in self.fields else None, messages_)

    @staticmethod
    def _refuse_a_second_adjustment(department, label: str) -> None:
        # The service would change the Department's row of that year; "add" must not: that row is changed.
        label, _first_year = school_year_label_clean(label)
        if SchoolYear.objects.filter(department=department, label=label).exists():
            raise ValidationError(
                {
                    "label": _(
                        "%(department)s has already adjusted the school year %(label)s: change that row instead."
                    )
                    % {"department": department.name, "label": label}
                }
            )


@admin.register(SchoolYear)
class SchoolYearAdmin(admin.ModelAdmin):
    """The Ministry's school years and the Departments' adjustments. Added and changed only through
    `school_year_set` / `school_year_adjust` (audited, checked; see SchoolYearAdminForm); never deleted,
    since periods, deadlines and rollovers read them. A row keeps its Department; an adjustment keeps its
    label too (a Department adjusts one of the Ministry's years, it does not rename it)."""

    form = SchoolYearAdminForm
    list_display = ("label", "department", "start", "end", "semester1_end", "semester2_start", "set_by", "updated_at")
    list_filter = (("department", admin.EmptyFieldListFilter),)
    search_fields = ("label", "department__name", "department__code")
    raw_id_fields = ("department",)
    ordering = ("-start", "department")

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change=change, **kwargs)
        return type(form.__name__, (form,), {"actor": request.user})

    def get_readonly_fields(self, request, obj=None):
        shown = ("set_by", "created_at", "updated_at")
        if obj is None:
            return shown
        return ("label", "department", *shown) if obj.department_id else ("department", *shown)

    def has_delete_permission(self, request, obj=None):
        return False  # periods, deadlines and rollovers read the years: they are corrected, never deleted

    def save_model(self, request, obj, form, change):
        pass  # the service saved the row while the form was checked (SchoolYearAdminForm._post_clean)
