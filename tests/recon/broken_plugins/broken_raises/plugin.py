"""Raises a Python exception."""


def run(request, context):
    context.log("about to raise")
    raise ZeroDivisionError("the plugin divided by zero")
