"""Checks for topic 02: the coffee-menu REST API, graded over real HTTP.

The student's `create_app` runs in the sandbox child as a real server on 127.0.0.1, on a
fresh SQLite file (see `autograder.http_api`); these checks send it HTTP requests and judge
the status codes, headers and JSON bodies that come back.

Each check isolates one rule of the contract. Steps that only prepare a check (creating a
menu to replace, say) accept any 2xx answer, so one mistake (200 instead of 201) costs only
the check about that rule. Checks run in this file's order: the first ones see the freshly
seeded database, and the restart scenario comes last. Every failure quotes the request sent
and the response received (in grading mode only the rule: see `autograder.checking`).

Practice mode sends the literal inputs written below; grading mode draws them from the key
(see `Draw`), so a replay of the exchanges practice mode makes answers none of them.
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


def by_id(menus: list[dict]) -> dict[int, dict]:
    return {m["id"]: m for m in menus}


# --- what the checks create and send: practice literals, or drawn from the key -------------
# Practice mode (no key) sends the literal names, prices, ids and bodies written in the checks.
# Grading mode draws them from `nb.inputs.rng(check id)`, one generator per check so that one
# check's failure never changes another check's inputs:
# - menu names: a drink word (Latin, accented, Korean, Japanese, Greek, Cyrillic, emoji) and a
#   random tag, unique within the grading; a 100-character name padded with drawn characters;
# - prices: whole numbers from 500 to 99,999 won (0 where the check is about 0);
# - ids that no menu has: the largest id plus a random gap, or a random 9-digit id;
# - the order of the cases within a check, filters around the prices of the menus present,
#   invalid filters, malformed bodies and unknown paths built from drawn words;
# - the fuzz corpus: a 64-bit seed and drawn names mixed into the fixed odd values.
# The seed menus a new database starts with (SEED) are the exercise's contract in both modes.

DRINKS = ["Mocha", "Cortado", "Flat White", "Affogato", "Ristretto", "Lungo", "Doppio",
          "Macchiato", "Einspanner", "Dalgona", "Vienna", "Shakerato", "Piccolo", "Cold Brew",
          "Chai", "Matcha Latte", "Hojicha", "Yuzu Ade", "Hand Drip", "Red Eye", "Gibraltar",
          "카페라떼", "아메리카노", "바닐라 라떼", "돌체 라떼", "녹차 라떼", "유자차", "아인슈페너",
          "Café Crème", "Crème Brûlée Latte", "Cà phê sữa đá", "Café de olla", "Türk Kahvesi",
          "Καφές Φραπέ", "Кофе Раф", "コーヒー", "抹茶ラテ", "珈琲", "☕ Special", "Iced ❄ Latte",
          "Mocha 🍫", "Kopi Tubruk", "Kaffee Haferl", "Cafézinho", "Bicerin", "Mazagran"]
TAGS = [" ", " #", " No.", "-", " · ", " / ", " (", " 제"]
PAD = "oaeiuéü가나다☕"


class Draw:
    """The inputs of one check: `practice` literals, or values drawn from the key."""

    def __init__(self, api: ApiServer, check_id: str):
        self.api = api
        self.grading = api.nb.inputs.grading
        self.rng = api.nb.inputs.rng(check_id) if self.grading else random.Random(0)

    def name(self, label: str) -> str:
        """A menu name no other request of this grading uses."""
        if not self.grading:
            return unique_name(self.api, label)
        used = self.api.memo.setdefault("drawn-names", set())
        while True:
            tag = self.rng.choice(TAGS)
            name = (self.rng.choice(DRINKS) + tag + str(self.rng.randrange(1, 10**6))
                    + (")" if tag == " (" else ""))
            if name not in used:
                used.add(name)
                return name

    def longest(self, label: str) -> str:
        """A new name of exactly 100 characters."""
        name = self.name(label)
        if not self.grading:
            return name + "o" * (100 - len(name))
        return name + "".join(self.rng.choice(PAD) for _ in range(100 - len(name)))

    def price(self, literal: int) -> int:
        return literal if not self.grading else self.rng.randrange(500, 100_000)

    def order(self, items) -> list:
        items = list(items)
        if self.grading:
            self.rng.shuffle(items)
        return items

    def word(self) -> str:
        return "".join(self.rng.choice("abcdefghijklmnopqrstuvwxyz")
                       for _ in range(self.rng.randrange(3, 10)))

    def absent_id(self) -> int:
        """An id that no menu has."""
        gap = self.rng.randrange(1, 10**6) if self.grading else 1000
        return max((m["id"] for m in list_menus(self.api)), default=0) + gap

    def huge_id(self, literal: int) -> int:
        return literal if not self.grading else self.rng.randrange(10**8, 10**9)


# --- reading ---------------------------------------------------------------------------------

@check("list-menus", points=1, docs=f"{DOCS}#rest-resources",
       hint="GET /menus answers 200 and a JSON list of {\"id\", \"name\", \"price\"} objects "
            "ordered by id (SQL: ORDER BY id). A new database starts with Espresso 3800, "
            "Americano 4100 and CafeLatte 4600.")
def test_list_menus(api):
    d = Draw(api, "list-menus")
    # grading mode: a few drawn menus first, so that the listing is not the seeds alone
    made = [create(api, d.name("Menu"), d.price(0)) for _ in range(d.rng.randrange(1, 4))] \
        if d.grading else []
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
    if (found if not d.grading else found[:len(SEED)]) != SEED:
        raise CheckFailed("on a new database, GET /menus must list the three seed menus",
                          expected=SEED, found=found)
    if d.grading and found[len(SEED):] != [(m["name"], m["price"]) for m in made] or \
            [m["id"] for m in data[len(SEED):]] != [m["id"] for m in made]:
        raise CheckFailed("GET /menus must list the seed menus and then the menus created "
                          "since, each as POST /menus answered it, ordered by id",
                          expected=made, found=data[len(SEED):], hidden=True)


@check("list-filter", points=1, docs=f"{DOCS}#http",
       hint="Read the query string with request.args.get(\"max_price\") and keep the menus "
            "whose price is at most that number (price <= max_price).")
def test_list_filter(api):
    d = Draw(api, "list-filter")
    menus = list_menus(api)
    limits = (4100, 3800, 3799, 0, 1_000_000)
    if d.grading:  # around the prices present: equal to one, just below, just above
        prices = sorted({m["price"] for m in menus}) or [d.price(0)]
        near = [p + d.rng.choice((-1, 0, 0, 1)) for p in d.rng.sample(prices, min(3, len(prices)))]
        limits = d.order([max(0, p) for p in near] + [d.rng.randrange(0, 500),
                                                     d.rng.randrange(10**5, 10**9)])
    for limit in limits:
        ex = api.request("GET", f"/menus?max_price={limit}")
        expect_status(ex, 200, "a valid filter is a normal listing")
        expected = [m for m in menus if m["price"] <= limit]
        if ex.json() != expected:
            raise CheckFailed(f"GET /menus?max_price={limit} must list the menus with a price "
                              f"of at most {limit}, ordered by id; it answered {ex.response_text}",
                              expected=expected, found=ex.json())


def invalid_filters(d: Draw) -> list[str]:
    """Grading mode's bad max_price values: words, negative, decimal, empty, exponent, and one
    of hex, NaN, Infinity, a thousands separator or digits followed by letters."""
    r = d.rng
    return d.order([d.word(), f"-{r.randrange(1, 10**6)}",
                    f"{r.randrange(0, 10**4)}.{r.randrange(1, 100)}", "",
                    f"{r.randrange(1, 10)}e{r.randrange(1, 7)}",
                    r.choice([f"0x{r.randrange(16, 4096):x}", "NaN", "Infinity",
                              f"{r.randrange(1, 99)},{r.randrange(100, 999)}",
                              f"{r.randrange(1, 999)}{d.word()}"])])


@check("list-filter-invalid", points=1, docs=f"{DOCS}#status-codes",
       hint="int(text) inside try/except ValueError, then reject negative numbers: answer "
            "400 with a JSON error. request.args.get(..., type=int) silently ignores bad input.")
def test_list_filter_invalid(api):
    d = Draw(api, "list-filter-invalid")
    raws = ("abc", "-1", "4.5", "", "1e3") if not d.grading else invalid_filters(d)
    for raw in raws:
        ex = api.request("GET", f"/menus?max_price={quote(raw)}")
        expect_status(ex, 400, "max_price must be a whole number, 0 or more; say so instead "
                               "of ignoring it")


@check("get-menu", points=1, docs=f"{DOCS}#routes",
       hint="Route /menus/<int:menu_id> (plural, like the collection) and answer 200 with "
            "the menu as a JSON object.")
def test_get_menu(api):
    d = Draw(api, "get-menu")
    menus = list_menus(api) or [create(api, d.name("Cortado"), d.price(4300))]
    chosen = menus[:3]
    if d.grading:  # a drawn menu among the ones read back
        mine = [m for m in menus if (m["name"], m["price"]) not in SEED] or \
            [create(api, d.name("Cortado"), d.price(4300))]
        chosen = d.order([d.rng.choice(mine)] + d.rng.sample(menus, min(2, len(menus))))
    for menu in chosen:
        ex = api.request("GET", f"/menus/{menu['id']}")
        expect_status(ex, 200, "reading one existing menu succeeds")
        if ex.json() != menu:
            raise CheckFailed(f"GET /menus/{menu['id']} must answer that menu, as GET /menus "
                              f"lists it; it answered {ex.response_text}", expected=menu,
                              found=ex.json())


@check("get-missing", points=1, docs=f"{DOCS}#status-codes",
       hint="When no row has that id, abort(404) (with a JSON error message).")
def test_get_missing(api):
    d = Draw(api, "get-missing")
    for menu_id in d.order((d.absent_id(), d.huge_id(987654321))):
        ex = api.request("GET", f"/menus/{menu_id}")
        expect_status(ex, 404, "there is no menu with that id")


# --- creating ------------------------------------------------------------------------------

@check("post-created", points=2, docs=f"{DOCS}#status-codes",
       hint="POST /menus answers 201 Created with the new menu as JSON, including the id "
            "the database gave it: return jsonify(menu), 201, {...}.")
def test_post_created(api):
    d = Draw(api, "post-created")
    name, price = d.name("Mocha"), d.price(4800)
    ex = api.request("POST", "/menus", json_body={"name": name, "price": price})
    expect_status(ex, 201, "201 Created is the answer to a POST that made a new resource")
    data = ex.json()
    if not is_menu(data) or data["name"] != name or data["price"] != price:
        raise CheckFailed(f"{ex.request_text} must answer the created menu as JSON with its "
                          f"new id; it answered {ex.response_text}",
                          expected={"id": "(a new int)", "name": name, "price": price}, found=data)


@check("post-location", points=1, docs=f"{DOCS}#status-codes",
       hint="Tell the client where the new menu lives: the header Location: /menus/<id> "
            "(url_for(\"menus.get_menu\", menu_id=...) builds it).")
def test_post_location(api):
    d = Draw(api, "post-location")
    ex = api.request("POST", "/menus", json_body={"name": d.name("Latte"), "price": d.price(4500)})
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
    d = Draw(api, "post-server-id")
    menus = list_menus(api)
    victim = (d.rng.choice(menus) if d.grading else menus[0]) if menus else \
        create(api, d.name("Ristretto"), d.price(3500))
    taken = {m["id"] for m in menus} | {victim["id"]}
    unused = max(taken) + (d.rng.randrange(1, 10**6) if d.grading else 777)
    for client_id in d.order((victim["id"], unused)):
        ex = api.request("POST", "/menus", json_body={"id": client_id,
                                                      "name": d.name("Affogato"),
                                                      "price": d.price(5500)})
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


def malformed_bodies(d: Draw) -> list[bytes]:
    """Grading mode's bodies that are not JSON, around a drawn menu."""
    name, price = json.dumps(d.name("Mocha"), ensure_ascii=False), d.price(4800)
    bodies = d.order([
        f'{{"name": {name}, "price": }}',             # no value
        f"{{name: '{name[1:-1]}', price: {price}}}",  # JavaScript, not JSON
        "",
        f'[{{"name": {name}',                         # cut off
        f'{{"name": {name}, "price": {price}}}}}',    # one brace too many
        f'{{"name": {name} "price": {price}}}',       # no comma
        f'{{"name": {name}, "price": {price},}}',     # a trailing comma
    ])
    return [b.encode("utf-8") for b in bodies]


@check("post-invalid-json", points=1, docs=f"{DOCS}#get-json",
       hint="request.get_json(silent=True) returns None for a body that is not valid JSON "
            "(json.loads raises): answer 400, never let the exception become a 500.")
def test_post_invalid_json(api):
    d = Draw(api, "post-invalid-json")
    bodies = [b'{"name": "Mocha", "price": }', b"{name: 'Mocha', price: 4800}", b"",
              b'[{"name": "Mocha"', b'{"name": "Mocha", "price": 4800}}']
    if d.grading:
        bodies = malformed_bodies(d)
    for body in bodies:
        ex = api.request("POST", "/menus", body=body, content_type="application/json")
        expect_status(ex, 400, "the body is not valid JSON")


@check("post-missing-fields", points=1, docs=f"{DOCS}#get-json",
       hint="The body must be a JSON object (a dict) with both \"name\" and \"price\"; "
            "anything else (a list, a string, null, a missing key) is a 400.")
def test_post_missing_fields(api):
    d = Draw(api, "post-missing-fields")
    name, price = d.name("Cappuccino"), d.price(4800)
    typo = "nmae" if not d.grading else d.rng.choice(["nmae", "Name", "title", "menu", "name "])
    for payload in d.order(({}, {"name": name}, {"price": price}, {typo: name, "price": price},
                            [], [{"name": name, "price": price}], name, None)):
        ex = api.request("POST", "/menus", json_body=payload)
        expect_status(ex, 400, "a menu needs a JSON object with both name and price")


@check("post-wrong-types", points=1, docs=f"{DOCS}#get-json",
       hint="name must be a str and price an int. In Python a bool is an int (True == 1), so "
            "test isinstance(price, bool) first; 4800.5 and \"4800\" are not ints either.")
def test_post_wrong_types(api):
    d = Draw(api, "post-wrong-types")
    name, price = d.name("Macchiato"), d.price(4800)
    cases = [{"name": name, "price": str(price)}, {"name": name, "price": price + 0.5},
             {"name": name, "price": True}, {"name": name, "price": None},
             {"name": name, "price": [price]}, {"name": price, "price": price},
             {"name": [name], "price": price}, {"name": None, "price": price},
             {"name": True, "price": price}]
    for payload in d.order(cases):
        ex = api.request("POST", "/menus", json_body=payload)
        expect_status(ex, 400, "name must be a string and price an integer (not a bool)")


@check("post-bad-values", points=1, docs=f"{DOCS}#get-json",
       hint="name: 1 to 100 characters (both ends allowed); price: an integer >= 0.")
def test_post_bad_values(api):
    d = Draw(api, "post-bad-values")
    too_long = "M" * 101 if not d.grading else d.longest("Doppio") + d.rng.choice(PAD)
    negative = -1 if not d.grading else -d.rng.randrange(1, 10**6)
    for payload in d.order(({"name": "", "price": d.price(4800)},
                            {"name": too_long, "price": d.price(4800)},
                            {"name": d.name("Doppio"), "price": negative})):
        ex = api.request("POST", "/menus", json_body=payload)
        expect_status(ex, 400, "the name must have 1 to 100 characters and the price be >= 0")
    longest = d.longest("Lungo")
    for payload in d.order(({"name": longest, "price": d.price(4000)},
                            {"name": d.name("Water"), "price": 0})):
        ex = api.request("POST", "/menus", json_body=payload)
        expect_status(ex, (200, 201), "a name of exactly 100 characters and a price of 0 are "
                                      "allowed")


@check("post-not-json", points=1, docs=f"{DOCS}#status-codes",
       hint="Check request.is_json first: a body sent as text/plain or as a form is "
            "415 Unsupported Media Type.")
def test_post_not_json(api):
    d = Draw(api, "post-not-json")
    name, price = d.name("Americano Tall"), d.price(4600)
    text = json.dumps({"name": name, "price": price}).encode()
    form, xml = b"name=Mocha&price=4800", b"<menu><name>Mocha</name></menu>"
    if d.grading:
        form = f"name={quote(name)}&price={price}".encode()
        xml = f"<menu><name>{name}</name><price>{price}</price></menu>".encode()
    for body, content_type in d.order(((text, "text/plain"),
                                       (form, "application/x-www-form-urlencoded"),
                                       (text, None), (xml, "application/xml"))):
        ex = api.request("POST", "/menus", body=body, content_type=content_type)
        expect_status(ex, 415, "the body is not sent as JSON (Content-Type: application/json)")


@check("post-duplicate", points=1, docs=f"{DOCS}#status-codes",
       hint="Make name UNIQUE in the table and turn sqlite3.IntegrityError into "
            "409 Conflict.")
def test_post_duplicate(api):
    d = Draw(api, "post-duplicate")
    menu = create(api, d.name("Vienna"), d.price(5200))
    ex = api.request("POST", "/menus", json_body={"name": menu["name"], "price": d.price(5300)})
    expect_status(ex, 409, f"a menu named {menu['name']!r} exists already")


# --- replacing ------------------------------------------------------------------------------

@check("put-replace", points=1, docs=f"{DOCS}#rest-methods",
       hint="PUT /menus/<id> replaces name and price and answers 200 with the updated menu. "
            "Keeping the same name (changing only the price) is not a conflict.")
def test_put_replace(api):
    d = Draw(api, "put-replace")
    menu = create(api, d.name("Flat White"), d.price(5000))
    path = f"/menus/{menu['id']}"
    renamed = {"name": d.name("Flat White Large"), "price": d.price(5600)}
    repriced = {"name": renamed["name"], "price": 5900 if not d.grading else  # same name, new
                renamed["price"] + d.rng.randrange(1, 1000)}  # price: no conflict
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
    d = Draw(api, "put-missing")
    ex = api.request("PUT", f"/menus/{d.absent_id()}",
                     json_body={"name": d.name("Ghost"), "price": d.price(1000)})
    expect_status(ex, 404, "there is no menu with that id")


@check("put-validation", points=1, docs=f"{DOCS}#get-json",
       hint="PUT validates the body exactly like POST (reuse one function): 400 for a bad "
            "menu, 415 for a body that is not JSON, and nothing changes.")
def test_put_validation(api):
    d = Draw(api, "put-validation")
    menu = create(api, d.name("Irish"), d.price(6500))
    path = f"/menus/{menu['id']}"
    new = d.price(7000)
    for payload in d.order(({"name": menu["name"]}, {"name": menu["name"], "price": str(new)},
                            {"name": "", "price": new}, {"name": menu["name"], "price": -new})):
        ex = api.request("PUT", path, json_body=payload)
        expect_status(ex, 400, "the new menu is not valid")
    form = b"name=Irish&price=7000" if not d.grading else \
        f"name={quote(menu['name'])}&price={new}".encode()
    ex = api.request("PUT", path, body=form,
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
    d = Draw(api, "put-duplicate")
    first = create(api, d.name("Cafe Mocha"), d.price(5000))
    price = d.price(4700)
    second = create(api, d.name("Cafe Con Leche"), price)
    ex = api.request("PUT", f"/menus/{second['id']}",
                     json_body={"name": first["name"], "price": price})
    expect_status(ex, 409, f"another menu is named {first['name']!r} already")


# --- deleting -------------------------------------------------------------------------------

@check("delete-menu", points=1, docs=f"{DOCS}#status-codes",
       hint="DELETE /menus/<id> removes the row and answers 204 No Content with an empty "
            "body: return \"\", 204.")
def test_delete_menu(api):
    d = Draw(api, "delete-menu")
    menu = create(api, d.name("Cold Brew"), d.price(4900))
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
    d = Draw(api, "delete-missing")
    ex = api.request("DELETE", f"/menus/{d.absent_id()}")
    expect_status(ex, 404, "there is no menu with that id")
    menu = create(api, d.name("Einspanner"), d.price(6000))
    first = api.request("DELETE", f"/menus/{menu['id']}")
    expect_status(first, (200, 202, 204), "the menu exists, so the first DELETE works")
    again = api.request("DELETE", f"/menus/{menu['id']}")
    expect_status(again, 404, "the menu was deleted by the request before")


# --- the protocol ----------------------------------------------------------------------------

@check("method-not-allowed", points=1, docs=f"{DOCS}#routes",
       hint="Give each route its methods (@bp.get, @bp.post, ... or methods=[...]); Flask "
            "then answers 405 for every other method on that URL.")
def test_method_not_allowed(api):
    d = Draw(api, "method-not-allowed")
    menu = create(api, d.name("Dalgona"), d.price(5500))
    item = f"/menus/{menu['id']}"
    body = {"name": d.name("Dalgona"), "price": d.price(5500)}
    for method, path in d.order((("PATCH", "/menus"), ("DELETE", "/menus"), ("PUT", "/menus"),
                                 ("POST", item), ("PATCH", item))):
        ex = api.request(method, path, json_body=body)
        expect_status(ex, 405, f"{method} is not one of the methods {path} supports")


def expect_json_error(ex: Exchange, must_fail: bool = False) -> None:
    """An error answer (status >= 400) must be JSON {"error": "<message>"}; `must_fail`: the
    request cannot succeed, so a status below 400 fails too."""
    if ex.status < 400 and must_fail:
        raise CheckFailed(f"{ex.request_text} answered {ex.response_text}; there is no such "
                          "page or method, so the answer must be an error (404 or 405)")
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
    d = Draw(api, "errors-json-routes")
    cases = (("GET", "/no-such-page"), ("GET", "/menus/espresso"), ("PATCH", "/menus"))
    if d.grading:
        cases = d.order((("GET", f"/{d.word()}"), ("GET", f"/menus/{d.word()}"),
                         ("PATCH", "/menus"), (d.rng.choice(["GET", "POST", "DELETE"]),
                                               f"/{d.word()}/{d.rng.randrange(1, 10**4)}")))
    for method, path in cases:
        expect_json_error(api.request(method, path), must_fail=d.grading)


@check("errors-json-menus", points=1, docs=f"{DOCS}#error-handlers",
       hint="abort(status, description=...) plus the HTTPException handler, or return "
            "jsonify(error=...), status: each error tells the client what to fix.")
def test_errors_json_menus(api):
    d = Draw(api, "errors-json-menus")
    menu = create(api, d.name("Einspanner"), d.price(6100))
    missing = d.absent_id()
    word = "x" if not d.grading else d.word()
    tea = d.name("Tea")
    requests = [
        ("GET", f"/menus/{missing}", {}),
        ("PUT", f"/menus/{missing}", {"json_body": {"name": word, "price": d.price(1)}}),
        ("GET", f"/menus?max_price={'cheap' if not d.grading else d.word()}", {}),
        ("POST", "/menus", {"body": b"{oops" if not d.grading else f"{{{word}".encode(),
                            "content_type": "application/json"}),
        ("POST", "/menus", {"json_body": {"name": tea}}),
        ("POST", "/menus", {"body": b"name=Tea" if not d.grading else
                            f"name={quote(tea)}".encode(), "content_type": "text/plain"}),
        ("POST", "/menus", {"json_body": {"name": menu["name"], "price": d.price(1)}}),
    ]
    for method, path, kwargs in d.order(requests):
        expect_json_error(api.request(method, path, **kwargs))


# --- ids, concurrency, robustness --------------------------------------------------------------

@check("ids-unique-after-delete", points=1, docs=f"{DOCS}#mistakes",
       hint="Never compute an id as len(menus) + 1: after a delete it repeats an id in use. "
            "Let SQLite assign it (INTEGER PRIMARY KEY AUTOINCREMENT).")
def test_ids_unique_after_delete(api):
    d = Draw(api, "ids-unique-after-delete")
    first = create(api, d.name("Shakerato"), d.price(5000))
    second = create(api, d.name("Espresso Tonic"), d.price(5500))
    ex = api.request("DELETE", f"/menus/{first['id']}")
    expect_status(ex, (200, 202, 204), "the menu exists, so DELETE works")
    taken = by_id(list_menus(api))
    name = d.name("Piccolo")
    ex = api.request("POST", "/menus", json_body={"name": name, "price": d.price(4300)})
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
    d = Draw(api, "concurrent-posts")
    before = by_id(list_menus(api))
    names = [d.name("Batch Brew") for _ in range(PARALLEL_POSTS)]
    results = api.many([{"method": "POST", "path": "/menus",
                         "json_body": {"name": n, "price": d.price(3000 + i)}}
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
FUZZ_QUERIES = ["abc", "-5", "%C2%B2", "1e3", "9" * 40, "9" * 5000, "%00", "", "%20", "0x1f",
                "4.5", "NaN", "--1", "1%2C2", "%F0%9F%98%80", "4100&max_price=x"]
FUZZ_PATHS = ["abc", "-1", "1.5", "9" * 25, "9" * 400, "%00", "%F0%9F%98%80", "0", "1e3",
              "..%2F..%2Fetc%2Fpasswd", "1/extra", "%20"]
FUZZ_METHODS = ["PATCH", "BREW", "TRACE", "PROPFIND", "PUT", "DELETE"]


def fuzz_requests(rng: random.Random, target: int, extra_names: tuple = ()) -> list[dict]:
    """FUZZ_COUNT bad (or odd) requests; `target` is an id that exists; `extra_names` join
    the odd names (grading mode: drawn ones)."""
    names = FUZZ_NAMES + list(extra_names)

    def menu_body():
        body = {}
        if rng.random() < 0.85:
            body["name"] = rng.choice(names + [f"Fuzz {rng.randrange(10**6)}"])
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


def not_an_object(spec: dict) -> bool:
    """A write sent as JSON whose body is not a JSON object (malformed, or a list, a number):
    no menu can come of it, so only a 4xx is right (grading mode judges that too)."""
    if spec.get("content_type") != "application/json" or spec["method"] not in ("POST", "PUT") \
            or not (spec["path"] == "/menus" or spec["path"].split("/")[-1].isdigit()):
        return False
    try:
        return not isinstance(json.loads(spec.get("body") or b""), dict)
    except ValueError:
        return True


@check("no-5xx-fuzz", points=2, docs=f"{DOCS}#mistakes",
       hint="No client input may crash a view: validate types and ranges before using them "
            "(SQLite integers stop at 2**63 - 1, also for ids in the URL and max_price).")
def test_no_5xx_fuzz(api):
    d = Draw(api, "no-5xx-fuzz")
    menus = list_menus(api)
    try:
        target = create(api, d.name("Fuzz Target"), d.price(1000))["id"]
    except CheckFailed:
        target = menus[0]["id"] if menus else 1
    if d.grading:
        requests = fuzz_requests(random.Random(d.rng.getrandbits(64)), target,
                                 tuple(d.name("Fuzz") for _ in range(8)))
        # every kind of input that crashes a careless view is among them at least once
        probes = [dict(method=d.rng.choice(["GET", "DELETE"]),
                       path=f"/menus/{'9' * d.rng.randrange(20, 400)}"),
                  dict(method="GET", path=f"/menus?max_price={'9' * d.rng.randrange(20, 60)}"),
                  dict(method="POST", path="/menus", body=d.rng.choice(FUZZ_MALFORMED),
                       content_type="application/json")]
        for probe, where in zip(probes, d.rng.sample(range(len(requests)), len(probes))):
            requests[where] = probe
    else:
        requests = fuzz_requests(random.Random(FUZZ_SEED), target)
    for number, spec in enumerate(requests, start=1):
        ex = api.request(**spec)
        if d.grading and not 400 <= ex.status < 500 and not_an_object(spec):
            raise CheckFailed(f"bad request {number} of {len(requests)}: {ex.request_text} "
                              f"answered {ex.response_text}; a body that is not a JSON object "
                              "is a client mistake, a 400")
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
    d = Draw(api, "restart")
    seed = "Americano" if not d.grading else d.rng.choice(SEED)[0]
    try:
        before = list_menus(api)
        try:
            outcome["kept"] = create(api, d.name("Hand Drip"), d.price(5800))
        except CheckFailed as exc:
            outcome["create_failed"] = exc
        kept_id = outcome.get("kept", {}).get("id")
        victim = next((m for m in before if m["name"] == seed), None) or \
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
    # nothing a client created to look for (grading mode: none of this grading's menus)
    mine = (lambda m: m["name"] in api.memo.get("drawn-names", ())) if api.nb.inputs.grading \
        else (lambda m: m["name"] not in seeds)
    if "kept" not in outcome and not any(mine(m) for m in before):
        raise outcome["create_failed"]
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
