def demo_articles_create(*, tenant, people) -> bool:
    return False
