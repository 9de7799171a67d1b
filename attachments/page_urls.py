from django.urls import path

from . import views

urlpatterns = [
    path("cases/<id:case_id>/attachments/", views.case_attachment_add,
         name="case-attachment-add"),
    path("attachments/<id:attachment_id>/", views.attachment_file, name="attachment-file"),
    path("attachments/<id:attachment_id>/share/", views.attachment_share,
         name="attachment-share"),
]
