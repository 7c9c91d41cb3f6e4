"""Loads the translations (ours and Qt's own) for the person's language."""

from __future__ import annotations

import logging

from PySide6.QtCore import QCoreApplication, QLibraryInfo, QLocale, QTranslator

from tray_app.resources import resource

log = logging.getLogger(__name__)

CATALOGUE = "awork_tray"


def install_translations(app: QCoreApplication, locale: QLocale | None = None) -> list[QTranslator]:
    """Install the catalogues for ``locale`` (the system's by default); English needs none."""
    locale = locale or QLocale.system()
    installed = []
    for name, folder in (
        (CATALOGUE, str(resource("translations"))),
        # Qt's own words, e.g. the OK and Cancel buttons of the settings dialog.
        ("qtbase", QLibraryInfo.path(QLibraryInfo.LibraryPath.TranslationsPath)),
    ):
        translator = QTranslator(app)
        if translator.load(locale, name, "_", folder):
            app.installTranslator(translator)
            installed.append(translator)
    log.info("language %s: %d catalogue(s)", locale.name(), len(installed))
    return installed
