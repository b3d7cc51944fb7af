"""Roles, permissions and audit actions."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    COMMANDER = "commander", _("Commander")
    DISTRICT_OFFICER = "district_officer", _("District officer")
    COMMUNITY_WORKER = "community_worker", _("Community worker")
    CHECKPOINT_OPERATOR = "checkpoint_operator", _("Checkpoint operator")
    EPIDEMIOLOGIST = "epidemiologist", _("Epidemiologist")
    CLINICIAN = "clinician", _("Clinician / lab")
    QUARANTINE_MANAGER = "quarantine_manager", _("Quarantine-site manager")
    ECONOMIC_OFFICER = "economic_officer", _("Economic officer")
    ENTERPRISE_USER = "enterprise_user", _("Enterprise user")
    CITIZEN = "citizen", _("Citizen")
    AUDITOR = "auditor", _("Auditor")


class Perm(models.TextChoices):
    """What a role may do. A grant gives its role's permissions in and under the grant's area."""

    PERSON_VIEW = "person.view", _("See persons")
    PERSON_CHANGE = "person.change", _("Create and change persons")
    PERSON_REVEAL = "person.reveal", _("Reveal personal data")
    PERSON_IMPORT = "person.import", _("Import persons")
    PERSON_EXPORT = "person.export", _("Export persons")
    PERSON_MERGE = "person.merge", _("Merge duplicate persons")
    AUDIT_VIEW = "audit.view", _("Read the audit log")


_OFFICER = {
    Perm.PERSON_VIEW,
    Perm.PERSON_CHANGE,
    Perm.PERSON_REVEAL,
    Perm.PERSON_IMPORT,
    Perm.PERSON_EXPORT,
    Perm.PERSON_MERGE,
}

ROLE_PERMS: dict[str, set[str]] = {
    Role.COMMANDER: {Perm.PERSON_VIEW, Perm.PERSON_EXPORT, Perm.AUDIT_VIEW},
    Role.DISTRICT_OFFICER: set(_OFFICER),
    Role.COMMUNITY_WORKER: {Perm.PERSON_VIEW, Perm.PERSON_CHANGE, Perm.PERSON_REVEAL, Perm.PERSON_IMPORT},
    Role.CHECKPOINT_OPERATOR: set(),
    Role.EPIDEMIOLOGIST: {Perm.PERSON_VIEW, Perm.PERSON_REVEAL},
    Role.CLINICIAN: {Perm.PERSON_VIEW},
    Role.QUARANTINE_MANAGER: {Perm.PERSON_VIEW, Perm.PERSON_REVEAL},
    Role.ECONOMIC_OFFICER: set(),
    Role.ENTERPRISE_USER: set(),
    Role.CITIZEN: set(),
    Role.AUDITOR: {Perm.AUDIT_VIEW, Perm.PERSON_VIEW},
}


class AuditAction(models.TextChoices):
    LOGIN = "login", _("Signed in")
    LOGIN_FAILED = "login_failed", _("Failed sign-in")
    LOCKED_OUT = "locked_out", _("Locked out")
    CREATE = "create", _("Created")
    UPDATE = "update", _("Changed")
    REVEAL = "reveal", _("Revealed personal data")
    IMPORT = "import", _("Imported")
    EXPORT = "export", _("Exported")
    MERGE = "merge", _("Merged")
    TOKEN = "token", _("Issued an API token")
