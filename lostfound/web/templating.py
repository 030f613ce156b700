"""The Jinja environment and the context every page shares."""

from __future__ import annotations

from datetime import datetime
from functools import partial
from typing import Any
from zoneinfo import ZoneInfo

from babel.dates import format_datetime
from jinja2 import Environment, FileSystemLoader, StrictUndefined, pass_context, select_autoescape
from litestar import MediaType, Request
from litestar.plugins.flash import get_flashes
from litestar.plugins.jinja import JinjaTemplateEngine
from litestar.response import Template
from litestar.template.config import TemplateConfig

from lostfound import i18n
from lostfound.domain.audit_actions import ACTION_LABELS
from lostfound.domain.contact import METHOD_LABELS, OUTCOME_LABELS
from lostfound.domain.deeds import DEED_KIND_LABELS, DEED_STATUS_LABELS, PARTICIPANT_ROLE_LABELS
from lostfound.domain.found_items import (
    CATEGORY_LABELS,
    CONTENT_LABELS,
    CUSTODY_LABELS,
    REWARD_LABELS,
    STATUS_LABELS,
)
from lostfound.domain.matching import DECISION_LABELS, REASON_LABELS
from lostfound.domain.notices import NOTICE_KIND_LABELS, NOTICE_STATUS_LABELS
from lostfound.domain.notifications import (
    CHANNEL_LABELS,
    DELIVERY_STATUS_LABELS,
    MESSAGE_KIND_LABELS,
    SENDER_LABELS,
)
from lostfound.domain.roles import ROLE_LABELS, SYSTEM_ACTOR_LABELS, Role
from lostfound.settings import TEMPLATES_DIR, TIMEZONE
from lostfound.web.access import current_member
from lostfound.web.navigation import navigation_for

_TZ = ZoneInfo(TIMEZONE)


def local_time(value: datetime | None, pattern: str = "yyyy-MM-dd HH:mm") -> str:
    """Show an instant in Beijing time, whatever zone it was stored in."""
    if value is None:
        return ""
    if value.tzinfo is None:
        value = value.replace(tzinfo=ZoneInfo("UTC"))
    return format_datetime(value, pattern, tzinfo=_TZ, locale=i18n.babel_locale())


def action_label(action: str) -> str:
    label = ACTION_LABELS.get(action)
    return i18n.gettext(label) if label else action


def yuan(amount: Any) -> str:
    """``¥100,000.00``: amounts of money as a desk officer reads them."""
    return "" if amount is None else f"¥{amount:,.2f}"


def reason_text(reason: dict[str, Any]) -> str:
    """One match reason in plain words, e.g. 身份证号差一位 or 失物时间在拾得前2天."""
    days = reason.get("days")
    if reason["field"] == "time" and reason["level"] in ("soon_after", "weeks_after") and days is not None:
        if days == 0:
            return i18n.gettext("Found the day it was lost")
        return i18n.ngettext(
            "Lost %(num)d day before it was found", "Lost %(num)d days before it was found", days
        )
    label = REASON_LABELS.get((reason["field"], reason["level"]))
    if label is None:
        return f"{reason['field']}: {reason['level']}"
    if "%(percent)" in label:
        return i18n.gettext(label, percent=round(100 * float(reason.get("similarity") or 0)))
    return i18n.gettext(label, days=days or 0) if "%(days)" in label else i18n.gettext(label)


def code_label(labels: dict, value: str) -> str:
    """The translated label of a stored code; the code itself if it has none (StrEnum keys match strings)."""
    return i18n.gettext(labels[value]) if value in labels else value


def actor_label(entry: dict[str, Any]) -> str:
    """Who made a log entry: the staff member's display name, else what the service's own actor is called."""
    if entry.get("actor_display"):
        return entry["actor_display"]
    return code_label(SYSTEM_ACTOR_LABELS, entry.get("actor_name") or "")


def role_label(role: str | Role) -> str:
    try:
        return i18n.gettext(ROLE_LABELS[Role(role)])
    except ValueError:
        return str(role)


def localised(record: dict[str, Any] | Any, field: str) -> str:
    """Pick ``field_zh`` or ``field_en`` of a record by the current language, falling back to Chinese."""
    get = record.get if isinstance(record, dict) else lambda k, d=None: getattr(record, k, d)
    suffix = "en" if i18n.get_locale() == "en" else "zh"
    return get(f"{field}_{suffix}") or get(f"{field}_zh") or ""


@pass_context
def flash_messages(context: Any) -> list[dict[str, Any]]:
    """Pending flash messages; none on pages rendered before the session exists (e.g. routing 404s)."""
    request = context.get("request")
    if request is None or not isinstance(request.scope.get("session"), dict):
        return []
    return list(get_flashes(context))


def build_environment() -> Environment:
    env = Environment(
        loader=FileSystemLoader(str(TEMPLATES_DIR)),
        autoescape=select_autoescape(default=True, default_for_string=True),
        undefined=StrictUndefined,
        extensions=["jinja2.ext.i18n"],
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.install_gettext_callables(  # type: ignore[attr-defined]
        gettext=lambda message, **kw: i18n.gettext(message, **kw),
        # Jinja formats the result with the call's variables (``num`` included) itself.
        ngettext=lambda s, p, n: i18n.translations(i18n.get_locale()).ngettext(s, p, n),
        newstyle=True,
    )
    env.filters["local_time"] = local_time
    env.filters["role_label"] = role_label
    env.filters["action_label"] = action_label
    env.filters["yuan"] = yuan
    env.globals["localised"] = localised
    env.globals["flash_messages"] = flash_messages
    env.globals["category_label"] = partial(code_label, CATEGORY_LABELS)
    env.globals["content_label"] = partial(code_label, CONTENT_LABELS)
    env.globals["status_label"] = partial(code_label, STATUS_LABELS)
    env.globals["reward_label"] = partial(code_label, REWARD_LABELS)
    env.globals["custody_label"] = partial(code_label, CUSTODY_LABELS)
    env.globals["message_kind_label"] = partial(code_label, MESSAGE_KIND_LABELS)
    env.globals["delivery_label"] = partial(code_label, DELIVERY_STATUS_LABELS)
    env.globals["channel_label"] = partial(code_label, CHANNEL_LABELS)
    env.globals["sender_label"] = partial(code_label, SENDER_LABELS)
    env.globals["reason_text"] = reason_text
    env.globals["actor_label"] = actor_label
    env.globals["contact_label"] = partial(code_label, METHOD_LABELS)
    env.globals["outcome_label"] = partial(code_label, OUTCOME_LABELS)
    env.globals["decision_label"] = partial(code_label, DECISION_LABELS)
    env.globals["notice_status_label"] = partial(code_label, NOTICE_STATUS_LABELS)
    env.globals["deed_kind_label"] = partial(code_label, DEED_KIND_LABELS)
    env.globals["notice_kind_label"] = partial(code_label, NOTICE_KIND_LABELS)
    env.globals["deed_status_label"] = partial(code_label, DEED_STATUS_LABELS)
    env.globals["participant_role_label"] = partial(code_label, PARTICIPANT_ROLE_LABELS)
    env.globals["current_locale"] = i18n.get_locale
    env.globals["language_tag"] = i18n.language_tag
    env.globals["language_names"] = i18n.LANGUAGE_NAMES
    return env


def template_config() -> TemplateConfig:
    return TemplateConfig(instance=JinjaTemplateEngine.from_environment(build_environment()))


def render(request: Request, template_name: str, status_code: int = 200, **context: Any) -> Template:
    """Render a page with the shared context: who is signed in, their navigation, the language."""
    member = current_member(request)
    context.setdefault("page_title", "")
    base = {
        "member": member,
        "nav": navigation_for(member, request.url.path),
        "locale": i18n.get_locale(),
        "current_path": request.url.path,
    }
    return Template(
        template_name=template_name,
        context={**base, **context},
        status_code=status_code,
        media_type=MediaType.HTML,
    )
