"""What later apps may react to without the cases app knowing them (quarantine orders, for one).

Receivers run inside the sender's transaction: a failure rolls the decision back with them.
"""

from django.dispatch import Signal

# contact_confirmed.send(sender=Contact, contact=<Contact>, actor=<User>): a contact was confirmed in tracing.
contact_confirmed = Signal()
# labs_imported.send(sender=LabBatch, batch=<LabBatch>, actor=<User>): a lab batch stored its results.
labs_imported = Signal()
