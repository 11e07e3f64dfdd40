"""Two nodes on one PostgreSQL create orders without waiting on each other's transactions and
never share a number (issue 14: no row that every create locks)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import UTC, datetime

import pytest

from routing.agencies.directory import load_directory
from routing.enums import OrderType, Utility
from routing.orders.number_blocks import BLOCK
from routing.orders.order_numbers import parse_number
from routing.orders.order_service import Intake, OrderEngine, create_order
from routing.orders.repository import next_order_number
from routing.store.db import make_engine, make_sessionmaker
from tests.integration.orders_support import reset_database

pytestmark = [pytest.mark.integration, pytest.mark.postgres_only]

INTAKE = Intake(Utility.WATER, OrderType.MAINTENANCE, "水表井盖缺失", "13800001111")


@pytest.fixture
async def two_nodes(orders_db: str) -> AsyncIterator[tuple[OrderEngine, OrderEngine]]:
    await reset_database(orders_db)
    engines = [make_engine(orders_db), make_engine(orders_db)]  # each its own pool and blocks
    directory = load_directory()
    yield (OrderEngine(sessions=make_sessionmaker(engines[0]), directory=directory),
           OrderEngine(sessions=make_sessionmaker(engines[1]), directory=directory))
    for engine in engines:
        await engine.dispose()


async def test_a_create_left_open_on_one_node_does_not_hold_up_the_other(
    two_nodes: tuple[OrderEngine, OrderEngine],
) -> None:
    first, second = two_nodes
    now = datetime.now(UTC)
    async with first.sessions.begin() as open_create:
        held = await next_order_number(open_create, now=now)
        # With one counter row per day, this create waited for the open one to commit.
        async with asyncio.timeout(5):
            other = await create_order(second, intake=INTAKE, actor="node2", now=now)
        assert other.number != held
    day, sequence = parse_number(other.number)
    assert (day, sequence) == (parse_number(held)[0], BLOCK + 1)  # the second node's block


async def test_creates_from_two_nodes_at_once_get_distinct_numbers_of_the_day(
    two_nodes: tuple[OrderEngine, OrderEngine],
) -> None:
    now = datetime.now(UTC)
    orders = await asyncio.gather(*(
        create_order(two_nodes[n % 2], intake=INTAKE, actor=f"node{n % 2 + 1}", now=now)
        for n in range(3 * BLOCK)))
    numbers = [order.number for order in orders]
    assert len(set(numbers)) == len(numbers)
    days = {parse_number(number)[0] for number in numbers}
    assert days == {parse_number(numbers[0])[0]}
    # Two nodes reserved blocks of BLOCK: nothing past what was reserved was handed out.
    assert max(parse_number(number)[1] for number in numbers) <= 4 * BLOCK
