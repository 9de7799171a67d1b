from tests.conftest import api_as


def test_the_schema_documents_the_toolkit_endpoints(org):
    response = api_as(org.hq1).get("/api/schema/?format=json")
    assert response.status_code == 200
    paths = response.json()["paths"]
    for path in ["/api/v1/cases/{case_id}/contacts/", "/api/v1/cases/{case_id}/rescore/",
                 "/api/v1/customers/{customer_id}/", "/api/v1/cases/{case_id}/root-cause/",
                 "/api/v1/cases/{case_id}/team/", "/api/v1/cases/{case_id}/words/{kind}/",
                 "/api/v1/phrases/check/", "/api/v1/cases/{case_id}/emotion/",
                 "/api/v1/stock/", "/api/v1/reports/root-causes/"]:
        assert path in paths, path
