"""What libraries say while a file is prepared is kept as that file's notes, never printed."""

from __future__ import annotations

import logging
import os
import warnings

from ingest import notes


def test_c_code_writing_to_stderr_is_kept_as_notes_and_not_printed(capfd):
    with notes.kept() as said:
        os.write(2, b"TIFFReadDirectory: Warning, Unknown field with tag 65000 (0xfde8)\n")
        os.write(2, b"TIFFReadDirectory: Warning, Unknown field with tag 65000 (0xfde8)\n")
    assert said == ["stderr: TIFFReadDirectory: Warning, Unknown field with tag 65000 (0xfde8)"]
    assert capfd.readouterr().err == ""
    os.write(2, b"after\n")  # stderr is stderr again
    assert capfd.readouterr().err == "after\n"


def test_warnings_and_library_log_records_are_kept_as_notes(capfd):
    with notes.kept() as said:
        warnings.warn("Possibly corrupt EXIF data", UserWarning, stacklevel=1)
        logging.getLogger("PIL.TiffImagePlugin").error("More samples per pixel: 65535")
        logging.getLogger("pyvips").warning("VIPS: VipsJpeg: Corrupt JPEG data\nsecond line")
    assert said == [
        "UserWarning: Possibly corrupt EXIF data",
        "Pillow: More samples per pixel: 65535",
        "libvips: VipsJpeg: Corrupt JPEG data",
        "libvips: second line",
    ]
    assert capfd.readouterr().err == ""


def test_a_flood_of_messages_is_kept_short():
    with notes.kept() as said:
        for n in range(20_000):
            os.write(2, f"warning number {n}\n".encode())
        os.write(2, b"x" * 5000 + b"\n")
    assert len(said) == notes.MOST
    assert said[-1].startswith("and ") and said[-1].endswith("more messages")
    assert all(len(note) <= notes.LONGEST for note in said)
