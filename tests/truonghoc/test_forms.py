"""truonghoc.forms.form_saved: the POST half of every form page."""

import pytest
from django import forms
from django.core.exceptions import ValidationError
from django.test import RequestFactory

from truonghoc.forms import form_saved

# form_saved runs the service in a transaction (a refusal or a full disk rolls back what it wrote).
pytestmark = pytest.mark.django_db


class NameForm(forms.Form):
    name = forms.CharField()
    upload = forms.FileField(required=False)


def test_a_get_shows_the_form_and_calls_nothing():
    calls = []
    assert form_saved(RequestFactory().get("/"), NameForm(), calls.append) is None
    assert calls == []


def test_a_valid_post_returns_what_the_service_returned():
    request = RequestFactory().post("/", {"name": "Lan"})
    saved = form_saved(request, NameForm(request.POST), lambda data: data["name"].upper())
    assert saved.result == "LAN"


def test_an_invalid_form_calls_nothing():
    request = RequestFactory().post("/", {})
    calls = []
    form = NameForm(request.POST)
    assert form_saved(request, form, calls.append) is None
    assert calls == [] and "name" in form.errors


def test_the_services_refusal_goes_beside_its_field():
    def refuse(data):
        raise ValidationError({"name": "Taken."})

    request = RequestFactory().post("/", {"name": "Lan"})
    form = NameForm(request.POST)
    assert form_saved(request, form, refuse) is None
    assert form.errors["name"] == ["Taken."]


def test_a_dropped_upload_is_refused_on_its_field_and_nothing_is_saved():
    request = RequestFactory().post("/", {"name": "Lan"})
    request.upload_refused = ["video.mp4"]  # what SizeLimitUploadHandler records
    calls = []
    form = NameForm(request.POST)
    assert form_saved(request, form, calls.append, upload_field="upload") is None
    assert calls == [] and "video.mp4" in form.errors["upload"][0]
