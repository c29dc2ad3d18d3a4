"""Scale out on PostgreSQL: two ``mutuals serve`` and three ``mutuals worker`` processes
on one database, behind a loopback proxy; a worker ``kill -9``'d in the middle of a
fan-out, and every inbox still gets every activity once, at most twice."""

from __future__ import annotations

import asyncio
import signal
import subprocess
from collections import Counter
from pathlib import Path

import httpx
import pytest
from cryptography.hazmat.primitives.serialization import load_pem_public_key
from sqlalchemy import func, select

from actors.groups import get_group
from federation.httpsig import verify_request
from outbox.models import Delivery, FanOut
from tests.conftest import TEST_DATABASE
from tests.forum.support import mastodon_post
from tests.peer import AP, running_peer
from tests.queues.scale_out_support import (
    ActivityFarm,
    LoopbackProxy,
    connection_owners,
    free_port,
    run,
    start,
    wait_ready,
)
from tests.queues.support import add_followers, context, stop_worker, wait_for

pytestmark = pytest.mark.skipif(
    TEST_DATABASE == "sqlite",
    reason="scale-out needs PostgreSQL: SQLite is for one machine and one worker "
    "(README, deploy/SCALING.md)",
)

INBOXES = 400  # followers with personal inboxes on the farm …
FARM_HOSTS = 4  # … spread over four hosts
MEMBERS = 6  # followers who follow for real, with signed Follows through the proxy
ACTIVITIES = 3  # the organizers' post, and the two Announces of a member's post
HOLD_AFTER = 500  # of the ACTIVITIES × INBOXES deliveries to the farm
WORKERS = 3
HELD = 6  # answers the farm holds when a worker is killed (of up to 6 a host)


async def test_two_web_processes_and_three_workers_share_one_database(
    database_url: str, tmp_path: Path
) -> None:
    web_ports = [free_port(), free_port()]
    processes: list[subprocess.Popen[bytes]] = []
    async with LoopbackProxy(web_ports).running() as proxy, running_peer() as peer:
        env = {
            "MUTUALS_DEV": "1",
            "MUTUALS_BASE_URL": proxy.base_url,
            "MUTUALS_DATABASE_URL": database_url,
            "MUTUALS_SECRET_KEY": "scale-out-secret-0123456789",
            "MUTUALS_RUN_WORKERS": "0",
            "MUTUALS_QUEUE_LEASE": "2",  # a killed worker's rows come back after 2 s
        }
        await run(["group", "create", "eastside", "--posting", "open"], env, tmp_path / "cli.log")
        # Given two web processes and three workers on the one database
        web_logs = [tmp_path / f"web{n}.log" for n in range(2)]
        worker_logs = [tmp_path / f"worker{n}.log" for n in range(WORKERS)]
        webs = [
            start(["serve", "--port", str(port)], env, log)
            for port, log in zip(web_ports, web_logs, strict=True)
        ]
        workers = [start(["worker"], env, log) for log in worker_logs]
        processes = [*webs, *workers]
        try:
            await wait_ready(web_ports, processes, [*web_logs, *worker_logs])

            # The group's actor document, through the proxy (the public address)
            async with httpx.AsyncClient(base_url=proxy.base_url) as client:
                handle = f"acct:eastside@127.0.0.1:{proxy.port}"
                finger = await client.get("/.well-known/webfinger", params={"resource": handle})
            async with httpx.AsyncClient() as client:
                link = next(x for x in finger.json()["links"] if x["rel"] == "self")
                actor = (await client.get(link["href"], headers={"Accept": AP})).json()
            group_id = actor["id"]
            assert group_id.startswith(proxy.base_url + "/")

            farm = ActivityFarm(actor["publicKey"]["publicKeyPem"], FARM_HOSTS)
            async with farm.running(), context(database_url, base_url=proxy.base_url) as ctx:
                async with ctx.sessions() as session:
                    group = await get_group(session, "eastside")
                await add_followers(ctx, group, [farm.inbox(n) for n in range(INBOXES)])

                # When members follow with signed Follows through the proxy
                members = [peer.actor(f"m{n}") for n in range(MEMBERS)]
                follows = [peer.activity(member, "Follow", group_id) for member in members]
                answers = await asyncio.gather(
                    *(peer.post(actor["inbox"], follow) for follow in follows)
                )
                assert [answer.status_code for answer in answers] == [202] * MEMBERS

                # Then the workers accept every one of them
                async def accepted() -> bool:
                    found = {a["object"]["id"] for a in peer.inbox_activities("Accept")}
                    return found == {follow["id"] for follow in follows}

                await wait_for(accepted)

                # When the organizers post, and a member posts through the group (proxy)
                farm.hold_after = HOLD_AFTER
                await run(
                    ["post", "eastside", "Food distribution moved"], env, tmp_path / "cli.log"
                )
                create = mastodon_post(
                    peer, members[0], group_id, f"eastside@127.0.0.1:{proxy.port}", "Saturday?"
                )
                answer = await peer.post(actor["inbox"], create)
                assert answer.status_code == 202, answer.text

                # And the worker holding the most deliveries in flight is killed outright
                async def in_flight() -> bool:
                    return farm.total > HOLD_AFTER and len(farm.holding) >= HELD

                await wait_for(in_flight)
                holding = dict(farm.holding)
                owners = connection_owners(
                    set(holding), farm.ports, [worker.pid for worker in workers]
                )
                victim_pid, _ = Counter(owners.values()).most_common(1)[0]
                victim = next(worker for worker in workers if worker.pid == victim_pid)
                killed_with = {holding[port] for port, pid in owners.items() if pid == victim_pid}
                assert await stop_worker(victim, signal.SIGKILL) == -signal.SIGKILL
                received_before = farm.total
                farm.release()

                # Then the two others deliver every activity to every inbox
                async def everything_delivered() -> bool:
                    async with ctx.sessions() as session:
                        rows = await session.execute(
                            select(Delivery.status, func.count()).group_by(Delivery.status)
                        )
                        states = dict(rows.all())
                        jobs = await session.execute(select(FanOut.status).distinct())
                        fanouts = set(jobs.scalars())
                    expected = ACTIVITIES * (INBOXES + 1) + MEMBERS
                    return fanouts == {"done"} and states == {"delivered": expected}

                await wait_for(everything_delivered, timeout=90)
            survivors = [worker for worker in workers if worker is not victim]
            codes = [await stop_worker(process) for process in [*survivors, *webs]]
        finally:
            for process in processes:
                if process.poll() is None:
                    process.kill()
                    process.wait()

    logs = "\n".join(log.read_text() for log in [*web_logs, *worker_logs])
    assert codes[: WORKERS - 1] == [0] * (WORKERS - 1), logs
    # Uvicorn re-raises the SIGTERM it handled once it has shut down cleanly.
    assert set(codes[WORKERS - 1 :]) <= {0, -signal.SIGTERM}, logs

    # Each of the three activities reached each farm inbox once, at most twice …
    activities = {activity for _, activity in farm.deliveries}
    assert len(activities) == ACTIVITIES
    inboxes = {f"/inbox/{n}" for n in range(INBOXES)}
    for activity in activities:
        counts = [farm.deliveries[(inbox, activity)] for inbox in inboxes]
        assert set(counts) <= {1, 2}, activity
    assert set(farm.deliveries) == {(inbox, a) for inbox in inboxes for a in activities}
    # … those the killed worker had in flight (the farm held them) again by another
    assert killed_with
    assert all(farm.deliveries[key] == 2 for key in killed_with)
    assert HOLD_AFTER < received_before < ACTIVITIES * INBOXES
    # and the members' server once each, on its shared inbox
    shared = Counter(a["id"] for a in peer.inbox_activities() if a["type"] != "Accept")
    assert set(shared) == activities
    assert set(shared.values()) <= {1, 2}
    assert [r.path for r in peer.received if r.activity["type"] != "Accept"] == ["/inbox"] * sum(
        shared.values()
    )

    # Every delivery was signed with the key the actor document (through the proxy) shows
    assert farm.bad_signatures == []
    assert farm.key_ids == {actor["publicKey"]["id"]}
    group_key = load_pem_public_key(actor["publicKey"]["publicKeyPem"].encode())
    for sent in peer.received:  # the Accepts, and the activities on the shared inbox
        url = peer.base_url + sent.path
        signed = verify_request("POST", url, sent.headers, sent.body, group_key)  # type: ignore[arg-type]
        assert signed.key_id == actor["publicKey"]["id"]

    # And both web processes took inbox POSTs: the proxy spread the members' requests
    assert set(proxy.served) == set(web_ports)
    for log in web_logs:
        assert '/inbox HTTP/1.1" 202' in log.read_text(), log.read_text()
