from django.urls import include, path
from rest_framework.routers import SimpleRouter

from knowledgebase.api import views

router = SimpleRouter()
router.register("kb/articles", views.ArticleViewSet, basename="kb-article")

app_name = "kb-api"

urlpatterns = [
    path("kb/suggest/", views.SuggestView.as_view(), name="kb-suggest"),
    path("", include(router.urls)),
]
