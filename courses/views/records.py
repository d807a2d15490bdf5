"""A person's professional or learning record (hồ sơ), printable. Seen by the person and by the units
above them (those who look after or report on their school's accounts); anyone else gets a 404."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.urls import path

from accounts.permissions import account_for_user_or_404
from units.permissions import can_see_usernames

from ..selectors.records import person_record


@login_required
def record(request, pk: int):
    person = account_for_user_or_404(request.user, pk)
    is_self = person.pk == request.user.pk
    context = {
        "person": person,
        "record": person_record(person=person),
        "is_self": is_self,
        # Their own login name to the person; others' to those who look after the accounts only (issue #14).
        "show_usernames": is_self or (person.unit_id is not None and can_see_usernames(request.user, person.unit)),
    }
    return render(request, "courses/record_detail.html", context)


urlpatterns = [
    path("ho-so/<id:pk>/", record, name="record"),
]
