"""What later apps may react to without the venues app knowing them (quarantine breach alerts, for one)."""

from django.dispatch import Signal

# scans_stored.send(sender=Scan, scans=[{person_id, venue_id, venue_area, scanned_at, scan_id}, ...]): the scans a
# batch stored (a retried batch's duplicates are not in it). Sent inside the ingest transaction.
scans_stored = Signal()
