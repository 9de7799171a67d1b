from django.apps import AppConfig


class DemoConfig(AppConfig):
    """The demo network and its history (`seed_demo`): it drives every other app through their
    services, so it sits above them all."""

    name = "demo"
    verbose_name = "Demo"
