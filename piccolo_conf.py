"""Piccolo configuration: the engine follows the settings (SQLite by default)."""

from piccolo.conf.apps import AppRegistry

from lostfound.database import engine_for
from lostfound.settings import get_settings

DB = engine_for(get_settings())

APP_REGISTRY = AppRegistry(apps=["lostfound.piccolo_app"])
