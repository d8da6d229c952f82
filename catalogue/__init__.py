"""The online catalogue (Flask): public pages, IIIF endpoints, the JSON API, OAI-PMH and the
curators' workspace. It reads through the archive's services and writes only through them."""
