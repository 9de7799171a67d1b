"""Every model has an admin page that opens, for a superuser and for scoped staff."""

import pytest
from django.contrib import admin
from django.contrib.auth.models import Permission
from django.urls import reverse

from tests.conftest import client_for
from tests.factories import open_case

MODELS = sorted(admin.site._registry, key=lambda m: m._meta.label)


@pytest.mark.parametrize("model", MODELS, ids=lambda m: m._meta.label)
def test_admin_changelist_opens_for_superuser(org, model, django_user_model):
    open_case(store=org.S01, score=2)
    root = django_user_model.objects.create_superuser("root", "root@example.com", "x")
    url = reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist")
    assert client_for(root).get(url).status_code == 200


@pytest.mark.parametrize("model", MODELS, ids=lambda m: m._meta.label)
def test_admin_changelist_opens_for_scoped_staff(org, model):
    open_case(store=org.S01, score=2)
    staff = org.manager2
    staff.is_staff = True
    staff.save()
    staff.user_permissions.add(*Permission.objects.filter(codename__startswith="view_"))
    url = reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist")
    assert client_for(staff).get(url).status_code == 200


@pytest.mark.parametrize("model", MODELS, ids=lambda m: m._meta.label)
def test_admin_add_page_opens_or_is_refused_for_superuser(org, model, django_user_model):
    root = django_user_model.objects.create_superuser("root", "root@example.com", "x")
    url = reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_add")
    assert client_for(root).get(url).status_code in {200, 403}
