"""What an order carries besides its fields: the caller's recording (heard in the order desk)
and the photos a unit attaches to its report (issue 12).

Both are personal information or evidence (L 3.1.4): the recording only for the center, a
photo for the center and the unit the order is with; every play and view is audited like a
read of the order. Photos are checked by size and by their bytes (JPEG, PNG or WebP
signatures), not by what the client claims.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

from aiohttp import web
from sqlalchemy import func, select

from console.api import CENTER, current_user, now
from console.http import DISCLOSED, SESSIONS, api_error, order_number, path_row_id
from routing.admin.audit import Read, disclosure
from routing.orders.repository import audit
from routing.orders.transitions import Role
from routing.store.evidence_tables import OrderPhoto
from routing.store.models import WorkOrder

routes = web.RouteTableDef()
MAX_PHOTO_BYTES = 5 * 1024 * 1024  # a phone photo; larger is refused with photo-too-large
MAX_PHOTOS = 10  # per order: AgencyResult.evidence takes at most 10 references
SIGNATURES = {b"\xff\xd8\xff": "image/jpeg", b"\x89PNG\r\n\x1a\n": "image/png"}


def photo_type(data: bytes) -> str | None:
    """The image type the bytes are, or None (what the client says it sent is not trusted)."""
    for magic, kind in SIGNATURES.items():
        if data.startswith(magic):
            return kind
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "image/webp"
    return None


async def _order_of(request: web.Request, agency: str | None) -> WorkOrder:
    """The order of the path; for an agency user only its own (another's is not found)."""
    number = order_number(request)
    query = select(WorkOrder).where(WorkOrder.number == number)
    if agency is not None:
        query = query.where(WorkOrder.agency_id == agency)
    async with request.app[SESSIONS]() as session:
        row = (await session.execute(query)).scalar_one_or_none()
    if row is None:
        raise api_error(web.HTTPNotFound, "order-not-found", f"没有工单 {number}")
    return row


@routes.get("/api/orders/{number}/recording")
async def recording(request: web.Request) -> web.FileResponse:
    """The caller's recording of an IVR order, to be heard in the browser (audited)."""
    await current_user(request, CENTER)
    row = await _order_of(request, None)
    path = Path(row.recording_path) if row.recording_path else None
    if path is None or path.suffix != ".wav" or not path.is_file():
        raise api_error(web.HTTPNotFound, "no-recording", "该工单没有录音")
    request[DISCLOSED] = disclosure(Read.RECORDING, [row.number], ("recording",))
    return web.FileResponse(path, headers={"Content-Type": "audio/wav",
                                           "Cache-Control": "private, no-store"})


@routes.post("/api/agency/orders/{number}/photos")
async def upload_photo(request: web.Request) -> web.Response:
    """A photo of the work done, as the raw body (Content-Type image/jpeg, png or webp)."""
    user = await current_user(request, {Role.AGENCY})
    row = await _order_of(request, user.agency_id)
    if request.content_length is not None and request.content_length > MAX_PHOTO_BYTES:
        raise api_error(web.HTTPRequestEntityTooLarge, "photo-too-large", "照片不能超过 5 MB")
    data = await _read_limited(request)
    kind = photo_type(data)
    if kind is None:
        raise api_error(web.HTTPUnsupportedMediaType, "photo-type",
                        "只能上传 JPEG、PNG 或 WebP 照片")
    async with request.app[SESSIONS].begin() as session:
        count = select(func.count()).select_from(OrderPhoto).where(OrderPhoto.order_id == row.id)
        if (await session.execute(count)).scalar_one() >= MAX_PHOTOS:
            raise api_error(web.HTTPConflict, "too-many-photos",
                            f"每件工单最多 {MAX_PHOTOS} 张照片")
        photo = OrderPhoto(order_id=row.id, agency_id=user.agency_id or "", uploaded_by=user.id,
                           uploaded_at=now(), content_type=kind, size=len(data),
                           sha256=hashlib.sha256(data).hexdigest(), data=data)
        session.add(photo)
        await session.flush()
        await audit(session, actor=user.id, entity="work_order", entity_id=row.number,
                    action="photo_added", detail={"photo": photo.id, "bytes": len(data)})
        answer = {"id": photo.id, "content_type": kind, "size": len(data),
                  "reference": f"photo:{photo.id}"}
    return web.json_response(answer, status=201)


async def _read_limited(request: web.Request) -> bytes:
    data = bytearray()
    async for chunk in request.content.iter_chunked(64 * 1024):
        data.extend(chunk)
        if len(data) > MAX_PHOTO_BYTES:
            raise api_error(web.HTTPRequestEntityTooLarge, "photo-too-large", "照片不能超过 5 MB")
    if not data:
        raise api_error(web.HTTPBadRequest, "photo-empty", "没有收到照片")
    return bytes(data)


async def _photo(request: web.Request, row: WorkOrder, fields: tuple[str, ...]) -> web.Response:
    photo_id = path_row_id(request, "photo_id")
    async with request.app[SESSIONS]() as session:
        photo = await session.get(OrderPhoto, photo_id)
    if photo is None or photo.order_id != row.id:
        raise api_error(web.HTTPNotFound, "no-such-photo", "没有这张照片")
    request[DISCLOSED] = disclosure(Read.PHOTO, [row.number], fields)
    return web.Response(body=photo.data, content_type=photo.content_type,
                        headers={"Cache-Control": "private, no-store"})


@routes.get(r"/api/orders/{number}/photos/{photo_id:\d+}")
async def center_photo(request: web.Request) -> web.Response:
    await current_user(request, CENTER)
    return await _photo(request, await _order_of(request, None), ("photo",))


@routes.get(r"/api/agency/orders/{number}/photos/{photo_id:\d+}")
async def agency_photo(request: web.Request) -> web.Response:
    user = await current_user(request, {Role.AGENCY})
    return await _photo(request, await _order_of(request, user.agency_id), ("photo",))
