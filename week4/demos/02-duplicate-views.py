# A classic mistake, kept runnable for docs/topics/02-flask-rest.md: running this file raises
# AssertionError. tests/test_02_flask_clients.py checks that it fails the way the page says.
from flask import Flask, jsonify

app = Flask(__name__)


@app.get("/menus")
def menus():
    return jsonify([])


@app.post("/menus")
def menus():  # noqa: F811 - the same name again: Flask raises AssertionError here
    return jsonify({}), 201
