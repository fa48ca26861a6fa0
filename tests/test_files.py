"""slagen.files, the one door for workspace input: what it refuses, before any open, and what it reads."""

from __future__ import annotations

import os
import socket
from pathlib import Path

import pytest

from slagen.errors import InputError
from slagen.files import InputScope, OutsideError


def error_of(call: object, *args: object) -> str:
    with pytest.raises(InputError) as caught:
        call(*args)  # type: ignore[operator]
    return str(caught.value)


@pytest.fixture
def inside(tmp_path: Path) -> Path:
    (tmp_path / "ws").mkdir()
    (tmp_path / "outside").mkdir()
    return tmp_path / "ws"


def test_a_link_inside_the_scope_is_followed(inside: Path) -> None:
    (inside / "real.yaml").write_text("a: 1\n")
    (inside / "link.yaml").symlink_to("real.yaml")
    assert InputScope.within(inside).read_text(inside / "link.yaml", "link.yaml") == "a: 1\n"


def test_a_link_leading_outside_is_refused_before_the_target_is_touched(inside: Path) -> None:
    secret = inside.parent / "outside" / "secret"
    secret.write_text("root:$6$hash:::\n")
    (inside / "link.yaml").symlink_to(secret)
    scope = InputScope.within(inside)
    with pytest.raises(OutsideError, match=r"^link.yaml: is a link to a file outside the workspace$"):
        scope.read_bytes(inside / "link.yaml", "link.yaml")
    with pytest.raises(OutsideError, match=r"^x: is outside the workspace$"):
        scope.read_bytes(secret, "x")
    # A file the user named on the command line may be anywhere.
    assert scope.explicit().read_text(secret, "secret") == "root:$6$hash:::\n"


def test_a_socket_a_fifo_a_folder_and_a_device_are_refused_without_opening(inside: Path) -> None:
    listener = socket.socket(socket.AF_UNIX)
    listener.bind(str(inside / "s.css"))
    os.mkfifo(inside / "p.css")  # opening it would block for ever: the check comes first
    (inside / "d.css").mkdir()
    scope = InputScope.within(inside)
    try:
        assert error_of(scope.read_bytes, inside / "s.css", "s.css") == (
            "s.css: is a socket, not a regular file; only regular files are read"
        )
    finally:
        listener.close()
    assert error_of(scope.read_bytes, inside / "p.css", "p.css") == (
        "p.css: is a FIFO, not a regular file; only regular files are read"
    )
    assert error_of(scope.digest, inside / "d.css", "d.css") == (
        "d.css: is a folder, not a regular file; only regular files are read"
    )
    assert error_of(scope.explicit().digest, Path("/dev/zero"), "/dev/zero") == (
        "/dev/zero: is a character device, not a regular file; only regular files are read"
    )


def test_size_limit_and_encoding(inside: Path) -> None:
    (inside / "big.css").write_bytes(b"x" * 101)
    (inside / "latin.css").write_bytes("a {}\n/* Größe */\n".encode("latin-1"))
    scope = InputScope.within(inside, limit=100)
    assert error_of(scope.read_bytes, inside / "big.css", "big.css") == (
        "big.css: the file is 101 bytes; the limit is 100 (limits.input_bytes in slagen.yaml)"
    )
    assert error_of(scope.digest, inside / "big.css", "big.css").startswith("big.css: the file is 101 bytes")
    assert error_of(InputScope.within(inside).read_text, inside / "latin.css", "latin.css") == (
        "latin.css:2: the file is not UTF-8 (byte 0xf6); save it as UTF-8"
    )


def test_a_broken_link_is_reported(inside: Path) -> None:
    (inside / "gone.yaml").symlink_to("nothing.yaml")
    assert error_of(InputScope.within(inside).read_bytes, inside / "gone.yaml", "gone.yaml") == (
        "gone.yaml: is a link to a file that does not exist"
    )
