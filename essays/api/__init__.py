"""The read-only JSON API for essays and topics (see DESIGN.md, public contract)."""
