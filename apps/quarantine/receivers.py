"""Reactions to other apps' events (Django signals they send): a confirmed contact gets a proposed order, a
lab batch is matched to the stays, a scan of a person in quarantine is a breach."""

from __future__ import annotations

import contextlib
from typing import Any

from apps.common.errors import Conflict


def on_contact_confirmed(sender: Any, *, contact: Any, actor: Any = None, **kwargs: Any) -> None:
    """早隔离: a contact confirmed in tracing gets a proposed order at once; the officer accepts or changes it."""
    from apps.cases.choices import ContactDegree
    from apps.quarantine.choices import OrderSource, StayKind
    from apps.quarantine.services import propose_order

    close = contact.degree == ContactDegree.CLOSE
    with contextlib.suppress(Conflict):  # the same exposure already has its order
        propose_order(
            person=contact.person,
            source=OrderSource.CONTACT if close else OrderSource.SECONDARY,
            source_ref=f"contact:{contact.pk}",
            last_exposure=contact.last_exposed_at,
            kind=StayKind.CENTRALISED if close else StayKind.HOME,
            actor=actor,
            note=f"case {contact.case_id}",
        )


def on_labs_imported(sender: Any, *, batch: Any, actor: Any = None, **kwargs: Any) -> None:
    from apps.quarantine.daily import labs_matched

    labs_matched(batch=batch, actor=actor)


def on_scans_stored(sender: Any, *, scans: list[dict[str, Any]], **kwargs: Any) -> None:
    from apps.quarantine.daily import breaches_raise

    breaches_raise(scans)


def connect() -> None:
    from apps.cases.signals import contact_confirmed, labs_imported
    from apps.venues.signals import scans_stored

    contact_confirmed.connect(on_contact_confirmed, dispatch_uid="quarantine.contact_confirmed")
    labs_imported.connect(on_labs_imported, dispatch_uid="quarantine.labs_imported")
    scans_stored.connect(on_scans_stored, dispatch_uid="quarantine.scans_stored")
