"""Bring a council's existing archive in from another system (ModernGov) as content files.

client.py fetches politely, webservice.py reads mgWebService.asmx XML, pages.py reads the
portal's HTML pages, to_markdown.py turns their minutes into Markdown, emit.py writes front
matter, and moderngov.py runs an import and keeps its state so that it can run again.
"""
