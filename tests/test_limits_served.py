"""Rate limits under the real production server: `dailypapers serve` with several
gunicorn workers, each its own process, counting in the one shared cache."""

import re
from concurrent.futures import ThreadPoolExecutor

import pytest

from tests.smtp_server import SMTPServer


@pytest.fixture
def smtp_env():
    with SMTPServer() as smtp:
        yield (
            smtp,
            {
                "EMAIL_HOST": "127.0.0.1",
                "EMAIL_PORT": str(smtp.port),
                "EMAIL_TIMEOUT": "10",
                "SITE_URL": "http://127.0.0.1",
                "CSRF_TRUSTED_ORIGINS": "http://127.0.0.1",
            },
        )


def subscribe(server, n, forwarded_for=None):
    headers = {"X-Forwarded-For": forwarded_for} if forwarded_for else {}
    status, _, body = server.request(
        "POST", "/subscribe", form={"email": f"reader{n}@example.org"}, headers=headers
    )
    if status == 200:
        assert "Check your inbox" in body
    return status, body


def test_twelve_subscriptions_from_one_address_under_four_workers_accept_exactly_ten(
    served, smtp_env
):
    smtp, env = smtp_env
    server = served(workers=4, env_overrides={**env, "RATE_LIMIT_SUBSCRIBE": "10/h"})
    # All at once, so that every worker serves some of them at the same time.
    with ThreadPoolExecutor(max_workers=12) as pool:
        answers = list(pool.map(lambda n: subscribe(server, n), range(12)))
    statuses = sorted(status for status, _ in answers)
    assert statuses == [200] * 10 + [429] * 2, server.output()
    refused = [body for status, body in answers if status == 429]
    assert all("Too many subscription requests" in body for body in refused)
    assert len(smtp.messages) == 10
    # The requests were spread over the workers (else this would prove nothing).
    assert server.output().count("Booting worker") == 4


def test_behind_a_proxy_each_client_has_its_own_budget_and_a_forged_hop_buys_none(served, smtp_env):
    smtp, env = smtp_env
    server = served(
        workers=2, env_overrides={**env, "BEHIND_PROXY": "1", "RATE_LIMIT_SUBSCRIBE": "3/h"}
    )
    ada, bob = "203.0.113.5", "198.51.100.7"
    assert [subscribe(server, n, ada)[0] for n in range(3)] == [200, 200, 200]
    assert subscribe(server, 3, ada)[0] == 429
    # Another client behind the same proxy is not affected.
    assert [subscribe(server, n, bob)[0] for n in range(10, 13)] == [200, 200, 200]
    # Ada sends her own X-Forwarded-For; the proxy appends her real address after it.
    assert subscribe(server, 4, f"10.9.9.9, {ada}")[0] == 429
    assert subscribe(server, 5, f"{bob}, {ada}")[0] == 429
    # Without a proxy's header the proxy's own address counts (a budget of its own).
    assert subscribe(server, 6)[0] == 200


def _login_attempt(server, forwarded_for):
    headers = {"X-Forwarded-For": forwarded_for}
    status, response, page = server.request("GET", "/accounts/login/", headers=headers)
    assert status == 200
    cookie = re.search(r"csrftoken=([^;]+)", response.getheader("Set-Cookie") or "").group(1)
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
    form = {"csrfmiddlewaretoken": token, "login": "nobody", "password": "wrong-password-123"}
    headers = {
        **headers,
        "Cookie": f"csrftoken={cookie}",
        "Origin": f"http://127.0.0.1:{server.port}",
    }
    return server.request("POST", "/accounts/login/", form=form, headers=headers)[0]


def test_allauths_limits_hold_across_workers_and_count_the_client_behind_the_proxy(served):
    server = served(workers=4, env_overrides={"BEHIND_PROXY": "1", "RATE_LIMIT_LOGIN": "2/h/ip"})
    ada, bob = "203.0.113.5", "198.51.100.7"
    with ThreadPoolExecutor(max_workers=8) as pool:
        statuses = sorted(pool.map(lambda _: _login_attempt(server, ada), range(8)))
    assert statuses == [200] * 2 + [429] * 6, server.output()
    assert _login_attempt(server, f"10.1.1.1, {ada}") == 429
    assert _login_attempt(server, bob) == 200


def _redis_url():
    redis = pytest.importorskip(
        "redis", reason="the redis package is not installed (pip install 'dailypapers[redis]')"
    )
    url = "redis://127.0.0.1:6379/15"
    try:
        client = redis.Redis.from_url(url, socket_connect_timeout=1)
        client.ping()
    except redis.RedisError:
        pytest.skip("no Redis server at 127.0.0.1:6379")
    client.flushdb()  # database 15 is this test's own
    return url


def test_with_cache_url_the_limits_are_counted_in_redis_across_workers(served, smtp_env):
    smtp, env = smtp_env
    url = _redis_url()
    server = served(
        workers=4, env_overrides={**env, "CACHE_URL": url, "RATE_LIMIT_SUBSCRIBE": "10/h"}
    )
    with ThreadPoolExecutor(max_workers=12) as pool:
        statuses = sorted(
            status for status, _ in pool.map(lambda n: subscribe(server, n), range(12))
        )
    assert statuses == [200] * 10 + [429] * 2, server.output()
    import redis

    assert any(
        b"digests.subscribe" in key or b"rl:" in key for key in redis.Redis.from_url(url).keys()
    )
