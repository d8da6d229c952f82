"""The deep-zoom viewer of pages' IIIF images: OpenSeadragon, from the npm registry, which
`make assets` copies into `vendor/openseadragon/` beside this module. The catalogue serves it, and
an exported exhibition carries a copy."""

from __future__ import annotations

from pathlib import Path

from archive.errors import ConfigError

FOLDER = Path(__file__).parent / "vendor" / "openseadragon"
SCRIPT = FOLDER / "openseadragon.min.js"


def installed() -> Path:
    """The viewer's folder; ConfigError when `make assets` has not put the viewer there."""
    if not SCRIPT.exists():
        raise ConfigError(f"the viewer is not installed in {FOLDER}: run `make assets`")
    return FOLDER
