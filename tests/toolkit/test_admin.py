import pytest
from django.contrib import admin

from toolkit import models

MODELS = [m for m in vars(models).values()
          if isinstance(m, type) and issubclass(m, models.models.Model)
          and m._meta.app_label == "toolkit"]


@pytest.mark.parametrize("model", MODELS, ids=lambda m: m.__name__)
def test_every_toolkit_model_has_a_working_admin_list(org, client, model):
    assert admin.site.is_registered(model)
    client.force_login(org.admin)
    org.admin.is_superuser = True
    org.admin.save()
    opts = model._meta
    assert client.get(f"/admin/{opts.app_label}/{opts.model_name}/").status_code == 200
