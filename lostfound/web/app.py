"""Assembles the Litestar application: the one place where the pieces meet."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from litestar import Litestar
from litestar.config.csrf import CSRFConfig
from litestar.middleware import DefineMiddleware
from litestar.openapi import OpenAPIConfig
from litestar.openapi.plugins import SwaggerRenderPlugin
from litestar.openapi.spec import Components, SecurityScheme
from litestar.plugins.flash import FlashConfig, FlashPlugin
from litestar.static_files import create_static_files_router
from litestar.stores.memory import MemoryStore
from litestar.stores.registry import StoreRegistry

from lostfound import __version__, background
from lostfound.database import close_pool, open_pool
from lostfound.settings import STATIC_DIR, Settings, get_settings
from lostfound.web.access import access_guard, ids_in_range
from lostfound.web.auth import StaffAuthenticationMiddleware
from lostfound.web.controllers.account import AccountController
from lostfound.web.controllers.admin_audit import AdminAuditController
from lostfound.web.controllers.admin_stations import AdminStationsController
from lostfound.web.controllers.admin_users import AdminUsersController
from lostfound.web.controllers.api import ApiV1Controller
from lostfound.web.controllers.api_documents import DocumentsApi
from lostfound.web.controllers.api_found_items import FoundItemsApi
from lostfound.web.controllers.api_lost_reports import LostReportsApi
from lostfound.web.controllers.auth import AuthController
from lostfound.web.controllers.custody_flow import TransfersController, UnclaimedController
from lostfound.web.controllers.deeds import DeedsController
from lostfound.web.controllers.document_reader import DocumentReaderController
from lostfound.web.controllers.figures import FiguresController
from lostfound.web.controllers.handover import HandoverController
from lostfound.web.controllers.items import ItemsController, MediaController
from lostfound.web.controllers.matches import MatchesController
from lostfound.web.controllers.metrics import MetricsController, prometheus
from lostfound.web.controllers.notices import BoardController, NoticesController
from lostfound.web.controllers.outbox import OutboxController
from lostfound.web.controllers.pages import PagesController
from lostfound.web.controllers.press_notices import CommendationsController, PressNoticesController
from lostfound.web.controllers.public_reports import PublicReportsController
from lostfound.web.controllers.verify import VerifyController
from lostfound.web.errors import EXCEPTION_HANDLERS
from lostfound.web.input_guard import RejectNulMiddleware
from lostfound.web.locale import LocaleMiddleware
from lostfound.web.observability import RequestContextMiddleware, configure_logging
from lostfound.web.security_headers import SecurityHeadersMiddleware
from lostfound.web.sessions import SESSION_COOKIE, SessionConfig
from lostfound.web.templating import template_config

log = logging.getLogger("lostfound")


def build_stores(settings: Settings) -> StoreRegistry:
    """In-process stores by default; Redis (shared by every worker) when REDIS_URL is set."""
    if settings.redis_url:
        from litestar.stores.redis import RedisStore

        root = RedisStore.with_client(url=settings.redis_url, namespace=settings.redis_prefix)
        return StoreRegistry(default_factory=root.with_namespace)
    return StoreRegistry(default_factory=lambda _name: MemoryStore())


def create_served_app() -> RequestContextMiddleware:
    """What ``lostfound serve`` runs: the app inside the request-context layer, so that every answer
    (a 404 for a path no route knows included) carries a request id and gets its access line."""
    return RequestContextMiddleware(create_app())


def create_app(settings: Settings | None = None, manage_pool: bool = True) -> Litestar:
    """Build the app. ``manage_pool=False`` leaves the database pool to the caller (tests)."""
    settings = settings or get_settings()
    templates = template_config()
    session_config = SessionConfig(
        key=SESSION_COOKIE,
        max_age=settings.session_max_age,
        secure=settings.secure_cookies,
        httponly=True,
        samesite="lax",
        store="sessions",
        # Probes, assets and the token-authenticated API have no use for a session.
        exclude=["^/static/", "^/api/", "^/healthz$", "^/readyz$", "^/metrics$"],
    )

    @asynccontextmanager
    async def lifespan(_: Litestar) -> AsyncIterator[None]:
        if not manage_pool:
            yield
            return
        configure_logging(settings)  # in every worker process: the server starts them fresh
        await open_pool(settings)
        try:
            async with background.running(settings):
                yield
        finally:
            await close_pool()

    return Litestar(
        route_handlers=[
            AuthController,
            AccountController,
            PagesController,
            AdminStationsController,
            ItemsController,
            DocumentReaderController,
            MediaController,
            VerifyController,
            OutboxController,
            MatchesController,
            HandoverController,
            DeedsController,
            FiguresController,
            PressNoticesController,
            CommendationsController,
            TransfersController,
            UnclaimedController,
            NoticesController,
            BoardController,
            PublicReportsController,
            AdminUsersController,
            AdminAuditController,
            ApiV1Controller,
            FoundItemsApi,
            LostReportsApi,
            DocumentsApi,
            MetricsController,
            create_static_files_router(path="/static", directories=[STATIC_DIR], name="static"),
        ],
        guards=[access_guard, ids_in_range],
        middleware=[
            prometheus.middleware,
            SecurityHeadersMiddleware,
            LocaleMiddleware,
            RejectNulMiddleware,
            session_config.middleware,
            DefineMiddleware(StaffAuthenticationMiddleware, exclude=["^/static/"]),
        ],
        csrf_config=CSRFConfig(
            secret=settings.secret_key,
            cookie_name="csrftoken",
            cookie_secure=settings.secure_cookies,
            cookie_httponly=True,
            # The API takes bearer tokens only, never cookies, so forged requests carry no credentials.
            exclude=["^/api/"],
        ),
        template_config=templates,
        plugins=[FlashPlugin(config=FlashConfig(template_config=templates))],
        stores=build_stores(settings),
        exception_handlers=EXCEPTION_HANDLERS,
        logging_config=None,  # ours (observability.configure_logging): one handler, request ids, JSON on request
        openapi_config=OpenAPIConfig(
            title="lostfound API",
            version=__version__,
            path="/api/docs",
            render_plugins=[SwaggerRenderPlugin()],
            components=Components(
                security_schemes={"BearerToken": SecurityScheme(type="http", scheme="bearer")}
            ),
        ),
        lifespan=[lifespan],
        debug=False,
    )
