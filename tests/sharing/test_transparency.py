"""Monthly transparency reports: a month of generated activity gives a draft whose every
figure is recomputed here from the rows; organizers change the text and publish it as
an Article followers receive; the worker drafts the month just over; bad input refused."""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import select

from actors.groups import get_group
from actors.models import Follower, Following, Group, RemoteActor
from moderation.models import Report, ReportCase
from posts.notes import new_post
from sharing import step
from sharing.distribution_models import Distribution
from sharing.models import Event, Offer, Poll, Rsvp, Vote
from sharing.survey_models import Survey, SurveyQuestion, SurveyResponse
from sharing.transparency_figures import Month, month_figures
from sharing.transparency_models import TransparencyReport
from tests.conftest import InstanceFactory
from tests.helpers import add_group
from tests.instances import Instance, settle
from tests.sharing.network import Cli
from tests.sink import Sink, add_follower

NOVEMBER = Month(2026, 11)
EARLY, LATE = dt.datetime(2026, 10, 1, tzinfo=dt.UTC), dt.datetime(2027, 1, 1, tzinfo=dt.UTC)
EDGES = (NOVEMBER.start, NOVEMBER.end - dt.timedelta(microseconds=1), NOVEMBER.end)


@dataclass
class Activity:
    """What was generated, kept to count the expected figures without the database."""

    offers: list[Offer]
    events: list[tuple[Event, list[str]]]
    followers: list[Follower]
    followings: list[tuple[Following, str]]
    reports: list[tuple[Report, ReportCase | None]]
    given: list[Distribution]
    answers: list[SurveyResponse]
    votes: list[tuple[int, Vote]]  # (survey id, vote)
    surveys: list[Survey]


def moment(rng: random.Random) -> dt.datetime:
    """Somewhere from October to December, often exactly on an edge of November."""
    if rng.random() < 0.2:
        return rng.choice(EDGES)
    return EARLY + (LATE - EARLY) * rng.random()


def actor(n: str, kind: str) -> RemoteActor:
    return RemoteActor(
        ap_id=f"https://far.example/actors/{n}",
        type=kind,
        domain="far.example",
        inbox=f"https://far.example/actors/{n}/inbox",
    )


async def generate(instance: Instance, group: Group, seed: int) -> Activity:
    """A few months of a group's activity with random dates, states and answers."""
    rng = random.Random(seed)
    ctx = instance.ctx
    activity = Activity([], [], [], [], [], [], [], [], [])
    async with ctx.sessions() as session:
        for n in range(80):
            opened = moment(rng)
            post = new_post(ctx, group, "Note", opened, "")
            session.add(post)
            await session.flush()
            state = rng.choice(["open", "fulfilled", "partly", "unmet", "withdrawn", "expired"])
            closed = None if state == "open" else opened + dt.timedelta(days=rng.randint(0, 40))
            offer = Offer(
                post_id=post.id,
                group_id=group.id,
                kind=rng.choice(["offer", "need"]),
                title=f"thing {n}",
                state=state,
                closed_at=closed,
                created_at=opened,
            )
            session.add(offer)
            activity.offers.append(offer)
        for n in range(15):
            post = new_post(ctx, group, "Event", moment(rng), "")
            session.add(post)
            await session.flush()
            event = Event(
                post_id=post.id,
                group_id=group.id,
                title=f"meeting {n}",
                starts_at=moment(rng),
                timezone="UTC",
                cancelled=rng.random() < 0.2,
            )
            session.add(event)
            await session.flush()
            answers = [rng.choice(["going", "maybe", "declined"]) for _ in range(rng.randint(0, 4))]
            for k, answer in enumerate(answers):
                session.add(
                    Rsvp(
                        event_id=event.id,
                        actor_ap_id=f"https://far.example/people/{seed}-{n}-{k}",
                        state=answer,
                        activity_ap_id=f"https://far.example/rsvps/{seed}-{n}-{k}",
                    )
                )
            activity.events.append((event, answers))
        for n in range(30):
            kind = rng.choice(["Person", "Group"])
            remote = actor(f"{seed}-{n}", kind)
            session.add(remote)
            await session.flush()
            relation: type[Follower] | type[Following] = rng.choice([Follower, Following])
            row = relation(
                group_id=group.id,
                actor_id=remote.id,
                follow_ap_id=f"https://far.example/follows/{seed}-{n}",
                accepted=rng.random() < 0.8,
                created_at=moment(rng),
            )
            session.add(row)
            if isinstance(row, Follower):
                activity.followers.append(row)
            else:
                activity.followings.append((row, kind))
        for _ in range(12):
            report = Report(
                group_id=group.id,
                direction=rng.choice(["received", "sent"]),
                reporter_ap_id="https://far.example/actor",
                created_at=moment(rng),
            )
            session.add(report)
            await session.flush()
            case = None
            if rng.random() < 0.7:
                case = ReportCase(
                    report_id=report.id,
                    group_id=group.id,
                    status=rng.choice(["open", "mediation", "resolved", "dismissed"]),
                    updated_at=moment(rng),
                )
                session.add(case)
            activity.reports.append((report, case))
        for n in range(25):
            given = Distribution(
                group_id=group.id,
                recipient=f"household {n}",
                recipient_key=f"household {n}",
                category=rng.choice(["food boxes", "nappies"]),
                quantity=rng.randint(1, 5),
                recorded_by="ana",
                given_at=moment(rng),
            )
            session.add(given)
            activity.given.append(given)
        for n in range(4):
            await survey(session, instance, group, rng, activity, f"{seed}-{n}")
        # One still waiting to open has published nothing: it does not count
        session.add(Survey(uid=f"w{seed}", group_id=group.id, title="?", created_at=NOVEMBER.start))
        await session.commit()
    return activity


async def survey(
    session: Any, instance: Instance, group: Group, rng: random.Random, activity: Activity, key: str
) -> None:
    """A survey of one choice question (its poll), answered on the page and by votes."""
    opened = moment(rng)
    post = new_post(instance.ctx, group, "Note", opened, "")
    poll_post = new_post(instance.ctx, group, "Question", opened, "")
    session.add_all([post, poll_post])
    await session.flush()
    # Some were made beforehand to open later: they count when they opened
    scheduled = moment(rng) if rng.random() < 0.3 else None
    row = Survey(
        uid=f"s{key}",
        group_id=group.id,
        post_id=post.id,
        title="?",
        created_at=opened,
        opens_at=scheduled,
    )
    poll = Poll(post_id=poll_post.id, group_id=group.id, question="?", options=["a", "b"])
    session.add_all([row, poll])
    await session.flush()
    session.add(
        SurveyQuestion(
            survey_id=row.id, group_id=group.id, position=1, kind="one", text="?", poll_id=poll.id
        )
    )
    activity.surveys.append(row)
    for n in range(rng.randint(0, 4)):
        answer = SurveyResponse(survey_id=row.id, group_id=group.id, created_at=moment(rng))
        session.add(answer)
        activity.answers.append(answer)
        # A voter who chose two options of a several-choice poll still answered once
        for option in rng.sample(["a", "b"], rng.randint(1, 2)):
            vote = Vote(
                poll_id=poll.id,
                actor_ap_id=f"https://far.example/voters/{key}-{n}",
                option=option,
                slot=option,
                object_ap_id=f"https://far.example/votes/{key}-{n}-{option}",
                created_at=moment(rng) if option == "a" else EDGES[0],
            )
            session.add(vote)
            activity.votes.append((row.id, vote))


def expected(activity: Activity, month: Month) -> dict[str, int]:
    """The report's figures, counted from what was generated."""

    def within(when: dt.datetime | None) -> bool:
        return when is not None and month.start <= when < month.end

    def closed(kind: str, states: set[str]) -> int:
        return sum(
            o.kind == kind and within(o.closed_at) and o.state in states for o in activity.offers
        )

    held = [(e, a) for e, a in activity.events if within(e.starts_at) and not e.cancelled]
    distributed: dict[str, int] = {}
    for given in sorted(activity.given, key=lambda g: g.category):
        if within(given.given_at):
            distributed[given.category] = distributed.get(given.category, 0) + given.quantity
    voters = {(survey, v.actor_ap_id) for survey, v in activity.votes if within(v.created_at)}
    return {
        "needs_opened": sum(o.kind == "need" and within(o.created_at) for o in activity.offers),
        "needs_met": closed("need", {"fulfilled"}),
        "needs_partly": closed("need", {"partly"}),
        "needs_unmet": closed("need", {"unmet", "withdrawn", "expired"}),
        "distributed": distributed,
        "offers_made": sum(o.kind == "offer" and within(o.created_at) for o in activity.offers),
        "offers_taken_up": closed("offer", {"fulfilled", "partly"}),
        "events_held": len(held),
        "going": sum(a.count("going") for _, a in held),
        "new_followers": sum(f.accepted and within(f.created_at) for f in activity.followers),
        "groups_linked": sum(
            f.accepted and kind == "Group" and within(f.created_at)
            for f, kind in activity.followings
        ),
        "reports_received": sum(
            r.direction == "received" and within(r.created_at) for r, _ in activity.reports
        ),
        "reports_resolved": sum(
            c is not None and c.status in ("resolved", "dismissed") and within(c.updated_at)
            for _, c in activity.reports
        ),
        "surveys": sum(within(row.opens_at or row.created_at) for row in activity.surveys),
        "survey_answers": sum(within(a.created_at) for a in activity.answers) + len(voters),
    }


async def test_every_figure_of_a_generated_month_is_recomputed(
    instance: Instance, cli: Cli
) -> None:
    # Given a few months of activity of two groups, with dates on November's edges
    demo, other = await add_group(instance, "demo"), await add_group(instance, "other")
    exercised: set[str] = set()
    for seed in (1, 2, 3):
        activity = await generate(instance, demo, seed)
        await generate(instance, other, seed + 100)  # never counted for demo
        # When November's report is drafted
        async with instance.ctx.sessions() as session:
            figures = await month_figures(session, await get_group(session, "demo"), NOVEMBER)
        # Then each figure is what the rows say
        assert figures == expected(activity, NOVEMBER)
        exercised |= {name for name, value in figures.items() if value}
        async with instance.ctx.sessions() as session:
            for model in (
                Rsvp,
                Event,
                Offer,
                Follower,
                Following,
                ReportCase,
                Report,
                Distribution,
                Vote,
                SurveyResponse,
                SurveyQuestion,
                Survey,
                Poll,
            ):
                for row in (await session.scalars(select(model))).all():
                    await session.delete(row)
            await session.commit()

    # (and each was more than nothing at least once)
    assert exercised == set(figures)

    # And the command prints the draft with those figures
    out = await cli.ok(instance, "transparency", "draft", "demo", "--month", "2026-11")
    assert out.startswith("transparency report 2026-11 of demo (draft)\n")
    assert "Needs: 0 opened, 0 met, 0 partly met, 0 closed unmet\n" in out
    assert "Given out: nothing recorded\n" in out
    assert "What demo did in November 2026" in out


async def test_an_edited_report_is_published_as_an_article(
    instance: Instance, cli: Cli, tmp_path: Path
) -> None:
    group = await add_group(instance, "demo", display_name="Eastside")
    async with Sink() as sink:
        await add_follower(instance, group, sink.add_actor("ana"))
        await cli.ok(instance, "transparency", "draft", "demo", "--month", "2026-10")
        text = tmp_path / "report.md"
        text.write_text("We handed out **soup** every Friday.\n\n- Needs: all met\n")
        await cli.ok(instance, "transparency", "edit", "demo", str(text), "--month", "2026-10")
        # Counting again keeps the organizers' text
        redrafted = await cli.ok(instance, "transparency", "draft", "demo", "--month", "2026-10")
        out = await cli.ok(instance, "transparency", "publish", "demo", "--month", "2026-10")
        await settle(instance)
        (create,) = [d.activity for d in sink.received if d.activity["type"] == "Create"]
        twice = await cli.fails(instance, "transparency", "publish", "demo", "--month", "2026-10")
        listed = await cli.ok(instance, "transparency", "list", "demo")

    assert "We handed out **soup** every Friday." in redrafted
    article = create["object"]
    assert (article["type"], article["name"]) == (
        "Article",
        "Eastside: transparency report, October 2026",
    )
    # Mastodon shows an Article's name, summary and link: the figures are in the summary
    assert article["summary"].startswith("Needs: 0 opened, 0 met, 0 partly met, 0 closed unmet · ")
    assert "<strong>soup</strong>" in article["content"]
    assert "https://www.w3.org/ns/activitystreams#Public" in article["to"]
    assert out == f"transparency report 2026-10 published: {article['id']}\n"
    assert twice == "error: the report for 2026-10 is already published"
    assert listed.startswith("2026-10\tpublished ") and listed.endswith("\tedited\n")
    async with instance.client() as client:
        page = await client.get(f"/groups/{group.uid}/transparency")
        article_page = await client.get(article["id"])
    assert page.status_code == 200
    assert f'href="{article["id"]}"' in page.text and "Needs: 0 opened" in page.text
    assert "<strong>soup</strong>" in article_page.text


async def test_bad_months_and_texts_are_refused(instance: Instance, cli: Cli) -> None:
    await add_group(instance, "demo")
    this_month = dt.datetime.now(dt.UTC).strftime("%Y-%m")
    empty = Path("/dev/null")

    assert await cli.fails(instance, "transparency", "draft", "demo", "--month", "2026-13") == (
        "error: '2026-13' is not a month: write it as YYYY-MM"
    )
    assert await cli.fails(instance, "transparency", "draft", "demo", "--month", "2999-01") == (
        "error: 2999-01 has not begun yet"
    )
    refused = await cli.fails(instance, "transparency", "publish", "demo", "--month", this_month)
    assert refused.startswith(f"error: {this_month} is not over yet: publish its report from ")
    assert await cli.fails(
        instance, "transparency", "edit", "demo", str(empty), "--month", "2026-10"
    ) == ("error: the text is empty; write something to post")
    assert await cli.fails(instance, "transparency", "edit", "demo", "/no/such/file") == (
        "error: cannot read /no/such/file: [Errno 2] No such file or directory: '/no/such/file'"
    )


async def test_the_worker_drafts_the_month_just_over_once(make_instance: InstanceFactory) -> None:
    instance = await make_instance()
    first_of_december = dt.datetime(2026, 12, 1, 0, 5, tzinfo=dt.UTC)
    async with instance.ctx.sessions() as session:
        await add_group_at(session, instance, "demo", EARLY)
        # A group made after November has no November report to draft
        late = await add_group_at(session, instance, "late", first_of_december)

    await step.run_once(instance.ctx, first_of_december)
    await step.run_once(instance.ctx, first_of_december)

    async with instance.ctx.sessions() as session:
        (report,) = (await session.scalars(select(TransparencyReport))).all()
    assert (report.month, report.published_at) == ("2026-11", None)
    assert report.group_id != late.id
    assert "What demo did in November 2026" in report.text


async def add_group_at(session: Any, instance: Instance, name: str, when: dt.datetime) -> Group:
    """A group created at ``when``."""
    group = await add_group(instance, name)
    found = await session.get(Group, group.id)
    found.created_at = when
    await session.commit()
    return group
