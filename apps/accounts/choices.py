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
    AREA_MANAGE = "area.manage", _("Import and change areas")
    CODE_SELF = "code.self", _("Show one's own health code")
    CODE_VIEW = "code.view", _("See health codes and colour counts")
    CODE_VERIFY = "code.verify", _("Verify health codes online")
    CODE_OVERRIDE = "code.override", _("Request and approve code overrides")
    CODE_RULES = "code.rules", _("Change the health-code rules")
    VENUE_VIEW = "venue.view", _("See venues and scan logs")
    VENUE_CHANGE = "venue.change", _("Create and change venues")
    SCAN_UPLOAD = "scan.upload", _("Upload checkpoint scans")
    ALERT_VIEW = "alert.view", _("See and handle scan alerts")
    # Enterprises and resumption (复工复产), policies, hotline: apps.enterprises
    ENTERPRISE_VIEW = "enterprise.view", _("See enterprises")
    ENTERPRISE_CHANGE = "enterprise.change", _("Change enterprises, status, reasons and visits")
    ENTERPRISE_IMPORT = "enterprise.import", _("Import enterprises and electricity data")
    ENTERPRISE_EXPORT = "enterprise.export", _("Export enterprises")
    ENTERPRISE_REVEAL = "enterprise.reveal", _("Reveal enterprise contact persons")
    ENTERPRISE_FILE = "enterprise.file", _("File for one's own enterprise")
    POLICY_MANAGE = "policy.manage", _("Manage the policy catalogue")
    HOTLINE_HANDLE = "hotline.handle", _("Handle hotline tickets")
    ECONOMY_DASHBOARD = "economy.dashboard", _("See the economic dashboard")
    CASE_VIEW = "case.view", _("See cases, contacts and clusters")
    CASE_CHANGE = "case.change", _("Report cases and move them through their life cycle")
    LAB_IMPORT = "lab.import", _("Import lab results")
    CONTACT_DECIDE = "contact.decide", _("Confirm or dismiss contact suggestions")
    EPI_VIEW = "epi.view", _("See the epidemiology dashboard")
    # Major projects, dekad indicators, prices (apps.projects, apps.indicators, apps.prices); schools, disputes (apps.society)
    PROJECT_VIEW = "project.view", _("See major projects")
    PROJECT_CHANGE = "project.change", _("Register projects and record progress")
    INDICATOR_VIEW = "indicator.view", _("See dekad indicators")
    INDICATOR_REPORT = "indicator.report", _("Report dekad indicator values")
    INDICATOR_MANAGE = "indicator.manage", _("Manage the indicator catalogue and targets")
    PRICE_VIEW = "price.view", _("See prices of daily necessities")
    PRICE_REPORT = "price.report", _("Record market prices")
    SCHOOL_VIEW = "school.view", _("See school reopening readiness")
    SCHOOL_CHANGE = "school.change", _("Change school plans and checklists")
    DISPUTE_VIEW = "dispute.view", _("See disputes")
    DISPUTE_CHANGE = "dispute.change", _("Register and resolve disputes")
    DISPUTE_REVEAL = "dispute.reveal", _("Reveal dispute parties")
    # Inbound travellers and the closed loop, certificates, trust lists (apps.arrivals)
    ARRIVAL_VIEW = "arrival.view", _("See inbound travellers and the loop board")
    ARRIVAL_CHANGE = "arrival.change", _("Register, screen and move inbound travellers")
    TRUST_MANAGE = "trust.manage", _("Manage certificate and health-code trust lists")
    # Screening lists, record linkage, community work items (apps.screening)
    SCREENING_VIEW = "screening.view", _("See screening lists, work items and reconciliation")
    SCREENING_IMPORT = "screening.import", _("Import screening lists")
    SCREENING_REVIEW = "screening.review", _("Confirm or reject record-linkage candidates")
    SCREENING_VISIT = "screening.visit", _("Record screening visits and reassign work items")
    # The headquarters (apps.command): dashboard, supervised tasks (督办), accountability (问责), duty roster
    COMMAND_DASHBOARD = "command.dashboard", _("See the headquarters dashboard")
    TASK_VIEW = "task.view", _("See and work on supervised tasks")
    TASK_ASSIGN = "task.assign", _("Assign and accept supervised tasks")
    ACCOUNTABILITY_VIEW = "accountability.view", _("See accountability records")
    ACCOUNTABILITY_CHANGE = "accountability.change", _("Record accountability decisions")
    DUTY_MANAGE = "duty.manage", _("Manage the leaders' duty roster")
    BRIEFING_EDIT = "briefing.edit", _("Draft and edit the daily briefing")
    BRIEFING_APPROVE = "briefing.approve", _("Approve and publish the daily briefing")
    # Quarantine sites, orders and stays (apps.quarantine)
    QUARANTINE_VIEW = "quarantine.view", _("See quarantine sites, stays and capacity")
    QUARANTINE_CHANGE = "quarantine.change", _("Allocate rooms, record check-ins, handle requests and releases")
    QUARANTINE_ORDER = "quarantine.order", _("Propose, accept or change quarantine orders; approve early release")
    QUARANTINE_SITES = "quarantine.sites", _("Create and import quarantine sites and rooms")
    SUPPLY_VIEW = "supply.view", _("See supplies and stock")
    SUPPLY_CHANGE = "supply.change", _("Record stock movements of supplies")


_OFFICER = {
    Perm.PERSON_VIEW,
    Perm.PERSON_CHANGE,
    Perm.PERSON_REVEAL,
    Perm.PERSON_IMPORT,
    Perm.PERSON_EXPORT,
    Perm.PERSON_MERGE,
    Perm.CODE_VIEW,
    Perm.CODE_VERIFY,
    Perm.CODE_OVERRIDE,
    Perm.VENUE_VIEW,
    Perm.VENUE_CHANGE,
    Perm.ALERT_VIEW,
}

_ECONOMY = {
    Perm.ENTERPRISE_VIEW,
    Perm.ENTERPRISE_CHANGE,
    Perm.ENTERPRISE_IMPORT,
    Perm.ENTERPRISE_EXPORT,
    Perm.ENTERPRISE_REVEAL,
    Perm.POLICY_MANAGE,
    Perm.HOTLINE_HANDLE,
    Perm.ECONOMY_DASHBOARD,
}

ROLE_PERMS: dict[str, set[str]] = {
    Role.COMMANDER: {
        Perm.PERSON_VIEW,
        Perm.PERSON_EXPORT,
        Perm.AUDIT_VIEW,
        Perm.AREA_MANAGE,
        Perm.CODE_VIEW,
        Perm.CODE_RULES,
        Perm.VENUE_VIEW,
        Perm.ALERT_VIEW,
    },
    Role.DISTRICT_OFFICER: set(_OFFICER),
    Role.COMMUNITY_WORKER: {Perm.PERSON_VIEW, Perm.PERSON_CHANGE, Perm.PERSON_REVEAL, Perm.PERSON_IMPORT},
    Role.CHECKPOINT_OPERATOR: {Perm.SCAN_UPLOAD, Perm.CODE_VERIFY},
    Role.EPIDEMIOLOGIST: {Perm.PERSON_VIEW, Perm.PERSON_REVEAL, Perm.CODE_VIEW, Perm.VENUE_VIEW},
    Role.CLINICIAN: {Perm.PERSON_VIEW},
    Role.QUARANTINE_MANAGER: {Perm.PERSON_VIEW, Perm.PERSON_REVEAL},
    Role.ECONOMIC_OFFICER: set(_ECONOMY),
    Role.ENTERPRISE_USER: {Perm.ENTERPRISE_FILE},
    Role.CITIZEN: {Perm.CODE_SELF},
    Role.AUDITOR: {Perm.AUDIT_VIEW, Perm.PERSON_VIEW},
}

# Cases and epidemiology (issue 5): who sees cases, who moves them, who imports labs, who decides contacts.
for _role, _perms in {
    Role.COMMANDER: {Perm.CASE_VIEW, Perm.EPI_VIEW},
    Role.DISTRICT_OFFICER: {Perm.CASE_VIEW, Perm.EPI_VIEW},
    Role.EPIDEMIOLOGIST: {Perm.CASE_VIEW, Perm.CASE_CHANGE, Perm.CONTACT_DECIDE, Perm.EPI_VIEW, Perm.LAB_IMPORT},
    Role.CLINICIAN: {Perm.CASE_VIEW, Perm.CASE_CHANGE, Perm.LAB_IMPORT},
    Role.AUDITOR: {Perm.CASE_VIEW},
}.items():
    ROLE_PERMS[_role] |= _perms


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
    CODE_OVERRIDE_REQUEST = "code_override_request", _("Requested a code override")
    CODE_OVERRIDE_APPROVE = "code_override_approve", _("Approved a code override")
    CODE_OVERRIDE_REJECT = "code_override_reject", _("Rejected a code override")
    CODE_OVERRIDE_REVOKE = "code_override_revoke", _("Revoked a code override")
    SCAN_PURGE = "scan_purge", _("Purged old scans")
    KEY_ROTATE = "key_rotate", _("Rotated the code signing key")
    ESCALATE = "escalate", _("Escalated")
    REFERRAL = "referral", _("Referred a duplicate registration to its district")

# The headquarters and district officers read the recovery track (apps.enterprises).
ROLE_PERMS[Role.COMMANDER] |= {Perm.ENTERPRISE_VIEW, Perm.ENTERPRISE_EXPORT, Perm.ECONOMY_DASHBOARD}
ROLE_PERMS[Role.DISTRICT_OFFICER] |= {Perm.ENTERPRISE_VIEW, Perm.ECONOMY_DASHBOARD}

# Projects, indicators, prices, schools and disputes (issue 6, second half).
_RECOVERY_VIEW = {Perm.PROJECT_VIEW, Perm.INDICATOR_VIEW, Perm.PRICE_VIEW, Perm.SCHOOL_VIEW, Perm.DISPUTE_VIEW}
ROLE_PERMS[Role.COMMANDER] |= _RECOVERY_VIEW
ROLE_PERMS[Role.ECONOMIC_OFFICER] |= _RECOVERY_VIEW | {
    Perm.PROJECT_CHANGE, Perm.INDICATOR_REPORT, Perm.INDICATOR_MANAGE, Perm.PRICE_REPORT,
    Perm.SCHOOL_CHANGE, Perm.DISPUTE_CHANGE, Perm.DISPUTE_REVEAL,
}
ROLE_PERMS[Role.DISTRICT_OFFICER] |= _RECOVERY_VIEW | {Perm.INDICATOR_REPORT, Perm.SCHOOL_CHANGE, Perm.DISPUTE_CHANGE}

# Quarantine (issue 12): the site manager runs sites, rooms and stays; officers order and approve; the community
# worker follows home quarantines; the headquarters reads the capacity.
QUARANTINE_VIEW = Perm.QUARANTINE_VIEW
QUARANTINE_CHANGE = Perm.QUARANTINE_CHANGE
QUARANTINE_ORDER = Perm.QUARANTINE_ORDER
QUARANTINE_SITES = Perm.QUARANTINE_SITES
ROLE_PERMS[Role.QUARANTINE_MANAGER] |= {QUARANTINE_VIEW, QUARANTINE_CHANGE, QUARANTINE_SITES}
ROLE_PERMS[Role.DISTRICT_OFFICER] |= {QUARANTINE_VIEW, QUARANTINE_CHANGE, QUARANTINE_ORDER, QUARANTINE_SITES}
ROLE_PERMS[Role.EPIDEMIOLOGIST] |= {QUARANTINE_VIEW, QUARANTINE_ORDER}
ROLE_PERMS[Role.COMMUNITY_WORKER] |= {QUARANTINE_VIEW, QUARANTINE_CHANGE}
ROLE_PERMS[Role.COMMANDER] |= {QUARANTINE_VIEW}
ROLE_PERMS[Role.CLINICIAN] |= {QUARANTINE_VIEW}

# Inbound travellers (issue 13): every stage owner moves travellers; the headquarters sees the board.
for _role, _perms in {
    Role.COMMANDER: {Perm.ARRIVAL_VIEW, Perm.TRUST_MANAGE},
    Role.DISTRICT_OFFICER: {Perm.ARRIVAL_VIEW, Perm.ARRIVAL_CHANGE},
    Role.CHECKPOINT_OPERATOR: {Perm.ARRIVAL_VIEW, Perm.ARRIVAL_CHANGE},
    Role.QUARANTINE_MANAGER: {Perm.ARRIVAL_VIEW, Perm.ARRIVAL_CHANGE},
    Role.CLINICIAN: {Perm.ARRIVAL_VIEW, Perm.ARRIVAL_CHANGE},
    Role.COMMUNITY_WORKER: {Perm.ARRIVAL_VIEW, Perm.ARRIVAL_CHANGE},
    Role.EPIDEMIOLOGIST: {Perm.ARRIVAL_VIEW},
}.items():
    ROLE_PERMS[_role] |= _perms
# Screening (issue 14): the headquarters reads, district officers run lists and review links, communities visit.
ROLE_PERMS[Role.COMMANDER] |= {Perm.SCREENING_VIEW}
ROLE_PERMS[Role.DISTRICT_OFFICER] |= {Perm.SCREENING_VIEW, Perm.SCREENING_IMPORT, Perm.SCREENING_REVIEW,
                                      Perm.SCREENING_VISIT}
ROLE_PERMS[Role.COMMUNITY_WORKER] |= {Perm.SCREENING_VIEW, Perm.SCREENING_IMPORT, Perm.SCREENING_VISIT}
ROLE_PERMS[Role.EPIDEMIOLOGIST] |= {Perm.SCREENING_VIEW}
# The headquarters (apps.command): the commander assigns and accepts tasks and decides on accountability; district
# officers and economic officers work on tasks of their areas; the auditor reads accountability records.
ROLE_PERMS[Role.COMMANDER] |= {
    Perm.COMMAND_DASHBOARD, Perm.TASK_VIEW, Perm.TASK_ASSIGN, Perm.ACCOUNTABILITY_VIEW,
    Perm.ACCOUNTABILITY_CHANGE, Perm.DUTY_MANAGE, Perm.BRIEFING_EDIT, Perm.BRIEFING_APPROVE,
}
ROLE_PERMS[Role.EPIDEMIOLOGIST] |= {Perm.BRIEFING_EDIT}
ROLE_PERMS[Role.COMMANDER] |= {Perm.SUPPLY_VIEW, Perm.SUPPLY_CHANGE}
ROLE_PERMS[Role.DISTRICT_OFFICER] |= {Perm.SUPPLY_VIEW, Perm.SUPPLY_CHANGE}
ROLE_PERMS[Role.DISTRICT_OFFICER] |= {Perm.COMMAND_DASHBOARD, Perm.TASK_VIEW}
ROLE_PERMS[Role.ECONOMIC_OFFICER] |= {Perm.TASK_VIEW}
ROLE_PERMS[Role.AUDITOR] |= {Perm.ACCOUNTABILITY_VIEW}
