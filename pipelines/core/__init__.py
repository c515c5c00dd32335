"""Foundations every room uses: where things live, Unix-only calls, personal-data redaction, the Problem type."""
