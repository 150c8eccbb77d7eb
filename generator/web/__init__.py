"""Render stage, web: pages per language, search, offline lists, addresses, the MkDocs build and its checks."""
