"""Checks for topic 02: the coffee-menu REST API, graded over real HTTP.

The student's `create_app` runs in the sandbox child as a real server on 127.0.0.1, on a
fresh SQLite file (see `autograder.http_api`); these checks send it HTTP requests and judge
the status codes, headers and JSON bodies that come back.

Each check isolates one rule of the contract. Steps that only prepare a check (creating a
menu to replace, say) accept any 2xx answer, so one mistake (200 instead of 201) costs only
the check about that rule. Checks run in this file's order: the first ones see the freshly
seeded database, and the restart scenario comes last. Every failure quotes the request sent
and the response received.
"""

from __future__ import annotations

import json
import random
from urllib.parse import quote, urlsplit

import pytest

from autograder.checking import CheckFailed, check
from autograder.http_api import ApiServer, Exchange

TOPIC = "02-flask-rest"
DOCS = "docs/topics/02-flask-rest.md"
SEED = [("Espresso", 3800), ("Americano", 4100), ("CafeLatte", 4600)]
FUZZ_SEED = 20221010
FUZZ_COUNT = 200
PARALLEL_POSTS = 20


@pytest.fixture(scope="module")
def api(nb):
    """The submission's app, served over HTTP (started on first use)."""
    return ApiServer(nb)


# --- small helpers -------------------------------------------------------------------------

def unique_name(api: ApiServer, label: str) -> str:
    """A menu name no other request of this grading uses."""
    api.memo["names"] = api.memo.get("names", 0) + 1
    return f"{label} {api.memo['names']}"


def is_int(value) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def expect_status(ex: Exchange, expected, rule: str) -> None:
    """Fail unless the response's status is `expected` (an int, or a tuple of allowed ints)."""
    allowed = expected if isinstance(expected, tuple) else (expected,)
    if ex.status not in allowed:
        want = " or ".join(str(s) for s in allowed)
        raise CheckFailed(f"{ex.request_text} answered {ex.response_text}; expected status "
                          f"{want}: {rule}")


def is_menu(value) -> bool:
    return (isinstance(value, dict) and set(value) == {"id", "name", "price"}
            and is_int(value["id"]) and isinstance(value["name"], str) and is_int(value["price"]))


def list_menus(api: ApiServer) -> list[dict]:
    """GET /menus as a list of menus; fails the check (as a setup step) otherwise."""
    ex = api.request("GET", "/menus")
    data = ex.json(default=None)
    if ex.status != 200 or not isinstance(data, list) or not all(is_menu(m) for m in data):
        raise CheckFailed(f"this check reads the menus with GET /menus, which must answer 200 "
                          f"and a JSON list of {{id, name, price}} objects; it answered "
                          f"{ex.response_text}")
    return data


def create(api: ApiServer, name: str, price: int) -> dict:
    """POST a valid menu (a setup step: any 2xx will do) and return the created menu."""
    ex = api.request("POST", "/menus", json_body={"name": name, "price": price})
    data = ex.json(default=None)
    if not 200 <= ex.status < 300 or not is_menu(data):
        raise CheckFailed(f"to prepare this check, {ex.request_text} should create a menu and "
                          f"answer it as JSON {{id, name, price}}; it answered {ex.response_text}")
    return data


def absent_id(api: ApiServer) -> int:
    """An id that no menu has."""
    return max((m["id"] for m in list_menus(api)), default=0) + 1000


def by_id(menus: list[dict]) -> dict[int, dict]:
    return {m["id"]: m for m in menus}


# --- reading ---------------------------------------------------------------------------------

@check("list-menus", points=1, docs=f"{DOCS}#rest-resources",
       hint="GET /menus answers 200 and a JSON list of {\"id\", \"name\", \"price\"} objects "
            "ordered by id (SQL: ORDER BY id). A new database starts with Espresso 3800, "
            "Americano 4100 and CafeLatte 4600.")
def test_list_menus(api):
    ex = api.request("GET", "/menus")
    expect_status(ex, 200, "listing a collection succeeds")
    if ex.mimetype != "application/json":
        raise CheckFailed(f"GET /menus must answer JSON (Content-Type: application/json); it "
                          f"answered Content-Type {ex.headers.get('content-type')!r}: "
                          f"{ex.response_text}")
    data = ex.json()
    if not isinstance(data, list) or not all(is_menu(m) for m in data):
        raise CheckFailed("GET /menus must answer a JSON list of objects with exactly the keys "
                          "id (int), name (str) and price (int)", expected=
                          [{"id": 1, "name": "Espresso", "price": 3800}, "..."], found=data)
    ids = [m["id"] for m in data]
    if ids != sorted(set(ids)):
        raise CheckFailed("GET /menus must list the menus ordered by id, each id once",
                          expected=sorted(set(ids)), found=ids)
    found = [(m["name"], m["price"]) for m in data]
    if found != SEED:
        raise CheckFailed("on a new database, GET /menus must list the three seed menus",
                          expected=SEED, found=found)


@check("list-filter", points=1, docs=f"{DOCS}#http",
       hint="Read the query string with request.args.get(\"max_price\") and keep the menus "
            "whose price is at most that number (price <= max_price).")
def test_list_filter(api):
    menus = list_menus(api)
    for limit in (4100, 3800, 3799, 0, 1_000_000):
        ex = api.request("GET", f"/menus?max_price={limit}")
        expect_status(ex, 200, "a valid filter is a normal listing")
        expected = [m for m in menus if m["price"] <= limit]
        if ex.json() != expected:
            raise CheckFailed(f"GET /menus?max_price={limit} must list the menus with a price "
                              f"of at most {limit}, ordered by id; it answered {ex.response_text}",
                              expected=expected, found=ex.json())


@check("list-filter-invalid", points=1, docs=f"{DOCS}#status-codes",
       hint="int(text) inside try/except ValueError, then reject negative numbers: answer "
            "400 with a JSON error. request.args.get(..., type=int) silently ignores bad input.")
def test_list_filter_invalid(api):
    for raw in ("abc", "-1", "4.5", "", "1e3"):
        ex = api.request("GET", f"/menus?max_price={quote(raw)}")
        expect_status(ex, 400, "max_price must be a whole number, 0 or more; say so instead "
                               "of ignoring it")


@check("get-menu", points=1, docs=f"{DOCS}#routes",
       hint="Route /menus/<int:menu_id> (plural, like the collection) and answer 200 with "
            "the menu as a JSON object.")
def test_get_menu(api):
    menus = list_menus(api) or [create(api, unique_name(api, "Cortado"), 4300)]
    for menu in menus[:3]:
        ex = api.request("GET", f"/menus/{menu['id']}")
        expect_status(ex, 200, "reading one existing menu succeeds")
        if ex.json() != menu:
            raise CheckFailed(f"GET /menus/{menu['id']} must answer that menu, as GET /menus "
                              f"lists it; it answered {ex.response_text}", expected=menu,
                              found=ex.json())


@check("get-missing", points=1, docs=f"{DOCS}#status-codes",
       hint="When no row has that id, abort(404) (with a JSON error message).")
def test_get_missing(api):
    for menu_id in (absent_id(api), 987654321):
        ex = api.request("GET", f"/menus/{menu_id}")
        expect_status(ex, 404, "there is no menu with that id")


# --- creating ------------------------------------------------------------------------------

@check("post-created", points=2, docs=f"{DOCS}#status-codes",
       hint="POST /menus answers 201 Created with the new menu as JSON, including the id "
            "the database gave it: return jsonify(menu), 201, {...}.")
def test_post_created(api):
    name = unique_name(api, "Mocha")
    ex = api.request("POST", "/menus", json_body={"name": name, "price": 4800})
    expect_status(ex, 201, "201 Created is the answer to a POST that made a new resource")
    data = ex.json()
    if not is_menu(data) or data["name"] != name or data["price"] != 4800:
        raise CheckFailed(f"{ex.request_text} must answer the created menu as JSON with its "
                          f"new id; it answered {ex.response_text}",
                          expected={"id": "(a new int)", "name": name, "price": 4800}, found=data)


@check("post-location", points=1, docs=f"{DOCS}#status-codes",
       hint="Tell the client where the new menu lives: the header Location: /menus/<id> "
            "(url_for(\"menus.get_menu\", menu_id=...) builds it).")
def test_post_location(api):
    ex = api.request("POST", "/menus", json_body={"name": unique_name(api, "Latte"), "price": 4500})
    data = ex.json(default=None)
    if not 200 <= ex.status < 300 or not is_menu(data):
        raise CheckFailed(f"{ex.request_text} should create a menu; it answered {ex.response_text}")
    location = ex.headers.get("location")
    expected = f"/menus/{data['id']}"
    parts = urlsplit(location or "")
    local = parts.scheme in ("", "http") and parts.hostname in (None, "127.0.0.1", "localhost")
    if location is None or not local or parts.path != expected:
        raise CheckFailed(f"{ex.request_text} answered {ex.response_text} with no Location "
                          f"header for the new menu" if location is None else
                          f"{ex.request_text} answered Location {location!r}, which is not the "
                          f"new menu's URL", expected=f"Location: {expected}",
                          found=f"Location: {location}")


@check("post-server-id", points=1, docs=f"{DOCS}#mistakes",
       hint="The server (the database) chooses ids: INSERT only name and price and read "
            "cursor.lastrowid. Ignore (or reject with 400) an id the client sends.")
def test_post_server_id(api):
    menus = list_menus(api)
    victim = menus[0] if menus else create(api, unique_name(api, "Ristretto"), 3500)
    taken = {m["id"] for m in menus} | {victim["id"]}
    unused = max(taken) + 777
    for client_id in (victim["id"], unused):
        ex = api.request("POST", "/menus", json_body={"id": client_id,
                                                      "name": unique_name(api, "Affogato"),
                                                      "price": 5500})
        if ex.status == 400:
            continue  # rejecting a client-chosen id is fine too
        data = ex.json(default=None)
        if not 200 <= ex.status < 300 or not is_menu(data):
            raise CheckFailed(f"{ex.request_text} answered {ex.response_text}; a client that "
                              f"sends an id must get a new menu with an id the server chose "
                              f"(or a 400)")
        if data["id"] == client_id or data["id"] in taken:
            raise CheckFailed(f"{ex.request_text} answered {ex.response_text}: the server must "
                              f"choose the id, never take the client's",
                              expected="an id no menu had", found=data["id"])
        taken.add(data["id"])
    after = by_id(list_menus(api))
    if after.get(victim["id"]) != victim:
        raise CheckFailed(f"after POSTs that carried \"id\": {victim['id']}, the menu with that "
                          f"id changed", expected=victim, found=after.get(victim["id"]))


@check("post-invalid-json", points=1, docs=f"{DOCS}#get-json",
       hint="request.get_json(silent=True) returns None for a body that is not valid JSON "
            "(json.loads raises): answer 400, never let the exception become a 500.")
def test_post_invalid_json(api):
    bodies = [b'{"name": "Mocha", "price": }', b"{name: 'Mocha', price: 4800}", b"",
              b'[{"name": "Mocha"', b'{"name": "Mocha", "price": 4800}}']
    for body in bodies:
        ex = api.request("POST", "/menus", body=body, content_type="application/json")
        expect_status(ex, 400, "the body is not valid JSON")


@check("post-missing-fields", points=1, docs=f"{DOCS}#get-json",
       hint="The body must be a JSON object (a dict) with both \"name\" and \"price\"; "
            "anything else (a list, a string, null, a missing key) is a 400.")
def test_post_missing_fields(api):
    name = unique_name(api, "Cappuccino")
    for payload in ({}, {"name": name}, {"price": 4800}, {"nmae": name, "price": 4800},
                    [], [{"name": name, "price": 4800}], name, None):
        ex = api.request("POST", "/menus", json_body=payload)
        expect_status(ex, 400, "a menu needs a JSON object with both name and price")


@check("post-wrong-types", points=1, docs=f"{DOCS}#get-json",
       hint="name must be a str and price an int. In Python a bool is an int (True == 1), so "
            "test isinstance(price, bool) first; 4800.5 and \"4800\" are not ints either.")
def test_post_wrong_types(api):
    name = unique_name(api, "Macchiato")
    cases = [{"name": name, "price": "4800"}, {"name": name, "price": 4800.5},
             {"name": name, "price": True}, {"name": name, "price": None},
             {"name": name, "price": [4800]}, {"name": 4800, "price": 4800},
             {"name": [name], "price": 4800}, {"name": None, "price": 4800},
             {"name": True, "price": 4800}]
    for payload in cases:
        ex = api.request("POST", "/menus", json_body=payload)
        expect_status(ex, 400, "name must be a string and price an integer (not a bool)")


@check("post-bad-values", points=1, docs=f"{DOCS}#get-json",
       hint="name: 1 to 100 characters (both ends allowed); price: an integer >= 0.")
def test_post_bad_values(api):
    for payload in ({"name": "", "price": 4800}, {"name": "M" * 101, "price": 4800},
                    {"name": unique_name(api, "Doppio"), "price": -1}):
        ex = api.request("POST", "/menus", json_body=payload)
        expect_status(ex, 400, "the name must have 1 to 100 characters and the price be >= 0")
    longest = unique_name(api, "Lungo")
    longest = longest + "o" * (100 - len(longest))
    for payload in ({"name": longest, "price": 4000}, {"name": unique_name(api, "Water"),
                                                       "price": 0}):
        ex = api.request("POST", "/menus", json_body=payload)
        expect_status(ex, (200, 201), "a name of exactly 100 characters and a price of 0 are "
                                      "allowed")


@check("post-not-json", points=1, docs=f"{DOCS}#status-codes",
       hint="Check request.is_json first: a body sent as text/plain or as a form is "
            "415 Unsupported Media Type.")
def test_post_not_json(api):
    text = json.dumps({"name": unique_name(api, "Americano Tall"), "price": 4600}).encode()
    for body, content_type in ((text, "text/plain"), (b"name=Mocha&price=4800",
                                                      "application/x-www-form-urlencoded"),
                               (text, None), (b"<menu><name>Mocha</name></menu>",
                                              "application/xml")):
        ex = api.request("POST", "/menus", body=body, content_type=content_type)
        expect_status(ex, 415, "the body is not sent as JSON (Content-Type: application/json)")


@check("post-duplicate", points=1, docs=f"{DOCS}#status-codes",
       hint="Make name UNIQUE in the table and turn sqlite3.IntegrityError into "
            "409 Conflict.")
def test_post_duplicate(api):
    menu = create(api, unique_name(api, "Vienna"), 5200)
    ex = api.request("POST", "/menus", json_body={"name": menu["name"], "price": 5300})
    expect_status(ex, 409, f"a menu named {menu['name']!r} exists already")


# --- replacing ------------------------------------------------------------------------------

@check("put-replace", points=1, docs=f"{DOCS}#rest-methods",
       hint="PUT /menus/<id> replaces name and price and answers 200 with the updated menu. "
            "Keeping the same name (changing only the price) is not a conflict.")
def test_put_replace(api):
    menu = create(api, unique_name(api, "Flat White"), 5000)
    path = f"/menus/{menu['id']}"
    renamed = {"name": unique_name(api, "Flat White Large"), "price": 5600}
    repriced = {"name": renamed["name"], "price": 5900}  # same name, new price: no conflict
    for new in (renamed, repriced):
        ex = api.request("PUT", path, json_body=new)
        expect_status(ex, 200, "replacing an existing menu succeeds")
        expected = {"id": menu["id"], **new}
        if ex.json() != expected:
            raise CheckFailed(f"{ex.request_text} must answer the updated menu; it answered "
                              f"{ex.response_text}", expected=expected, found=ex.json())
        stored = by_id(list_menus(api)).get(menu["id"])
        if stored != expected:
            raise CheckFailed(f"after {ex.request_text}, GET /menus shows the menu unchanged",
                              expected=expected, found=stored)


@check("put-missing", points=1, docs=f"{DOCS}#status-codes",
       hint="PUT on an id that does not exist answers 404 (this API does not create with PUT).")
def test_put_missing(api):
    ex = api.request("PUT", f"/menus/{absent_id(api)}",
                     json_body={"name": unique_name(api, "Ghost"), "price": 1000})
    expect_status(ex, 404, "there is no menu with that id")


@check("put-validation", points=1, docs=f"{DOCS}#get-json",
       hint="PUT validates the body exactly like POST (reuse one function): 400 for a bad "
            "menu, 415 for a body that is not JSON, and nothing changes.")
def test_put_validation(api):
    menu = create(api, unique_name(api, "Irish"), 6500)
    path = f"/menus/{menu['id']}"
    for payload in ({"name": menu["name"]}, {"name": menu["name"], "price": "7000"},
                    {"name": "", "price": 7000}, {"name": menu["name"], "price": -7000}):
        ex = api.request("PUT", path, json_body=payload)
        expect_status(ex, 400, "the new menu is not valid")
    ex = api.request("PUT", path, body=b"name=Irish&price=7000",
                     content_type="application/x-www-form-urlencoded")
    expect_status(ex, 415, "the body is not sent as JSON")
    stored = by_id(list_menus(api)).get(menu["id"])
    if stored != menu:
        raise CheckFailed(f"after PUT {path} requests that were refused, the menu changed",
                          expected=menu, found=stored)


@check("put-duplicate", points=1, docs=f"{DOCS}#status-codes",
       hint="Renaming a menu to another menu's name is a 409 Conflict "
            "(the UNIQUE rule raises sqlite3.IntegrityError on UPDATE too).")
def test_put_duplicate(api):
    first = create(api, unique_name(api, "Cafe Mocha"), 5000)
    second = create(api, unique_name(api, "Cafe Con Leche"), 4700)
    ex = api.request("PUT", f"/menus/{second['id']}",
                     json_body={"name": first["name"], "price": 4700})
    expect_status(ex, 409, f"another menu is named {first['name']!r} already")


# --- deleting -------------------------------------------------------------------------------

@check("delete-menu", points=1, docs=f"{DOCS}#status-codes",
       hint="DELETE /menus/<id> removes the row and answers 204 No Content with an empty "
            "body: return \"\", 204.")
def test_delete_menu(api):
    menu = create(api, unique_name(api, "Cold Brew"), 4900)
    ex = api.request("DELETE", f"/menus/{menu['id']}")
    expect_status(ex, 204, "204 No Content is the answer to a delete that worked")
    if ex.data:
        raise CheckFailed(f"{ex.request_text} answered {ex.response_text}; a 204 answer has "
                          "an empty body")
    if menu["id"] in by_id(list_menus(api)):
        raise CheckFailed(f"after {ex.request_text} answered {ex.status}, GET /menus still "
                          f"lists menu {menu['id']}")


@check("delete-missing", points=1, docs=f"{DOCS}#idempotency",
       hint="DELETE on an id that does not exist (or no longer exists) answers 404.")
def test_delete_missing(api):
    ex = api.request("DELETE", f"/menus/{absent_id(api)}")
    expect_status(ex, 404, "there is no menu with that id")
    menu = create(api, unique_name(api, "Einspanner"), 6000)
    first = api.request("DELETE", f"/menus/{menu['id']}")
    expect_status(first, (200, 202, 204), "the menu exists, so the first DELETE works")
    again = api.request("DELETE", f"/menus/{menu['id']}")
    expect_status(again, 404, "the menu was deleted by the request before")


# --- the protocol ----------------------------------------------------------------------------

@check("method-not-allowed", points=1, docs=f"{DOCS}#routes",
       hint="Give each route its methods (@bp.get, @bp.post, ... or methods=[...]); Flask "
            "then answers 405 for every other method on that URL.")
def test_method_not_allowed(api):
    menu = create(api, unique_name(api, "Dalgona"), 5500)
    item = f"/menus/{menu['id']}"
    body = {"name": unique_name(api, "Dalgona"), "price": 5500}
    for method, path in (("PATCH", "/menus"), ("DELETE", "/menus"), ("PUT", "/menus"),
                         ("POST", item), ("PATCH", item)):
        ex = api.request(method, path, json_body=body)
        expect_status(ex, 405, f"{method} is not one of the methods {path} supports")


def expect_json_error(ex: Exchange) -> None:
    """An error answer (status >= 400) must be JSON {"error": "<message>"}."""
    if ex.status < 400:
        return  # not an error: another check judges the status
    data = ex.json(default=None)
    if ex.mimetype != "application/json" or not isinstance(data, dict) \
            or not isinstance(data.get("error"), str) or not data["error"].strip():
        raise CheckFailed(f"{ex.request_text} answered {ex.response_text}; every error must "
                          "be JSON like {\"error\": \"what went wrong\"} with Content-Type "
                          f"application/json (found {ex.headers.get('content-type')!r})")


@check("errors-json-routes", points=1, docs=f"{DOCS}#error-handlers",
       hint="Register an error handler for werkzeug's HTTPException in create_app, so that "
            "Flask's own 404 and 405 answers are JSON too.")
def test_errors_json_routes(api):
    for method, path in (("GET", "/no-such-page"), ("GET", "/menus/espresso"),
                         ("PATCH", "/menus")):
        expect_json_error(api.request(method, path))


@check("errors-json-menus", points=1, docs=f"{DOCS}#error-handlers",
       hint="abort(status, description=...) plus the HTTPException handler, or return "
            "jsonify(error=...), status: each error tells the client what to fix.")
def test_errors_json_menus(api):
    menu = create(api, unique_name(api, "Einspanner"), 6100)
    missing = absent_id(api)
    exchanges = [
        api.request("GET", f"/menus/{missing}"),
        api.request("PUT", f"/menus/{missing}", json_body={"name": "x", "price": 1}),
        api.request("GET", "/menus?max_price=cheap"),
        api.request("POST", "/menus", body=b"{oops", content_type="application/json"),
        api.request("POST", "/menus", json_body={"name": unique_name(api, "Tea")}),
        api.request("POST", "/menus", body=b"name=Tea", content_type="text/plain"),
        api.request("POST", "/menus", json_body={"name": menu["name"], "price": 1}),
    ]
    for ex in exchanges:
        expect_json_error(ex)


# --- ids, concurrency, robustness --------------------------------------------------------------

@check("ids-unique-after-delete", points=1, docs=f"{DOCS}#mistakes",
       hint="Never compute an id as len(menus) + 1: after a delete it repeats an id in use. "
            "Let SQLite assign it (INTEGER PRIMARY KEY AUTOINCREMENT).")
def test_ids_unique_after_delete(api):
    first = create(api, unique_name(api, "Shakerato"), 5000)
    second = create(api, unique_name(api, "Espresso Tonic"), 5500)
    ex = api.request("DELETE", f"/menus/{first['id']}")
    expect_status(ex, (200, 202, 204), "the menu exists, so DELETE works")
    taken = by_id(list_menus(api))
    name = unique_name(api, "Piccolo")
    ex = api.request("POST", "/menus", json_body={"name": name, "price": 4300})
    data = ex.json(default=None)
    if not 200 <= ex.status < 300 or not is_menu(data):
        raise CheckFailed(f"after deleting menu {first['id']}, {ex.request_text} answered "
                          f"{ex.response_text}; a new menu must get a new id however many "
                          "menus there are")
    if data["id"] in taken:
        raise CheckFailed(f"after deleting menu {first['id']}, {ex.request_text} answered id "
                          f"{data['id']}, which menu {taken[data['id']]} already has",
                          expected="an unused id", found=data["id"])
    if by_id(list_menus(api)).get(second["id"]) != second:
        raise CheckFailed(f"after {ex.request_text}, menu {second['id']} changed",
                          expected=second, found=by_id(list_menus(api)).get(second["id"]))


@check("concurrent-posts", points=1, docs=f"{DOCS}#statelessness",
       hint="Each request opens its own connection (get_db on g) and the database assigns "
            "ids, so parallel requests cannot get the same id.")
def test_concurrent_posts(api):
    before = by_id(list_menus(api))
    names = [unique_name(api, "Batch Brew") for _ in range(PARALLEL_POSTS)]
    results = api.many([{"method": "POST", "path": "/menus",
                         "json_body": {"name": n, "price": 3000 + i}}
                        for i, n in enumerate(names)])
    ids = []
    for ex in results:
        data = ex.json(default=None)
        if not 200 <= ex.status < 300 or not is_menu(data):
            raise CheckFailed(f"with {PARALLEL_POSTS} POST /menus sent at once, "
                              f"{ex.request_text} answered {ex.response_text}")
        ids.append(data["id"])
    if len(set(ids)) != len(ids) or set(ids) & set(before):
        raise CheckFailed(f"{PARALLEL_POSTS} POST /menus sent at once must get "
                          f"{PARALLEL_POSTS} new, different ids",
                          expected=f"{PARALLEL_POSTS} unused ids", found=sorted(ids))
    stored = by_id(list_menus(api))
    lost = [n for n, i in zip(names, ids, strict=True) if stored.get(i, {}).get("name") != n]
    if lost:
        raise CheckFailed(f"after {PARALLEL_POSTS} POST /menus sent at once, GET /menus lacks "
                          f"{len(lost)} of them", expected=names, found=lost)


FUZZ_NAMES = [123, 4.5, True, None, [], {}, "", "M" * 101, "M" * 5000, "카페라떼", "☕" * 30,
              "e\u0301spresso", "\u202eettal", "nul\x00byte", "two\nlines",
              "'; DROP TABLE menus; --", "<script>alert(1)</script>", "  ", "%s%s%n"]
FUZZ_PRICES = [-1, -10**30, 10**30, 2**63, 2**64 + 1, float("inf"), float("nan"), 3.5, 1e3,
               "3800", "", None, True, False, [], {}, -0.0, 4800, 0]
FUZZ_IDS = ["x", 1.5, [1], None, -5, 10**30, True, {}]
FUZZ_MALFORMED = [b"{", b"}", b'{"name": "Mocha", "price": }', b"{'name': 'Mocha'}", b"nul",
                  b'"unterminated', b"[1, 2", b"{\"name\": \"Mocha\" \"price\": 1}",
                  b'{"name": "Mocha", "price": 0x10}', b"\xff\xfe\x00{", b"\xc3\x28",
                  b'{"name": "\\ud800", "price": 1', b"[" * 40 + b"]" * 40]
FUZZ_TYPES = ["application/json", "text/plain", "application/x-www-form-urlencoded",
              "multipart/form-data; boundary=xyz", None, "application/json; charset=utf-8",
              "application/xml", "text/html", "application/merge-patch+json", "*/*"]
FUZZ_QUERIES = ["abc", "-5", "²", "1e3", "9" * 40, "9" * 5000, "%00", "", " ", "0x1f",
                "4.5", "NaN", "--1", "1%2C2", "%F0%9F%98%80", "4100&max_price=x"]
FUZZ_PATHS = ["abc", "-1", "1.5", "9" * 25, "9" * 400, "%00", "%F0%9F%98%80", "0", "1e3",
              "..%2F..%2Fetc%2Fpasswd", "1/extra", "%20"]
FUZZ_METHODS = ["PATCH", "BREW", "TRACE", "PROPFIND", "PUT", "DELETE"]


def fuzz_requests(rng: random.Random, target: int) -> list[dict]:
    """FUZZ_COUNT bad (or odd) requests; `target` is an id that exists."""
    def menu_body():
        body = {}
        if rng.random() < 0.85:
            body["name"] = rng.choice(FUZZ_NAMES + [f"Fuzz {rng.randrange(10**6)}"])
        if rng.random() < 0.85:
            body["price"] = rng.choice(FUZZ_PRICES)
        if rng.random() < 0.3:
            body["id"] = rng.choice(FUZZ_IDS)
        if rng.random() < 0.1:
            body["extra"] = {"nested": [rng.choice(FUZZ_PRICES)]}
        return body

    def encoded(value) -> bytes:
        return json.dumps(value, ensure_ascii=rng.random() < 0.5).encode("utf-8")

    out = []
    for _ in range(FUZZ_COUNT):
        kind = rng.randrange(7)
        write = rng.choice([("POST", "/menus"), ("PUT", f"/menus/{target}")])
        if kind == 0:    # malformed JSON, or random bytes, sent as JSON
            body = rng.choice(FUZZ_MALFORMED + [rng.randbytes(rng.randrange(1, 40))])
            out.append(dict(method=write[0], path=write[1], body=body,
                            content_type="application/json"))
        elif kind in (1, 2):  # a JSON object with wrong, missing or extreme fields
            out.append(dict(method=write[0], path=write[1], body=encoded(menu_body()),
                            content_type=rng.choice(["application/json"] * 3 + FUZZ_TYPES)))
        elif kind == 3:  # JSON that is not an object
            value = rng.choice([[], [1, 2], "Mocha", 4800, None, True, [{"name": "x"}], 1e400])
            out.append(dict(method=write[0], path=write[1], body=encoded(value),
                            content_type="application/json"))
        elif kind == 4:  # a bad max_price
            out.append(dict(method="GET", path=f"/menus?max_price={rng.choice(FUZZ_QUERIES)}"))
        elif kind == 5:  # an id that is not one
            method = rng.choice(["GET", "PUT", "DELETE"])
            body = encoded(menu_body()) if method == "PUT" else None
            out.append(dict(method=method, path=f"/menus/{rng.choice(FUZZ_PATHS)}", body=body,
                            content_type="application/json" if body else None))
        else:            # a method the URL does not support
            out.append(dict(method=rng.choice(FUZZ_METHODS),
                            path=rng.choice(["/menus", f"/menus/{target}", "/menus/"]),
                            body=encoded(menu_body()), content_type="application/json"))
    return out


@check("no-5xx-fuzz", points=2, docs=f"{DOCS}#mistakes",
       hint="No client input may crash a view: validate types and ranges before using them "
            "(SQLite integers stop at 2**63 - 1, also for ids in the URL and max_price).")
def test_no_5xx_fuzz(api):
    menus = list_menus(api)
    try:
        target = create(api, unique_name(api, "Fuzz Target"), 1000)["id"]
    except CheckFailed:
        target = menus[0]["id"] if menus else 1
    requests = fuzz_requests(random.Random(FUZZ_SEED), target)
    for number, spec in enumerate(requests, start=1):
        ex = api.request(**spec)
        if not 100 <= ex.status < 500:
            raise CheckFailed(f"bad request {number} of {len(requests)}: {ex.request_text} "
                              f"answered {ex.response_text}; a client mistake must get a 4xx, "
                              "never a server error")
    ex = api.request("GET", "/menus")
    expect_status(ex, 200, f"the server must still work after {len(requests)} bad requests")


# --- state outlives the process ----------------------------------------------------------------

def restart_scenario(api: ApiServer) -> dict:
    """Create a menu and delete a seed, restart the server on the same database, list again.

    Runs once per grading; both persistence checks judge its result. A step that fails is
    recorded rather than raised, so that each check needs only the steps it is about.
    """
    if "restart" in api.memo:
        return api.memo["restart"]
    outcome: dict = {}
    api.memo["restart"] = outcome
    try:
        before = list_menus(api)
        try:
            outcome["kept"] = create(api, unique_name(api, "Hand Drip"), 5800)
        except CheckFailed as exc:
            outcome["create_failed"] = exc
        kept_id = outcome.get("kept", {}).get("id")
        victim = next((m for m in before if m["name"] == "Americano"), None) or \
            next((m for m in before if m["id"] != kept_id), None)
        if victim is not None:
            ex = api.request("DELETE", f"/menus/{victim['id']}")
            if 200 <= ex.status < 300:
                outcome["deleted"] = victim
            else:
                outcome["delete_failed"] = f"{ex.request_text} answered {ex.response_text}"
        outcome["before"] = list_menus(api)
        api.restart()
        outcome["after"] = list_menus(api)
    except CheckFailed as exc:
        outcome["error"] = exc
    return outcome


def after_restart(api: ApiServer) -> dict:
    outcome = restart_scenario(api)
    if "after" not in outcome:
        raise outcome["error"]
    return outcome


@check("persist-restart", points=2, docs=f"{DOCS}#statelessness",
       hint="Keep the menus in the SQLite file named by app.config[\"DATABASE\"], not in a "
            "Python list: a restarted server (a new process) must still list them.")
def test_persist_restart(api):
    outcome = after_restart(api)
    before, after = outcome["before"], by_id(outcome["after"])
    seeds = {name for name, _ in SEED}
    if "kept" not in outcome and all(m["name"] in seeds for m in before):
        raise outcome["create_failed"]  # nothing a client created to look for
    kept = outcome.get("kept")
    if kept is not None and after.get(kept["id"]) != kept:
        raise CheckFailed(f"menu {kept} was created, then the server was restarted (a new "
                          f"process, same DATABASE file); now GET /menus lists {outcome['after']}",
                          expected=kept, found=after.get(kept["id"]))
    lost = [m for m in before if after.get(m["id"]) != m]
    if lost:
        raise CheckFailed(f"after a restart on the same DATABASE file, {len(lost)} menus "
                          f"changed or vanished, such as {lost[0]}", expected=before,
                          found=outcome["after"])


@check("persist-no-reseed", points=1, docs=f"{DOCS}#statelessness",
       hint="Create the table and insert the seed menus only when the table does not exist "
            "yet; a restart must not bring back (or duplicate) what clients deleted.")
def test_persist_no_reseed(api):
    outcome = after_restart(api)
    if "deleted" not in outcome:
        raise CheckFailed("to test this, the grader deletes a menu before the restart, but "
                          + outcome.get("delete_failed", "there was no menu to delete"))
    deleted, before, after = outcome["deleted"], outcome["before"], outcome["after"]
    names = [m["name"] for m in after]
    if deleted["name"] in names or deleted["id"] in by_id(after):
        raise CheckFailed(f"menu {deleted} was deleted, then the server was restarted; now GET "
                          f"/menus lists it again: insert the seed menus only once, into a new "
                          f"database", expected=before, found=after)
    old_names = [m["name"] for m in before]
    doubled = sorted({n for n in names if names.count(n) > old_names.count(n)})
    if doubled:
        raise CheckFailed(f"after a restart, GET /menus lists {doubled} more often than before",
                          expected=before, found=after)
