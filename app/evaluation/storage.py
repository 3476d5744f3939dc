"""Evidence files (minh chứng): checked, stored under random names in UPLOAD_DIR, never in static.

- allowed: pdf, jpg/jpeg, png, docx, xlsx; the extension and the content (magic bytes, and for
  docx/xlsx the Office package's own part names) must agree;
- size capped by ``MAX_UPLOAD_MB`` (10 MB by default), counted while reading, so an oversized
  file is refused before it is stored;
- written to a temporary file first and renamed only once every check has passed: a refused
  upload leaves nothing behind;
- read back only through :func:`open_evidence`, after the caller loaded the Evidence row with
  ``get_in_scope_or_404`` (scope check on every download).
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import secrets
import tempfile
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import IO
from urllib.parse import urlsplit

from flask import current_app
from flask_babel import gettext as _

from app.text import nfc

SUBDIR = "evidence"
CHUNK = 64 * 1024


@dataclass(frozen=True)
class FileKind:
    mime: str
    magic: tuple[bytes, ...]
    package_part: str | None = None  # a part every such Office package contains


KINDS = {
    "pdf": FileKind("application/pdf", (b"%PDF-",)),
    "jpg": FileKind("image/jpeg", (b"\xff\xd8\xff",)),
    "jpeg": FileKind("image/jpeg", (b"\xff\xd8\xff",)),
    "png": FileKind("image/png", (b"\x89PNG\r\n\x1a\n",)),
    "docx": FileKind(
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        (b"PK\x03\x04",),
        "word/document.xml",
    ),
    "xlsx": FileKind(
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        (b"PK\x03\x04",),
        "xl/workbook.xml",
    ),
}
ALLOWED_LABEL = "PDF, JPG, PNG, DOCX, XLSX"


class UploadError(ValueError):
    """A refused upload; ``str()`` is the Vietnamese reason."""


@dataclass(frozen=True)
class StoredFile:
    stored_name: str
    original_name: str
    mime: str
    size: int
    sha256: str


def upload_root() -> Path:
    root = Path(current_app.config["UPLOAD_DIR"]) / SUBDIR
    root.mkdir(parents=True, exist_ok=True)
    return root


def max_bytes() -> int:
    return int(current_app.config.get("MAX_UPLOAD_MB", 10)) * 1024 * 1024


def _extension(filename: str) -> str:
    name = (filename or "").strip().lower()
    return name.rsplit(".", 1)[-1] if "." in name else ""


def clean_name(filename: str) -> str:
    """A display name: NFC, no path, no control characters, at most 200 characters."""
    base = (filename or "").replace("\\", "/").rsplit("/", 1)[-1]
    base = "".join(ch for ch in base if ch.isprintable())
    return (nfc(base) or "tep")[:200]


def _check_content(path: Path, ext: str, kind: FileKind) -> None:
    with path.open("rb") as handle:
        head = handle.read(16)
    if not any(head.startswith(m) for m in kind.magic):
        raise UploadError(
            _(
                "Nội dung tệp không khớp với phần mở rộng .%(ext)s. Hãy tải lên đúng tệp "
                "%(ext_upper)s (không đổi tên tệp loại khác).",
                ext=ext,
                ext_upper=ext.upper(),
            )
        )
    if kind.package_part:
        try:
            with zipfile.ZipFile(path) as package:
                names = set(package.namelist())
        except zipfile.BadZipFile:
            names = set()
        if kind.package_part not in names or "[Content_Types].xml" not in names:
            raise UploadError(
                _(
                    "Tệp .%(ext)s bị hỏng hoặc không phải tài liệu Office hợp lệ. "
                    "Hãy mở tệp, lưu lại rồi tải lên lần nữa.",
                    ext=ext,
                )
            )


def save_upload(stream: IO[bytes], filename: str) -> StoredFile:
    """Check and store one uploaded file; raises UploadError (nothing written) when refused."""
    original = clean_name(filename)
    ext = _extension(original)
    kind = KINDS.get(ext)
    if kind is None:
        raise UploadError(
            _(
                "Không nhận tệp có phần mở rộng '%(ext)s'. Chỉ nhận: %(allowed)s.",
                ext=ext or "?",
                allowed=ALLOWED_LABEL,
            )
        )
    limit = max_bytes()
    root = upload_root()
    digest = hashlib.sha256()
    size = 0
    fd, tmp_name = tempfile.mkstemp(dir=root, prefix=".upload-")
    tmp = Path(tmp_name)
    try:
        with os.fdopen(fd, "wb") as out:
            while True:
                chunk = stream.read(CHUNK)
                if not chunk:
                    break
                size += len(chunk)
                if size > limit:
                    raise UploadError(
                        _(
                            "Tệp quá lớn: tối đa %(mb)s MB. Hãy nén hoặc chia nhỏ tệp rồi tải lên.",
                            mb=current_app.config.get("MAX_UPLOAD_MB", 10),
                        )
                    )
                digest.update(chunk)
                out.write(chunk)
        if size == 0:
            raise UploadError(_("Tệp rỗng. Hãy chọn một tệp có nội dung."))
        _check_content(tmp, ext, kind)
        stored = f"{secrets.token_hex(2)}/{secrets.token_hex(16)}.{ext}"
        target = root / stored
        target.parent.mkdir(parents=True, exist_ok=True)
        os.replace(tmp, target)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return StoredFile(stored, original, kind.mime, size, digest.hexdigest())


def path_of(stored_name: str) -> Path:
    """The file of a stored name, refusing anything that would leave the evidence folder."""
    root = upload_root().resolve()
    path = (root / stored_name).resolve()
    if root not in path.parents:
        raise FileNotFoundError(stored_name)
    return path


def delete_stored(stored_name: str | None) -> None:
    if stored_name:
        with contextlib.suppress(FileNotFoundError):
            path_of(stored_name).unlink(missing_ok=True)


def check_link(url: str) -> str:
    """An http(s) link to an existing document (minh chứng là đường dẫn)."""
    url = (url or "").strip()
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc or len(url) > 1000:
        raise UploadError(
            _("Đường dẫn không hợp lệ. Hãy dán địa chỉ bắt đầu bằng https:// hoặc http://.")
        )
    return url
