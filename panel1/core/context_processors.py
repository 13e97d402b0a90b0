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
            "logo_url": "/branding/logo" if tenant.logo else "",
            "footer": tenant.footer_text,
            "is_public": False,
        }
    }
