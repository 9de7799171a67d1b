import os
from importlib import import_module

from django.conf import settings
from django.core.wsgi import get_wsgi_application

from recovery.collector import loaded_objects_freeze

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "recovery.settings")
application = get_wsgi_application()

# Import every view now rather than on the first request, so that they are frozen with the rest.
import_module(settings.ROOT_URLCONF)
loaded_objects_freeze()
