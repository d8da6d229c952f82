"""The orders items are listed in, named once: the CLI's choices, the catalogue's and the JSON
API's checks, and the search service all read them from here."""

# Search results: best match first (accession order when there are no words to rank by),
# oldest or newest first by year, or last accessioned first.
SEARCH = ("relevance", "date", "-date", "added")
# What the catalogue's pages and its API offer visitors.
PUBLIC_SEARCH = ("relevance", "date", "-date")
FIRST = "relevance"  # when none is asked for
# `archive item list`: newest accession first, or by accession id.
LISTING = ("newest", "id")
