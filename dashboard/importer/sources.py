"""Find the CSV files of a data set in a folder or a .zip (spec section 1)."""

from __future__ import annotations

import shutil
import tempfile
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path, PurePosixPath

from dashboard.importer.spec import FILES, REQUIRED_FILES
from dashboard.importer.staging import ImportInputError, check_header
from dashboard.importer.textfile import prepare

NAMES = {f"{f}.csv": f for f in FILES}


def _check_required(found: dict[str, object], where: str) -> None:
    missing = [f"{f}.csv" for f in REQUIRED_FILES if f not in found]
    if missing:
        raise ImportInputError(f"{where} has no {' and no '.join(missing)} (a data set needs treatments.csv and "
                               "injections.csv; events.csv is optional)")


def _from_folder(folder: Path) -> dict[str, Path]:
    found: dict[str, Path] = {}
    for entry in sorted(folder.iterdir()):
        key = NAMES.get(entry.name.lower())
        if key and entry.is_file():
            if key in found:
                raise ImportInputError(f"{folder} holds {key}.csv twice ({found[key].name} and {entry.name})")
            found[key] = entry
    _check_required(found, str(folder))
    return found


def _zip_members(archive: zipfile.ZipFile, label: str) -> dict[str, zipfile.ZipInfo]:
    by_dir: dict[str, dict[str, zipfile.ZipInfo]] = {}
    for info in archive.infolist():
        member = PurePosixPath(info.filename)
        if info.is_dir() or "__MACOSX" in member.parts or member.name.startswith("._"):
            continue
        key = NAMES.get(member.name.lower())
        if key:
            by_dir.setdefault(str(member.parent), {})[key] = info
    with_treatments = [d for d, files in by_dir.items() if "treatments" in files]
    if len(with_treatments) > 1:
        raise ImportInputError(f"{label} holds more than one data set ({', '.join(sorted(with_treatments))})")
    chosen = by_dir.get(with_treatments[0], {}) if with_treatments else {}
    _check_required(chosen, label)
    return chosen


@contextmanager
def dataset_files(path: str | Path) -> Iterator[dict[str, Path]]:
    """Yield {file key: CSV path} for a folder or a .zip of one (extracted to a temporary folder)."""
    path = Path(path)
    if not path.exists():
        raise ImportInputError(f"{path} does not exist")
    if path.is_dir():
        yield _from_folder(path)
        return
    if not zipfile.is_zipfile(path):
        raise ImportInputError(f"{path} is neither a folder nor a .zip file")
    tmp = Path(tempfile.mkdtemp(prefix="injectwatch-import-"))
    try:
        try:
            with zipfile.ZipFile(path) as archive:
                members = _zip_members(archive, path.name)
                files: dict[str, Path] = {}
                for key, info in members.items():
                    target = tmp / f"{key}.csv"
                    with archive.open(info) as src, open(target, "wb") as dst:
                        shutil.copyfileobj(src, dst, 1 << 20)
                    files[key] = target
        except (zipfile.BadZipFile, OSError, RuntimeError) as exc:
            raise ImportInputError(f"{path.name} cannot be read as a zip: {exc}") from exc
        yield files
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def check_dataset(path: str | Path, encoding: str | None = None) -> None:
    """Raise ImportInputError when a data set cannot be found, opened, decoded or its headers read; stores nothing."""
    with dataset_files(path) as files, tempfile.TemporaryDirectory(prefix="injectwatch-check-") as tmp:
        for file, csv_path in files.items():
            check_header(prepare(csv_path, file, Path(tmp), encoding).path, file)
