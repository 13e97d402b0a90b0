from portal import kb
from portal.access import render_portal
from portal.selectors import portal_ticket_counts, portal_ticket_list
from tickets.models import Category, TextKey
from tickets.services.texts import text_for

RECENT_TICKETS = 5


def home(request):
    """Search the KB, read popular articles, browse topics, submit a request, see my tickets."""
    user = request.user
    context = {
        "popular_articles": kb.popular_articles(user),
        "kb_categories": kb.categories(user),
        "ticket_categories": Category.objects.filter(is_active=True).order_by("name"),
        # The tenant's welcome text in the reader's language, else the default language's.
        "welcome_text": text_for(TextKey.PORTAL_WELCOME),
    }
    if user.is_authenticated:
        context["recent_tickets"] = portal_ticket_list(user, scope="all")[:RECENT_TICKETS]
        context["counts"] = portal_ticket_counts(user)
    return render_portal(request, "portal/home.html", context)
