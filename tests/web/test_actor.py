"""The Group actor, the instance actor, content negotiation and profile pages."""

from __future__ import annotations

import pytest
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.hazmat.primitives.serialization import load_pem_public_key
from sqlalchemy import select

from actors.groups import GroupError, rename_group
from actors.models import Group
from posts.notes import update_group_profile
from tests.helpers import AP, add_group
from tests.instances import Instance

LD = 'application/ld+json; profile="https://www.w3.org/ns/activitystreams"'


async def test_group_actor_document(instance: Instance) -> None:
    await add_group(
        instance,
        "eastside",
        display_name="Eastside Mutual Aid",
        summary="We share **food** and #repair skills.",
        manual_approval=True,
    )
    async with instance.client() as client:
        res = await client.get("/groups/eastside", headers={"Accept": AP})
    assert res.status_code == 200
    assert res.headers["content-type"] == AP
    actor = res.json()
    base = instance.base_url
    actor_id = f"{base}/groups/eastside"
    assert actor["@context"][:2] == [
        "https://www.w3.org/ns/activitystreams",
        "https://w3id.org/security/v1",
    ]
    assert actor["id"] == actor_id
    assert actor["type"] == "Group"
    assert actor["preferredUsername"] == "eastside"
    assert actor["name"] == "Eastside Mutual Aid"
    assert "<strong>food</strong>" in actor["summary"]
    assert 'class="mention hashtag"' in actor["summary"]
    for name in ("inbox", "outbox", "followers", "following", "featured"):
        assert actor[name] == f"{actor_id}/{name}"
    assert actor["endpoints"] == {"sharedInbox": f"{base}/inbox"}
    assert actor["manuallyApprovesFollowers"] is True
    assert actor["discoverable"] is True
    assert actor["webfinger"] == f"eastside@{instance.host}"
    assert actor["published"].endswith("Z")
    key = actor["publicKey"]
    assert key["id"] == f"{actor_id}#main-key"
    assert key["owner"] == actor_id
    public = load_pem_public_key(key["publicKeyPem"].encode())
    assert isinstance(public, rsa.RSAPublicKey)
    assert public.key_size == 2048


async def test_ld_json_accept_gets_ld_json(instance: Instance) -> None:
    await add_group(instance, "eastside")
    async with instance.client() as client:
        res = await client.get("/groups/eastside", headers={"Accept": LD})
    assert res.headers["content-type"] == LD
    assert res.json()["type"] == "Group"


async def test_browser_gets_escaped_html_page(instance: Instance) -> None:
    await add_group(instance, "eastside", display_name="<script>alert(1)</script>Eastside")
    async with instance.client() as client:
        res = await client.get("/groups/eastside", headers={"Accept": "text/html,*/*;q=0.8"})
        index = await client.get("/")
    assert res.status_code == 200
    assert res.headers["content-type"].startswith("text/html")
    assert "<script>alert(1)</script>" not in res.text
    assert "&lt;script&gt;alert(1)&lt;/script&gt;Eastside" in res.text
    assert "@eastside@" in index.text
    assert "<script>alert(1)" not in index.text


async def test_unknown_group_is_404(instance: Instance) -> None:
    async with instance.client() as client:
        res = await client.get("/groups/nobody", headers={"Accept": AP})
    assert res.status_code == 404


async def test_rename_keeps_actor_id(instance: Instance) -> None:
    await add_group(instance, "eastside")
    async with instance.ctx.sessions() as session:
        group = (await session.execute(select(Group))).scalar_one()
        await rename_group(session, group, "eastside_aid")
        await session.commit()
    async with instance.client() as client:
        actor = (await client.get("/groups/eastside", headers={"Accept": AP})).json()
        jrd = await client.get(
            "/.well-known/webfinger", params={"resource": f"acct:eastside_aid@{instance.host}"}
        )
    assert actor["id"] == f"{instance.base_url}/groups/eastside"
    assert actor["preferredUsername"] == "eastside_aid"
    assert jrd.json()["links"][0]["href"] == actor["id"]


async def test_instance_actor(instance: Instance) -> None:
    async with instance.client() as client:
        actor = (await client.get("/actor", headers={"Accept": AP})).json()
    assert actor["type"] == "Application"
    assert actor["id"] == f"{instance.base_url}/actor"
    assert actor["publicKey"]["id"] == f"{instance.base_url}/actor#main-key"
    assert actor["publicKey"]["publicKeyPem"] == instance.ctx.instance_public_pem


async def test_profile_fields_icon_and_rename_federate(instance: Instance) -> None:
    await add_group(instance, "eastside")
    async with instance.ctx.sessions() as session:
        group = (await session.execute(select(Group))).scalar_one()
        await update_group_profile(
            session,
            instance.ctx,
            group,
            fields=[("Website", "https://eastside.example/"), ("Meetings", "Mondays <7pm>")],
            icon_url="https://eastside.example/logo.png",
            new_name="eastside_aid",
        )
        await session.commit()
    async with instance.client() as client:
        actor = (await client.get("/groups/eastside", headers={"Accept": AP})).json()
    assert actor["attachment"] == [
        {
            "type": "PropertyValue",
            "name": "Website",
            "value": '<a href="https://eastside.example/" rel="me nofollow noopener noreferrer"'
            ' target="_blank">https://eastside.example/</a>',
        },
        {"type": "PropertyValue", "name": "Meetings", "value": "Mondays &lt;7pm&gt;"},
    ]
    assert actor["icon"] == {"type": "Image", "url": "https://eastside.example/logo.png"}
    assert actor["preferredUsername"] == "eastside_aid"
    assert actor["id"] == f"{instance.base_url}/groups/eastside"


async def test_profile_field_errors(instance: Instance) -> None:
    await add_group(instance, "eastside")
    async with instance.ctx.sessions() as session:
        group = (await session.execute(select(Group))).scalar_one()
        with pytest.raises(GroupError, match="needs a name and a value"):
            await update_group_profile(session, instance.ctx, group, fields=[("Website", "")])
        with pytest.raises(GroupError, match="at most 8 profile fields"):
            fields = [(f"f{i}", "v") for i in range(9)]
            await update_group_profile(session, instance.ctx, group, fields=fields)
        with pytest.raises(GroupError, match="http"):
            await update_group_profile(session, instance.ctx, group, icon_url="javascript:x")
