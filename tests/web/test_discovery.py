"""WebFinger, host-meta and NodeInfo, over real HTTP."""

from __future__ import annotations

from xml.etree import ElementTree

from moderation.forwarding import server_actor_link
from tests.helpers import AP, add_group
from tests.instances import Instance


async def test_webfinger_resolves_acct_and_round_trips(instance: Instance) -> None:
    await add_group(instance, "eastside", display_name="Eastside Mutual Aid")
    async with instance.client() as client:
        res = await client.get(
            "/.well-known/webfinger", params={"resource": f"acct:eastside@{instance.host}"}
        )
        assert res.status_code == 200
        assert res.headers["content-type"].startswith("application/jrd+json")
        assert res.headers["access-control-allow-origin"] == "*"
        jrd = res.json()
        actor_id = f"{instance.base_url}/groups/eastside"
        assert jrd["subject"] == f"acct:eastside@{instance.host}"
        assert actor_id in jrd["aliases"]
        self_links = [link for link in jrd["links"] if link["rel"] == "self"]
        assert self_links == [{"rel": "self", "type": AP, "href": actor_id}]
        assert any(x["rel"] == "http://webfinger.net/rel/profile-page" for x in jrd["links"])

        # Mastodon's reverse check: preferredUsername@host of the actor resolves to it.
        actor = (await client.get(actor_id, headers={"Accept": AP})).json()
        again = await client.get(
            "/.well-known/webfinger",
            params={"resource": f"acct:{actor['preferredUsername']}@{instance.host}"},
        )
        assert again.json()["links"][0]["href"] == actor["id"]

        by_url = await client.get("/.well-known/webfinger", params={"resource": actor_id})
        assert by_url.status_code == 200
        assert by_url.json()["subject"] == f"acct:eastside@{instance.host}"


async def test_the_instance_actor_is_found_by_the_servers_origin(instance: Instance) -> None:
    """FEP-d556: how an ally finds where to send a Flag (``moderation.forwarding``)."""
    async with instance.client() as client:
        answers = [
            await client.get("/.well-known/webfinger", params={"resource": resource})
            for resource in (f"{instance.base_url}/", instance.base_url)
        ]
        jrd = answers[0].json()
        found = server_actor_link(jrd, f"{instance.base_url}/")
        assert found is not None
        actor = (await client.get(found, headers={"Accept": AP})).json()

    assert [answer.status_code for answer in answers] == [200, 200]
    assert answers[1].json() == jrd and jrd["subject"] == f"{instance.base_url}/"
    assert (actor["id"], actor["type"]) == (f"{instance.base_url}/actor", "Application")
    assert actor["inbox"] == f"{instance.base_url}/inbox"


async def test_webfinger_errors(instance: Instance) -> None:
    await add_group(instance, "eastside")
    async with instance.client() as client:
        unknown = await client.get(
            "/.well-known/webfinger", params={"resource": f"acct:nobody@{instance.host}"}
        )
        other_host = await client.get(
            "/.well-known/webfinger", params={"resource": "acct:eastside@elsewhere.example"}
        )
        malformed = await client.get("/.well-known/webfinger", params={"resource": "acct:nohost"})
        missing = await client.get("/.well-known/webfinger")
    assert unknown.status_code == 404
    assert other_host.status_code == 404
    assert malformed.status_code == 400
    assert missing.status_code == 400
    assert unknown.headers["access-control-allow-origin"] == "*"


async def test_host_meta_points_at_webfinger(instance: Instance) -> None:
    async with instance.client() as client:
        xrd = await client.get("/.well-known/host-meta")
        jrd = await client.get("/.well-known/host-meta.json")
    assert xrd.headers["content-type"].startswith("application/xrd+xml")
    link = ElementTree.fromstring(xrd.text).find("{http://docs.oasis-open.org/ns/xri/xrd-1.0}Link")
    assert link is not None
    template = f"{instance.base_url}/.well-known/webfinger?resource={{uri}}"
    assert link.attrib["template"] == template
    assert jrd.json()["links"][0]["template"] == template


async def test_nodeinfo_discovery_and_documents(instance: Instance) -> None:
    await add_group(instance, "eastside")
    await add_group(instance, "westside")
    async with instance.client() as client:
        links = (await client.get("/.well-known/nodeinfo")).json()["links"]
        hrefs = {link["rel"].rsplit("/", 1)[1]: link["href"] for link in links}
        assert hrefs == {
            "2.1": f"{instance.base_url}/nodeinfo/2.1",
            "2.0": f"{instance.base_url}/nodeinfo/2.0",
        }
        for version, href in hrefs.items():
            doc = (await client.get(href)).json()
            assert doc["version"] == version
            assert doc["software"]["name"] == "mutuals"
            assert doc["protocols"] == ["activitypub"]
            assert doc["openRegistrations"] is False
            assert doc["usage"]["users"]["total"] == 2
            assert doc["metadata"]["groups"] == ["eastside", "westside"]
        assert (await client.get("/nodeinfo/9.9")).status_code == 404
