"""The viewer's languages: Qt's translation system, catalogues in ``resources/i18n``.

English is the source language (the text in the code). Other languages are ``.ts`` catalogues in
``resources/i18n/`` compiled to ``.qm`` by ``make`` (pyside6-lrelease). The language is, in order:
the one asked for (``view --lang``), the one saved in the settings (the language menu; it applies at
the next start), or the operating system's. Named items whose name is also their identity (layouts,
window presets, colour maps, segmentation methods) are translated only for display: widgets keep
the name as item data. The CLI and the logs stay English.
"""

from __future__ import annotations

import logging
import sys
from pathlib import Path

from PySide6.QtCore import QT_TRANSLATE_NOOP, QCoreApplication, QLibraryInfo, QLocale, QSettings, QTranslator

from workstation.core import texts

log = logging.getLogger(__name__)

LANGUAGES = {"en": "English", "zh_CN": "简体中文"}
SETTINGS_KEY = "ui/language"
CATALOGUE = "workstation"


class LanguageError(ValueError):
    """A language was asked for that has no catalogue here."""


def resources_dir() -> Path:
    """``resources/`` beside the package (source checkout) or inside the frozen bundle."""
    if getattr(sys, "frozen", False):
        return Path(getattr(sys, "_MEIPASS", Path(sys.executable).parent)) / "resources"
    return Path(__file__).resolve().parents[2] / "resources"


def catalogue_path(lang: str) -> Path:
    return resources_dir() / "i18n" / f"{CATALOGUE}_{lang}.qm"


def saved_language() -> str | None:
    value = QSettings().value(SETTINGS_KEY)
    return str(value) if value in LANGUAGES else None


def save_language(lang: str) -> None:
    """Remember the language for the next start (the settings menu)."""
    if lang not in LANGUAGES:
        raise LanguageError(f"unknown language {lang!r}; choose one of {', '.join(LANGUAGES)}")
    QSettings().setValue(SETTINGS_KEY, lang)


def system_language() -> str:
    return "zh_CN" if QLocale.system().name().lower().startswith("zh") else "en"


def choose_language(requested: str | None = None) -> str:
    if requested is not None:
        if requested not in LANGUAGES:
            raise LanguageError(f"unknown language {requested!r}; choose one of {', '.join(LANGUAGES)}")
        return requested
    return saved_language() or system_language()


def install(app: QCoreApplication, lang: str, *, strict: bool = False) -> str:
    """Install the catalogues of ``lang`` into ``app``; returns the language in effect.

    A missing catalogue is an error when the language was asked for explicitly (``strict``), else
    the viewer stays English and says so in the log."""
    for old in getattr(app, "_workstation_translators", []):
        app.removeTranslator(old)
    app._workstation_translators = []
    texts.set_translator(None)
    if lang == "en":
        return "en"
    path = catalogue_path(lang)
    ours = QTranslator(app)
    if not path.exists() or not ours.load(str(path)):
        msg = f"no translation catalogue for {lang} at {path} (run `make translations`)"
        if strict:
            raise LanguageError(msg)
        log.warning("%s; the viewer stays English", msg)
        return "en"
    app.installTranslator(ours)
    app._workstation_translators.append(ours)
    qt = QTranslator(app)  # Qt's own strings (standard buttons of dialogs)
    if qt.load(f"qtbase_{lang}", QLibraryInfo.path(QLibraryInfo.LibraryPath.TranslationsPath)):
        app.installTranslator(qt)
        app._workstation_translators.append(qt)
    texts.set_translator(lambda context, text: QCoreApplication.translate(context, text))
    return lang


def install_headless(lang: str) -> str:
    """The catalogue of ``lang`` for drawing without a window (``view --screenshot``): a bare
    QCoreApplication is created when there is none. A missing catalogue is an error."""
    app = QCoreApplication.instance() or QCoreApplication(sys.argv[:1])
    return install(app, lang, strict=True)


def display_name(item: str) -> str:
    """The translated label of a named item (its name is its identity and stays the item's data)."""
    return QCoreApplication.translate("names", item)


# Named items shown through display_name(); tests/ui/test_i18n.py checks this list against core's
# vocabularies so that a new layout, preset or colour map cannot appear untranslated.
NAMES = (
    QT_TRANSLATE_NOOP("names", "grid"), QT_TRANSLATE_NOOP("names", "fused-mip"), QT_TRANSLATE_NOOP("names", "pet"),
    QT_TRANSLATE_NOOP("names", "MR auto"), QT_TRANSLATE_NOOP("names", "T1"), QT_TRANSLATE_NOOP("names", "T2"),
    QT_TRANSLATE_NOOP("names", "soft tissue"), QT_TRANSLATE_NOOP("names", "lung"),
    QT_TRANSLATE_NOOP("names", "bone"), QT_TRANSLATE_NOOP("names", "brain"),
    QT_TRANSLATE_NOOP("names", "liver"),
    QT_TRANSLATE_NOOP("names", "SUV 0-5"), QT_TRANSLATE_NOOP("names", "SUV 0-10"),
    QT_TRANSLATE_NOOP("names", "SUV 0-15"), QT_TRANSLATE_NOOP("names", "custom"), QT_TRANSLATE_NOOP("names", "hot spot"),
    QT_TRANSLATE_NOOP("names", "hot iron"), QT_TRANSLATE_NOOP("names", "rainbow"),
    QT_TRANSLATE_NOOP("names", "grey"), QT_TRANSLATE_NOOP("names", "inverted grey"),
)

# Words drawn into the views by render/analysis through core.texts.tr (extracted from here).
VIEW_TEXTS = (
    QT_TRANSLATE_NOOP("render", "CT"), QT_TRANSLATE_NOOP("render", "PET"), QT_TRANSLATE_NOOP("render", "Fused"),
    QT_TRANSLATE_NOOP("render", "MR"), QT_TRANSLATE_NOOP("render", "SPECT"),
    QT_TRANSLATE_NOOP("render", "axial"), QT_TRANSLATE_NOOP("render", "coronal"),
    QT_TRANSLATE_NOOP("render", "sagittal"), QT_TRANSLATE_NOOP("render", "no data"),
    QT_TRANSLATE_NOOP("render", "axi"), QT_TRANSLATE_NOOP("render", "cor"), QT_TRANSLATE_NOOP("render", "sag"),
    QT_TRANSLATE_NOOP("overlay", "(patient hidden)"), QT_TRANSLATE_NOOP("overlay", "(no name)"),
    QT_TRANSLATE_NOOP("overlay", "Study"), QT_TRANSLATE_NOOP("overlay", "sex unknown: M/F mean"),
    QT_TRANSLATE_NOOP("overlay", "p.i."), QT_TRANSLATE_NOOP("overlay", "injection after scan!"),
    QT_TRANSLATE_NOOP("overlay", "decay: {} but DecayFactor {:.3g} (expected {:.3g}): read as at the scan"),
    QT_TRANSLATE_NOOP("overlay", "decay: {} but DecayFactor {:.3g} (expected {:.3g}): DecayFactor trusted"),
)
