"""Benchmark 3, fan-out under faults: as benchmark 2, with 5 % of hosts answering 503 with
``Retry-After``, 5 % refusing connections and 2 % hanging (accepting, never answering).

The figure is when the last healthy host had the post, against scenario 2 measured in
the same run (target: within 1.25x). Runs stop at 60 s whatever happened.

    .venv/bin/python -m benchmarks.fanout_faults [--postgres URL] [--steps]
"""

from __future__ import annotations

import asyncio

from benchmarks.fanout import HOSTS, arguments, compare, our_sender, setup


async def main() -> None:
    args = arguments()
    db, plan, key = await setup(args.postgres)
    faulty = plan.with_faults()
    kinds = sorted(faulty.faults.values())
    counts = ", ".join(f"{kinds.count(k)} {k}" for k in dict.fromkeys(kinds))
    clean, faults = await compare(
        db,
        key,
        args.loop,
        f"fan-out under faults: {HOSTS} hosts ({counts}), {db.kind}",
        [("ours, no faults", our_sender, plan), ("ours, faults", our_sender, faulty)],
    )
    if clean.healthy_done and faults.healthy_done:
        ratio = faults.healthy_done / clean.healthy_done
        print(f"healthy hosts, faults/no faults: {ratio:.2f}x (target <= 1.25x)")
    else:
        print("healthy hosts did not all have the post before the deadline (target <= 1.25x)")


if __name__ == "__main__":
    asyncio.run(main())
