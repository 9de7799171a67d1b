from django.contrib import admin

from .models import AttachmentPolicy

admin.site.register(AttachmentPolicy)
