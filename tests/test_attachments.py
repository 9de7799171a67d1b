"""Photos, videos and PDFs on a case (issue 21 §3): type by content, size by kind, photos
shrunk, every read through the case scope (other store, other region: 404), no public URL."""

import io
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from attachments.models import Attachment, AttachmentPolicy
from tests.conftest import api_as, client_for
from tests.factories import open_case


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path)
    return tmp_path


def jpeg(width=4000, height=3000, name="IMG_0001.jpg") -> SimpleUploadedFile:
    out = io.BytesIO()
    Image.new("RGB", (width, height), (200, 30, 30)).save(out, "JPEG")
    return SimpleUploadedFile(name, out.getvalue(), content_type="image/jpeg")


def pdf(size=2000, name="签字确认.pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, b"%PDF-1.4\n" + b"0" * size, content_type="application/pdf")


@pytest.fixture
def case(org):
    return open_case(store=org.S01, score=6)  # L1: the advisor's


def upload(user, case, file, **extra):
    return api_as(user).post(f"/api/v1/cases/{case.pk}/attachments/",
                             {"file": file, **extra}, format="multipart")


def test_a_phone_photo_is_shrunk_and_read_back_by_the_team(org, case, media):
    r = upload(org.advisor1, case, jpeg(), note="车门划痕")
    assert r.status_code == 201, r.content
    body = r.json()
    assert body["kind"] == "image" and body["content_type"] == "image/jpeg"
    stored = Attachment.objects.get()
    with Image.open(stored.file.path) as image:
        assert max(image.size) == 2048
    assert re.fullmatch(r"attachments/\d{4}/\d{2}/[0-9a-f]{32}\.jpg", stored.file.name)
    got = api_as(org.manager1).get(body["url"])
    assert got.status_code == 200 and got["Content-Type"] == "image/jpeg"
    assert b"".join(got.streaming_content)[:3] == b"\xff\xd8\xff"
    listed = api_as(org.director1).get(f"/api/v1/cases/{case.pk}/attachments/").json()
    assert [a["note"] for a in listed] == ["车门划痕"]


def test_other_store_and_other_region_get_404_for_the_file_and_the_list(org, case):
    upload(org.advisor1, case, pdf())
    attachment = Attachment.objects.get()
    for user in (org.manager2, org.advisor2):  # another region and area
        assert api_as(user).get(f"/api/v1/attachments/{attachment.pk}/file/").status_code == 404
        assert client_for(user).get(f"/attachments/{attachment.pk}/").status_code == 404
        assert api_as(user).get(f"/api/v1/cases/{case.pk}/attachments/").status_code == 404
        assert upload(user, case, pdf()).status_code == 404
    s03 = org.nodes["S03"]  # same region, another store
    other = open_case(store=s03, score=6)
    assert upload(org.advisor1, other, pdf()).status_code == 404
    assert client_for(org.advisor1).get(f"/attachments/{attachment.pk}/").status_code == 200
    assert Attachment.objects.count() == 1


def test_the_file_has_no_public_url(org, case, client):
    upload(org.advisor1, case, pdf())
    name = Attachment.objects.get().file.name
    assert client.get(f"/media/{name}").status_code == 404
    assert client.get(f"/{name}").status_code == 404


@pytest.mark.parametrize(("name", "content"), [
    ("photo.jpg", b"MZ\x90\x00 not a photo"),
    ("x.pdf", b"<html><script>alert(1)</script>"),
    ("broken.jpg", b"\xff\xd8\xff\xe0 truncated"),
])
def test_the_type_is_judged_by_the_content_and_a_refusal_stores_nothing(org, case, media,
                                                                         name, content):
    r = upload(org.advisor1, case, SimpleUploadedFile(name, content, "image/jpeg"))
    assert r.status_code == 400 and r.json()["file"]
    assert not Attachment.objects.exists() and not list(media.rglob("*.*"))


def test_size_limits_come_from_the_policy(org, case):
    AttachmentPolicy.objects.create(max_pdf_mb=1)
    r = upload(org.advisor1, case, pdf(size=1024 * 1024 + 10))
    assert r.status_code == 400 and "1 MB" in str(r.json()["file"])
    assert upload(org.advisor1, case, pdf(size=1000)).status_code == 201


def test_a_video_larger_than_the_1_mb_body_limit_goes_through(org, case, settings):
    video = b"\x00\x00\x00\x18ftypmp42" + b"\x00" * (2 * 1024 * 1024)
    r = upload(org.advisor1, case, SimpleUploadedFile("clip.mp4", video, "video/mp4"))
    assert r.status_code == 201 and r.json()["kind"] == "video"
    assert api_as(org.advisor1).post("/api/v1/cases/", {"description": "x" * (2 * 1024 * 1024)},
                                     format="json").status_code == 413


def test_only_those_who_work_the_case_may_add(org, case):
    l3 = open_case(store=org.S01, score=2)
    assert upload(org.advisor1, l3, pdf()).status_code == 403
    assert upload(org.director1, l3, pdf()).status_code == 201


def test_a_link_to_a_checklist_item_of_another_case_is_refused(org, case):
    other = open_case(store=org.S01, score=6)
    item = other.checklist.first()
    r = upload(org.advisor1, case, pdf(), checklist_item=item.pk)
    assert r.status_code == 400 and "checklist_item" in r.json()
    own = case.checklist.first()
    assert upload(org.advisor1, case, pdf(), checklist_item=own.pk).status_code == 201
    assert Attachment.objects.get().checklist_item == own


def test_the_case_page_takes_a_camera_photo_and_shows_it(org, case):
    client = client_for(org.advisor1)
    page = client.get(f"/cases/{case.pk}/").content.decode()
    assert 'accept="image/*" capture="environment"' in page
    r = client.post(f"/cases/{case.pk}/attachments/", {"photo": jpeg(800, 600),
                                                       "note": "交车照片"})
    assert r.status_code == 302 and r["Location"].endswith("#attachments")
    attachment = Attachment.objects.get()
    page = client.get(f"/cases/{case.pk}/").content.decode()
    assert f'src="/attachments/{attachment.pk}/"' in page and "交车照片" in page
