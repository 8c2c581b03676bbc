"""``warta sop …``: validate, load, list and show SOP definitions.

warta sop validate FILE…          check files; every problem as file:line: path: message
warta sop load FILE [--by USER]   load a valid file (an invalid one changes nothing)
warta sop load --shipped          load the definitions that ship with Warta
warta sop list                    code, name, active version, number of versions
warta sop show CODE [--version V] the SOP as readable text
"""

from __future__ import annotations

from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from warta.sop import selectors, services
from warta.sop.errors import DefinitionInvalid
from warta.sop.loader import load_definition_file, validate_file
from warta.sop.models import SopVersion
from warta.sop.render_text import render_text


class Command(BaseCommand):
    help = "SOP definitions: validate, load, list, show."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True, metavar="ACTION")

        validate = sub.add_parser("validate", help="check definition files, change nothing")
        validate.add_argument("files", nargs="+", metavar="FILE")

        load = sub.add_parser("load", help="validate and load a definition file")
        load.add_argument("file", nargs="?", metavar="FILE")
        load.add_argument(
            "--shipped", action="store_true", help="load the definitions shipped with Warta"
        )
        load.add_argument("--by", metavar="USERNAME", help="record this user as the loader")

        sub.add_parser("list", help="list loaded SOPs")

        show = sub.add_parser("show", help="print an SOP as text")
        show.add_argument("code", metavar="CODE")
        show.add_argument("--version", dest="sop_version", metavar="VERSION")
        show.add_argument("--width", type=int, default=120)

    def handle(self, *args, **options):
        action = options["action"]
        if action == "validate":
            self.validate(options["files"])
        elif action == "load":
            self.load(options)
        elif action == "list":
            self.list_sops()
        elif action == "show":
            self.show(options["code"], options["sop_version"], options["width"])

    # --- validate -------------------------------------------------------------------------

    def validate(self, files: list[str]) -> None:
        invalid = 0
        for name in files:
            try:
                errors = validate_file(name)
            except OSError as exc:
                invalid += 1
                self.stdout.write(
                    _("%(file)s: cannot be read: %(reason)s")
                    % {"file": name, "reason": exc.strerror or exc}
                )
                continue
            if errors:
                invalid += 1
                for error in errors:
                    self.stdout.write(str(error))
                continue
            definition = load_definition_file(name)
            self.stdout.write(
                _("%(file)s: OK — %(code)s version %(version)s")
                % {"file": name, "code": definition.code, "version": definition.version}
            )
        if invalid:
            raise CommandError(
                ngettext(
                    "%(invalid)d of %(total)d file is invalid.",
                    "%(invalid)d of %(total)d files are invalid.",
                    len(files),
                )
                % {"invalid": invalid, "total": len(files)},
                returncode=1,
            )

    # --- load -----------------------------------------------------------------------------

    def _user(self, username: str | None):
        if not username:
            return None
        user_model = get_user_model()
        try:
            return user_model.objects.get(**{user_model.USERNAME_FIELD: username})
        except user_model.DoesNotExist as exc:
            raise CommandError(
                _("No user '%(username)s'.") % {"username": username}, returncode=1
            ) from exc

    def _refuse(self, exc: DefinitionInvalid) -> None:
        for error in exc.errors:
            self.stderr.write(str(error))
        raise CommandError(
            ngettext(
                "Not loaded: %(count)d error. Nothing was changed.",
                "Not loaded: %(count)d errors. Nothing was changed.",
                len(exc.errors),
            )
            % {"count": len(exc.errors)},
            returncode=1,
        )

    def load(self, options) -> None:
        user = self._user(options["by"])
        if options["shipped"] == bool(options["file"]):
            raise CommandError(_("Give either a FILE or --shipped."), returncode=2)
        if options["shipped"]:
            try:
                results = services.load_shipped(loaded_by=user)
            except DefinitionInvalid as exc:
                self._refuse(exc)
            for result in results:
                version = result.version
                message = {
                    "new": _("%(file)s: loaded %(code)s version %(version)s (new, now active)."),
                    "existing": _("%(file)s: %(code)s version %(version)s was already loaded."),
                    "kept-local": _(
                        "%(file)s: kept %(code)s version %(version)s, a revision loaded by the "
                        "SOP owner; the shipped file is not forced over it."
                    ),
                }[result.status]
                self.stdout.write(
                    message
                    % {
                        "file": result.path.name,
                        "code": version.code,
                        "version": version.version,
                    }
                )
            return
        path = Path(options["file"])
        try:
            version = services.load_sop(path_or_text=path, loaded_by=user)
        except DefinitionInvalid as exc:
            self._refuse(exc)
        except OSError as exc:
            raise CommandError(
                _("%(file)s: cannot be read: %(reason)s")
                % {"file": path, "reason": exc.strerror or exc},
                returncode=1,
            ) from exc
        if version.newly_loaded:
            message = _("Loaded %(code)s version %(version)s (new, now active).")
        elif version.is_active:
            message = _("%(code)s version %(version)s was already loaded and is active.")
        else:
            message = _(
                "%(code)s version %(version)s was already loaded; it is not the active version "
                "(nothing changed)."
            )
        self.stdout.write(message % {"code": version.code, "version": version.version})

    # --- list -----------------------------------------------------------------------------

    def list_sops(self) -> None:
        summaries = selectors.sop_summaries()
        if not summaries:
            self.stdout.write(
                _("No SOP is loaded yet. Load one with `warta sop load FILE` or --shipped.")
            )
            return
        headers = [_("Code"), _("Name"), _("Active version"), _("Versions")]
        rows = [[s.code, s.name, s.active_version or "-", str(s.version_count)] for s in summaries]
        widths = [max(len(row[i]) for row in [headers, *rows]) for i in range(len(headers))]
        for row in [headers, *rows]:
            self.stdout.write(
                "  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)).rstrip()
            )

    # --- show -----------------------------------------------------------------------------

    def show(self, code: str, version: str | None, width: int) -> None:
        try:
            sop = selectors.get_version(code, version) if version else selectors.get_active(code)
        except SopVersion.DoesNotExist as exc:
            if version:
                message = _("No version %(version)s of SOP %(code)s is loaded.")
            else:
                message = _("No active SOP with code %(code)s. See `warta sop list`.")
            raise CommandError(message % {"code": code, "version": version}, returncode=1) from exc
        self.stdout.write(render_text(sop.definition(), width=width), ending="")
