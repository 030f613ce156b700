"""The intake form's "read the document" button: the same reading as the API, for a signed-in officer."""

from __future__ import annotations

import msgspec
from litestar import Controller, Request, post
from litestar.response import Response

from lostfound import i18n
from lostfound.services.errors import ServiceError
from lostfound.web.controllers.api_documents import READS_PER_MINUTE, read_request
from lostfound.web.rate_limits import per_client


class DocumentReaderController(Controller):
    path = "/items/read-document"
    include_in_schema = False

    @post("/", middleware=[per_client("read-document", "minute", READS_PER_MINUTE)])
    async def read(self, request: Request) -> Response:
        form = await request.form()
        try:
            reading = await read_request(request, dict(form.items()))
        except ServiceError as exc:
            message = i18n.gettext(exc.message, **exc.params)
            return Response({"error": message}, status_code=exc.status_code)
        return Response(msgspec.to_builtins(reading), status_code=200)
