"""Settings of the processes the fault drills start (tests/test_faults.py): the product's own,
with e-mail written to files in the drill's folder so it can count every message sent."""

import os

from recovery.settings import *  # noqa: F403

EMAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
EMAIL_FILE_PATH = os.environ["FAULTS_MAIL_DIR"]
