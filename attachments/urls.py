from django.urls import path

from . import views

urlpatterns = [
    path("cases/<int:case_id>/attachments/", views.CaseAttachmentsApi.as_view(),
         name="api-case-attachments"),
    path("attachments/<int:attachment_id>/file/", views.AttachmentFileApi.as_view(),
         name="api-attachment-file"),
]
