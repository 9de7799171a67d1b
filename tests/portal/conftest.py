import pytest
from django.core.cache import cache

from portal.services import link_create
from tests.factories import open_case, sop_contact


@pytest.fixture
def contacted(org):
    """An L1 case of store S01 after its first call, as manager1 works it."""
    case = open_case(store=org.S01, score=6, comment="等了很久")
    return sop_contact(case, org.manager1)


@pytest.fixture
def link(contacted, org):
    """(link, token, case): a live customer-page link made by manager1."""
    made, token = link_create(case_id=contacted.pk, actor=org.manager1)
    return made, token, contacted


@pytest.fixture(autouse=True)
def _rate_counts_cleared():
    """The rate limit counts in the cache; each test starts with none."""
    cache.clear()
    yield
    cache.clear()
