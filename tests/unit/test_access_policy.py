"""Login throttling decisions and rate windows: pure, with the clock passed in."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from routing.admin.access_policy import (
    LoginHistory,
    Verdict,
    judge,
    load_access_policy,
    must_lock,
    password_expired,
    retry_after,
)
from routing.admin.rate_limit import SlidingWindow

NOW = datetime(2026, 12, 5, 8, 0, tzinfo=UTC)
POLICY = load_access_policy()


def test_the_policy_file_cites_the_clauses_and_locks_after_20_failures() -> None:
    assert "L 3.1.4(5)" in POLICY.clauses
    assert POLICY.login.lock_after_failures == 20


def test_given_a_locked_user_then_no_password_is_checked() -> None:
    assert judge(LoginHistory(locked=True, ip_failures=[]), POLICY.login) is Verdict.LOCKED


def test_given_too_many_failures_from_an_address_then_it_waits_for_the_window() -> None:
    limit = POLICY.login.ip_failures
    failures = [NOW - timedelta(minutes=10)] * limit
    history = LoginHistory(locked=False, ip_failures=failures)
    assert judge(history, POLICY.login) is Verdict.IP_THROTTLED
    assert retry_after(history, POLICY.login, NOW) == 5 * 60 + 1
    fewer = LoginHistory(locked=False, ip_failures=failures[1:])
    assert judge(fewer, POLICY.login) is Verdict.TRY


def test_the_twentieth_failure_locks_the_user() -> None:
    assert not must_lock(19, POLICY.login) and must_lock(20, POLICY.login)


def test_a_password_older_than_the_policy_has_expired() -> None:
    days = POLICY.password.max_age_days
    old = NOW - timedelta(days=days + 1)
    assert password_expired(None, old, POLICY.password, NOW)
    assert not password_expired(NOW - timedelta(days=1), old, POLICY.password, NOW)


def test_a_window_refuses_past_its_limit_and_says_how_long_to_wait() -> None:
    window = SlidingWindow(limit=3, window_s=60)
    assert [window.take("k", t) for t in (0.0, 1.0, 2.0)] == [None, None, None]
    assert window.take("k", 10.0) == 50
    assert window.take("other", 10.0) is None
    assert window.take("k", 60.5) is None  # the first one has left the window
