"""Who gets into the desk: staff log in at /desk/login/, customers are sent to the portal."""

from tests.desk.conftest import HTMX


def test_login_page_offers_password_reset(tenant_client):
    page = tenant_client().get("/desk/login/")
    assert page.status_code == 200
    assert b'href="/accounts/password-reset/"' in page.content
    assert b'name="csrfmiddlewaretoken"' in page.content


def test_staff_login_lands_in_the_desk(tenant_client, agent):
    answer = tenant_client().post(
        "/desk/login/", {"username": agent.email, "password": "pass-1234-word"}
    )
    assert answer.status_code == 302
    assert answer["Location"] == "/desk/"


def test_login_follows_next_for_staff(tenant_client, agent):
    answer = tenant_client().post(
        "/desk/login/?next=/desk/queue/open/",
        {"username": agent.email, "password": "pass-1234-word", "next": "/desk/queue/open/"},
    )
    assert answer["Location"] == "/desk/queue/open/"


def test_customer_login_goes_to_the_portal(tenant_client, customer):
    answer = tenant_client().post(
        "/desk/login/",
        {"username": customer.email, "password": "pass-1234-word", "next": "/desk/"},
    )
    assert answer.status_code == 302
    assert answer["Location"] == "/"


def test_wrong_password_is_refused(tenant_client, agent):
    page = tenant_client().post("/desk/login/", {"username": agent.email, "password": "nope"})
    assert page.status_code == 200
    assert b'role="alert"' in page.content


def test_anonymous_is_sent_to_login_with_next(tenant_client):
    answer = tenant_client().get("/desk/queue/open/")
    assert answer.status_code == 302
    assert answer["Location"] == "/desk/login/?next=%2Fdesk%2Fqueue%2Fopen%2F"


def test_anonymous_htmx_poll_is_redirected_by_header(tenant_client):
    answer = tenant_client().get("/desk/counts/", **HTMX)
    assert answer.status_code == 204
    assert answer["HX-Redirect"].startswith("/desk/login/")


def test_customer_is_sent_to_the_portal(tenant_client, customer, ticket):
    client = tenant_client(customer)
    for url in ("/desk/", "/desk/queue/open/", f"/desk/tickets/{ticket.number}/"):
        answer = client.get(url)
        assert answer.status_code == 302 and answer["Location"] == "/", url


def test_logout_needs_post_and_ends_the_session(tenant_client, agent):
    client = tenant_client(agent)
    assert client.post("/desk/logout/")["Location"] == "/desk/login/"
    assert client.get("/desk/")["Location"].startswith("/desk/login/")
