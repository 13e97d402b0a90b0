"""Knowledge-base factories: articles and categories are made through the services."""

import factory

from tests.factories import AdminFactory


class KBCategoryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "knowledgebase.Category"

    name = factory.Sequence(lambda n: f"Topic {n}")
    parent = None
    position = 0

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        from knowledgebase.services import kb_category_create

        return kb_category_create(actor=AdminFactory(), **kwargs)


class ArticleFactory(factory.django.DjangoModelFactory):
    """A published PUBLIC article unless told otherwise (created through the service)."""

    class Meta:
        model = "knowledgebase.Article"

    title = factory.Sequence(lambda n: f"How to configure widget {n}")
    body = "Open **Settings**, then choose the option you need and save."
    status = "PUBLISHED"
    visibility = "PUBLIC"
    category = None
    tags = factory.LazyFunction(list)
    actor = factory.SubFactory(AdminFactory)

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        from knowledgebase.services import kb_article_create

        return kb_article_create(**kwargs)
