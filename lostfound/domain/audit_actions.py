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
}
