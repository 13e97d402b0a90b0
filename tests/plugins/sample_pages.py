from django.http import HttpResponse
from django.urls import path


def page(request):
    return HttpResponse("echo page")


urlpatterns = [path("", page)]
