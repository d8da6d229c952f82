"""IIIF as the archive publishes it: the web addresses, the Presentation 3.0 documents of items and
the Collections that lead to them (an exhibition's manifest is built in `exhibitions`, from the
same pieces), their check against the official schema, and the deep-zoom viewer of pages' images.
A page's images themselves are kept and read by `archive.derivatives`."""
