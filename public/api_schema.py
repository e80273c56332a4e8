"""
The public API's OpenAPI schema, made to say exactly what the server does.

drf-spectacular reads most of it off the views, serializers and filters; what
it cannot know is here, worked out from the same objects the server uses so
that the two cannot drift apart:

- each query parameter takes the limits of the form field that checks it
  (a whole number between its bounds, a string's longest length, a choice
  among the listed values), and none may be given empty
  (`check_parameters`): leaving it out is how to not filter;
- an id in the path is a whole number from 1 (anything else is a JSON 404);
- every error the API answers is declared with its JSON body: 400 for a
  parameter it refuses, 404 for an unknown id or page, 429 when a client
  address asks too often.

tests/public/test_schema.py holds the server to it (schemathesis, every check).
"""

from django import forms
from django.db import DatabaseError
from django_filters import BooleanFilter
from drf_spectacular.openapi import AutoSchema
from rest_framework.exceptions import ValidationError

LARGEST_ID = 2**62

_FIELD_ERRORS = {
    "type": "object",
    "description": "Each refused parameter with what is wrong with it.",
    "additionalProperties": {"type": "array", "items": {"type": "string"}},
    "example": {"state": ["No state has the postal code “ZZ”."]},
}
_DETAIL = {
    "type": "object",
    "properties": {"detail": {"type": "string"}},
    "required": ["detail"],
}


def _json(description: str, schema: dict, headers: dict | None = None) -> dict:
    response = {"description": description, "content": {"application/json": {"schema": schema}}}
    if headers:
        response["headers"] = headers
    return response


ERROR_RESPONSES = {
    "400": _json("A query parameter is refused: empty, malformed or unknown.", _FIELD_ERRORS),
    "404": _json("No such id, or no such page of the list.", _DETAIL),
    "429": _json(
        "Too many requests from this address: come back after Retry-After seconds.",
        _DETAIL,
        {"Retry-After": {"schema": {"type": "integer", "minimum": 0}, "required": True}},
    ),
}


def check_parameters(query_params, filterset_class) -> None:
    """
    What the form fields let pass but the schema cannot declare: a parameter
    given empty (leave it out to not filter), and a yes-or-no filter given
    anything but true or false (the pages' checkboxes send "on"; a script
    that sends "null" must not get every row as if it had asked nothing).
    """
    filters = filterset_class.base_filters if filterset_class else {}
    errors = {}
    for name, value in query_params.items():
        if value == "":
            errors[name] = ["Give a value, or leave the parameter out."]
        elif isinstance(filters.get(name), BooleanFilter) and value not in ("true", "false"):
            errors[name] = ["Either true or false."]
    if errors:
        raise ValidationError(errors)


def _limits(filter_) -> dict:
    """The values a filter's form field accepts, as OpenAPI schema keywords."""
    field = filter_.field
    if isinstance(field, forms.IntegerField):
        minima = [v.limit_value for v in field.validators if getattr(v, "code", "") == "min_value"]
        maxima = [v.limit_value for v in field.validators if getattr(v, "code", "") == "max_value"]
        limits = {"type": "integer"}
        if minima:
            limits["minimum"] = max(minima)
        if maxima:
            limits["maximum"] = int(min(maxima))
        return limits
    if isinstance(field, forms.ChoiceField):
        try:
            values = [str(value) for value, _ in field.choices if value not in ("", None)]
        except DatabaseError:  # choices read from tables not made yet (manage.py check)
            values = []
        if filter_.lookup_expr == "iexact":  # ?state=ca is California too
            values += [v.lower() for v in values if v.lower() != v]
        # No choice at all (no state loaded yet): an empty enum is no schema.
        return {"enum": values} if values else {"minLength": 1}
    if isinstance(field, forms.CharField):
        limits = {"minLength": 1}
        if field.max_length:
            limits["maxLength"] = field.max_length
        return limits
    return {}


class PublicAutoSchema(AutoSchema):
    def get_operation(self, *args, **kwargs):
        operation = super().get_operation(*args, **kwargs)
        if operation is None:
            return None
        filterset_class = getattr(self.view, "filterset_class", None)
        filters = filterset_class.base_filters if filterset_class else {}
        for parameter in operation.get("parameters", []):
            schema = parameter.setdefault("schema", {})
            if parameter["in"] == "path":
                schema.update(type="integer", minimum=1, maximum=LARGEST_ID)
                schema.pop("format", None)
                schema.pop("pattern", None)
            elif parameter["name"] in filters:
                schema.update(_limits(filters[parameter["name"]]))
                if schema.get("type") == "integer":
                    schema.pop("format", None)
            elif parameter["name"] == "page":
                schema.update(minimum=1, maximum=self.view.pagination_class.last_page)
            elif parameter["name"] == "page_size":
                schema.update(minimum=1, maximum=self.view.pagination_class.max_page_size)
        responses = operation["responses"]
        if self._is_list_view():
            responses["400"] = ERROR_RESPONSES["400"]
        responses["404"] = ERROR_RESPONSES["404"]
        responses["429"] = ERROR_RESPONSES["429"]
        return operation
