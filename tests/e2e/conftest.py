"""The browser tests drive the same real parts as the integration tests (tests/conftest.py):
the Asterisk sandbox, PostgreSQL, `hotline12319 serve` and the SIP caller simulator."""
