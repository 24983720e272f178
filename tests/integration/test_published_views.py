"""Read-only views of notebooks on the lab hub (embedded mode; issue 18): the owner's
private server renders a notebook with nbconvert and publishes it to the hub with its hub
token; the view is read by its owner, the users and groups it names, or anyone signed in
with the link when it is a link view; anyone else gets 404, anonymous visitors the login
page. Nothing in a view runs (a Content-Security-Policy sandbox with no script source);
publishing again replaces it at the same address; withdrawing removes it. A shared
workspace's token cannot publish. Bad input is a 400 naming the field."""

from __future__ import annotations

import base64
import json
from typing import Any

import requests

from conftest import admin_client, approved_user, group_with
from harness.client import HubClient
from harness.hub import Hub

OWNER, READER, MEMBER, OTHER = "pubowner", "pubreader", "pubmember", "pubother"
API = "/galilean/published"
SECRET_OUTPUT = "total revenue 123456"


PRIVATE = "TOPSECRET-4F2A"  # a file of the owner's a notebook's Markdown names


def notebook() -> dict[str, Any]:
    return {
        "cells": [
            {
                "cell_type": "markdown",
                "id": "m",
                "metadata": {},
                "source": "# Report\n![chart](private.txt) <img src='private.txt'>",
            },
            {
                "cell_type": "code",
                "execution_count": 1,
                "id": "a",
                "metadata": {},
                "source": "revenue = load_sales().total()\nprint('total revenue', revenue)",
                "outputs": [{"output_type": "stream", "name": "stdout", "text": SECRET_OUTPUT}],
            },
            {
                "cell_type": "code",
                "execution_count": 2,
                "id": "b",
                "metadata": {},
                "source": "display_html()",
                "outputs": [
                    {
                        "output_type": "display_data",
                        "metadata": {},
                        "data": {
                            "text/html": "<b id='bold'>bold</b><script>window.ran = 1</script>",
                            "text/plain": "bold",
                        },
                    }
                ],
            },
        ],
        "metadata": {"kernelspec": {"name": "python3", "display_name": "Python 3"}},
        "nbformat": 4,
        "nbformat_minor": 5,
    }


def view(client: HubClient | None, hub: Hub, url: str) -> requests.Response:
    """The view's page as `client` (its login cookie), or anonymous."""
    if client is None:
        return requests.get(f"{hub.url}{url}", timeout=30, allow_redirects=False)
    return client.http.get(f"{hub.url}{url}", timeout=30, allow_redirects=False)


def field_of(reply: requests.Response) -> str:
    return str(reply.json()["errors"][0]["field"])


def test_publish_read_republish_and_withdraw(lab_hub: Hub) -> None:
    admin = admin_client(lab_hub)
    owner = approved_user(lab_hub, admin, OWNER)
    reader = approved_user(lab_hub, admin, READER)
    member = approved_user(lab_hub, admin, MEMBER)
    other = approved_user(lab_hub, admin, OTHER)
    group_with(lab_hub, "pub-team", [MEMBER])
    owner.start_server()
    try:
        private = owner.api(
            "PUT",
            f"/user/{OWNER}/api/contents/private.txt",
            json={"type": "file", "format": "text", "content": PRIVATE},
        )
        assert private.status_code in (200, 201), private.text
        put = owner.api(
            "PUT",
            f"/user/{OWNER}/api/contents/report.ipynb",
            json={"type": "notebook", "format": "json", "content": notebook()},
        )
        assert put.status_code in (200, 201), put.text
        publish = f"/user/{OWNER}/galilean/publish"
        made = owner.api(
            "POST",
            publish,
            json={"path": "report.ipynb", "users": [READER], "groups": ["pub-team"]},
        )
        assert made.status_code == 200, made.text
        published = made.json()
        assert (published["title"], published["code"], published["link"]) == (
            "report",
            "shown",
            False,
        )
        assert published["render_seconds"] > 0
        print(f"rendering the view took {published['render_seconds']:.3f} s")
        url = published["url"]
        assert url.endswith(f"/hub/galilean/view/{published['id']}")

        seen = view(owner, lab_hub, url)
        assert seen.status_code == 200, seen.text[:300]
        policy = seen.headers["Content-Security-Policy"]
        assert policy.startswith("sandbox;")
        assert "script-src" not in policy
        assert "default-src 'none'" in policy
        assert SECRET_OUTPUT in seen.text
        assert "load_sales" in seen.text
        assert "Read-only view of report, published by pubowner" in seen.text
        # Files the Markdown names are not copied into the page (nor base64 of them).
        assert PRIVATE not in seen.text
        assert base64.b64encode(PRIVATE.encode()).decode()[:12] not in seen.text
        for client in (reader, member):
            assert view(client, lab_hub, url).status_code == 200
        assert view(other, lab_hub, url).status_code == 404
        assert view(None, lab_hub, url).status_code in (302, 303)  # to the login page
        assert view(other, lab_hub, "/hub/galilean/view/not-a-view").status_code == 404
        listed = reader.api("GET", f"{API}?for=me").json()["views"]
        assert [(v["id"], v["owner"]) for v in listed] == [(published["id"], OWNER)]
        assert other.api("GET", f"{API}?for=me").json()["views"] == []
        assert "html" not in listed[0]

        # Again, code hidden, as a link: the same address, the new page, for anyone signed in.
        again = owner.api(
            "POST", publish, json={"path": "report.ipynb", "code": "hidden", "link": True}
        )
        assert again.status_code == 200, again.text
        assert again.json()["id"] == published["id"]
        hidden = view(other, lab_hub, url)
        assert hidden.status_code == 200
        assert SECRET_OUTPUT in hidden.text
        assert "load_sales" not in hidden.text
        assert view(reader, lab_hub, url).status_code == 200  # the link reaches everyone
        state = owner.api("GET", f"{publish}?path=report.ipynb").json()["view"]
        assert (state["code"], state["link"], state["users"]) == ("hidden", True, [])

        # Bad input: 400 naming the field; nothing replaced.
        for body, field in (
            ({"path": "../x.ipynb"}, "path"),
            ({"path": "report.ipynb", "code": "some"}, "code"),
            ({"path": "report.ipynb", "users": ["nobody-here"]}, "users"),
            ({"path": "report.ipynb", "groups": "pub-team"}, "groups"),
            ({"path": "report.ipynb", "link": "yes"}, "link"),
            ({"path": "report.ipynb", "colour": "red"}, "colour"),
        ):
            bad = owner.api("POST", publish, json=body)
            assert bad.status_code == 400, (body, bad.text)
            assert field_of(bad) == field, (body, bad.text)
        missing = owner.api("POST", publish, json={"path": "never.ipynb"})
        assert (missing.status_code, field_of(missing)) == (404, "path")
        direct = owner.api("PUT", API, json={"path": "x.ipynb", "title": "x", "html": ""})
        assert (direct.status_code, field_of(direct)) == (400, "html")
        nul = owner.api("PUT", API, json={"path": "x.ipynb", "title": "a\x00b", "html": "<p>"})
        assert (nul.status_code, field_of(nul)) == (400, "title")
        assert view(owner, lab_hub, "/hub/galilean/view/%00").status_code == 404
        assert view(other, lab_hub, url).status_code == 200

        # Others can neither publish through the owner's server nor withdraw the view.
        assert other.api("POST", publish, json={"path": "report.ipynb"}).status_code in (
            302,
            403,
            404,
        )
        assert other.api("DELETE", f"{API}/{published['id']}").status_code == 404
        gone = owner.api("DELETE", f"{publish}?path=report.ipynb")
        assert gone.status_code == 204, gone.text
        assert view(reader, lab_hub, url).status_code == 404
        assert view(owner, lab_hub, url).status_code == 404
        assert owner.api("GET", API).json()["views"] == []
    finally:
        owner.stop_server()


def test_a_token_without_the_publish_scope_is_refused(lab_hub: Hub) -> None:
    admin = admin_client(lab_hub)
    owner = approved_user(lab_hub, admin, "pubnoscope")
    token = owner.new_token(scopes=["read:users:name!user"])
    reply = requests.put(
        f"{lab_hub.url}/hub/api{API}",
        headers={"Authorization": f"token {token}"},
        data=json.dumps({"path": "a.ipynb", "title": "a", "html": "<p>x</p>"}),
        timeout=30,
    )
    assert reply.status_code == 403, reply.text
    assert field_of(reply) == "token"


def test_a_deleted_users_name_leaves_every_audience(lab_hub: Hub) -> None:
    admin = admin_client(lab_hub)
    owner = approved_user(lab_hub, admin, "pubkeeper")
    leaving = approved_user(lab_hub, admin, "pubgone")
    made = owner.api(
        "PUT",
        API,
        json={"path": "a.ipynb", "title": "a", "html": "<p>kept</p>", "users": ["pubgone"]},
    )
    assert made.status_code == 200, made.text
    url = made.json()["url"]
    assert view(leaving, lab_hub, url).status_code == 200
    assert admin.api("DELETE", "/users/pubgone").status_code == 204
    assert owner.api("GET", API).json()["views"][0]["users"] == []
    newcomer = approved_user(lab_hub, admin, "pubgone")  # someone else, under that name
    assert view(newcomer, lab_hub, url).status_code == 404
