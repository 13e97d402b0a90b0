import hashlib


def branding(request):
    """Expose the current tenant's branding to every template as `brand`."""
    tenant = getattr(request, "tenant", None)
    if tenant is None or tenant.is_public:
        return {
            "brand": {
                "name": "Panel1 Helpdesk",
                "color": "#2563eb",
                "logo_url": "",
                "footer": "",
                "is_public": True,
            }
        }
    return {
        "brand": {
            "name": tenant.brand_name,
            "color": tenant.primary_color,
            # Media is not public: the portal serves the logo (tickets.portal, /branding/logo);
            # the name in the query string busts caches when the logo changes.
            "logo_url": _logo_url(tenant),
            "footer": tenant.footer_text,
            "is_public": False,
        }
    }


def _logo_url(tenant) -> str:
    if not tenant.logo:
        return ""
    return "/branding/logo?v=" + hashlib.sha256(tenant.logo.name.encode()).hexdigest()[:10]
