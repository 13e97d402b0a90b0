from rest_framework.authentication import TokenAuthentication


class TenantTokenAuthentication(TokenAuthentication):
    """`Authorization: Token <key>`; tokens live in each tenant's schema.

    The lookup runs in the schema of the request host, so a token of tenant A used on tenant
    B's host finds nothing and answers 401.
    """

    keyword = "Token"
