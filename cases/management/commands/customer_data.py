import json

from django.core.management.base import BaseCommand, CommandError
from django.core.serializers.json import DjangoJSONEncoder
from django.utils.translation import gettext as _

from cases.models import Customer
from cases.privacy import customer_erase, customer_export, customer_find


class Command(BaseCommand):
    help = _("Export everything held about one customer as JSON, or erase their personal data.")

    def add_arguments(self, parser):
        action = parser.add_mutually_exclusive_group(required=True)
        action.add_argument("--export", metavar="CUSTOMER",
                            help=_("the customer's external id or primary key"))
        action.add_argument("--erase", metavar="CUSTOMER",
                            help=_("the customer's external id or primary key"))

    def handle(self, *args, export, erase, **options):
        key = export or erase
        try:
            customer = customer_find(key=key)
        except Customer.DoesNotExist as exc:
            raise CommandError(_("No customer %(key)s.") % {"key": key}) from exc
        if export:
            self.stdout.write(json.dumps(customer_export(customer=customer), cls=DjangoJSONEncoder,
                                         ensure_ascii=False, indent=2))
            return
        result = customer_erase(customer=customer)
        if result.already_erased and not result.cases_marked:
            self.stdout.write(_("Customer %(pk)s was already erased.") % {"pk": customer.pk})
        else:
            self.stdout.write(_("Customer %(pk)s erased; %(n)d case(s) marked.")
                              % {"pk": customer.pk, "n": result.cases_marked})
