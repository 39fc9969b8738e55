"""``manage.py import_postcodes FILE.csv --source "ONSPD November 2025"``: load an ONS postcode
extract (NSPL or ONSPD CSV) for "near a postcode" searches (``directory.postcodes``)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from directory import postcodes


class Command(BaseCommand):
    help = "Load an ONS postcode extract (NSPL or ONSPD CSV) for searches near a postcode."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path)
        parser.add_argument(
            "--source",
            required=True,
            help='Where the file came from, kept with each postcode, e.g. "ONSPD November 2025"',
        )

    def handle(self, *args: Any, **options: Any) -> None:
        path: Path = options["file"]
        if not path.is_file():
            raise CommandError(f"There is no file at {path}")
        try:
            result = postcodes.load(path, source=options["source"])
        except postcodes.PostcodeFileError as problem:
            raise CommandError(str(problem)) from None
        self.stdout.write(
            f"{result.loaded} postcodes loaded, {result.terminated} no longer in use left out, "
            f"{len(result.unusable)} rows could not be used"
        )
        for line in result.unusable[:20]:
            self.stdout.write(f"  {line}")
