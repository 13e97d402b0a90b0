"""Ticket categories: list, add, rename, recolour, deactivate, delete (tickets.services)."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Count
from django.shortcuts import get_object_or_404, redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from desk.admin_area.base import admin_render, admin_view
from desk.admin_area.common import add_errors
from desk.admin_area.forms import CategoryForm
from panel1.exceptions import DomainError
from tickets.models import Category
from tickets.services.categories import category_create, category_delete, category_update


@admin_view("categories")
def category_list(request):
    categories = Category.objects.annotate(ticket_count=Count("tickets")).order_by("name")
    form = CategoryForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            category = category_create(actor=request.user, **form.cleaned_data)
        except (DomainError, ValidationError) as exc:
            add_errors(form, exc)
        else:
            messages.success(
                request, _("Added category “%(category_name)s”.") % {"category_name": category.name}
            )
            return redirect("desk:admin-categories")
    context = {"categories": categories, "form": form}
    return admin_render(
        request, "desk/admin/categories.html", context, status=400 if form.errors else 200
    )


@admin_view("categories")
def category_edit(request, pk):
    category = get_object_or_404(Category, pk=pk)
    form = CategoryForm(request.POST or None, instance=Category.objects.get(pk=pk))
    if request.method == "POST" and form.is_valid():
        try:
            category_update(category=category, actor=request.user, **form.cleaned_data)
        except (DomainError, ValidationError) as exc:
            add_errors(form, exc)
        else:
            messages.success(request, _("Category saved."))
            return redirect("desk:admin-categories")
    context = {"category": category, "form": form}
    return admin_render(
        request, "desk/admin/category_form.html", context, status=400 if form.errors else 200
    )


@admin_view("categories")
@require_POST
def category_remove(request, pk):
    category = get_object_or_404(Category, pk=pk)
    try:
        category_delete(category=category, actor=request.user)
    except DomainError as exc:
        for problems in exc.errors.values():
            for problem in problems:
                messages.error(request, problem)
    else:
        messages.success(
            request, _("Deleted category “%(category_name)s”.") % {"category_name": category.name}
        )
    return redirect("desk:admin-categories")
