"""Requests no page can take, answered 400 before any view reads them."""

from django.core.exceptions import BadRequest

NUL = "\x00"
FORM_CONTENT_TYPE = "application/x-www-form-urlencoded"


class RefuseNulCharactersMiddleware:
    """A NUL character in the path, the query string or a plain form is a 400: nobody types
    one, and PostgreSQL refuses it in a query or a text column, which made a 500 of the
    catalogue's ``?q=%00`` and of ``/mes-retraits/%00/annulation/``. (Django's form fields
    refuse it too, with a message; the values read straight from the request are the ones
    checked here.)"""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if NUL in request.path or has_nul(request.GET):
            raise BadRequest("NUL character in the URL.")
        if request.content_type == FORM_CONTENT_TYPE and has_nul(request.POST):
            raise BadRequest("NUL character in the form.")
        return self.get_response(request)


def has_nul(query) -> bool:
    return any(NUL in key or any(NUL in value for value in values) for key, values in query.lists())
