"""serve keeps its start-up heap out of the garbage collector's full passes."""

import gc

from aiohttp import web

from hotline12319 import serve
from hotline12319.settings import load_settings


async def test_given_startup_done_when_heap_frozen_then_its_objects_are_not_collected() -> None:
    kept_for_life = [object() for _ in range(1000)]
    gc.unfreeze()
    try:
        await serve._freeze_startup_heap(web.Application())
        assert gc.get_freeze_count() >= len(kept_for_life)
    finally:
        gc.unfreeze()


def test_given_a_served_app_then_freezing_runs_after_every_resource_has_started() -> None:
    app = serve.init_app(load_settings())
    startup = list(app.on_startup)
    # aiohttp runs cleanup_ctx as the first startup signal; the freeze must come after it.
    assert startup.index(serve._freeze_startup_heap) > startup.index(
        app._cleanup_ctx._on_startup)
