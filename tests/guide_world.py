"""Fixtures of a test file that makes the guide's world once (tests/worlds.py)
for its hundreds of tests: imported by such a file, they stand in for
conftest's organisme, accounts, client_of and browser_of there."""

import pytest
from django.test import Client

from tests.worlds import CopiedOnRead, guide_world, made_once_per_module, signed_in


@pytest.fixture(scope="module")
def world_of_this_module(django_db_setup, django_db_blocker):
    """The guide's world, made once for the file."""
    with made_once_per_module(django_db_blocker):
        yield guide_world()


@pytest.fixture
def world(world_of_this_module, db):
    """The stored world as made, each test's changes undone by its rollback;
    and fresh copies of its objects, so that no test sees another's."""
    return CopiedOnRead(world_of_this_module)


@pytest.fixture
def organisme(world):
    return world.organisme


@pytest.fixture
def primary_account(world):
    return world.primary_account


@pytest.fixture
def secondary_account(world):
    return world.secondary_account


@pytest.fixture
def other_organisme(world):
    return world.other_organisme


@pytest.fixture
def other_primary_account(world):
    return world.other_primary_account


@pytest.fixture
def other_secondary_account(world):
    return world.other_secondary_account


@pytest.fixture
def region_agent(world):
    return world.region_agent


@pytest.fixture
def client_of(client, world):
    return lambda account: signed_in(client, world.sessions, account)


@pytest.fixture
def browser_of(world):
    return lambda account: signed_in(Client(), world.sessions, account)
