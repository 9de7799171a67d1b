from django.urls import path

from . import views

urlpatterns = [
    path("cases/<id:case_id>/attachments/", views.CaseAttachmentsApi.as_view(),
         name="api-case-attachments"),
    path("attachments/<id:attachment_id>/file/", views.AttachmentFileApi.as_view(),
         name="api-attachment-file"),
]
