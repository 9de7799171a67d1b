from django.urls import path

from . import views

urlpatterns = [
    path("cases/<int:case_id>/attachments/", views.case_attachment_add,
         name="case-attachment-add"),
    path("attachments/<int:attachment_id>/", views.attachment_file, name="attachment-file"),
    path("attachments/<int:attachment_id>/share/", views.attachment_share,
         name="attachment-share"),
]
