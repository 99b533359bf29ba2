"""``file://DIR``: a backend directory on the local file system (``~`` and relative paths
allowed). gocloud's ``fileblob`` query parameters are accepted and ignored: none of them
changes what is read."""

from __future__ import annotations

import datetime as dt
import os
import urllib.parse
from pathlib import Path

from cdcml.errors import BackendError
from cdcml.inputs import read_file
from cdcml.state.stores.base import ObjectInfo, ObjectNotFound, ObjectStore, StoreScheme, StoreURL, query_params

__all__ = ["SCHEME", "FileStore", "open_file_store"]

PARAMS = frozenset({"no_tmp_dir", "create_dir", "dir_file_mode", "metadata", "base_url", "secret_key_path"})


class FileStore(ObjectStore):
    """A backend directory on the local file system."""

    def __init__(self, root: Path, url: str) -> None:
        self.root = root
        self.url = url

    def list(self, prefix: str) -> list[ObjectInfo]:
        base = self.root / prefix
        start = base if base.is_dir() else base.parent
        out: list[ObjectInfo] = []
        if not start.is_dir():
            return out
        for dirpath, _dirs, files in os.walk(start):
            for name in files:
                full = Path(dirpath) / name
                key = full.relative_to(self.root).as_posix()
                if not key.startswith(prefix):
                    continue
                try:
                    st = full.stat()
                except OSError:
                    continue
                modified = dt.datetime.fromtimestamp(st.st_mtime, dt.UTC)
                out.append(ObjectInfo(key, st.st_size, modified, f"{st.st_mtime_ns:x}-{st.st_size:x}"))
        return sorted(out, key=lambda o: o.key)

    def read(self, key: str) -> bytes:
        """The bytes of *key*, a regular file (a link to one is followed); a FIFO, a device
        or a socket is refused without waiting on it, and the size is bounded."""
        path = self.root / key
        try:
            return read_file(path, name=str(path), error=BackendError)
        except (FileNotFoundError, IsADirectoryError, NotADirectoryError):
            raise ObjectNotFound(key) from None
        except OSError as e:
            raise BackendError(f"{self.object_url(key)}: can't read: {e.strerror}") from None

    def object_url(self, key: str) -> str:
        return str(self.root / key)


def open_file_store(url: StoreURL, timeout: float) -> FileStore:
    """The directory a ``file://`` URL names; it must exist (nothing is created)."""
    query_params(url.url, url.query, PARAMS)
    raw = urllib.parse.unquote(url.location)
    if not raw:
        raise BackendError(f"invalid backend URL {url.url!r}: file:// needs a directory")
    root = Path(os.path.expanduser(raw)).resolve()
    if not root.exists():
        raise BackendError(f"{url.url}: directory {root} does not exist")
    if not root.is_dir():
        raise BackendError(f"{url.url}: {root} is not a directory")
    return FileStore(root, f"file://{root.as_posix()}")


SCHEME = StoreScheme("file", "file://DIR", open_file_store)
