import pytest
from django.contrib.auth.models import Permission


@pytest.fixture
def staff():
    """Make a user a staff member who may open the compensation admin (view only)."""

    def make(user):
        user.is_staff = True
        user.save(update_fields=["is_staff"])
        user.user_permissions.add(*Permission.objects.filter(
            content_type__app_label="compensation", codename__startswith="view_"))
        return user

    return make
