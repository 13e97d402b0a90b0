def test_password_reset_uses_the_one_portal_flow(tenant_client):
    response = tenant_client().get("/accounts/password-reset/")
    assert response.status_code == 302
    assert response["Location"] == "/account/password/forgot/"
