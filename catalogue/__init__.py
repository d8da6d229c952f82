"""The online catalogue (Flask): public pages, IIIF endpoints, the JSON API and the staff
workspace. It reads through the archive's services; the workspace writes only through the
archive's unit of work."""
