"""The connectors fetch what a cell admin typed: never into the server's own network (SSRF)."""

import pytest

from monitoring.connectors import http


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1:8000/healthz",
        "http://localhost/",
        "http://169.254.169.254/latest/meta-data/",  # a cloud's metadata service
        "http://10.0.0.5/feed.xml",
        "http://192.168.1.1/",
        "http://[::1]/",
        "http://0.0.0.0/",
    ],
)
def test_an_address_in_the_servers_own_network_is_refused_with_a_reason(url, settings):
    settings.MONITORING_FETCH_PRIVATE_HOSTS = []
    with pytest.raises(http.FetchError, match="private or local address"):
        http.get(url)


def test_a_redirect_into_the_servers_network_is_refused(local_http):
    """127.0.0.1 is allowed by name (the test's server); `localhost`, where it redirects, is not."""
    port = local_http.url.rsplit(":", 1)[1].split("/")[0]
    local_http.routes["/feed"] = lambda seen: (302, {"Location": f"http://localhost:{port}/inside"}, b"")
    local_http.routes["/inside"] = lambda seen: (200, {}, b"secret")
    with pytest.raises(http.FetchError, match="private or local address"):
        http.get(local_http.url + "/feed")
    assert [seen.path for seen in local_http.requests] == ["/feed"]  # the inside was never asked


def test_other_schemes_are_refused():
    with pytest.raises(http.FetchError, match="Not a web address"):
        http.get("file:///etc/passwd")
