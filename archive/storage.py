"""Content-addressed storage of masters: each file under its SHA-256, written atomically, read-only.

A file is copied to a temporary name in the same folder, flushed to disk, then renamed into place,
so a process killed at any moment leaves either no master or a whole one, never half of one.
"""

from __future__ import annotations

import hashlib
import os
import shutil
from pathlib import Path

MEDIA_EXTENSIONS = {
    "image/jpeg": ".jpg",
    "image/tiff": ".tif",
    "image/png": ".png",
    "application/pdf": ".pdf",
}
_TEMP_SUFFIX = ".partial"


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        while chunk := handle.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest()


class MasterStore:
    def __init__(self, root: Path):
        self.root = root

    def relative_path(self, sha256: str, media_type: str) -> str:
        return f"masters/{sha256[:2]}/{sha256[2:4]}/{sha256}{MEDIA_EXTENSIONS[media_type]}"

    def path(self, relative: str) -> Path:
        return self.root.parent / relative

    def put(self, source: Path, sha256: str, media_type: str) -> str:
        """Store `source` under its hash (a no-op when it is stored already); return its path."""
        relative = self.relative_path(sha256, media_type)
        target = self.path(relative)
        if target.exists():
            return relative
        target.parent.mkdir(parents=True, exist_ok=True)
        temp = target.with_name(f"{target.name}.{os.getpid()}{_TEMP_SUFFIX}")
        with open(source, "rb") as src, open(temp, "wb") as dst:
            shutil.copyfileobj(src, dst, 1 << 20)
            dst.flush()
            os.fsync(dst.fileno())
        os.chmod(temp, 0o444)
        os.replace(temp, target)
        _fsync_dir(target.parent)
        return relative

    def sweep(self, referenced: set[str]) -> list[str]:
        """Remove partial copies and masters no record refers to: what a run that was killed
        between storing a master and committing its record leaves behind."""
        removed = []
        for folder, _dirs, files in os.walk(self.root):
            for name in files:
                path = Path(folder, name)
                relative = path.relative_to(self.root.parent).as_posix()
                if name.endswith(_TEMP_SUFFIX) or relative not in referenced:
                    path.unlink()
                    removed.append(relative)
        return removed


def write_atomically(target: Path, data: bytes) -> None:
    """Write a small file whole or not at all (a temporary name, then a rename)."""
    target.parent.mkdir(parents=True, exist_ok=True)
    temp = target.with_name(f"{target.name}.{os.getpid()}{_TEMP_SUFFIX}")
    temp.write_bytes(data)
    os.replace(temp, target)


def _fsync_dir(folder: Path) -> None:
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
