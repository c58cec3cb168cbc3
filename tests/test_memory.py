"""Freezing long-lived objects: once per version, and garbage made since is still collected."""

import gc

import pytest

from corpsmap.ui import memory


@pytest.fixture
def unfrozen():
    gc.unfreeze()
    memory._frozen_for.clear()
    yield
    gc.unfreeze()
    memory._frozen_for.clear()


def test_objects_alive_at_a_new_version_are_frozen_once(unfrozen, monkeypatch):
    kept = [object() for _ in range(1000)]
    memory.freeze_long_lived(1)
    frozen = gc.get_freeze_count()
    assert frozen >= len(kept)
    collections = []
    monkeypatch.setattr(gc, "collect", lambda *a: collections.append(a) or 0)
    memory.freeze_long_lived(1)  # the same version: nothing to do
    assert collections == [] and gc.get_freeze_count() == frozen
    memory.freeze_long_lived(2)  # a new version: collected and frozen again
    assert len(collections) == 1 and gc.get_freeze_count() > 0


def test_cycles_made_after_the_freeze_are_still_collected(unfrozen):
    memory.freeze_long_lived(1)

    class Node:
        pass

    a, b = Node(), Node()
    a.other, b.other = b, a
    del a, b
    assert gc.collect() >= 2
