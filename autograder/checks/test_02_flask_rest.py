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

from autograder.checking import CheckFailed, check, short
from autograder.http_api import ApiServer, Exchange, same_server_path

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
    """The contract's menu exactly: {"id": int, "name": str, "price": int}."""
    return menu_problem(value) is None


def menu_problem(value) -> tuple[str, str] | None:
    """Why `value` is not the contract's menu, naming the field: (with values, without)."""
    if not isinstance(value, dict):
        kind = type(value).__name__ if value is not None else "null"
        return (f"{short(value, 80)} is a JSON {kind}, not an object",
                f"an item is a JSON {kind}, not an object")
    missing = [k for k in ("id", "name", "price") if k not in value]
    extra = sorted(set(value) - {"id", "name", "price"})
    if missing:
        return (f"{short(value, 120)} has no {', '.join(map(repr, missing))}",
                f"an item has no {', '.join(map(repr, missing))}")
    if extra:
        return (f"{short(value, 120)} has keys beyond id, name and price: {extra}",
                f"an item has keys beyond id, name and price: {extra}")
    for key, want in (("id", "an integer"), ("name", "a string"), ("price", "an integer")):
        field_value = value[key]
        ok = isinstance(field_value, str) if key == "name" else is_int(field_value)
        if ok:
            continue
        kind = {bool: "a boolean", float: "a float", str: "a string", type(None): "null",
                list: "a list", dict: "an object"}.get(type(field_value), "another type")
        why = ""
        if key == "price" and isinstance(field_value, float):
            why = " (a REAL or NUMERIC column, or float(), gives 3800.0: store prices as INTEGER)"
        elif key == "id" and isinstance(field_value, str):
            why = " (ids are JSON integers: the database's INTEGER PRIMARY KEY gives them)"
        return (f"{short(value, 120)} has \"{key}\": {short(field_value, 40)}, {kind}; "
                f"{key} must be {want}{why}",
                f"an item's \"{key}\" is {kind}; {key} must be {want}{why}")
    return None


def as_menu(value) -> dict | None:
    """`value` read leniently, for the steps that only prepare a check: a dict with an id (an int,
    or a string of digits), a string name and a whole-number price (3800.0 counts as 3800)."""
    if not isinstance(value, dict) or not isinstance(value.get("name"), str):
        return None
    menu_id, price = value.get("id"), value.get("price")
    if isinstance(menu_id, str) and menu_id.isascii() and menu_id.isdigit():
        menu_id = int(menu_id)
    if isinstance(price, float) and price.is_integer():
        price = int(price)
    if not is_int(menu_id) or not is_int(price):
        return None
    return {"id": menu_id, "name": value["name"], "price": price}


def unwrap(data):
    """A listing's list: the list itself, or the one list an object wraps ({"menus": [...]})."""
    if isinstance(data, dict):
        lists = [v for v in data.values() if isinstance(v, list)]
        if len(lists) == 1:
            return lists[0]
    return data


def menus_in(ex: Exchange) -> list[dict] | None:
    """The menus of a listing read leniently (see `as_menu`), or None when it is not one."""
    data = unwrap(ex.json(default=None))
    if ex.status != 200 or not isinstance(data, list):
        return None
    menus = [as_menu(m) for m in data]
    return None if any(m is None for m in menus) else menus


class NotTested(CheckFailed):
    """A step that prepares a check failed, so the check's own rule could not be tested."""

    def __init__(self, why: str, safe: str):
        super().__init__(f"could not test this rule because {why}",
                         safe=f"could not test this rule because {safe}")


def listing(api: ApiServer, purpose: str) -> list[dict]:
    """GET /menus read leniently (a step that prepares a check); NotTested otherwise."""
    ex = api.request("GET", "/menus")
    menus = menus_in(ex)
    if menus is None:
        raise NotTested(f"GET /menus, which this check reads {purpose}, answered "
                        f"{ex.response_text}, not a list of menus (list-menus says what is wrong)",
                        f"GET /menus, which this check reads {purpose}, did not answer a list "
                        f"of menus (status {ex.status}; list-menus says what is wrong)")
    return menus


def current(api: ApiServer) -> list[dict] | None:
    """GET /menus read leniently, or None when it cannot be read."""
    return menus_in(api.request("GET", "/menus"))


def existing(api: ApiServer, d: "Draw", count: int = 1) -> list[dict]:
    """`count` menus of the (new) database: from GET /menus when it can be read, else the seed
    menus with the ids a new SQLite table gives them (1, 2, 3)."""
    menus = current(api) or [{"id": i, "name": n, "price": p} for i, (n, p) in enumerate(SEED, 1)]
    menus = menus[:len(SEED)] if len(menus) >= len(SEED) else menus
    return d.rng.sample(menus, min(count, len(menus))) if d.grading else menus[:count]


def lookup(api: ApiServer, menu_id) -> dict | None:
    """Menu `menu_id` as the API now holds it (from GET /menus, else GET /menus/<id>), None when
    it has none; NotTested when neither answers."""
    menus = current(api)
    if menus is not None:
        return by_id(menus).get(menu_id)
    ex = api.request("GET", f"/menus/{menu_id}")
    if ex.status == 404:
        return None
    menu = as_menu(unwrap_one(ex.json(default=None)))
    if ex.status != 200 or menu is None:
        raise NotTested(f"neither GET /menus nor GET /menus/{menu_id} shows the menus (the "
                        f"latter answered {ex.response_text})",
                        "neither GET /menus nor GET /menus/<id> shows the menus")
    return menu


def unwrap_one(data):
    """One menu: itself, or the one object an envelope wraps ({"menu": {...}})."""
    if isinstance(data, dict) and "id" not in data:
        inner = [v for v in data.values() if isinstance(v, dict)]
        if len(inner) == 1:
            return inner[0]
    return data


def create(api: ApiServer, name: str, price: int) -> dict:
    """POST a valid menu (a step that prepares a check: any 2xx will do) and return it."""
    ex = api.request("POST", "/menus", json_body={"name": name, "price": price})
    menu = as_menu(unwrap_one(ex.json(default=None)))
    if not 200 <= ex.status < 300 or menu is None:
        raise NotTested(f"{ex.request_text}, which prepares it, should create a menu and answer "
                        f"it as JSON {{id, name, price}}; it answered {ex.response_text}"
                        + form_hint(api, ex),
                        f"POST /menus with a valid JSON menu, which prepares it, did not create "
                        f"one (status {ex.status})" + form_hint(api, ex, safe=True))
    return menu


def form_hint(api: ApiServer, ex: Exchange, safe: bool = False) -> str:
    """A hint when the app reads the body as a form: a JSON menu is refused, the same as a form
    is accepted (tried once per database)."""
    if ex.method != "POST" or not 400 <= ex.status < 500:
        return ""
    if "form" not in api.memo.setdefault("form-reads", {}):
        body = json.loads(ex.body or b"{}")
        tried = api.request("POST", "/menus", body=f"name={quote(body.get('name', 'Form'))}&"
                            f"price={body.get('price', 1)}".encode(),
                            content_type="application/x-www-form-urlencoded")
        api.memo["form-reads"]["form"] = 200 <= tried.status < 300
    if not api.memo["form-reads"]["form"]:
        return ""
    return ("; the same menu sent as a form was accepted, so the app reads request.form: "
            "read the JSON body with request.get_json(silent=True)")


def accepts(api: ApiServer, ex: Exchange, what: str) -> None:
    """The positive behaviour an error-path check builds on: `ex` (a good request) must succeed.
    A check about refusing bad input earns its points only when good input is accepted."""
    if not 200 <= ex.status < 300:
        raise NotTested(f"the same app must accept {what} first: {ex.request_text} answered "
                        f"{ex.response_text} (refusing bad input earns points only when good "
                        f"input is accepted)" + form_hint(api, ex),
                        f"the same app must accept {what} first, and it answered status "
                        f"{ex.status}" + form_hint(api, ex, safe=True))


def gate_create(api: ApiServer, d: "Draw", label: str, price: int) -> dict:
    """POST a valid menu, the good input a check about refusing bad menus builds on."""
    name = d.name(label)
    ex = api.request("POST", "/menus", json_body={"name": name, "price": d.price(price)})
    accepts(api, ex, "a valid menu (POST /menus with a JSON {name, price})")
    menu = as_menu(unwrap_one(ex.json(default=None)))
    return menu or {"name": name}


def fresh(api, check_id: str) -> None:
    """Give the check a new database (ApiServer.fresh); a stand-in without one shares state."""
    renew = getattr(api, "fresh", None)
    if renew is not None:
        renew(check_id)


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
    """The inputs of one check: `practice` literals, or values drawn from the key.

    Making one gives the check a new database (see `fresh`): each check starts from the seed
    menus, so what another check stored (or the order the checks run in) cannot change its
    verdict. Names are unique within the check; their labels differ from check to check, so an
    app that keeps menus in memory across databases still sees new names.
    """

    def __init__(self, api: ApiServer, check_id: str):
        self.api = api
        self.grading = api.nb.inputs.grading
        self.rng = api.nb.inputs.rng(check_id) if self.grading else random.Random(0)
        self.used: set[str] = set()
        self.counts: dict[str, int] = {}
        fresh(api, check_id)

    def name(self, label: str) -> str:
        """A menu name no other request of this check uses."""
        if not self.grading:
            self.counts[label] = self.counts.get(label, 0) + 1
            return f"{label} {self.counts[label]}"
        while True:
            tag = self.rng.choice(TAGS)
            name = (self.rng.choice(DRINKS) + tag + str(self.rng.randrange(1, 10**6))
                    + (")" if tag == " (" else ""))
            if name not in self.used:
                self.used.add(name)
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
        """An id that no menu has: beyond the largest one GET /menus lists (or beyond the seeds'
        when the listing cannot be read)."""
        gap = self.rng.randrange(1, 10**6) if self.grading else 1000
        menus = current(self.api) or []
        return max((m["id"] for m in menus), default=len(SEED)) + gap

    def huge_id(self, literal: int) -> int:
        return literal if not self.grading else self.rng.randrange(10**8, 10**9)


# --- reading ---------------------------------------------------------------------------------

@check("list-menus", points=1, docs=f"{DOCS}#rest-resources",
       hint="GET /menus (no trailing slash) answers 200 and the JSON list itself, "
            "[{\"id\": 1, \"name\": \"Espresso\", \"price\": 3800}, ...], ordered by id (SQL: "
            "ORDER BY id), ids and prices JSON integers. A new database starts with Espresso "
            "3800, Americano 4100 and CafeLatte 4600.")
def test_list_menus(api):
    d = Draw(api, "list-menus")
    # grading mode: a few drawn menus first, so that the listing is not the seeds alone
    made = [create(api, d.name("Menu"), d.price(0)) for _ in range(d.rng.randrange(1, 4))] \
        if d.grading else []
    ex = api.request("GET", "/menus")
    if ex.redirects:
        raise CheckFailed(f"GET /menus answered {ex.response_text}: the collection's URL is "
                          "/menus, without a trailing slash (a route written \"/menus/\" makes "
                          "Flask redirect /menus there); write @bp.get(\"/menus\")",
                          safe="GET /menus answered a redirect: the collection's URL is /menus, "
                               "without a trailing slash (a route written \"/menus/\" makes "
                               "Flask redirect there)")
    expect_status(ex, 200, "listing a collection succeeds")
    if ex.mimetype != "application/json":
        raise CheckFailed(f"GET /menus must answer JSON (Content-Type: application/json); it "
                          f"answered Content-Type {ex.headers.get('content-type')!r}: "
                          f"{ex.response_text}")
    data = ex.json()
    if isinstance(data, dict) and isinstance(unwrap(data), list):
        key = next(k for k, v in data.items() if v is unwrap(data))
        raise CheckFailed(f"GET /menus answered a JSON object that holds the list under "
                          f"{key!r}; the answer is the list itself: return jsonify(menus), not "
                          f"jsonify({{{key!r}: menus}})",
                          safe="GET /menus answered a JSON object that holds the list; the "
                               "answer is the list itself: return jsonify(menus)")
    if not isinstance(data, list):
        raise CheckFailed("GET /menus must answer a JSON list of objects with exactly the keys "
                          "id (int), name (str) and price (int)", expected=
                          [{"id": 1, "name": "Espresso", "price": 3800}, "..."], found=data)
    for number, item in enumerate(data, start=1):
        problem = menu_problem(item)
        if problem:
            raise CheckFailed(f"GET /menus answered a list whose item {number} of {len(data)}, "
                              f"{problem[0]}", safe=f"in the list GET /menus answered, "
                                                    f"{problem[1]}")
    ids = [m["id"] for m in data]
    if ids != sorted(set(ids)):
        raise CheckFailed("GET /menus must list the menus ordered by id, each id once",
                          expected=sorted(set(ids)), found=ids)
    found = [(m["name"], m["price"]) for m in data]
    if (found if not d.grading else found[:len(SEED)]) != SEED:
        raise CheckFailed("on a new database, GET /menus must list the three seed menus",
                          expected=SEED, found=found)
    if d.grading and (found[len(SEED):] != [(m["name"], m["price"]) for m in made] or
                      [m["id"] for m in data[len(SEED):]] != [m["id"] for m in made]):
        raise CheckFailed("GET /menus must list the seed menus and then the menus created "
                          "since, each as POST /menus answered it, ordered by id",
                          expected=made, found=data[len(SEED):], hidden=True)


@check("list-filter", points=1, docs=f"{DOCS}#http",
       hint="Read the query string with request.args.get(\"max_price\") and keep the menus "
            "whose price is at most that number (price <= max_price).")
def test_list_filter(api):
    d = Draw(api, "list-filter")
    if d.grading:  # drawn menus next to the seeds (a creation that fails leaves the seeds)
        for _ in range(d.rng.randrange(1, 4)):
            try:
                create(api, d.name("Filter"), d.price(0))
            except CheckFailed:
                break
    menus = listing(api, "to know which menus a filter must keep")
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
        if menus_in(ex) != expected:
            raise CheckFailed(f"GET /menus?max_price={limit} must list the menus with a price "
                              f"of at most {limit}, ordered by id; it answered {ex.response_text}",
                              expected=expected, found=ex.json(default=None))


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


FULLWIDTH = str.maketrans("0123456789", "０１２３４５６７８９")
ARABIC_INDIC = str.maketrans("0123456789", "٠١٢٣٤٥٦٧٨٩")
DEVANAGARI = str.maketrans("0123456789", "०१२३४५६७८९")
OTHER_DIGITS = [FULLWIDTH, ARABIC_INDIC, DEVANAGARI]


def not_ascii_digits(d: Draw) -> list[str]:
    """Numbers that int() reads but that are not written with the digits 0-9 alone: a sign,
    spaces, an underscore, other scripts' digits, minus zero (the contract refuses them)."""
    n = 4100 if not d.grading else d.rng.randrange(1000, 100_000)
    digits = OTHER_DIGITS[0] if not d.grading else d.rng.choice(OTHER_DIGITS)
    return d.order([f"+{n}", f" {n}", f"{n} ", f"{str(n)[:1]}_{str(n)[1:]}",
                    str(n).translate(digits), "-0"])


@check("list-filter-invalid", points=1, docs=f"{DOCS}#status-codes",
       hint="max_price is the digits 0-9 only: test text.isascii() and text.isdigit(), then "
            "int(text); anything else (\"abc\", \"-1\", \"4.5\", \"\", \"+4100\", \" 4100\", "
            "\"4_100\", \"４１００\") is a 400 with a JSON error. int() alone accepts a sign, "
            "spaces and other scripts' digits; request.args.get(..., type=int) silently "
            "ignores bad input.")
def test_list_filter_invalid(api):
    d = Draw(api, "list-filter-invalid")
    good = 4100 if not d.grading else d.rng.randrange(0, 10**5)
    accepts(api, api.request("GET", f"/menus?max_price={good}"), "a valid filter")
    raws = ("abc", "-1", "4.5", "", "1e3") if not d.grading else invalid_filters(d)
    for raw in list(raws) + not_ascii_digits(d):
        ex = api.request("GET", f"/menus?max_price={quote(raw)}")
        expect_status(ex, 400, "max_price must be a whole number written with the digits 0-9 "
                               "only (no sign, space, \"_\" or other scripts' digits); say so "
                               "instead of ignoring it")


def check_one(ex: Exchange, expected: dict) -> None:
    """`ex` answered menu `expected`, as the contract writes a menu."""
    data = ex.json(default=None)
    problem = menu_problem(data)
    if problem:
        raise CheckFailed(f"{ex.request_text} answered {ex.response_text}: {problem[0]}",
                          safe=f"GET /menus/<id> answered a menu that is not right: {problem[1]}")
    if data != expected:
        raise CheckFailed(f"{ex.request_text} must answer that menu; it answered "
                          f"{ex.response_text}", expected=expected, found=data)


@check("get-menu", points=1, docs=f"{DOCS}#routes",
       hint="Route /menus/<id:menu_id> (plural, like the collection) and answer 200 with "
            "the menu as a JSON object {\"id\", \"name\", \"price\"}, ids and prices integers.")
def test_get_menu(api):
    d = Draw(api, "get-menu")
    chosen = existing(api, d, 3 if not d.grading else 2)
    if d.grading:  # a drawn menu too (the seeds alone would let a replay of practice pass)
        chosen = d.order(chosen + [create(api, d.name("Cortado"), d.price(4300))])
    for menu in chosen:
        ex = api.request("GET", f"/menus/{menu['id']}")
        expect_status(ex, 200, "reading one existing menu succeeds")
        check_one(ex, menu)


@check("get-missing", points=1, docs=f"{DOCS}#status-codes",
       hint="When no row has that id, abort(404) (with a JSON error message). An id is the "
            "digits 0-9 only: Flask's <int:...> also reads other scripts' digits (\"٣\" is 3), "
            "so use the <id:...> converter that app.py defines.")
def test_get_missing(api):
    d = Draw(api, "get-missing")
    menu = existing(api, d)[0]
    accepts(api, api.request("GET", f"/menus/{menu['id']}"), "a GET of an existing menu")
    for menu_id in d.order((d.absent_id(), d.huge_id(987654321))):
        ex = api.request("GET", f"/menus/{menu_id}")
        expect_status(ex, 404, "there is no menu with that id")
    digits = OTHER_DIGITS[1] if not d.grading else d.rng.choice(OTHER_DIGITS)
    for text in d.order((str(menu["id"]).translate(digits), "9" * 5000)):
        ex = api.request("GET", f"/menus/{quote(text)}")
        if ex.status >= 500 and text.isascii():
            continue  # a huge id that crashes the app costs no-5xx-fuzz, the rule about crashes
        if ex.status != 404:
            raise CheckFailed(f"{ex.request_text} answered {ex.response_text}; an id is written "
                              "with the digits 0-9 only, so there is no such menu: 404",
                              safe="an id written with other scripts' digits (or thousands of "
                                   "digits) must get 404: there is no such menu")


# --- creating ------------------------------------------------------------------------------

@check("post-created", points=2, docs=f"{DOCS}#status-codes",
       hint="POST /menus answers 201 Created with the new menu as JSON, including the id "
            "the database gave it: return jsonify(menu), 201, {...}.")
def test_post_created(api):
    d = Draw(api, "post-created")
    name, price = d.name("Mocha"), d.price(4800)
    ex = api.request("POST", "/menus", json_body={"name": name, "price": price})
    expect_status(ex, 201, "201 Created is the answer to a POST that made a new resource")
    data = as_menu(ex.json(default=None))
    if data is None or data["name"] != name or data["price"] != price:
        raise CheckFailed(f"{ex.request_text} must answer the created menu as JSON with its "
                          f"new id; it answered {ex.response_text}",
                          expected={"id": "(a new int)", "name": name, "price": price},
                          found=ex.json(default=None))


@check("post-location", points=1, docs=f"{DOCS}#status-codes",
       hint="Tell the client where the new menu lives: the header Location: /menus/<id> "
            "(url_for(\"menus.get_menu\", menu_id=...) builds it).")
def test_post_location(api):
    d = Draw(api, "post-location")
    ex = api.request("POST", "/menus", json_body={"name": d.name("Latte"), "price": d.price(4500)})
    data = as_menu(unwrap_one(ex.json(default=None)))
    if not 200 <= ex.status < 300 or data is None:
        raise NotTested(f"{ex.request_text} should create a menu; it answered "
                        f"{ex.response_text}" + form_hint(api, ex),
                        f"POST /menus with a valid menu did not create one (status {ex.status})"
                        + form_hint(api, ex, safe=True))
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
    made = gate_create(api, d, "Ristretto", 3500)
    victim = existing(api, d)[0]
    before = lookup(api, victim["id"])
    taken = {victim["id"], made.get("id")}
    unused = max(i for i in taken if isinstance(i, int)) + \
        (d.rng.randrange(1, 10**6) if d.grading else 777)
    for client_id in d.order((victim["id"], unused)):
        ex = api.request("POST", "/menus", json_body={"id": client_id,
                                                      "name": d.name("Affogato"),
                                                      "price": d.price(5500)})
        if ex.status == 400:
            continue  # rejecting a client-chosen id is fine too
        data = as_menu(unwrap_one(ex.json(default=None)))
        if not 200 <= ex.status < 300 or data is None:
            raise CheckFailed(f"{ex.request_text} answered {ex.response_text}; a client that "
                              f"sends an id must get a new menu with an id the server chose "
                              f"(or a 400)")
        if data["id"] == client_id or data["id"] in taken:
            raise CheckFailed(f"{ex.request_text} answered {ex.response_text}: the server must "
                              f"choose the id, never take the client's",
                              expected="an id no menu had", found=data["id"])
        taken.add(data["id"])
    after = lookup(api, victim["id"])
    if after != before:
        raise CheckFailed(f"after POSTs that carried \"id\": {victim['id']}, the menu with that "
                          f"id changed", expected=before, found=after)


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
    gate_create(api, d, "Breve", 4700)
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
    gate_create(api, d, "Cappuccino Grande", 5100)
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
    gate_create(api, d, "Macchiato Doppio", 5200)
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
    longest = d.longest("Lungo")
    for payload in d.order(({"name": longest, "price": d.price(4000)},
                            {"name": d.name("Water"), "price": 0})):
        ex = api.request("POST", "/menus", json_body=payload)
        expect_status(ex, (200, 201), "a name of exactly 100 characters and a price of 0 are "
                                      "allowed")
    too_long = "M" * 101 if not d.grading else d.longest("Doppio") + d.rng.choice(PAD)
    negative = -1 if not d.grading else -d.rng.randrange(1, 10**6)
    for payload in d.order(({"name": "", "price": d.price(4800)},
                            {"name": too_long, "price": d.price(4800)},
                            {"name": d.name("Doppio"), "price": negative})):
        ex = api.request("POST", "/menus", json_body=payload)
        expect_status(ex, 400, "the name must have 1 to 100 characters and the price be >= 0")


@check("post-not-json", points=1, docs=f"{DOCS}#status-codes",
       hint="Check request.is_json first: a body sent as text/plain or as a form is "
            "415 Unsupported Media Type.")
def test_post_not_json(api):
    d = Draw(api, "post-not-json")
    gate_create(api, d, "Americano Grande", 4900)
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

def put_ok(api: ApiServer, menu: dict, new: dict, what: str) -> Exchange:
    """PUT `new` over `menu`: the good input a check builds on (any 2xx)."""
    ex = api.request("PUT", f"/menus/{menu['id']}", json_body=new)
    accepts(api, ex, what)
    return ex


@check("put-replace", points=1, docs=f"{DOCS}#rest-methods",
       hint="PUT /menus/<id> replaces name and price and answers 200 with the updated menu. "
            "Keeping the same name (changing only the price) is not a conflict.")
def test_put_replace(api):
    d = Draw(api, "put-replace")
    menu = existing(api, d)[0]
    path = f"/menus/{menu['id']}"
    renamed = {"name": d.name("Flat White Large"), "price": d.price(5600)}
    repriced = {"name": renamed["name"], "price": 5900 if not d.grading else  # same name, new
                renamed["price"] + d.rng.randrange(1, 1000)}  # price: no conflict
    for new in (renamed, repriced):
        ex = api.request("PUT", path, json_body=new)
        expect_status(ex, 200, "replacing an existing menu succeeds")
        expected = {"id": menu["id"], **new}
        if as_menu(unwrap_one(ex.json(default=None))) != expected:
            raise CheckFailed(f"{ex.request_text} must answer the updated menu; it answered "
                              f"{ex.response_text}", expected=expected, found=ex.json(default=None))
        stored = lookup(api, menu["id"])
        if stored != expected:
            raise CheckFailed(f"after {ex.request_text}, the API shows the menu unchanged",
                              expected=expected, found=stored)


@check("put-missing", points=1, docs=f"{DOCS}#status-codes",
       hint="PUT on an id that does not exist answers 404 (this API does not create with PUT).")
def test_put_missing(api):
    d = Draw(api, "put-missing")
    menu = existing(api, d)[0]
    put_ok(api, menu, {"name": d.name("Ghost Latte"), "price": d.price(1100)},
           "a valid PUT of an existing menu")
    ex = api.request("PUT", f"/menus/{d.absent_id()}",
                     json_body={"name": d.name("Ghost"), "price": d.price(1000)})
    expect_status(ex, 404, "there is no menu with that id")


@check("put-validation", points=1, docs=f"{DOCS}#get-json",
       hint="PUT validates the body exactly like POST (reuse one function): 400 for a bad "
            "menu, 415 for a body that is not JSON, and nothing changes.")
def test_put_validation(api):
    d = Draw(api, "put-validation")
    target = existing(api, d)[0]
    menu = {"id": target["id"], "name": d.name("Irish"), "price": d.price(6500)}
    put_ok(api, target, {"name": menu["name"], "price": menu["price"]},
           "a valid PUT of an existing menu")
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
    stored = lookup(api, menu["id"])
    if stored != menu:
        raise CheckFailed(f"after PUT {path} requests that were refused, the menu changed",
                          expected=menu, found=stored)


@check("put-duplicate", points=1, docs=f"{DOCS}#status-codes",
       hint="Renaming a menu to another menu's name is a 409 Conflict "
            "(the UNIQUE rule raises sqlite3.IntegrityError on UPDATE too).")
def test_put_duplicate(api):
    d = Draw(api, "put-duplicate")
    pair = existing(api, d, 2)
    first, second = pair if len(pair) == 2 else \
        (create(api, d.name("Cafe Mocha"), d.price(5000)),
         create(api, d.name("Cafe Con Leche"), d.price(4700)))
    price = d.price(4700)
    put_ok(api, second, {"name": d.name("Cafe Con Leche"), "price": price},
           "a PUT that renames a menu to a free name")
    ex = api.request("PUT", f"/menus/{second['id']}",
                     json_body={"name": first["name"], "price": price})
    expect_status(ex, 409, f"another menu is named {first['name']!r} already")


# --- deleting -------------------------------------------------------------------------------

@check("delete-menu", points=1, docs=f"{DOCS}#status-codes",
       hint="DELETE /menus/<id> removes the row and answers 204 No Content with an empty "
            "body: return \"\", 204.")
def test_delete_menu(api):
    d = Draw(api, "delete-menu")
    menu = existing(api, d)[0]
    ex = api.request("DELETE", f"/menus/{menu['id']}")
    expect_status(ex, 204, "204 No Content is the answer to a delete that worked")
    if ex.data:
        raise CheckFailed(f"{ex.request_text} answered {ex.response_text}; a 204 answer has "
                          "an empty body")
    if lookup(api, menu["id"]) is not None:
        raise CheckFailed(f"after {ex.request_text} answered {ex.status}, the API still "
                          f"shows menu {menu['id']}")


@check("delete-missing", points=1, docs=f"{DOCS}#idempotency",
       hint="DELETE on an id that does not exist (or no longer exists) answers 404.")
def test_delete_missing(api):
    d = Draw(api, "delete-missing")
    menu = existing(api, d)[0]
    absent = d.absent_id()
    first = api.request("DELETE", f"/menus/{menu['id']}")
    accepts(api, first, "a DELETE of an existing menu")
    again = api.request("DELETE", f"/menus/{menu['id']}")
    expect_status(again, 404, "the menu was deleted by the request before")
    ex = api.request("DELETE", f"/menus/{absent}")
    expect_status(ex, 404, "there is no menu with that id")


# --- the protocol ----------------------------------------------------------------------------

@check("method-not-allowed", points=1, docs=f"{DOCS}#routes",
       hint="Give each route its methods (@bp.get, @bp.post, ... or methods=[...]); Flask "
            "then answers 405 for every other method on that URL.")
def test_method_not_allowed(api):
    d = Draw(api, "method-not-allowed")
    listed = api.request("GET", "/menus")
    accepts(api, listed, "GET /menus")
    # where the app serves the collection: /menus, or /menus/ after a redirect (list-menus
    # judges the redirect itself)
    collection = same_server_path(listed.redirects[-1][1]) if listed.redirects else "/menus"
    item = f"/menus/{existing(api, d)[0]['id']}"  # a seed menu: nothing needs creating
    body = {"name": d.name("Dalgona"), "price": d.price(5500)}
    for method, path in d.order((("PATCH", collection), ("DELETE", collection),
                                 ("PUT", collection), ("POST", item), ("PATCH", item))):
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
    accepts(api, api.request("GET", "/menus"), "GET /menus")
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
    accepts(api, api.request("GET", "/menus"), "GET /menus")
    menu = existing(api, d)[0]  # its name is taken: a POST of it is a conflict
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
    answers = [api.request(method, path, **kwargs) for method, path, kwargs in d.order(requests)]
    errors = [ex for ex in answers if ex.status >= 400]
    if len(errors) * 2 < len(answers):  # nothing to judge: the rule would pass vacuously
        raise NotTested(f"only {len(errors)} of {len(answers)} requests that the contract "
                        f"answers with an error got one (such as {answers[0]})",
                        f"only {len(errors)} of {len(answers)} requests that the contract "
                        "answers with an error got one")
    for ex in answers:
        expect_json_error(ex)


# --- ids, concurrency, robustness --------------------------------------------------------------

@check("ids-unique-after-delete", points=1, docs=f"{DOCS}#mistakes",
       hint="An id is never used twice, even after its menu is deleted: never compute it as "
            "len(menus) + 1 or max(id) + 1, and declare id INTEGER PRIMARY KEY AUTOINCREMENT "
            "(without AUTOINCREMENT, SQLite gives a deleted last row's id again).")
def test_ids_unique_after_delete(api):
    d = Draw(api, "ids-unique-after-delete")
    first = create(api, d.name("Shakerato"), d.price(5000))
    last = create(api, d.name("Espresso Tonic"), d.price(5500))
    given = {first["id"]: first, last["id"]: last}
    for deleted, label in ((last, "Piccolo"), (first, "Gibraltar")):  # the last one, then not
        ex = api.request("DELETE", f"/menus/{deleted['id']}")
        if not 200 <= ex.status < 300:
            raise NotTested(f"{ex.request_text}, which prepares it, answered {ex.response_text}",
                            f"a DELETE of an existing menu answered status {ex.status}")
        taken = {m["id"]: m for m in current(api) or []}
        new = api.request("POST", "/menus", json_body={"name": d.name(label),
                                                      "price": d.price(4300)})
        data = as_menu(unwrap_one(new.json(default=None)))
        if not 200 <= new.status < 300 or data is None:
            raise NotTested(f"after deleting menu {deleted['id']}, {new.request_text} answered "
                            f"{new.response_text}",
                            f"a POST of a valid menu answered status {new.status}")
        if data["id"] in given or data["id"] in taken:
            was = given.get(data["id"]) or taken[data["id"]]
            raise CheckFailed(f"after deleting menu {deleted['id']} (the "
                              f"{'last' if deleted is last else 'first'} of two new menus), "
                              f"{new.request_text} answered id {data['id']}, the id of menu "
                              f"{was}: an id is never used twice, even after a delete",
                              safe="after a delete, a new menu got an id that a menu has (or "
                                   "had): an id is never used twice")
        given[data["id"]] = data


@check("concurrent-posts", points=1, docs=f"{DOCS}#statelessness",
       hint="Each request opens its own connection (get_db on g) and the database assigns "
            "ids, so parallel requests cannot get the same id.")
def test_concurrent_posts(api):
    d = Draw(api, "concurrent-posts")
    before = by_id(current(api) or [])
    names = [d.name("Batch Brew") for _ in range(PARALLEL_POSTS)]
    results = api.many([{"method": "POST", "path": "/menus",
                         "json_body": {"name": n, "price": d.price(3000 + i)}}
                        for i, n in enumerate(names)])
    ids = []
    for ex in results:
        data = as_menu(unwrap_one(ex.json(default=None)))
        if not 200 <= ex.status < 300 or data is None:
            raise CheckFailed(f"with {PARALLEL_POSTS} POST /menus sent at once, "
                              f"{ex.request_text} answered {ex.response_text}")
        ids.append(data["id"])
    if len(set(ids)) != len(ids) or set(ids) & set(before):
        raise CheckFailed(f"{PARALLEL_POSTS} POST /menus sent at once must get "
                          f"{PARALLEL_POSTS} new, different ids",
                          expected=f"{PARALLEL_POSTS} unused ids", found=sorted(ids))
    stored = current(api)
    stored = by_id(stored) if stored is not None else {i: lookup(api, i) for i in ids}
    lost = [n for n, i in zip(names, ids, strict=True) if (stored.get(i) or {}).get("name") != n]
    if lost:
        raise CheckFailed(f"after {PARALLEL_POSTS} POST /menus sent at once, the API lacks "
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
    except RecursionError:  # nested too deep to read here too: judged by the 5xx rule only
        return False


DEEP = 1000  # levels: deeper than Python's json parser goes (RecursionError)


def deep_requests(target) -> list[dict]:
    """JSON bodies nested DEEP levels: valid JSON that json.loads cannot read (it raises
    RecursionError, which get_json(silent=True) does not catch)."""
    arrays = b"[" * DEEP + b"]" * DEEP
    objects = b'{"name": ' * DEEP + b'"Mocha"' + b"}" * DEEP
    inside = b'{"name": "Deep", "price": 1, "extra": ' + b"[" * DEEP + b"]" * DEEP + b"}"
    return [dict(method="POST", path="/menus", body=arrays, content_type="application/json"),
            dict(method="PUT", path=f"/menus/{target}", body=objects,
                 content_type="application/json"),
            dict(method="POST", path="/menus", body=inside, content_type="application/json")]


@check("no-5xx-fuzz", points=2, docs=f"{DOCS}#mistakes",
       hint="No client input may crash a view: validate types and ranges before using them "
            "(SQLite integers stop at 2**63 - 1, also for ids in the URL and max_price), and "
            "catch RecursionError around get_json(silent=True): a body nested 1,000 levels "
            "deep raises it.")
def test_no_5xx_fuzz(api):
    d = Draw(api, "no-5xx-fuzz")
    try:
        target = create(api, d.name("Fuzz Target"), d.price(1000))["id"]
    except CheckFailed:
        target = existing(api, d)[0]["id"]
    if d.grading:
        requests = fuzz_requests(random.Random(d.rng.getrandbits(64)), target,
                                 tuple(d.name("Fuzz") for _ in range(8)))
        # every kind of input that crashes a careless view is among them at least once
        probes = [dict(method=d.rng.choice(["GET", "DELETE"]),
                       path=f"/menus/{'9' * d.rng.randrange(20, 400)}"),
                  dict(method="GET", path=f"/menus?max_price={'9' * d.rng.randrange(20, 60)}"),
                  dict(method="POST", path="/menus", body=d.rng.choice(FUZZ_MALFORMED),
                       content_type="application/json")] + deep_requests(target)
        for probe, where in zip(probes, d.rng.sample(range(len(requests)), len(probes))):
            requests[where] = probe
    else:
        requests = fuzz_requests(random.Random(FUZZ_SEED), target)
        for number, probe in enumerate(deep_requests(target)):
            requests[(number + 1) * FUZZ_COUNT // 4] = probe
    for number, spec in enumerate(requests, start=1):
        ex = api.request(**spec)
        if d.grading and not 400 <= ex.status < 500 and not_an_object(spec):
            raise CheckFailed(f"bad request {number} of {len(requests)}: {ex.request_text} "
                              f"answered {ex.response_text}; a body that is not a JSON object "
                              "is a client mistake, a 400")
        if not 100 <= ex.status < 500:
            deep = (spec.get("body") or b"").count(b"[") + (spec.get("body") or b"").count(b"{")
            raise CheckFailed(f"bad request {number} of {len(requests)}: {ex.request_text} "
                              f"answered {ex.response_text}; a client mistake must get a 4xx, "
                              "never a server error"
                              + ("; a body nested this deep makes json.loads raise "
                                 "RecursionError, which get_json(silent=True) lets through"
                                 if deep >= DEEP else ""),
                              safe="a bad request got a 5xx answer; a client mistake must get "
                                   "a 4xx, never a server error" +
                                   (" (a JSON body nested 1,000 levels deep raises "
                                    "RecursionError in get_json)" if deep >= DEEP else ""))
    ex = api.request("GET", "/menus")
    expect_status(ex, 200, f"the server must still work after {len(requests)} bad requests")


# --- state outlives the process ----------------------------------------------------------------

def restart_scenario(api: ApiServer) -> dict:
    """On a new database, create a menu and delete a seed, restart the server on the same
    database, and look again.

    Runs once per grading; both persistence checks judge its result. A step that fails is
    recorded rather than raised, so that each check needs only the steps it is about. The
    menus are looked up by id (GET /menus, or GET /menus/<id> when the listing cannot be read).
    """
    if "restart" in api.memo:
        return api.memo["restart"]
    outcome: dict = {}
    api.memo["restart"] = outcome
    d = Draw(api, "restart")
    try:
        seeds = existing(api, d, len(SEED))
        try:
            outcome["kept"] = create(api, d.name("Hand Drip"), d.price(5800))
        except CheckFailed as exc:
            outcome["create_failed"] = exc
        victim = next((m for m in seeds if m["name"] == "Americano"), seeds[0]) \
            if not d.grading else d.rng.choice(seeds)
        ex = api.request("DELETE", f"/menus/{victim['id']}")
        if 200 <= ex.status < 300:
            outcome["deleted"] = victim
        else:
            outcome["delete_failed"] = f"{ex.request_text} answered {ex.response_text}"
        watched = [m for m in seeds if m is not victim] + \
            ([outcome["kept"]] if "kept" in outcome else [])
        outcome["before"] = current(api)
        outcome["watched"] = {m["id"]: lookup(api, m["id"]) for m in watched}
        api.restart()
        outcome["after"] = current(api)
        outcome["now"] = {i: lookup(api, i) for i in [*outcome["watched"], victim["id"]]}
    except CheckFailed as exc:
        outcome["error"] = exc
    return outcome


def after_restart(api: ApiServer) -> dict:
    outcome = restart_scenario(api)
    if "now" not in outcome:
        raise outcome["error"]
    return outcome


@check("persist-restart", points=2, docs=f"{DOCS}#statelessness",
       hint="Keep the menus in the SQLite file named by app.config[\"DATABASE\"], not in a "
            "Python list: a restarted server (a new process) must still list them.")
def test_persist_restart(api):
    outcome = after_restart(api)
    kept = outcome.get("kept")  # when POST fails, the seed menus alone show what survived
    if kept is None and api.nb.inputs.grading:  # (not in grading mode: a replay knows them)
        raise outcome["create_failed"]
    if kept is not None and outcome["now"].get(kept["id"]) != outcome["watched"].get(kept["id"]):
        raise CheckFailed(f"menu {kept} was created, then the server was restarted (a new "
                          f"process, same DATABASE file); now the API shows "
                          f"{outcome['now'].get(kept['id'])} for it",
                          expected=outcome["watched"].get(kept["id"]),
                          found=outcome["now"].get(kept["id"]))
    lost = [m for i, m in outcome["watched"].items() if outcome["now"].get(i) != m]
    if lost:
        raise CheckFailed(f"after a restart on the same DATABASE file, {len(lost)} menus "
                          f"changed or vanished, such as {lost[0]}", expected=outcome["before"],
                          found=outcome["after"])


@check("persist-no-reseed", points=1, docs=f"{DOCS}#statelessness",
       hint="Create the table and insert the seed menus only when the table does not exist "
            "yet; a restart must not bring back (or duplicate) what clients deleted.")
def test_persist_no_reseed(api):
    outcome = after_restart(api)
    if "deleted" not in outcome:
        raise NotTested("the grader deletes a menu before the restart, but "
                        + outcome.get("delete_failed", "there was no menu to delete"),
                        "the grader deletes a menu before the restart, and the DELETE failed")
    deleted, before, after = outcome["deleted"], outcome["before"], outcome["after"]
    back = outcome["now"].get(deleted["id"])
    names = [m["name"] for m in after or []]
    if back is not None or deleted["name"] in names:
        raise CheckFailed(f"menu {deleted} was deleted, then the server was restarted; now the "
                          f"API shows it again: insert the seed menus only once, into a new "
                          f"database", expected=before, found=after)
    old_names = [m["name"] for m in before or []]
    doubled = sorted({n for n in names if names.count(n) > old_names.count(n)})
    if doubled:
        raise CheckFailed(f"after a restart, GET /menus lists {doubled} more often than before",
                          expected=before, found=after)
