"""Lecture demo: a first Flask app, built by an application factory.

Run it from anywhere inside the course's virtual environment:

    flask --app week4.demos.hello_flask run

`flask --app MODULE` finds the function `create_app` in MODULE and calls it.
"""

import json

from flask import Flask, abort, jsonify, request
from werkzeug.exceptions import HTTPException


def create_app(config=None):
    """Build a new app. Tests pass their own `config`, e.g. {"TESTING": True}."""
    app = Flask(__name__)
    app.config.from_mapping(config or {})

    @app.get("/hello/<name>")
    def hello(name):
        # The <name> part of the URL arrives as an argument; jsonify makes a JSON response.
        return jsonify(message=f"Hello, {name}!")

    @app.route("/echo", methods=["GET", "POST"])
    def echo():
        """Answer with the parts of the request that Flask parsed."""
        return jsonify(
            method=request.method,
            path=request.path,
            query=request.args.to_dict(),
            content_type=request.content_type,
            json=request.get_json(silent=True),  # None if the body is missing or not JSON
        )

    @app.post("/sum")
    def add():
        """Add up {"numbers": [...]}: check the input first, so a bad one is a 4xx, not a 500."""
        if not request.is_json:
            abort(415, description="send JSON with the header 'Content-Type: application/json'")
        data = request.get_json(silent=True)
        numbers = data.get("numbers") if isinstance(data, dict) else None
        # bool is a subclass of int in Python, so true would pass a plain isinstance(n, int).
        if not isinstance(numbers, list) or not all(
                isinstance(n, int) and not isinstance(n, bool) for n in numbers):
            abort(400, description='send {"numbers": [1, 2, 3]}: a list of whole numbers')
        return jsonify(total=sum(numbers))

    @app.errorhandler(HTTPException)
    def json_error(error):
        """Flask's errors are HTML pages by default; an API answers JSON instead."""
        response = error.get_response()  # keeps the status and headers (such as Allow)
        response.data = json.dumps({"error": error.description}) + "\n"
        response.content_type = "application/json"
        return response

    return app
