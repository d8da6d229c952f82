"""Reading embedded metadata (ingest.metadata): pure helpers, real camera files, files made here
with exactly the garbage a test needs, and broken or hostile files that must never raise.

Expected values for the real files were checked against two readers other than ours: exiftool
12.57 and Pillow's own `getexif()`; IPTC and XMP values against the raw IPTC datasets and XMP
packets. See tests/data/*/SOURCES.md for the files.
"""

from __future__ import annotations

import io
import pathlib
import struct
import unicodedata
from fractions import Fraction
from typing import NamedTuple

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from PIL import Image, PngImagePlugin
from pypdf import PdfWriter

from ingest.embedded_values import (
    dms_to_decimal,
    exif_date,
    iptc_date,
    orientation,
    pdf_date,
    xmp_date,
)
from ingest.metadata import (
    Embedded,
    clean_text,
    drop_placeholders,
    is_placeholder,
    merge,
    parse_xmp,
    pdf_title,
    read_embedded,
)

DATA = pathlib.Path(__file__).parent / "data"
PHOTOS = DATA / "photos"
ROBUSTNESS = DATA / "robustness"
MEDIA_TYPES = {
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".png": "image/png",
    ".tif": "image/tiff",
    ".tiff": "image/tiff",
    ".pdf": "application/pdf",
}


def nfd(text: str) -> str:
    return unicodedata.normalize("NFD", text)


# ---------------------------------------------------------------------------------------------
# Pure helpers


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("  Hội An  ", "Hội An"),
        (nfd("Phố cổ Hội An"), "Phố cổ Hội An"),
        ("Phố cổ Hội An".encode(), "Phố cổ Hội An"),
        (b"Caf\xe9", "Café"),  # not UTF-8: read as Latin-1
        ("a\x00b\x07c\x1b", "abc"),
        ("\ufeffTitle", "Title"),
        ("line one\r\nline two\rthree", "line one\nline two\nthree"),
        ("                               ", None),
        (b"", None),
        (None, None),
        (42, None),
    ],
)
def test_clean_text_decodes_normalises_and_strips(raw, expected):
    assert clean_text(raw) == expected
    if expected:
        assert unicodedata.is_normalized("NFC", clean_text(raw))


@pytest.mark.parametrize(
    ("text", "make", "model", "expected"),
    [
        ("OLYMPUS DIGITAL CAMERA", None, None, True),
        ("sony dsc", None, None, True),
        ("DCIM", "Canon", "EOS 40D", True),
        (
            "KODAK DC240 ZOOM DIGITAL CAMERA",
            "EASTMAN KODAK COMPANY",
            "KODAK DC240 ZOOM DIGITAL CAMERA",
            True,
        ),
        ("WWL", "WWL", "ION230", True),
        ("Canon EOS 40D", "Canon", "EOS 40D", True),
        ("Iguana iguana, male head", "Canon", "Canon EOS 40D", False),
        (
            "Laitche (This file is in the public domain.)",
            "PENTAX Corporation",
            "PENTAX K10D",
            False,
        ),
    ],
)
def test_is_placeholder_knows_what_cameras_write_by_themselves(text, make, model, expected):
    assert is_placeholder(text, make, model) is expected


def test_drop_placeholders_clears_camera_text_from_descriptive_fields():
    found = Embedded(
        title="DCIM",
        description="OLYMPUS DIGITAL CAMERA",
        creator="Y Nhi",
        copyright="C8080WZ",
        model="C8080WZ",
    )
    drop_placeholders(found, "OLYMPUS CORPORATION", "C8080WZ")
    assert found == Embedded(creator="Y Nhi", model="C8080WZ")


class R(NamedTuple):
    """A bare rational as exifread gives it, which may have a zero denominator."""

    numerator: int
    denominator: int


@pytest.mark.parametrize(
    ("dms", "ref", "axis", "expected"),
    [
        ([Fraction(0), Fraction(11139, 500), Fraction(0)], "S", "latitude", -0.3713),
        ([Fraction(36), Fraction(677, 200), Fraction(0)], "E", "longitude", 36.0564),
        ([43, 28, Fraction(1407, 500)], "N", "latitude", 43.4674),
        ([R(51, 1), R(1, 1), R(30, 1)], "N", "latitude", 51.025),
        ([R(7, 1), R(35, 1), R(31, 1)], "W ", "longitude", -7.5919),
        ([Fraction(1055, 100)], "N", "latitude", 10.55),  # degrees only, as some writers do
        ([180, 0, 0], "W", "longitude", -180.0),
    ],
)
def test_dms_to_decimal_gives_signed_decimal_degrees(dms, ref, axis, expected):
    assert round(dms_to_decimal(dms, ref, axis), 4) == expected


@pytest.mark.parametrize(
    ("dms", "ref", "axis", "message"),
    [
        ([R(10, 1), R(1, 0), R(0, 1)], "N", "latitude", "has a zero denominator"),
        ([95, 0, 0], "N", "latitude", "is not a latitude"),
        ([4294967295], "N", "latitude", "is not a latitude"),
        ([181, 0, 0], "E", "longitude", "is not a longitude"),
        ([10, 60, 0], "N", "latitude", "is not a latitude"),
        ([-10, 0, 0], "N", "latitude", "is not a latitude"),
        ([10, 0, 0], None, "latitude", "has no hemisphere reference"),
        ([10, 0, 0], "E", "latitude", "has no hemisphere reference"),
        ([], "N", "latitude", "is not degrees, minutes, seconds"),
        ([1, 2, 3, 4], "N", "latitude", "is not degrees, minutes, seconds"),
        (["10", 0, 0], "N", "latitude", "is not made of rational numbers"),
    ],
)
def test_dms_to_decimal_refuses_impossible_positions(dms, ref, axis, message):
    with pytest.raises(ValueError, match=message):
        dms_to_decimal(dms, ref, axis)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2008:05:30 15:56:01", ("2008-05-30", "2008-05-30T15:56:01")),
        ("2008:05:30 15:56:01\x00", ("2008-05-30", "2008-05-30T15:56:01")),
        ("2008-05-30 15:56", ("2008-05-30", "2008-05-30T15:56:00")),
        ("2008:05:30", ("2008-05-30", None)),
        ("2008:05:00 00:00:00", ("2008-05", None)),  # day unknown
        ("2008:00:00 00:00:00", ("2008", None)),  # month and day unknown
        ("    :  :     :  :  ", (None, None)),  # the EXIF way of writing "unknown"
        ("", (None, None)),
        (None, (None, None)),
    ],
)
def test_exif_date_gives_edtf_and_iso_date_time(text, expected):
    assert exif_date(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "0000:00:00 00:00:00",
        "2008:13:01 10:00:00",
        "2008:02:30 10:00:00",
        "2008:05:30 25:00:00",
        "2008:00:15 00:00:00",
        "yesterday",
        "2008:5:30 10:00:00",
    ],
)
def test_exif_date_refuses_garbage(text):
    with pytest.raises(ValueError, match="is not a date"):
        exif_date(text)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2008-05-30T15:56:01+02:00", ("2008-05-30", "2008-05-30T15:56:01")),
        ("2018-10-27T13:27:23.53", ("2018-10-27", "2018-10-27T13:27:23")),
        ("2008-05-30T15:56:01Z", ("2008-05-30", "2008-05-30T15:56:01")),
        ("2008-05-30T15:56", ("2008-05-30", "2008-05-30T15:56:00")),
        ("2003-08-31", ("2003-08-31", None)),
        ("1975-04", ("1975-04", None)),
        ("1975", ("1975", None)),
    ],
)
def test_xmp_date_gives_edtf_and_iso_date_time(text, expected):
    assert xmp_date(text) == expected


@pytest.mark.parametrize("text", ["May 1975", "1975-13", "1975-02-29", "0000-01-01", "75"])
def test_xmp_date_refuses_garbage(text):
    with pytest.raises(ValueError, match="is not a date"):
        xmp_date(text)


@pytest.mark.parametrize(
    ("date", "time", "expected"),
    [
        ("20181027", "132723", ("2018-10-27", "2018-10-27T13:27:23")),
        ("19680131", "093000+0700", ("1968-01-31", "1968-01-31T09:30:00")),
        ("19680131", None, ("1968-01-31", None)),
        ("19680100", "093000", ("1968-01", None)),
        ("19680000", None, ("1968", None)),
    ],
)
def test_iptc_date_gives_edtf_and_iso_date_time(date, time, expected):
    assert iptc_date(date, time) == expected


@pytest.mark.parametrize(
    ("date", "time"),
    [
        ("20081301", None),
        ("00000000", None),
        ("1968", None),
        ("20080530", "9am"),
    ],
)
def test_iptc_date_refuses_garbage(date, time):
    with pytest.raises(ValueError, match="is not a date"):
        iptc_date(date, time)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("D:20090204203430+01'00'", ("2009-02-04", "2009-02-04T20:34:30")),
        ("D:20080530155601Z", ("2008-05-30", "2008-05-30T15:56:01")),
        ("D:20080530155601Z00'00'", ("2008-05-30", "2008-05-30T15:56:01")),
        ("D:200805301556", ("2008-05-30", "2008-05-30T15:56:00")),
        ("D:20080530", ("2008-05-30", None)),
        ("D:200805", ("2008-05", None)),
        ("D:2008", ("2008", None)),
        ("20080530", ("2008-05-30", None)),
    ],
)
def test_pdf_date_gives_edtf_and_iso_date_time(text, expected):
    assert pdf_date(text) == expected


@pytest.mark.parametrize("text", ["D:00000000", "D:20081332", "Friday, 30 May 2008"])
def test_pdf_date_refuses_garbage(text):
    with pytest.raises(ValueError, match="is not a date"):
        pdf_date(text)


@pytest.mark.parametrize(("value", "expected"), [(1, 1), ([6], 6), ("3", 3), ((8,), 8)])
def test_orientation_accepts_1_to_8(value, expected):
    assert orientation(value) == expected


@pytest.mark.parametrize("value", [0, 9, 65535, -1, "x", [1, 2], None])
def test_orientation_refuses_anything_else(value):
    with pytest.raises(ValueError, match="is not an orientation"):
        orientation(value)


XMP = """<?xpacket begin="\ufeff" id="W5M0MpCehiHzreSzNTczkc9d"?>
<x:xmpmeta xmlns:x="adobe:ns:meta/">
 <rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">
  <rdf:Description rdf:about="" xmlns:dc="http://purl.org/dc/elements/1.1/"
      xmlns:photoshop="http://ns.adobe.com/photoshop/1.0/"
      xmlns:tiff="http://ns.adobe.com/tiff/1.0/"
      photoshop:DateCreated="1975-04" tiff:Orientation="6">
   <dc:title><rdf:Alt>
     <rdf:li xml:lang="en">Gong festival</rdf:li>
     <rdf:li xml:lang="x-default">Lễ hội cồng chiêng</rdf:li>
   </rdf:Alt></dc:title>
   <dc:description><rdf:Alt><rdf:li xml:lang="vi">Kon Tum, 1975</rdf:li></rdf:Alt></dc:description>
   <dc:creator><rdf:Seq><rdf:li>Y Nhi</rdf:li><rdf:li>A Lâm</rdf:li></rdf:Seq></dc:creator>
   <dc:subject><rdf:Bag><rdf:li>cồng chiêng</rdf:li><rdf:li> </rdf:li><rdf:li>Ba Na</rdf:li>
   </rdf:Bag></dc:subject>
   <dc:rights><rdf:Alt>
     <rdf:li xml:lang="x-default">© Bảo tàng Kon Tum</rdf:li>
   </rdf:Alt></dc:rights>
  </rdf:Description>
 </rdf:RDF>
</x:xmpmeta>
<?xpacket end="w"?>"""


def test_parse_xmp_reads_dublin_core_alternatives_sequences_bags_and_attributes():
    assert parse_xmp(nfd(XMP).encode() + b"\x00\x00   ") == {
        "title": ["Lễ hội cồng chiêng"],  # the x-default entry, whatever its place
        "description": ["Kon Tum, 1975"],  # else the first
        "creator": ["Y Nhi", "A Lâm"],
        "subject": ["cồng chiêng", "Ba Na"],
        "rights": ["© Bảo tàng Kon Tum"],
        "date": ["1975-04"],
        "orientation": ["6"],
    }


@pytest.mark.parametrize(
    ("packet", "message"),
    [
        (b"<x:xmpmeta", "is not XML"),
        (b"\xff\xfe\x00garbage", "is not XML"),
        (
            b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">]><x>&lol;</x>',
            "declares a DTD",
        ),
    ],
)
def test_parse_xmp_refuses_what_is_not_xmp(packet, message):
    with pytest.raises(ValueError, match=message):
        parse_xmp(packet)


def test_parse_xmp_of_a_packet_without_properties_is_empty():
    assert parse_xmp(b'<x:xmpmeta xmlns:x="adobe:ns:meta/" key="value" />') == {}


def test_merge_takes_each_field_from_the_first_source_that_has_it():
    iptc = Embedded(title="IPTC title", keywords=["iptc"], warnings=["w1"])
    xmp = Embedded(title="XMP title", creator="XMP creator", keywords=["xmp"], warnings=["w2"])
    exif = Embedded(description="EXIF description", creator="EXIF artist", make="Canon")
    assert merge([iptc, xmp, exif]) == Embedded(
        title="IPTC title",
        description="EXIF description",
        creator="XMP creator",
        make="Canon",
        keywords=["iptc"],
        warnings=["w1", "w2"],
    )


@pytest.mark.parametrize(
    ("sources", "date", "date_taken"),
    [
        # a scan: the curated date wins, the scanner's clock says nothing about the photograph
        (
            [Embedded(date="1968"), Embedded(date="2023-05-05", date_taken="2023-05-05T10:00:00")],
            "1968",
            None,
        ),
        # the same day, the time from the camera
        (
            [
                Embedded(date="2008-05-30"),
                Embedded(date="2008-05-30", date_taken="2008-05-30T15:56:01"),
            ],
            "2008-05-30",
            "2008-05-30T15:56:01",
        ),
        (
            [Embedded(), Embedded(date="2008-05-30", date_taken="2008-05-30T15:56:01")],
            "2008-05-30",
            "2008-05-30T15:56:01",
        ),
        ([Embedded(), Embedded()], None, None),
    ],
)
def test_merge_takes_the_time_only_from_a_source_that_agrees_on_the_date(sources, date, date_taken):
    merged = merge(sources)
    assert (merged.date, merged.date_taken) == (date, date_taken)


# ---------------------------------------------------------------------------------------------
# Real camera files. Make, model, DateTimeOriginal and orientation as exiftool and Pillow read
# them; GPS as Pillow computes it from the DMS rationals and the hemisphere reference (exiftool's
# probe in sources.json gives Kodak's latitude unsigned, 0.3713; GPSLatitudeRef is "S").


@pytest.mark.parametrize(
    ("name", "date", "taken", "make", "model", "turn", "lat", "lon"),
    [
        (
            "exif-samples/Canon_40D.jpg",
            "2008-05-30",
            "2008-05-30T15:56:01",
            "Canon",
            "Canon EOS 40D",
            1,
            None,
            None,
        ),  # GPS IFD without a position
        (
            "exif-samples/Kodak_CX7530.jpg",
            "2005-08-13",
            "2005-08-13T09:47:23",
            "EASTMAN KODAK COMPANY",
            "KODAK CX7530 ZOOM DIGITAL CAMERA",
            1,
            -0.3713,
            36.0564,
        ),
        (
            "exif-samples/Nikon_D70.jpg",
            "2008-03-15",
            "2008-03-15T09:52:01",
            "NIKON CORPORATION",
            "NIKON D70",
            1,
            None,
            None,
        ),
        (
            "exif-samples/Pentax_K10D.jpg",
            "2008-05-04",
            "2008-05-04T16:47:24",
            "PENTAX Corporation",
            "PENTAX K10D",
            1,
            None,
            None,
        ),  # make and model padded with spaces
        (
            "exif-samples/Fujifilm_FinePix_E500.jpg",
            "2006-08-17",
            "2006-08-17T09:24:48",
            "FUJIFILM",
            "FinePix E500",
            1,
            None,
            None,
        ),
        (
            "exif-samples/Olympus_C8080WZ.jpg",
            "2006-10-22",
            "2006-10-22T15:44:29",
            "OLYMPUS CORPORATION",
            "C8080WZ",
            1,
            None,
            None,
        ),
        (
            "pillow-metadata/empty_gps_ifd.jpg",
            "2020-07-27",
            "2020-07-27T14:46:48",
            "Xiaomi",
            "Redmi Note 9S",
            6,
            None,
            None,
        ),
    ],
)
def test_camera_files_give_their_exact_exif_values(name, date, taken, make, model, turn, lat, lon):
    found = read_embedded(PHOTOS / name, "image/jpeg")
    assert (found.date, found.date_taken, found.make, found.model, found.orientation) == (
        date,
        taken,
        make,
        model,
        turn,
    )
    assert (found.latitude is None, found.longitude is None) == (lat is None, lon is None)
    if lat is not None:
        assert (round(found.latitude, 4), round(found.longitude, 4)) == (lat, lon)
    assert found.warnings == []


def test_date_time_original_wins_over_the_date_an_editor_saved_the_file():
    # Canon_40D.jpg: DateTimeOriginal 2008:05:30, DateTime 2008:07:31 (re-saved by GIMP)
    assert read_embedded(PHOTOS / "exif-samples/Canon_40D.jpg", "image/jpeg").date == "2008-05-30"


def test_gps_position_is_read_from_a_phone_photo():
    found = read_embedded(
        ROBUSTNESS / "exif-samples/exifread-regressions/67-0_length_string.jpg", "image/jpeg"
    )
    assert (round(found.latitude, 4), round(found.longitude, 4)) == (51.025, 7.5919)
    assert (found.make, found.model) == ("samsung", "SM-G930F")


def test_camera_placeholder_description_is_dropped():
    # ImageDescription "KONICA MINOLTA DIGITAL CAMERA"
    found = read_embedded(PHOTOS / "exif-samples/Konica_Minolta_DiMAGE_Z3.jpg", "image/jpeg")
    assert found.description is None
    assert found.model == "DiMAGE Z3"


# ---------------------------------------------------------------------------------------------
# Real files with IPTC and XMP


def test_iptc_keywords_are_read():
    found = read_embedded(PHOTOS / "pillow-metadata/iptc.jpg", "image/jpeg")
    assert found.keywords == ["HvK", "2006", "summer", "July", "holiday", "Hungary", "Budapest"]
    assert found.title is None
    assert (found.make, found.date) == ("Nokia", "2006-07-08")


def test_iptc_title_caption_and_keywords_are_read():
    found = read_embedded(PHOTOS / "exif-samples/BlueSquare.jpg", "image/jpeg")
    assert found.title == "Blue Square Test File - .jpg"
    assert found.description == (
        "XMPFiles BlueSquare test file, created in Photoshop CS2, saved as .psd, .jpg, and .tif."
    )
    assert found.keywords == ["XMP", "Blue Square", "test file", "Photoshop", ".jpg"]


def test_iptc_by_line_gives_the_creator():
    found = read_embedded(PHOTOS / "exif-samples/no_exif.jpg", "image/jpeg")
    assert (found.creator, found.title, found.description, found.keywords) == (
        "CREDIT",
        "Der Goalie bin ig",
        "Der Goalie bin ig",
        ["tag"],
    )


def test_exif_segment_after_an_xmp_segment_is_read():
    # exifread 3.5.1 finds no EXIF in this file (hence its upstream name, no_exif.jpg): it stops
    # at the XMP APP1 segment that comes first. Pillow and exiftool read the Exif segment after it.
    found = read_embedded(PHOTOS / "exif-samples/no_exif.jpg", "image/jpeg")
    assert (found.orientation, found.date, found.date_taken) == (
        1,
        "2014-09-22",
        "2014-09-22T10:56:35",
    )
    assert found.warnings == []


def test_xmp_title_creator_description_and_date_created_are_read():
    found = read_embedded(PHOTOS / "exif-samples/long_description.jpg", "image/jpeg")
    assert found.title == "030904-A-2140D-006"
    assert found.creator == "SSG KYLE DAVIS"
    assert found.description.startswith("Operation Mountain Viper put the soldiers of A Company")
    assert found.description.endswith("(U.S. Army photo by Staff Sgt. Kyle Davis) (Released)")
    # photoshop:DateCreated 2003-08-31 wins over EXIF DateTime 2008:07:31 10:50:00 (re-saved)
    assert (found.date, found.date_taken) == ("2003-08-31", None)
    assert found.copyright is None  # empty dc:rights and EXIF Copyright
    assert found.warnings == []


def test_xmp_creator_and_rights_are_read_alongside_exif():
    found = read_embedded(PHOTOS / "exif-samples/Pentax_K10D.jpg", "image/jpeg")
    assert (found.creator, found.copyright) == (
        "Laitche",
        "Laitche (This file is in the public domain.)",
    )


def test_xmp_orientation_is_used_when_there_is_no_exif_orientation():
    found = read_embedded(PHOTOS / "pillow-metadata/xmp_tags_orientation.png", "image/png")
    assert found.orientation == 3
    assert found.warnings == []


def test_tiff_with_a_non_ascii_file_name_gives_its_artist_and_date():
    found = read_embedded(PHOTOS / "exif-samples/Crémieux11.tiff", "image/tiff")
    assert (found.creator, found.date, found.date_taken) == (
        "Jean Cornillon",
        "2012-01-09",
        "2012-01-09T22:52:11",
    )


def test_junk_gps_values_are_dropped_with_a_warning():
    # Pillow's exif_gps.jpg: GPSLatitude 4294967295, no GPSLatitudeRef
    found = read_embedded(PHOTOS / "pillow-metadata/exif_gps.jpg", "image/jpeg")
    assert (found.latitude, found.longitude) == (None, None)
    assert found.warnings == [
        "EXIF GPSLatitude '4294967295' has no hemisphere reference (got None); ignored"
    ]


# ---------------------------------------------------------------------------------------------
# Files made here, each with the metadata a test needs


def ifd(entries: dict[int, tuple[int, object]], offset: int) -> bytes:
    """A little-endian TIFF IFD at `offset`, its out-of-line values right after it. Entries map a
    tag to (type, value): 2 ASCII (bytes), 3 SHORT and 4 LONG (list of int), 5 RATIONAL (list of
    (numerator, denominator))."""
    data_at = offset + 2 + 12 * len(entries) + 4
    fields, data = [struct.pack("<H", len(entries))], b""
    for tag, (kind, value) in sorted(entries.items()):
        if kind == 2:
            raw, count = value + b"\x00", len(value) + 1
        elif kind == 5:
            raw, count = b"".join(struct.pack("<II", *pair) for pair in value), len(value)
        else:
            raw, count = (
                b"".join(struct.pack("<H" if kind == 3 else "<I", v) for v in value),
                len(value),
            )
        if len(raw) <= 4:
            field = raw.ljust(4, b"\x00")
        else:
            field = struct.pack("<I", data_at + len(data))
            data += raw + b"\x00" * (len(raw) % 2)
        fields.append(struct.pack("<HHI", tag, kind, count) + field)
    return b"".join(fields) + b"\x00\x00\x00\x00" + data


def exif_segment(ifd0: dict, exif: dict | None = None, gps: dict | None = None) -> bytes:
    """The payload of a JPEG APP1 Exif segment with these IFD0, Exif and GPS entries."""
    ifd0 = dict(ifd0)
    subs = [(0x8769, exif), (0x8825, gps)]
    for tag, entries in subs:
        if entries:
            ifd0[tag] = (4, [0])
    tail, tail_at = b"", 8 + len(ifd(ifd0, 8))
    for tag, entries in subs:
        if entries:
            ifd0[tag] = (4, [tail_at + len(tail)])
            tail += ifd(entries, tail_at + len(tail))
    return b"Exif\x00\x00II*\x00" + struct.pack("<I", 8) + ifd(ifd0, 8) + tail


def iptc_segment(datasets: list[tuple[int, bytes]]) -> bytes:
    """A JPEG APP13 segment holding IPTC IIM record 2 datasets (UTF-8 declared in 1:90)."""
    iim = b"\x1c\x01\x5a\x00\x03\x1b%G" + b"".join(
        b"\x1c\x02" + bytes([number]) + struct.pack(">H", len(value)) + value
        for number, value in datasets
    )
    iim += b"\x00" * (len(iim) % 2)
    block = b"8BIM\x04\x04\x00\x00" + struct.pack(">I", len(iim)) + iim
    payload = b"Photoshop 3.0\x00" + block
    return b"\xff\xed" + struct.pack(">H", len(payload) + 2) + payload


def jpeg(
    path: pathlib.Path,
    *,
    exif: bytes = b"",
    xmp: str = "",
    iptc: bytes = b"",
    size: tuple[int, int] | None = None,
) -> pathlib.Path:
    """A small JPEG with the given metadata; `size` rewrites the frame header's dimensions."""
    buffer = io.BytesIO()
    Image.new("RGB", (8, 8), "teal").save(buffer, "JPEG", exif=exif, xmp=xmp.encode())
    data = buffer.getvalue()
    data = data[:2] + iptc + data[2:]
    if size:
        at = data.index(b"\xff\xc0") + 5
        data = data[:at] + struct.pack(">HH", size[1], size[0]) + data[at + 4 :]
    path.write_bytes(data)
    return path


def exif_jpeg(
    tmp_path: pathlib.Path, ifd0: dict, exif: dict | None = None, gps: dict | None = None
) -> Embedded:
    return read_embedded(
        jpeg(tmp_path / "made.jpg", exif=exif_segment(ifd0, exif, gps)), "image/jpeg"
    )


def test_made_up_jpeg_gives_back_every_exif_field(tmp_path):
    found = exif_jpeg(
        tmp_path,
        {
            271: (2, b"Canon"),
            272: (2, b"Canon EOS 5D"),
            274: (3, [6]),
            270: (2, nfd("Phố cổ Hội An").encode()),
            315: (2, "Nguyễn Văn A".encode()),
            33432: (2, b"Bao tang Kon Tum"),
        },
        {36867: (2, b"1998:04:30 07:15:00")},
        {
            1: (2, b"N"),
            2: (5, [(14, 1), (21, 1), (1800, 100)]),
            3: (2, b"E"),
            4: (5, [(108, 1), (0, 1), (3600, 100)]),
        },
    )
    assert found == Embedded(
        description="Phố cổ Hội An",
        creator="Nguyễn Văn A",
        date="1998-04-30",
        date_taken="1998-04-30T07:15:00",
        make="Canon",
        model="Canon EOS 5D",
        copyright="Bao tang Kon Tum",
        orientation=6,
        latitude=pytest.approx(14.355),
        longitude=pytest.approx(108.01),
    )


@pytest.mark.parametrize(
    ("ifd0", "exif", "gps", "field", "warning"),
    [
        (
            {},
            {36867: (2, b"0000:00:00 00:00:00")},
            None,
            "date",
            "EXIF DateTimeOriginal '0000:00:00 00:00:00' is not a date; ignored",
        ),
        (
            {},
            {36867: (2, b"2008:13:01 10:00:00")},
            None,
            "date",
            "EXIF DateTimeOriginal '2008:13:01 10:00:00' is not a date; ignored",
        ),
        (
            {274: (3, [0])},
            None,
            None,
            "orientation",
            "EXIF Orientation '0' is not an orientation (1-8); ignored",
        ),
        (
            {274: (3, [9])},
            None,
            None,
            "orientation",
            "EXIF Orientation '9' is not an orientation (1-8); ignored",
        ),
        (
            {},
            None,
            {1: (2, b"N"), 2: (5, [(95, 1), (0, 1), (0, 1)]), 3: (2, b"E"), 4: (5, [(1, 1)])},
            "latitude",
            "EXIF GPSLatitude '[95, 0, 0]' is not a latitude; ignored",
        ),
        (
            {},
            None,
            {1: (2, b"N"), 2: (5, [(10, 1)]), 3: (2, b"E"), 4: (5, [(1, 0), (0, 1), (0, 1)])},
            "longitude",
            "EXIF GPSLongitude '[1/0, 0, 0]' has a zero denominator; ignored",
        ),
    ],
)
def test_garbage_exif_values_are_dropped_with_a_warning(tmp_path, ifd0, exif, gps, field, warning):
    found = exif_jpeg(tmp_path, ifd0, exif, gps)
    assert getattr(found, field) is None
    assert found.warnings == [warning]


def test_half_a_gps_position_is_no_position(tmp_path):
    found = exif_jpeg(
        tmp_path, {}, None, {1: (2, b"N"), 2: (5, [(10, 1)]), 3: (2, b"E"), 4: (5, [(200, 1)])}
    )
    assert (found.latitude, found.longitude) == (None, None)
    assert found.warnings == ["EXIF GPSLongitude '200' is not a longitude; ignored"]


def test_garbage_date_time_original_falls_back_to_date_time_digitized(tmp_path):
    found = exif_jpeg(
        tmp_path,
        {306: (2, b"2010:01:01 00:00:00")},
        {36867: (2, b"0000:00:00 00:00:00"), 36868: (2, b"2008:05:30 15:56:01")},
    )
    assert (found.date, found.date_taken) == ("2008-05-30", "2008-05-30T15:56:01")
    assert len(found.warnings) == 1


def test_date_time_is_used_when_it_is_the_only_date(tmp_path):
    found = exif_jpeg(tmp_path, {306: (2, b"2008:07:31 10:38:11")})
    assert (found.date, found.date_taken) == ("2008-07-31", "2008-07-31T10:38:11")


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        (b"OLYMPUS DIGITAL CAMERA         ", None),
        (b"SONY DSC", None),
        (b"                               ", None),
        (b"Canon EOS 5D", None),  # the model again
        (b"Caf\xe9 \x07des Arts", "Café des Arts"),  # Latin-1, a control character
        (b"Nh\xc3\xa0 r\xc3\xb4ng\x00junk after the terminator", "Nhà rông"),
    ],
)
def test_exif_description_is_cleaned_and_placeholders_dropped(tmp_path, raw, expected):
    found = exif_jpeg(tmp_path, {270: (2, raw), 271: (2, b"Canon"), 272: (2, b"Canon EOS 5D")})
    assert found.description == expected
    assert found.warnings == []


IPTC = [
    (5, "Lễ hội cồng chiêng".encode()),
    (120, nfd("Đánh cồng ở làng Kon Klor").encode()),
    (80, b"Y Nhi"),
    (80, "A Lâm".encode()),
    (25, "cồng chiêng".encode()),
    (25, b"Ba Na"),
    (25, b"Ba Na"),
    (116, "© Bảo tàng Kon Tum".encode()),
    (55, b"19680131"),
    (60, b"093000+0700"),
]


def test_iptc_gives_title_caption_creators_keywords_rights_and_date(tmp_path):
    path = jpeg(tmp_path / "iptc.jpg", iptc=iptc_segment(IPTC))
    assert read_embedded(path, "image/jpeg") == Embedded(
        title="Lễ hội cồng chiêng",
        description="Đánh cồng ở làng Kon Klor",
        creator="Y Nhi; A Lâm",
        copyright="© Bảo tàng Kon Tum",
        date="1968-01-31",
        date_taken="1968-01-31T09:30:00",
        keywords=["cồng chiêng", "Ba Na"],
    )


def test_iptc_wins_over_xmp_which_wins_over_exif(tmp_path):
    exif = exif_segment(
        {270: (2, b"EXIF description"), 315: (2, b"EXIF artist"), 33432: (2, b"EXIF copyright")},
        {36867: (2, b"2023:05:05 10:00:00")},
    )  # the day it was scanned
    iptc = iptc_segment([(5, b"IPTC title"), (55, b"19680131")])
    path = jpeg(tmp_path / "all.jpg", exif=exif, xmp=XMP, iptc=iptc)
    found = read_embedded(path, "image/jpeg")
    assert (found.title, found.description, found.creator, found.copyright) == (
        "IPTC title",
        "Kon Tum, 1975",
        "Y Nhi; A Lâm",
        "© Bảo tàng Kon Tum",
    )
    assert (found.date, found.date_taken) == ("1968-01-31", None)
    assert found.keywords == ["cồng chiêng", "Ba Na"]


def test_exif_after_xmp_in_a_made_up_jpeg_is_read(tmp_path):
    data = jpeg(tmp_path / "xmp-first.jpg", xmp=XMP).read_bytes()
    assert data[20:22] == b"\xff\xe1"  # after SOI and JFIF APP0: the XMP APP1
    end = 22 + struct.unpack(">H", data[22:24])[0]
    payload = exif_segment({271: (2, b"Nikon"), 274: (3, [3])})
    app1 = b"\xff\xe1" + struct.pack(">H", len(payload) + 2) + payload
    (tmp_path / "xmp-first.jpg").write_bytes(data[:end] + app1 + data[end:])
    found = read_embedded(tmp_path / "xmp-first.jpg", "image/jpeg")
    assert (found.make, found.orientation, found.title) == ("Nikon", 3, "Lễ hội cồng chiêng")


def test_a_placeholder_an_editor_copied_into_iptc_and_xmp_is_dropped_too(tmp_path):
    path = jpeg(
        tmp_path / "copied.jpg",
        exif=exif_segment({270: (2, b"OLYMPUS DIGITAL CAMERA         ")}),
        xmp=XMP.replace("Kon Tum, 1975", "OLYMPUS DIGITAL CAMERA"),
        iptc=iptc_segment([(120, b"OLYMPUS DIGITAL CAMERA")]),
    )
    found = read_embedded(path, "image/jpeg")
    assert found.description is None
    assert found.title == "Lễ hội cồng chiêng"


def test_exif_orientation_wins_over_xmp_orientation(tmp_path):
    path = jpeg(tmp_path / "turned.jpg", exif=exif_segment({274: (3, [8])}), xmp=XMP)
    assert read_embedded(path, "image/jpeg").orientation == 8


def test_garbage_iptc_and_xmp_dates_are_dropped_with_a_warning(tmp_path):
    xmp = XMP.replace('"1975-04"', '"1975-13"')
    path = jpeg(tmp_path / "dates.jpg", xmp=xmp, iptc=iptc_segment([(55, b"20081301")]))
    found = read_embedded(path, "image/jpeg")
    assert found.date is None
    assert found.warnings == [
        "IPTC DateCreated '20081301' is not a date; ignored",
        "XMP photoshop:DateCreated '1975-13' is not a date; ignored",
    ]


def test_broken_xmp_packet_gives_a_warning_and_the_rest_is_still_read(tmp_path):
    path = jpeg(
        tmp_path / "broken-xmp.jpg",
        xmp="<x:xmpmeta><rdf:RDF>",
        exif=exif_segment({271: (2, b"Canon")}),
    )
    found = read_embedded(path, "image/jpeg")
    assert found.make == "Canon"
    assert len(found.warnings) == 1
    assert found.warnings[0].startswith("XMP packet '20 bytes' is not XML")


def test_xmp_is_read_from_png_and_tiff(tmp_path):
    info = PngImagePlugin.PngInfo()
    info.add_itxt("XML:com.adobe.xmp", XMP)
    Image.new("RGB", (4, 4)).save(tmp_path / "x.png", pnginfo=info)
    Image.new("RGB", (4, 4)).save(tmp_path / "x.tif", tiffinfo={700: XMP.encode()})
    for name, media_type in (("x.png", "image/png"), ("x.tif", "image/tiff")):
        found = read_embedded(tmp_path / name, media_type)
        assert (found.title, found.date, found.orientation) == ("Lễ hội cồng chiêng", "1975-04", 6)
        assert found.warnings == []


def test_metadata_of_an_image_too_large_to_decode_is_still_read(tmp_path):
    path = jpeg(
        tmp_path / "huge.jpg",
        xmp=XMP,
        iptc=iptc_segment([(5, b"Huge map")]),
        exif=exif_segment({271: (2, b"Phase One")}),
        size=(60000, 60000),
    )
    limit = Image.MAX_IMAGE_PIXELS
    with pytest.raises(Image.DecompressionBombError):
        Image.open(path)
    found = read_embedded(path, "image/jpeg")
    assert (found.title, found.make, found.creator) == ("Huge map", "Phase One", "Y Nhi; A Lâm")
    assert found.warnings == []
    assert limit == Image.MAX_IMAGE_PIXELS  # left alone


def pdf(path: pathlib.Path, info: dict[str, str] | None = None, password: str = "") -> pathlib.Path:
    writer = PdfWriter()
    writer.add_blank_page(72, 72)
    if info:
        writer.add_metadata(info)
    if password:
        writer.encrypt(password, algorithm="RC4-128")
    with path.open("wb") as file:
        writer.write(file)
    return path


def test_pdf_information_dictionary_is_read(tmp_path):
    path = pdf(
        tmp_path / "doc.pdf",
        {
            "/Title": nfd("Kế hoạch số 1297/KH-UBND"),
            "/Author": "UBND tỉnh Kon Tum",
            "/Subject": "Tuyên truyền về quyền con người",
            "/Keywords": "quyền con người, CRC; CEDAW",
            "/CreationDate": "D:20230505090000+07'00'",
        },
    )
    assert read_embedded(path, "application/pdf") == Embedded(
        title="Kế hoạch số 1297/KH-UBND",
        creator="UBND tỉnh Kon Tum",
        description="Tuyên truyền về quyền con người",
        date="2023-05-05",
        date_taken="2023-05-05T09:00:00",
        keywords=["quyền con người", "CRC", "CEDAW"],
    )


@pytest.mark.parametrize(
    ("title", "expected"),
    [
        ("Adobe Photoshop PDF", None),
        ("Microsoft Word - Báo cáo tổng kết năm 2019.docx", "Báo cáo tổng kết năm 2019"),
        ("Microsoft Word - x.doc", "x"),
        ("Microsoft Word - Document1", None),
        ("Microsoft PowerPoint - Presentation1", None),
        ("Untitled-1", None),
        ("Acrobat PDFMaker 11 for Word", None),  # the file's own /Creator
        ("Kế hoạch số 1297/KH-UBND", "Kế hoạch số 1297/KH-UBND"),
        ("Biên bản họp - Word - bản 2", "Biên bản họp - Word - bản 2"),
    ],
)
def test_a_pdf_title_naming_a_program_is_no_title(title, expected):
    assert pdf_title(title, "Acrobat PDFMaker 11 for Word", "Adobe PDF Library 11.0") == expected


def test_a_pdf_made_by_a_program_keeps_only_the_name_its_author_gave(tmp_path):
    photoshop = pdf(tmp_path / "poster.pdf", {"/Title": "Adobe Photoshop PDF"})
    word = pdf(
        tmp_path / "letter.pdf",
        {"/Title": "Microsoft Word - Công văn số 12.doc", "/Creator": "PScript5.dll Version 5.2.2"},
    )
    assert read_embedded(photoshop, "application/pdf").title is None
    assert read_embedded(word, "application/pdf").title == "Công văn số 12"


def test_pdf_garbage_creation_date_is_dropped_with_a_warning(tmp_path):
    path = pdf(tmp_path / "doc.pdf", {"/Title": "x", "/CreationDate": "D:00000000000000"})
    found = read_embedded(path, "application/pdf")
    assert (found.title, found.date) == ("x", None)
    assert found.warnings == ["PDF CreationDate 'D:00000000000000' is not a date; ignored"]


def test_encrypted_pdf_gives_nothing_and_no_warning(tmp_path):
    path = pdf(tmp_path / "secret.pdf", {"/Title": "secret"}, password="mật khẩu")
    assert read_embedded(path, "application/pdf") == Embedded()


def test_pdf_creation_date_is_read_from_a_real_file():
    found = read_embedded(ROBUSTNESS / "ocrmypdf-pdfs/negzero.pdf", "application/pdf")
    assert (found.date, found.date_taken) == ("2009-02-04", "2009-02-04T20:34:30")


# ---------------------------------------------------------------------------------------------
# Broken and hostile files: never an exception, warnings where a parser failed


ROBUSTNESS_FILES = sorted(
    p
    for p in ROBUSTNESS.rglob("*")
    if p.suffix.lower() in MEDIA_TYPES and not p.name.startswith("_")
)


def test_the_robustness_set_is_there():
    assert len(ROBUSTNESS_FILES) >= 30


@pytest.mark.timeout(30)
@pytest.mark.parametrize("path", ROBUSTNESS_FILES, ids=lambda p: str(p.relative_to(ROBUSTNESS)))
def test_broken_files_give_a_result_and_never_raise(path):
    found = read_embedded(path, MEDIA_TYPES[path.suffix.lower()])
    assert isinstance(found, Embedded)
    assert all(isinstance(w, str) and w for w in found.warnings)
    assert found.orientation in (None, 1, 2, 3, 4, 5, 6, 7, 8)


@pytest.mark.parametrize(
    ("name", "media_type", "expected"),
    [
        (
            "pillow/broken.png",
            "image/png",
            [
                "IPTC/XMP could not be read: SyntaxError",
                "EXIF could not be read: UnicodeDecodeError",
            ],
        ),
        (
            "pillow/broken_data_stream.png",
            "image/png",
            ["EXIF could not be read: UnicodeDecodeError"],
        ),
        ("pillow/libtiff_segfault.tif", "image/tiff", ["IPTC/XMP could not be read: SyntaxError"]),
        (
            "pillow/tiff_overflow_rows_per_strip.tif",
            "image/tiff",
            ["IPTC/XMP could not be read: SyntaxError"],
        ),
        (
            "ocrmypdf-pdfs/invalid.pdf",
            "application/pdf",
            ["PDF information dictionary could not be read: PdfReadError"],
        ),
    ],
)
def test_a_parser_that_fails_is_named_in_a_warning(name, media_type, expected):
    found = read_embedded(ROBUSTNESS / name, media_type)
    assert len(found.warnings) == len(expected)
    for warning, start in zip(found.warnings, expected, strict=True):
        assert warning.startswith(start)


def test_what_a_damaged_file_still_holds_is_read():
    found = read_embedded(ROBUSTNESS / "pillow/broken_exif_dpi.jpg", "image/jpeg")
    assert (found.make, found.model, found.date, found.creator) == (
        "NIKON CORPORATION",
        "NIKON D800",
        "2013-09-11",
        "Ross_Pushinaitis",
    )
    found = read_embedded(
        ROBUSTNESS / "exif-samples/exifread-regressions/45-gps_ifd.jpg", "image/jpeg"
    )  # an empty GPSInfo
    assert (found.make, found.latitude, found.warnings) == ("Polyphony Digital Inc.", None, [])


def test_pdf_with_a_latin1_info_key_gives_its_author():
    found = read_embedded(ROBUSTNESS / "ocrmypdf-pdfs/docinfo_latin1_key.pdf", "application/pdf")
    assert found.creator == "Geomatikk AS"


@pytest.mark.parametrize("media_type", sorted(set(MEDIA_TYPES.values())))
def test_a_missing_file_gives_warnings_not_an_exception(tmp_path, media_type):
    found = read_embedded(tmp_path / "gone", media_type)
    assert found.warnings
    assert all("FileNotFoundError" in w for w in found.warnings)


@pytest.mark.parametrize("media_type", sorted(set(MEDIA_TYPES.values())))
def test_a_file_that_is_not_what_its_media_type_says_gives_warnings(media_type):
    found = read_embedded(PHOTOS / "pillow-metadata/_PILLOW_LICENSE.txt", media_type)
    assert found.warnings
    assert found.title is None


def test_an_unknown_media_type_gives_a_warning():
    found = read_embedded(PHOTOS / "exif-samples/Canon_40D.jpg", "image/webp")
    assert found == Embedded(warnings=["no embedded metadata is read from image/webp files"])


HEADERS = {
    "image/jpeg": b"\xff\xd8\xff\xe1",
    "image/png": b"\x89PNG\r\n\x1a\n",
    "image/tiff": b"II*\x00",
    "application/pdf": b"%PDF-1.4\n",
}


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(media_type=st.sampled_from(sorted(HEADERS)), body=st.binary(max_size=2048))
def test_random_bytes_behind_a_valid_header_never_raise(tmp_path_factory, media_type, body):
    path = tmp_path_factory.mktemp("fuzz") / "file"
    path.write_bytes(HEADERS[media_type] + body)
    assert isinstance(read_embedded(path, media_type), Embedded)


CANON = (PHOTOS / "exif-samples/Canon_40D.jpg").read_bytes()


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    changes=st.lists(st.tuples(st.integers(2, 2047), st.integers(0, 255)), min_size=1, max_size=12)
)
def test_a_camera_file_with_corrupted_metadata_never_raises(tmp_path_factory, changes):
    data = bytearray(CANON)
    for at, value in changes:
        data[at] = value
    path = tmp_path_factory.mktemp("fuzz") / "file.jpg"
    path.write_bytes(bytes(data))
    assert isinstance(read_embedded(path, "image/jpeg"), Embedded)
