"""Portal accounts: sign-up, verification, login limits, password links, invitations, profile."""

import pytest
from django.test import override_settings

from panel1.accounts.models import Role, User
from panel1.accounts.services import customer_get_or_create, customer_invite
from panel1.exceptions import PermissionDenied
from tests.conftest import in_schema
from tests.factories import AdminFactory, CustomerFactory
from tests.portal.conftest import links_in, path_of

SIGNUP = "/account/signup/"
PASSWORD = "a-Long-unusual-passphrase-77"


def signup_data(**overrides):
    data = {
        "name": "Nina New",
        "email": "nina@newco.test",
        "password1": PASSWORD,
        "password2": PASSWORD,
        "website": "",
    }
    return {**data, **overrides}


def login(client, email, password):
    return client.post("/login/", {"username": email, "password": password})


# --- Sign-up and verification ---


def test_signup_creates_an_unverified_customer_and_mails_a_verification_link(
    tenant_client, mailoutbox
):
    response = tenant_client().post(SIGNUP, signup_data())

    assert response.status_code == 302
    assert response["Location"] == "/account/signup/sent/"
    user = User.objects.get(email="nina@newco.test")
    assert user.role == Role.CUSTOMER
    assert user.name == "Nina New"
    assert not user.email_verified
    assert user.check_password(PASSWORD)
    assert len(mailoutbox) == 1
    mail = mailoutbox[0]
    assert mail.to == ["nina@newco.test"]
    assert "Alpha Corp" in mail.subject
    assert mail.extra_headers["Auto-Submitted"] == "auto-generated"
    assert any("/account/verify/" in link for link in links_in(mail))
    assert mail.alternatives and "Alpha Corp" in mail.alternatives[0][0]


def test_signup_with_a_known_address_answers_the_same_and_mails_the_owner_instead(
    tenant_client, customer, mailoutbox
):
    new = tenant_client().post(SIGNUP, signup_data(email="someone-new@newco.test"))
    mailoutbox.clear()

    known = tenant_client().post(SIGNUP, signup_data(email=customer.email.upper()))

    assert (known.status_code, known["Location"]) == (new.status_code, new["Location"])
    assert User.objects.filter(email__iexact=customer.email).count() == 1
    customer.refresh_from_db()
    assert not customer.check_password(PASSWORD)  # nothing about the account changed
    assert [m.to for m in mailoutbox] == [[customer.email]]
    assert "already have an account" in mailoutbox[0].subject
    assert any("/account/password/" in link for link in links_in(mailoutbox[0]))


def test_signup_done_page_does_not_depend_on_the_address_being_known(tenant_client, customer):
    pages = []
    for email in ("fresh@newco.test", customer.email):
        client = tenant_client()
        client.post(SIGNUP, signup_data(email=email))
        page = client.get("/account/signup/sent/").content.decode().replace(email, "EMAIL")
        pages.append(page.split("<main", 1)[1].split("</main>", 1)[0])
    assert pages[0] == pages[1]


def test_invitation_only_tenant_shows_no_signup_and_refuses_posts(
    tenant_client, tenant_flags, mailoutbox
):
    tenant_flags(allow_signup=False)
    client = tenant_client()

    page = client.get(SIGNUP)
    posted = client.post(SIGNUP, signup_data())
    home = client.get("/")

    assert page.status_code == 200
    assert "by invitation" in page.content.decode()
    assert posted.status_code == 403
    assert not User.objects.filter(email="nina@newco.test").exists()
    assert mailoutbox == []
    assert 'href="/account/signup/"' not in home.content.decode()


def test_signup_validation_errors_keep_what_was_typed(tenant_client):
    response = tenant_client().post(SIGNUP, signup_data(password2="something-else-entirely"))

    html = response.content.decode()
    assert response.status_code == 200
    assert "The two passwords differ." in html
    assert 'value="Nina New"' in html
    assert 'value="nina@newco.test"' in html
    assert not User.objects.filter(email="nina@newco.test").exists()


def test_signup_rejects_weak_passwords(tenant_client):
    response = tenant_client().post(SIGNUP, signup_data(password1="12345678", password2="12345678"))
    assert response.status_code == 200
    assert not User.objects.filter(email="nina@newco.test").exists()


def test_honeypot_signups_look_successful_but_create_nothing(tenant_client, mailoutbox):
    response = tenant_client().post(SIGNUP, signup_data(website="https://spam.example"))
    assert response.status_code == 302
    assert not User.objects.filter(email="nina@newco.test").exists()
    assert mailoutbox == []


def test_verification_link_verifies_logs_in_and_works_once(tenant_client, mailoutbox):
    client = tenant_client()
    client.post(SIGNUP, signup_data())
    link = path_of(next(u for u in links_in(mailoutbox[0]) if "/verify/" in u))

    opened = client.get(link)
    again = tenant_client().get(link)

    user = User.objects.get(email="nina@newco.test")
    assert opened.status_code == 302 and opened["Location"] == "/"
    assert user.email_verified
    assert client.get("/tickets/new/").status_code == 200  # logged in and allowed to write
    assert again.status_code == 400
    assert "Your address is confirmed" in again.content.decode()


def test_tampered_verification_link_is_refused(tenant_client, mailoutbox):
    tenant_client().post(SIGNUP, signup_data())
    link = path_of(next(u for u in links_in(mailoutbox[0]) if "/verify/" in u))
    forged = link.rstrip("/")[:-3] + "zzz/"

    response = tenant_client().get(forged)

    assert response.status_code == 400
    assert not User.objects.get(email="nina@newco.test").email_verified


def test_unverified_customer_may_log_in_but_not_write_until_verified(tenant_client, mailoutbox):
    user = CustomerFactory(email="unverified@newco.test", email_verified=False)
    client = tenant_client(user)

    form = client.get("/tickets/new/")
    posted = client.post("/tickets/new/", {"subject": "Help", "description": "Please"})
    resend = client.post("/account/verify/resend/", {"next": "/tickets/new/"})

    assert form.status_code == 403
    assert "Confirm your email address" in form.content.decode()
    assert posted.status_code == 403
    assert not user.requested_tickets.exists()
    assert resend.status_code == 302 and resend["Location"] == "/tickets/new/"
    assert [m.to for m in mailoutbox] == [[user.email]]


# --- Login and its limits ---


def test_login_with_the_right_password_lands_customers_in_the_portal(tenant_client, customer):
    response = login(tenant_client(), customer.email, "pass-1234-word")
    assert response.status_code == 302
    assert response["Location"] == "/"


def test_login_errors_do_not_reveal_whether_an_account_exists(tenant_client, customer):
    wrong_password = login(tenant_client(), customer.email, "not-the-password")
    unknown = login(tenant_client(), "nobody@acme-corp.test", "not-the-password")

    def errors(response):
        return response.context["form"].non_field_errors()

    assert wrong_password.status_code == unknown.status_code == 200
    assert errors(wrong_password) == errors(unknown)


@override_settings(ACCOUNT_RATE_LIMITS={"login-email": (3, 900), "login-ip": (100, 900)})
def test_login_is_rate_limited_per_address_even_for_the_right_password(tenant_client, customer):
    client = tenant_client()
    for _ in range(3):
        login(client, customer.email, "wrong")

    blocked = login(client, customer.email, "pass-1234-word")
    unknown_blocked = [login(client, "ghost@acme-corp.test", "x") for _ in range(4)][-1]

    assert blocked.status_code == 200
    assert "Too many attempts" in blocked.content.decode()
    assert "_auth_user_id" not in client.session
    # An unknown address is limited exactly like a known one (no enumeration by limits).
    assert "Too many attempts" in unknown_blocked.content.decode()


@override_settings(ACCOUNT_RATE_LIMITS={"login-ip": (3, 900)})
def test_login_is_rate_limited_per_client_address(tenant_client, customer):
    client = tenant_client()
    for n in range(3):
        login(client, f"guess{n}@acme-corp.test", "wrong")
    blocked = login(client, customer.email, "pass-1234-word")
    assert "Too many attempts" in blocked.content.decode()


@override_settings(ACCOUNT_RATE_LIMITS={"login-email": (2, 900)})
def test_login_limits_are_counted_per_tenant(tenant_client, customer, other_tenant):
    with in_schema(other_tenant):
        CustomerFactory(email=customer.email)
    for _ in range(2):
        login(tenant_client(), customer.email, "wrong")

    beta = login(tenant_client(on=other_tenant), customer.email, "pass-1234-word")

    assert beta.status_code == 302


def test_the_desk_login_page_shares_the_limits(tenant_client, customer):
    with override_settings(ACCOUNT_RATE_LIMITS={"login-email": (1, 900)}):
        client = tenant_client()
        client.post("/accounts/login/", {"username": customer.email, "password": "wrong"})
        blocked = client.post(
            "/accounts/login/", {"username": customer.email, "password": "pass-1234-word"}
        )
    assert "Too many attempts" in blocked.content.decode()


@override_settings(ACCOUNT_RATE_LIMITS={"signup-ip": (2, 3600)})
def test_signup_is_rate_limited_per_client_address(tenant_client):
    client = tenant_client()
    client.post(SIGNUP, signup_data(email="a@newco.test"))
    client.post(SIGNUP, signup_data(email="b@newco.test"))
    blocked = client.post(SIGNUP, signup_data(email="c@newco.test"))

    assert blocked.status_code == 429
    assert "Too many sign-ups" in blocked.content.decode()
    assert not User.objects.filter(email="c@newco.test").exists()


def test_login_applies_the_profile_language(tenant_client, customer):
    type(customer).objects.filter(pk=customer.pk).update(language="de")
    response = login(tenant_client(), customer.email, "pass-1234-word")
    assert response.cookies["django_language"].value == "de"


# --- Password links: reset, claim, set ---


def test_forgot_password_answers_the_same_for_known_and_unknown_addresses(
    tenant_client, customer, mailoutbox
):
    known = tenant_client().post("/account/password/forgot/", {"email": customer.email})
    unknown = tenant_client().post("/account/password/forgot/", {"email": "ghost@acme-corp.test"})

    assert (known.status_code, known["Location"]) == (unknown.status_code, unknown["Location"])
    assert [m.to for m in mailoutbox] == [[customer.email]]
    assert "Reset your" in mailoutbox[0].subject


def test_customer_created_by_email_claims_the_account_with_a_mailed_link(tenant_client, mailoutbox):
    ingested, _ = customer_get_or_create(email="ivan@acme-corp.test", name="Ivan Ingest")
    assert not ingested.has_usable_password()

    tenant_client().post("/account/claim/", {"email": "Ivan@Acme-Corp.test"})
    mail = mailoutbox[0]
    link = path_of(next(u for u in links_in(mail) if "/account/password/" in u))
    client = tenant_client()
    form_url = client.get(link)["Location"]  # Django swaps the token for a session marker
    done = client.post(form_url, {"new_password1": PASSWORD, "new_password2": PASSWORD})

    ingested.refresh_from_db()
    assert "Set up your" in mail.subject
    assert done.status_code == 302 and done["Location"] == "/"
    assert ingested.check_password(PASSWORD)
    assert ingested.email_verified
    assert client.get("/tickets/").status_code == 200  # logged in
    assert tenant_client().get(link).status_code == 200
    assert "does not work" in tenant_client().get(link).content.decode()  # used up


def test_customer_changes_the_password_and_stays_logged_in(tenant_client, customer):
    client = tenant_client(customer)
    done = client.post(
        "/account/password/change/",
        {"old_password": "pass-1234-word", "new_password1": PASSWORD, "new_password2": PASSWORD},
    )

    customer.refresh_from_db()
    assert done.status_code == 302 and done["Location"] == "/account/profile/"
    assert customer.check_password(PASSWORD)
    assert client.get("/tickets/").status_code == 200  # the session survived the change


@override_settings(ACCOUNT_RATE_LIMITS={"mail-email": (2, 3600)})
def test_password_links_are_rate_limited_per_address(tenant_client, customer, mailoutbox):
    client = tenant_client()
    for _ in range(2):
        client.post("/account/password/forgot/", {"email": customer.email})
    blocked = client.post("/account/password/forgot/", {"email": customer.email})

    assert blocked.status_code == 429
    assert len(mailoutbox) == 2


def test_staff_invite_creates_the_customer_and_mails_a_set_password_link(
    tenant, agent, run_on_commit, mailoutbox
):
    with run_on_commit():
        invited = customer_invite(
            email="newhire@acme-corp.test", actor=agent, base_url="http://alpha.test.localhost"
        )

    assert invited.role == Role.CUSTOMER and not invited.has_usable_password()
    assert [m.to for m in mailoutbox] == [["newhire@acme-corp.test"]]
    assert "invited" in mailoutbox[0].subject
    assert "http://alpha.test.localhost/account/password/" in mailoutbox[0].body


def test_customers_cannot_invite(tenant, customer):
    with pytest.raises(PermissionDenied):
        customer_invite(email="x@acme-corp.test", actor=customer, base_url="http://x")


def test_admin_action_sends_invitations_to_selected_customers_only(
    tenant_client, customer, agent, mailoutbox
):
    admin = AdminFactory()
    response = tenant_client(admin).post(
        "/admin/accounts/user/",
        {
            "action": "send_portal_invitation",
            "_selected_action": [str(customer.pk), str(agent.pk)],
        },
    )
    assert response.status_code == 302
    assert [m.to for m in mailoutbox] == [[customer.email]]


# --- Profile ---


def test_profile_saves_name_language_and_notification_choice(tenant_client, customer):
    client = tenant_client(customer)
    response = client.post(
        "/account/profile/", {"name": "Carol C.", "language": "en", "notify_by_email": ""}
    )
    customer.refresh_from_db()
    assert response.status_code == 302
    assert (customer.name, customer.language, customer.notify_by_email) == ("Carol C.", "en", False)
    assert response.cookies["django_language"].value == "en"


def test_profile_refuses_unknown_languages(tenant_client, customer):
    response = tenant_client(customer).post(
        "/account/profile/", {"name": "Carol", "language": "xx", "notify_by_email": "on"}
    )
    customer.refresh_from_db()
    assert response.status_code == 200
    assert customer.language != "xx"


def test_profile_and_ticket_pages_need_a_login(tenant_client):
    for url in ("/account/profile/", "/tickets/", "/tickets/new/"):
        response = tenant_client().get(url)
        assert response.status_code == 302
        assert response["Location"].startswith("/login/?next=")
