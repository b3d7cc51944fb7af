"""Enumerations of the people app."""

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class DocType(models.TextChoices):
    RESIDENT_ID = "resident_id", _("Resident ID card")
    PASSPORT = "passport", _("Passport")
    HK_MACAO_PERMIT = "hk_macao_permit", _("Hong Kong/Macao travel permit")
    TAIWAN_PERMIT = "taiwan_permit", _("Taiwan travel permit")
    FOREIGN_RESIDENCE = "foreign_residence", _("Foreigner's permanent residence card")


class Sex(models.TextChoices):
    MALE = "M", _("Male")
    FEMALE = "F", _("Female")


class Relation(models.TextChoices):
    HEAD = "head", _("Head of household")
    SPOUSE = "spouse", _("Spouse")
    CHILD = "child", _("Child")
    PARENT = "parent", _("Parent")
    GRANDCHILD = "grandchild", _("Grandchild")
    SIBLING = "sibling", _("Sibling")
    OTHER = "other", _("Other")


class MergeStatus(models.TextChoices):
    OPEN = "open", _("Open")
    MERGED = "merged", _("Merged")
    DISMISSED = "dismissed", _("Dismissed")


class MergeReason(models.TextChoices):
    NAME_BIRTH = "name_birth", _("Same name and birth date")
    NAME_PHONE = "name_phone", _("Same name and phone")
    SAME_DOCUMENT = "same_document", _("Same document number")


class ReferralSource(models.TextChoices):
    """How a registration of a person already registered elsewhere reached us."""

    API = "api", pgettext_lazy("referral source", "API")
    FORM = "form", pgettext_lazy("referral source", "Form")
    IMPORT = "import", pgettext_lazy("referral source", "Import")


class ImportStatus(models.TextChoices):
    QUEUED = "queued", pgettext_lazy("import status", "Queued")
    RUNNING = "running", pgettext_lazy("import status", "Running")
    DONE = "done", pgettext_lazy("import status", "Done")
    FAILED = "failed", pgettext_lazy("import status", "Failed")


class ReferralDecision(models.TextChoices):
    """What the owning district found when it looked into a registration attempted elsewhere."""

    MOVED = "moved", pgettext_lazy("referral decision", "Moved to the other district")
    MISTAKE = "mistake", pgettext_lazy("referral decision", "A mistake of the other side")
    FRAUD = "fraud", pgettext_lazy("referral decision", "A false identity: reported")
    OTHER = "other", pgettext_lazy("referral decision", "Other (see the note)")
