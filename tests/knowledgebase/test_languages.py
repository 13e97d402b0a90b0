"""Multi-language knowledge base: translations, per-language search, fallback, API, desk."""

import threading

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import translation
from django_tenants.utils import schema_context

from knowledgebase import selectors
from knowledgebase.models import Article, SearchRecord
from knowledgebase.search import article_search, article_suggest
from knowledgebase.services import kb_article_translate, kb_article_update, kb_search_run
from panel1.exceptions import DomainError
from tests.conftest import in_schema
from tests.factories import AdminFactory, AgentFactory, CustomerFactory
from tests.factories.knowledgebase import ArticleFactory

ARTICLES = "/api/v1/kb/articles/"
SIX = [
    ("en", "English"),
    ("de", "Deutsch"),
    ("fr", "Français"),
    ("es", "Español"),
    ("pt-br", "Português (Brasil)"),
    ("ar", "العربية"),
]


@pytest.fixture(autouse=True)
def languages(settings):
    settings.LANGUAGES = SIX
    settings.LANGUAGE_CODE = "en"


def _german(source, **changes):
    """Publish a German translation of `source` with the given title and body."""
    draft = kb_article_translate(article=source, language="de", actor=AdminFactory())
    values = {"status": "PUBLISHED", **changes}
    return kb_article_update(article=draft, actor=AdminFactory(), **values)


# --- model and services -------------------------------------------------------------------


def test_each_language_is_indexed_with_its_own_configuration(tenant):
    source = ArticleFactory(title="Invoices", body="Download your invoice.")
    german = _german(source, title="Rechnungen", body="Laden Sie Ihre Rechnung herunter.")

    assert (source.language, source.search_config) == ("en", "english")
    assert (german.language, german.search_config) == ("de", "german")
    assert german.translation_of_id == source.pk
    for code, config in [("fr", "french"), ("es", "spanish"), ("pt-br", "portuguese")]:
        article = kb_article_translate(article=source, language=code, actor=AdminFactory())
        assert article.search_config == config and article.status == "DRAFT"


def test_arabic_uses_arabic_stemming_when_postgresql_has_it_else_simple(tenant):
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_ts_config WHERE cfgname = 'arabic'")
        has_arabic = cursor.fetchone() is not None
    source = ArticleFactory(title="Reset your password")

    arabic = kb_article_translate(article=source, language="ar", actor=AdminFactory())

    assert arabic.search_config == ("arabic" if has_arabic else "simple")


def test_translate_copies_the_source_as_a_draft_in_the_group(tenant):
    source = ArticleFactory(title="Reset your password", tags=["login"], visibility="CUSTOMERS")
    french = kb_article_translate(article=source, language="fr", actor=AdminFactory())

    assert (french.title, french.body, french.tags) == (source.title, source.body, ["login"])
    assert (french.status, french.visibility, french.language) == ("DRAFT", "CUSTOMERS", "fr")
    # A translation of a translation joins the source's group.
    spanish = kb_article_translate(article=french, language="es", actor=AdminFactory())
    assert spanish.translation_of_id == source.pk


def test_a_second_translation_into_the_same_language_is_refused(tenant):
    source = ArticleFactory()
    first = kb_article_translate(article=source, language="de", actor=AdminFactory())

    with pytest.raises(DomainError) as refused:
        kb_article_translate(article=source, language="de", actor=AdminFactory())
    assert "language" in refused.value.errors
    again = kb_article_translate(
        article=source, language="de", actor=AdminFactory(), existing_ok=True
    )
    assert again.pk == first.pk
    with pytest.raises(DomainError):  # nor may the source's own language be added
        kb_article_translate(article=source, language="en", actor=AdminFactory())
    assert Article.objects.filter(language="de").count() == 1


@pytest.mark.parametrize("code", ["xx", "DE\x00", "de\u202e", "", "e" * 300])
def test_unknown_language_codes_are_refused(tenant, code):
    source = ArticleFactory()
    with pytest.raises(DomainError) as refused:
        kb_article_translate(article=source, language=code or "zz", actor=AdminFactory())
    assert list(refused.value.errors) == ["language"]


def test_customers_cannot_translate(tenant):
    from panel1.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        kb_article_translate(article=ArticleFactory(), language="de", actor=CustomerFactory())


# --- search -------------------------------------------------------------------------------


def test_german_stemming_finds_rechnung_for_rechnungen_only_in_german(tenant):
    source = ArticleFactory(title="Billing questions", body="Where to find every bill.")
    german = _german(source, title="Fragen zur Abrechnung", body="So finden Sie jede Rechnung.")

    in_german = article_search(user=None, query="Rechnungen", language="de", correct_typos=False)
    in_english = article_search(user=None, query="Rechnungen", language="en", correct_typos=False)

    assert [hit.article.pk for hit in in_german.hits] == [german.pk]
    assert in_english.hits == []  # English readers search English articles (english stems)
    with connection.cursor() as cursor:  # 'english' would not have joined the two words
        cursor.execute("SELECT to_tsvector('english', 'Rechnung') @@ "
                       "websearch_to_tsquery('english', 'Rechnungen')")  # fmt: skip
        assert cursor.fetchone()[0] is False


def test_reader_language_first_default_language_as_fallback_without_duplicates(tenant):
    shared = ArticleFactory(title="Printer setup", body="Install the printer driver.")
    german = _german(shared, title="Drucker einrichten", body="Den Drucker printer einrichten.")
    english_only = ArticleFactory(title="Printer jams", body="Clear a printer jam.")
    german_draft_source = ArticleFactory(title="Printer toner", body="Replace printer toner.")
    kb_article_translate(article=german_draft_source, language="de", actor=AdminFactory())

    found = article_search(user=None, query="printer", language="de", correct_typos=False)

    pks = [hit.article.pk for hit in found.hits]
    assert german.pk in pks and shared.pk not in pks  # the group shows once, in German
    assert english_only.pk in pks and german_draft_source.pk in pks  # no (readable) German
    assert found.total == 3


def test_suggestions_use_the_readers_language(tenant):
    source = ArticleFactory(title="Invoice download", body="Download an invoice as PDF.")
    german = _german(source, title="Rechnung herunterladen", body="Rechnung als PDF laden.")

    with translation.override("de"):
        suggested = article_suggest(user=None, text="Wo sind meine Rechnungen?")
    with translation.override("en"):
        english = article_suggest(user=None, text="Where are my invoices?")

    assert [a.pk for a in suggested] == [german.pk]
    assert [a.pk for a in english] == [source.pk]


def test_portal_suggest_fragment_follows_the_browser_language(tenant, tenant_client):
    source = ArticleFactory(title="Invoice download", body="Download an invoice as PDF.")
    _german(source, title="Rechnung herunterladen", body="Rechnung als PDF laden.")

    page = tenant_client().get(
        "/kb/suggest/", {"q": "Rechnungen fehlen"}, HTTP_ACCEPT_LANGUAGE="de"
    )

    assert page.status_code == 200
    assert "Rechnung herunterladen" in page.content.decode()


# --- analytics ----------------------------------------------------------------------------


def test_searches_record_their_language_and_insights_break_down_per_language(tenant, tenant_client):
    ArticleFactory(title="Password reset", body="Reset the password.")
    kb_search_run(user=None, query="password", source="PAGE", language="de")
    kb_search_run(user=None, query="passwort", source="PAGE", language="de")
    with translation.override("en"):
        kb_search_run(user=None, query="password", source="PAGE")

    rows = {row["language"]: row for row in selectors.search_by_language()}
    assert set(SearchRecord.objects.values_list("language", flat=True)) == {"de", "en"}
    assert (rows["de"]["searches"], rows["en"]["searches"]) == (2, 1)
    assert rows["en"]["zero_results"] == 0

    page = tenant_client(AgentFactory()).get("/desk/admin/kb/insights/")
    text = page.content.decode()
    assert page.status_code == 200 and "Searches by language" in text and "Deutsch (de)" in text


# --- pages --------------------------------------------------------------------------------


def test_portal_shows_the_readers_language_and_falls_back_with_a_notice(tenant, tenant_client):
    translated = ArticleFactory(title="Reset your password", body="Click *Forgot password*.")
    german = _german(translated, title="Passwort zurücksetzen", body="Klicken Sie *Vergessen*.")
    english_only = ArticleFactory(title="Export your data", body="Use the export button.")
    client = tenant_client()

    redirected = client.get(f"/kb/{translated.slug}/", HTTP_ACCEPT_LANGUAGE="de")
    german_page = client.get(f"/kb/{german.slug}/", HTTP_ACCEPT_LANGUAGE="de").content.decode()
    fallback = client.get(f"/kb/{english_only.slug}/", HTTP_ACCEPT_LANGUAGE="de").content.decode()
    english = client.get(f"/kb/{german.slug}/", HTTP_ACCEPT_LANGUAGE="en")

    assert redirected.status_code == 302 and redirected["Location"] == f"/kb/{german.slug}/"
    assert "Passwort zurücksetzen" in german_page and "kb-fallback" not in german_page
    assert f'href="/kb/{translated.slug}/?lang=en"' in german_page  # "also in" English
    assert "Export your data" in fallback and "kb-fallback" in fallback
    assert 'lang="en"' in fallback  # the English text is marked as English
    assert english.status_code == 302 and english["Location"] == f"/kb/{translated.slug}/"
    chosen = client.get(f"/kb/{translated.slug}/?lang=de")
    assert chosen.status_code == 302 and chosen["Location"].startswith(f"/kb/{german.slug}/")


def test_index_lists_each_group_once_in_the_readers_language(tenant, tenant_client):
    source = ArticleFactory(title="Reset your password")
    _german(source, title="Passwort zurücksetzen")
    ArticleFactory(title="Export your data")

    page = tenant_client().get("/kb/", HTTP_ACCEPT_LANGUAGE="de").content.decode()

    assert "Passwort zurücksetzen" in page and "Export your data" in page
    assert "Reset your password" not in page


def test_article_page_queries_do_not_grow_with_translations(
    tenant, tenant_client, django_assert_max_num_queries
):
    source = ArticleFactory(title="Reset your password")
    client = tenant_client()
    client.get(f"/kb/{source.slug}/")  # warm the session and caches

    with CaptureQueriesContext(connection) as alone:
        assert client.get(f"/kb/{source.slug}/").status_code == 200
    for code in ("de", "fr", "es", "pt-br", "ar"):
        draft = kb_article_translate(article=source, language=code, actor=AdminFactory())
        kb_article_update(article=draft, actor=AdminFactory(), status="PUBLISHED")
    with django_assert_max_num_queries(len(alone)):
        assert client.get(f"/kb/{source.slug}/").status_code == 200


# --- API ----------------------------------------------------------------------------------


def test_api_list_with_lang_answers_translations_and_fallbacks(tenant, api_client):
    source = ArticleFactory(title="Reset your password")
    german = _german(source, title="Passwort zurücksetzen")
    english_only = ArticleFactory(title="Export your data")

    body = api_client().get(ARTICLES, {"lang": "de"}).json()

    by_id = {row["id"]: row for row in body["results"]}
    assert set(by_id) == {str(german.pk), str(english_only.pk)}
    assert by_id[str(german.pk)]["language"] == "de"
    assert by_id[str(german.pk)]["translation_of"] == str(source.pk)
    assert by_id[str(german.pk)]["fallback"] is False
    assert by_id[str(english_only.pk)]["fallback"] is True
    assert [t["language"] for t in by_id[str(german.pk)]["translations"]] == ["en"]
    english = api_client().get(ARTICLES, {"lang": "en"}).json()
    assert {row["id"] for row in english["results"]} == {str(source.pk), str(english_only.pk)}


def test_api_search_and_detail_take_lang(tenant, api_client):
    source = ArticleFactory(title="Billing", body="Every bill in one place.")
    german = _german(source, title="Abrechnung", body="Jede Rechnung an einem Ort.")

    found = api_client().get(ARTICLES, {"search": "Rechnungen", "lang": "de"}).json()
    detail = api_client().get(f"{ARTICLES}{source.slug}/", {"lang": "de"}).json()
    as_is = api_client().get(f"{ARTICLES}{source.slug}/").json()
    fallback = api_client().get(f"{ARTICLES}{source.slug}/", {"lang": "fr"}).json()

    assert [row["id"] for row in found["results"]] == [str(german.pk)]
    assert SearchRecord.objects.get().language == "de"
    assert (detail["id"], detail["language"], detail["fallback"]) == (str(german.pk), "de", False)
    assert as_is["id"] == str(source.pk) and as_is["translations"][0]["id"] == str(german.pk)
    assert (fallback["id"], fallback["fallback"]) == (str(source.pk), True)


@pytest.mark.parametrize("lang", ["xx", "de\x00", "d" * 50, "<script>", "de\u202e"])
def test_api_unknown_lang_is_a_400_field_error(tenant, api_client, lang):
    article = ArticleFactory()
    for answer in (
        api_client().get(ARTICLES, {"lang": lang}),
        api_client().get(ARTICLES, {"lang": lang, "search": "widget"}),
        api_client().get(f"{ARTICLES}{article.slug}/", {"lang": lang}),
    ):
        assert answer.status_code == 400
        assert list(answer.json()) == ["lang"]


def test_api_translate_and_create_translation(tenant, api_client):
    source = ArticleFactory(title="Reset your password")
    admin = api_client(AdminFactory())

    created = admin.post(f"{ARTICLES}{source.slug}/translations/", {"language": "de"}, "json")
    again = admin.post(f"{ARTICLES}{source.slug}/translations/", {"language": "de"}, "json")
    unknown = admin.post(f"{ARTICLES}{source.slug}/translations/", {"language": "xx"}, "json")
    direct = admin.post(
        ARTICLES,
        {"title": "Réinitialiser", "language": "fr", "translation_of": str(source.pk)},
        "json",
    )
    duplicate = admin.post(
        ARTICLES,
        {"title": "Noch einmal", "language": "de", "translation_of": str(source.pk)},
        "json",
    )
    by_customer = api_client(CustomerFactory()).post(
        f"{ARTICLES}{source.slug}/translations/", {"language": "es"}, "json"
    )

    assert created.status_code == 201
    assert (created.json()["language"], created.json()["status"]) == ("de", "DRAFT")
    assert created.json()["translation_of"] == str(source.pk)
    assert again.status_code == 400 and list(again.json()) == ["language"]
    assert unknown.status_code == 400 and list(unknown.json()) == ["language"]
    assert direct.status_code == 201 and direct.json()["language"] == "fr"
    assert duplicate.status_code == 400 and list(duplicate.json()) == ["language"]
    assert by_customer.status_code == 403
    assert Article.objects.filter(translation_of=source).count() == 2


def test_api_list_queries_do_not_grow_with_translations(
    tenant, api_client, django_assert_max_num_queries
):
    client = api_client()
    sources = [ArticleFactory(title=f"Topic {n}") for n in range(2)]
    for source in sources:
        _german(source, title=f"Thema {source.title}")
    client.get(ARTICLES, {"lang": "de"})
    with CaptureQueriesContext(connection) as few:
        client.get(ARTICLES, {"lang": "de"})
    for n in range(8):
        _german(ArticleFactory(title=f"More {n}"), title=f"Mehr {n}")
    with django_assert_max_num_queries(len(few)):
        body = client.get(ARTICLES, {"lang": "de"}).json()
    assert body["count"] == 10 and all(row["translations"] for row in body["results"])


def test_translations_stay_in_their_tenant(tenant, other_tenant, api_client):
    source = ArticleFactory(title="Alpha only")
    german = _german(source, title="Nur Alpha")

    with in_schema(other_tenant):
        assert not Article.objects.filter(pk__in=[source.pk, german.pk]).exists()
        assert selectors.articles_missing_translations(languages=["de"]) == []
    answer = api_client(on=other_tenant).get(ARTICLES, {"lang": "de"})
    assert answer.status_code == 200 and answer.json()["count"] == 0


# --- desk ---------------------------------------------------------------------------------


def test_desk_translate_action_creates_one_linked_draft(tenant, tenant_client):
    source = ArticleFactory(title="Reset your password")
    desk = tenant_client(AgentFactory())

    editor = desk.get(f"/desk/admin/kb/{source.pk}/").content.decode()
    first = desk.post(f"/desk/admin/kb/{source.pk}/translate/", {"language": "de"})
    second = desk.post(f"/desk/admin/kb/{source.pk}/translate/", {"language": "de"})
    bad = desk.post(f"/desk/admin/kb/{source.pk}/translate/", {"language": "xx"})

    german = Article.objects.get(translation_of=source, language="de")
    assert 'action="/desk/admin/kb/' in editor and ">Translate</button>" in editor
    assert first.status_code == 302 and first["Location"] == f"/desk/admin/kb/{german.pk}/"
    assert second["Location"] == first["Location"]  # the existing draft opens again
    assert bad.status_code == 302 and bad["Location"] == f"/desk/admin/kb/{source.pk}/"
    after = desk.get(f"/desk/admin/kb/{source.pk}/").content.decode()
    assert f"/desk/admin/kb/{german.pk}/" in after and "Deutsch (de)" in after
    assert tenant_client(CustomerFactory()).post(
        f"/desk/admin/kb/{source.pk}/translate/", {"language": "fr"}
    ).status_code in (302, 403)
    assert not Article.objects.filter(language="fr").exists()


def test_missing_translations_lists_what_each_offered_language_lacks(tenant, tenant_client):
    done = ArticleFactory(title="Fully translated")
    for code in ("de", "fr", "es", "pt-br", "ar"):
        kb_article_translate(article=done, language=code, actor=AdminFactory())
    partly = ArticleFactory(title="Partly translated")
    kb_article_translate(article=partly, language="de", actor=AdminFactory())

    rows = selectors.articles_missing_translations()
    page = tenant_client(AgentFactory()).get("/desk/admin/kb/translations/").content.decode()
    only_de = tenant_client(AgentFactory()).get("/desk/admin/kb/translations/?lang=de")

    assert [(row["article"].pk, row["missing"]) for row in rows] == [
        (partly.pk, ["fr", "es", "pt-br", "ar"])
    ]
    assert "Partly translated" in page and "Fully translated" not in page
    assert "Partly translated" not in only_de.content.decode()


# --- concurrency --------------------------------------------------------------------------


@pytest.mark.slow
def test_concurrent_translate_presses_make_one_translation(session_tenants, django_db_blocker):
    tenant = session_tenants[0]
    with django_db_blocker.unblock(), schema_context(tenant.schema_name):
        admin = AdminFactory()
        source = ArticleFactory(title="Race to translate", actor=admin)
    presses, answers, errors = 6, [], []
    barrier = threading.Barrier(presses)

    def press():
        try:
            with django_db_blocker.unblock(), schema_context(tenant.schema_name):
                barrier.wait()
                answers.append(
                    kb_article_translate(
                        article=source, language="de", actor=admin, existing_ok=True
                    ).pk
                )
        except Exception as exc:  # surfaced below
            errors.append(exc)
        finally:
            connection.close()

    pool = [threading.Thread(target=press) for _ in range(presses)]
    for thread in pool:
        thread.start()
    for thread in pool:
        thread.join()
    try:
        assert errors == []
        assert len(answers) == presses and len(set(answers)) == 1
        with django_db_blocker.unblock(), schema_context(tenant.schema_name):
            assert Article.objects.filter(translation_of=source).count() == 1
    finally:
        with django_db_blocker.unblock(), schema_context(tenant.schema_name):
            Article.objects.filter(translation_of=source).delete()
            source.revisions.all().delete()
            Article.objects.filter(pk=source.pk).delete()
            admin.delete()


def test_desk_ticket_suggestions_follow_the_tickets_language(tenant, tenant_client):
    from tests.factories import TicketFactory

    source = ArticleFactory(title="Invoice download", body="Download an invoice as PDF.")
    german = _german(source, title="Rechnung herunterladen", body="Rechnung als PDF laden.")
    ticket = TicketFactory(subject="Rechnungen fehlen", requester=CustomerFactory())
    ticket.language = "de"
    ticket.save(update_fields=["language"])

    page = tenant_client(AgentFactory()).get(f"/desk/tickets/{ticket.number}/kb/")

    assert page.status_code == 200
    assert german.title in page.content.decode()


@pytest.mark.parametrize("lang", ["\x00", "de\u202e", "x" * 500, "../../etc"])
def test_article_page_ignores_a_hostile_lang_parameter(tenant, tenant_client, lang):
    article = ArticleFactory(title="Reset your password")

    page = tenant_client().get(f"/kb/{article.slug}/", {"lang": lang})

    assert page.status_code == 200 and "Reset your password" in page.content.decode()


def test_a_draft_translation_is_not_shown_even_to_staff_reading(tenant, tenant_client):
    source = ArticleFactory(title="Reset your password")
    kb_article_translate(article=source, language="de", actor=AdminFactory())

    page = tenant_client(AgentFactory()).get(f"/kb/{source.slug}/", HTTP_ACCEPT_LANGUAGE="de")

    assert page.status_code == 200 and "kb-fallback" in page.content.decode()
