"""Names of audit-log actions as people read them; the log itself stores the stable codes."""

from lostfound.domain.i18n_markers import N_

ACTION_LABELS: dict[str, str] = {
    "login": N_("Signed in"),
    "login.failed": N_("Failed sign-in"),
    "login.locked": N_("Sign-in refused (locked)"),
    "logout": N_("Signed out"),
    "user.create": N_("Account created"),
    "user.activate": N_("Account activated"),
    "user.deactivate": N_("Account deactivated"),
    "user.password_reset": N_("Temporary password set"),
    "user.password_change": N_("Password changed"),
    "token.create": N_("API token created"),
    "token.revoke": N_("API token revoked"),
    "station.create": N_("Station created"),
    "station.update": N_("Station edited"),
    "pii.reveal": N_("Personal number revealed"),
    "found_item.create": N_("Found item logged"),
    "found_item.update": N_("Found item edited"),
    "found_item.photo_add": N_("Photo added"),
    "found_item.photo_redact": N_("Public photo copy made"),
    "lost_report.create": N_("Lost report filed"),
    "lost_report.contact_update": N_("Owner changed contact details"),
    "lost_report.withdraw": N_("Owner withdrew the report"),
    "lost_report.renew": N_("Owner kept the report open"),
    "lost_report.reminder": N_("Owner reminded before closing"),
    "lost_report.expire": N_("Report closed after its open period"),
    "lost_report.erase": N_("Personal data erased"),
}
