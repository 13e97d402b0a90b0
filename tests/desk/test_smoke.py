def test_pages_render(desk, ticket):
    for url in ["/desk/", "/desk/queue/open/", f"/desk/tickets/{ticket.number}/", "/desk/queue/recent/"]:
        r = desk.get(url)
        assert r.status_code == 200, (url, r.content[:3000])
