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

from autograder.checking import N_, CheckFailed, check, messages, short
from autograder.http_api import ApiServer, Exchange, same_server_path

TOPIC = "02-flask-rest"
_ = messages(TOPIC)
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
        want = str(allowed[0]) if len(allowed) == 1 else _("{first} or {second}").format(
            first=", ".join(str(s) for s in allowed[:-1]), second=allowed[-1])
        raise CheckFailed(_("{request} answered {response}; expected status {status}: "
                            "{rule}").format(request=ex.request_text,
                                             response=ex.response_text, status=want, rule=rule))


def is_menu(value) -> bool:
    """The contract's menu exactly: {"id": int, "name": str, "price": int}."""
    return menu_problem(value) is None


def menu_problem(value) -> tuple[str, str] | None:
    """Why `value` is not the contract's menu, naming the field: (with values, without)."""
    if not isinstance(value, dict):
        kind = type(value).__name__ if value is not None else "null"
        return (_("{value} is a JSON {kind}, not an object").format(value=short(value, 80),
                                                                     kind=kind),
                _("an item is a JSON {kind}, not an object").format(kind=kind))
    missing = [k for k in ("id", "name", "price") if k not in value]
    extra = sorted(set(value) - {"id", "name", "price"})
    if missing:
        keys = ", ".join(map(repr, missing))
        return (_("{value} has no {keys}").format(value=short(value, 120), keys=keys),
                _("an item has no {keys}").format(keys=keys))
    if extra:
        return (_("{value} has keys beyond id, name and price: {extra}").format(
                    value=short(value, 120), extra=extra),
                _("an item has keys beyond id, name and price: {extra}").format(extra=extra))
    for key, want in (("id", N_("an integer")), ("name", N_("a string")),
                      ("price", N_("an integer"))):
        field_value = value[key]
        ok = isinstance(field_value, str) if key == "name" else is_int(field_value)
        if ok:
            continue
        kind = {bool: N_("a boolean"), float: N_("a float"), str: N_("a string"),
                type(None): N_("null"), list: N_("a list"),
                dict: N_("an object")}.get(type(field_value), N_("another type"))
        why = ""
        if key == "price" and isinstance(field_value, float):
            why = " " + _("(a REAL or NUMERIC column, or float(), gives 3800.0: store prices as "
                          "INTEGER)")
        elif key == "id" and isinstance(field_value, str):
            why = " " + _("(ids are JSON integers: the database's `INTEGER PRIMARY KEY` "
                          "gives them)")
        return (_("{value} has \"{key}\": {found}, {kind}; {key} must be {want}{why}").format(
                    value=short(value, 120), key=key, found=short(field_value, 40),
                    kind=_(kind), want=_(want), why=why),
                _("an item's \"{key}\" is {kind}; {key} must be {want}{why}").format(
                    key=key, kind=_(kind), want=_(want), why=why))
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
        super().__init__(_("could not test this rule because {why}").format(why=why),
                         safe=_("could not test this rule because {why}").format(why=safe))


def listing(api: ApiServer, purpose: str) -> list[dict]:
    """GET /menus read leniently (a step that prepares a check); NotTested otherwise."""
    ex = api.request("GET", "/menus")
    menus = menus_in(ex)
    if menus is None:
        raise NotTested(_("{request}, which this check reads {purpose}, answered {response}, "
                          "not a list of menus ({check} says what is wrong)").format(
                            request="GET /menus", purpose=purpose, response=ex.response_text,
                            check="list-menus"),
                        _("{request}, which this check reads {purpose}, did not answer a list "
                          "of menus (status {status}; {check} says what is wrong)").format(
                            request="GET /menus", purpose=purpose, status=ex.status,
                            check="list-menus"))
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
        raise NotTested(_("neither {listing} nor {one} shows the menus (the latter answered "
                          "{response})").format(listing="GET /menus",
                                                one=f"GET /menus/{menu_id}",
                                                response=ex.response_text),
                        _("neither {listing} nor {one} shows the menus").format(
                            listing="GET /menus", one="GET /menus/<id>"))
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
        raise NotTested(with_note(_("{request}, which prepares it, should create a menu and "
                                    "answer it as JSON {{id, name, price}}; it answered "
                                    "{response}").format(request=ex.request_text,
                                                         response=ex.response_text),
                                  form_hint(api, ex)),
                        with_note(_("{request} with a valid JSON menu, which prepares it, did "
                                    "not create one (status {status})").format(
                                        request="POST /menus", status=ex.status),
                                  form_hint(api, ex, safe=True)))
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
    return _("the same menu sent as a form was accepted, so the app reads {form}: read the JSON "
             "body with {get_json}").format(form="request.form",
                                            get_json="request.get_json(silent=True)")


def with_note(message: str, note: str) -> str:
    """`message`, then `note` when there is one, joined as the reader's language joins them."""
    return _("{message}; {note}").format(message=message, note=note) if note else message


def accepts(api: ApiServer, ex: Exchange, what: str) -> None:
    """The positive behaviour an error-path check builds on: `ex` (a good request) must succeed.
    A check about refusing bad input earns its points only when good input is accepted."""
    if not 200 <= ex.status < 300:
        raise NotTested(with_note(_("the same app must accept {what} first: {request} answered "
                                    "{response} (refusing bad input earns points only when good "
                                    "input is accepted)").format(what=what,
                                                                 request=ex.request_text,
                                                                 response=ex.response_text),
                                  form_hint(api, ex)),
                        with_note(_("the same app must accept {what} first, and it answered "
                                    "status {status}").format(what=what, status=ex.status),
                                  form_hint(api, ex, safe=True)))


def gate_create(api: ApiServer, d: "Draw", label: str, price: int) -> dict:
    """POST a valid menu, the good input a check about refusing bad menus builds on."""
    name = d.name(label)
    ex = api.request("POST", "/menus", json_body={"name": name, "price": d.price(price)})
    accepts(api, ex, _("a valid menu ({request} with a JSON {{name, price}})").format(
        request="POST /menus"))
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
        return name + "".join(self.rng.choice(PAD) for _n in range(100 - len(name)))

    def price(self, literal: int) -> int:
        return literal if not self.grading else self.rng.randrange(500, 100_000)

    def order(self, items) -> list:
        items = list(items)
        if self.grading:
            self.rng.shuffle(items)
        return items

    def word(self) -> str:
        return "".join(self.rng.choice("abcdefghijklmnopqrstuvwxyz")
                       for _n in range(self.rng.randrange(3, 10)))

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
       hint=N_("The collection's representation is a JSON list of menu objects, nothing wrapped "
               "around it, in a stable order; which column gives that order, and what must a new "
               "database already hold (see the contract)?"),
       code=N_("GET /menus (no trailing slash) answers 200 with the list itself, `[{\"id\": 1, "
               "\"name\": \"Espresso\", \"price\": 3800}, ...]`, from `SELECT ... ORDER BY id`; "
               "a new database starts with Espresso 3800, Americano 4100 and CafeLatte 4600."))
def test_list_menus(api):
    d = Draw(api, "list-menus")
    # grading mode: a few drawn menus first, so that the listing is not the seeds alone
    made = [create(api, d.name("Menu"), d.price(0)) for _n in range(d.rng.randrange(1, 4))] \
        if d.grading else []
    ex = api.request("GET", "/menus")
    if ex.redirects:
        raise CheckFailed(_("{request} answered {response}: the collection's URL is {url}, "
                            "without a trailing slash (a route written {slashed} makes Flask "
                            "redirect {url} there); write {route}").format(
                                request="GET /menus", response=ex.response_text, url="/menus",
                                slashed='"/menus/"', route='@bp.get("/menus")'),
                          safe=_("{request} answered a redirect: the collection's URL is {url}, "
                                 "without a trailing slash (a route written {slashed} makes "
                                 "Flask redirect there)").format(
                                     request="GET /menus", url="/menus", slashed='"/menus/"'))
    expect_status(ex, 200, _("listing a collection succeeds"))
    if ex.mimetype != "application/json":
        raise CheckFailed(_("{request} must answer JSON ({header}); it answered Content-Type "
                            "{found}: {response}").format(
                                request="GET /menus", header="Content-Type: application/json",
                                found=repr(ex.headers.get("content-type")),
                                response=ex.response_text))
    data = ex.json()
    if isinstance(data, dict) and isinstance(unwrap(data), list):
        key = next(k for k, v in data.items() if v is unwrap(data))
        raise CheckFailed(_("{request} answered a JSON object that holds the list under {key}; "
                            "the answer is the list itself: {right}, not {wrong}").format(
                                request="GET /menus", key=repr(key),
                                right="return jsonify(menus)",
                                wrong=f"jsonify({{{key!r}: menus}})"),
                          safe=_("{request} answered a JSON object that holds the list; the "
                                 "answer is the list itself: {right}").format(
                                     request="GET /menus", right="return jsonify(menus)"))
    if not isinstance(data, list):
        raise CheckFailed(_("{request} must answer a JSON list of objects with exactly the keys "
                            "id (int), name (str) and price (int)").format(request="GET /menus"),
                          expected=
                          [{"id": 1, "name": "Espresso", "price": 3800}, "..."], found=data)
    for number, item in enumerate(data, start=1):
        problem = menu_problem(item)
        if problem:
            raise CheckFailed(_("{request} answered a list whose item {number} of {count}, "
                                "{problem}").format(request="GET /menus", number=number,
                                                    count=len(data), problem=problem[0]),
                              safe=_("in the list {request} answered, {problem}").format(
                                  request="GET /menus", problem=problem[1]))
    ids = [m["id"] for m in data]
    if ids != sorted(set(ids)):
        raise CheckFailed(_("{request} must list the menus ordered by id, each id "
                            "once").format(request="GET /menus"),
                          expected=sorted(set(ids)), found=ids)
    found = [(m["name"], m["price"]) for m in data]
    if (found if not d.grading else found[:len(SEED)]) != SEED:
        raise CheckFailed(_("on a new database, {request} must list the three seed "
                            "menus").format(request="GET /menus"),
                          expected=SEED, found=found)
    if d.grading and (found[len(SEED):] != [(m["name"], m["price"]) for m in made] or
                      [m["id"] for m in data[len(SEED):]] != [m["id"] for m in made]):
        raise CheckFailed(_("{request} must list the seed menus and then the menus created "
                            "since, each as {post} answered it, ordered by id").format(
                                request="GET /menus", post="POST /menus"),
                          expected=made, found=data[len(SEED):], hidden=True)


@check("list-filter", points=1, docs=f"{DOCS}#http",
       hint=N_("Where does a request's query string end up in Flask, and how do you keep only "
               "the rows that cost at most that much while still ordering them?"),
       code=N_("Read the filter with `request.args.get(\"max_price\")` and keep the menus whose "
               "price is at most that number (`WHERE price <= ? ORDER BY id`)."))
def test_list_filter(api):
    d = Draw(api, "list-filter")
    if d.grading:  # drawn menus next to the seeds (a creation that fails leaves the seeds)
        for _n in range(d.rng.randrange(1, 4)):
            try:
                create(api, d.name("Filter"), d.price(0))
            except CheckFailed:
                break
    menus = listing(api, _("to know which menus a filter must keep"))
    limits = (4100, 3800, 3799, 0, 1_000_000)
    if d.grading:  # around the prices present: equal to one, just below, just above
        prices = sorted({m["price"] for m in menus}) or [d.price(0)]
        near = [p + d.rng.choice((-1, 0, 0, 1)) for p in d.rng.sample(prices, min(3, len(prices)))]
        limits = d.order([max(0, p) for p in near] + [d.rng.randrange(0, 500),
                                                     d.rng.randrange(10**5, 10**9)])
    for limit in limits:
        ex = api.request("GET", f"/menus?max_price={limit}")
        expect_status(ex, 200, _("a valid filter is a normal listing"))
        expected = [m for m in menus if m["price"] <= limit]
        if menus_in(ex) != expected:
            raise CheckFailed(_("{request} must list the menus with a price of at most {limit}, "
                                "ordered by id; it answered {response}").format(
                                    request=f"GET /menus?max_price={limit}", limit=limit,
                                    response=ex.response_text),
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
       hint=N_("A filter the client got wrong is the client's mistake: say so with a status for "
               "client mistakes instead of ignoring it. Which texts does Python's `int` accept "
               "that are not plain ASCII digits (signs, spaces, underscores, other scripts' "
               "digits)?"),
       code=N_("Accept `max_price` only when `text.isascii() and text.isdigit()`, then "
               "`int(text)`; anything else (`abc`, `-1`, `4.5`, an empty value, `+4100`, "
               "`４１００`) is `abort(400, ...)`, and `request.args.get(..., type=int)` would "
               "silently ignore it."))
def test_list_filter_invalid(api):
    d = Draw(api, "list-filter-invalid")
    good = 4100 if not d.grading else d.rng.randrange(0, 10**5)
    accepts(api, api.request("GET", f"/menus?max_price={good}"), _("a valid filter"))
    raws = ("abc", "-1", "4.5", "", "1e3") if not d.grading else invalid_filters(d)
    for raw in list(raws) + not_ascii_digits(d):
        ex = api.request("GET", f"/menus?max_price={quote(raw)}")
        expect_status(ex, 400, _("{param} must be a whole number written with the digits 0-9 "
                                 "only (no sign, space, {underscore} or other scripts' digits); "
                                 "say so instead of ignoring it").format(
                                     param="max_price", underscore='"_"'))


def check_one(ex: Exchange, expected: dict) -> None:
    """`ex` answered menu `expected`, as the contract writes a menu."""
    data = ex.json(default=None)
    problem = menu_problem(data)
    if problem:
        raise CheckFailed(_("{request} answered {response}: {problem}").format(
                              request=ex.request_text, response=ex.response_text,
                              problem=problem[0]),
                          safe=_("{request} answered a menu that is not right: {problem}").format(
                              request="GET /menus/<id>", problem=problem[1]))
    if data != expected:
        raise CheckFailed(_("{request} must answer that menu; it answered {response}").format(
                              request=ex.request_text, response=ex.response_text),
                          expected=expected, found=data)


@check("get-menu", points=1, docs=f"{DOCS}#routes",
       hint=N_("One menu is a resource of its own, named by a URL under the collection's (same "
               "plural spelling) with the id in the path; its representation is the same JSON "
               "object the listing holds."),
       code=N_("Write `@bp.get(\"/menus/<id:menu_id>\")` and return "
               "`jsonify(menu_json(find_menu(menu_id)))`: a JSON object `{\"id\", \"name\", "
               "\"price\"}` with integer id and price."))
def test_get_menu(api):
    d = Draw(api, "get-menu")
    chosen = existing(api, d, 3 if not d.grading else 2)
    if d.grading:  # a drawn menu too (the seeds alone would let a replay of practice pass)
        chosen = d.order(chosen + [create(api, d.name("Cortado"), d.price(4300))])
    for menu in chosen:
        ex = api.request("GET", f"/menus/{menu['id']}")
        expect_status(ex, 200, _("reading one existing menu succeeds"))
        check_one(ex, menu)


@check("get-missing", points=1, docs=f"{DOCS}#status-codes",
       hint=N_("What should a client learn when the resource it names does not exist? And which "
               "URL converter reads an id as ASCII digits only, unlike Flask's built-in one?"),
       code=N_("In `find_menu`, `abort(404, description=...)` when the `SELECT` finds no row; "
               "write the route with the `<id:menu_id>` converter of `app.py`, since `<int:...>` "
               "also reads `٣` as 3."))
def test_get_missing(api):
    d = Draw(api, "get-missing")
    menu = existing(api, d)[0]
    accepts(api, api.request("GET", f"/menus/{menu['id']}"), _("a GET of an existing menu"))
    for menu_id in d.order((d.absent_id(), d.huge_id(987654321))):
        ex = api.request("GET", f"/menus/{menu_id}")
        expect_status(ex, 404, _("there is no menu with that id"))
    digits = OTHER_DIGITS[1] if not d.grading else d.rng.choice(OTHER_DIGITS)
    for text in d.order((str(menu["id"]).translate(digits), "9" * 5000)):
        ex = api.request("GET", f"/menus/{quote(text)}")
        if ex.status >= 500 and text.isascii():
            continue  # a huge id that crashes the app costs no-5xx-fuzz, the rule about crashes
        if ex.status != 404:
            raise CheckFailed(_("{request} answered {response}; an id is written with the "
                                "digits 0-9 only, so there is no such menu: {status}").format(
                                    request=ex.request_text, response=ex.response_text,
                                    status=404),
                              safe=_("an id written with other scripts' digits (or thousands of "
                                     "digits) must get {status}: there is no such menu").format(
                                         status=404))


# --- creating ------------------------------------------------------------------------------

@check("post-created", points=2, docs=f"{DOCS}#status-codes",
       hint=N_("Which status code says that a new resource was made, and what should the answer's "
               "body show so that the client learns the id the server chose?"),
       code=N_("After the `INSERT`, read the new row back and `return jsonify(menu), 201, "
               "{\"Location\": ...}`."))
def test_post_created(api):
    d = Draw(api, "post-created")
    name, price = d.name("Mocha"), d.price(4800)
    ex = api.request("POST", "/menus", json_body={"name": name, "price": price})
    expect_status(ex, 201, _("{status} is the answer to a POST that made a new "
                             "resource").format(status="201 Created"))
    data = as_menu(ex.json(default=None))
    if data is None or data["name"] != name or data["price"] != price:
        raise CheckFailed(_("{request} must answer the created menu as JSON with its new id; it "
                            "answered {response}").format(request=ex.request_text,
                                                          response=ex.response_text),
                          expected={"id": _("(a new int)"), "name": name, "price": price},
                          found=ex.json(default=None))


@check("post-location", points=1, docs=f"{DOCS}#status-codes",
       hint=N_("Tell the client where the new menu lives: which response header carries the URL "
               "of a resource just created, and which Flask helper builds a view's URL?"),
       code=N_("Answer the header `Location: /menus/<id>`, built with "
               "`url_for(\"menus.get_menu\", menu_id=menu[\"id\"])`."))
def test_post_location(api):
    d = Draw(api, "post-location")
    ex = api.request("POST", "/menus", json_body={"name": d.name("Latte"), "price": d.price(4500)})
    data = as_menu(unwrap_one(ex.json(default=None)))
    if not 200 <= ex.status < 300 or data is None:
        raise NotTested(with_note(_("{request} should create a menu; it answered "
                                    "{response}").format(request=ex.request_text,
                                                         response=ex.response_text),
                                  form_hint(api, ex)),
                        with_note(_("{request} with a valid menu did not create one (status "
                                    "{status})").format(request="POST /menus", status=ex.status),
                                  form_hint(api, ex, safe=True)))
    location = ex.headers.get("location")
    expected = f"/menus/{data['id']}"
    parts = urlsplit(location or "")
    local = parts.scheme in ("", "http") and parts.hostname in (None, "127.0.0.1", "localhost")
    if location is None or not local or parts.path != expected:
        raise CheckFailed(_("{request} answered {response} with no Location header for the new "
                            "menu").format(request=ex.request_text, response=ex.response_text)
                          if location is None else
                          _("{request} answered Location {location}, which is not the new "
                            "menu's URL").format(request=ex.request_text,
                                                 location=repr(location)),
                          expected=f"Location: {expected}",
                          found=f"Location: {location}")


@check("post-server-id", points=1, docs=f"{DOCS}#mistakes",
       hint=N_("Who chooses a new resource's id, the client or the server? Let the database "
               "assign it, and decide what to do with an id the client sends anyway."),
       code=N_("`INSERT` only name and price and read `cursor.lastrowid`; ignore the client's "
               "`\"id\"` (or answer 400)."))
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
            raise CheckFailed(_("{request} answered {response}; a client that sends an id must "
                                "get a new menu with an id the server chose (or a "
                                "{status})").format(request=ex.request_text,
                                                    response=ex.response_text, status=400))
        if data["id"] == client_id or data["id"] in taken:
            raise CheckFailed(_("{request} answered {response}: the server must choose the id, "
                                "never take the client's").format(request=ex.request_text,
                                                                   response=ex.response_text),
                              expected=_("an id no menu had"), found=data["id"])
        taken.add(data["id"])
    after = lookup(api, victim["id"])
    if after != before:
        raise CheckFailed(_("after POSTs that carried {field}, the menu with that id "
                            "changed").format(field=f'"id": {victim["id"]}'),
                          expected=before, found=after)


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
       hint=N_("A body that is not valid JSON is the client's mistake, not the server's: how can "
               "`get_json` hand you nothing instead of raising, so that you can answer with a "
               "status for client mistakes?"),
       code=N_("`request.get_json(silent=True)` returns `None` for a body that is not valid "
               "JSON: then `abort(400, ...)`; never let the exception of `json.loads` become a "
               "500."))
def test_post_invalid_json(api):
    d = Draw(api, "post-invalid-json")
    gate_create(api, d, "Breve", 4700)
    bodies = [b'{"name": "Mocha", "price": }', b"{name: 'Mocha', price: 4800}", b"",
              b'[{"name": "Mocha"', b'{"name": "Mocha", "price": 4800}}']
    if d.grading:
        bodies = malformed_bodies(d)
    for body in bodies:
        ex = api.request("POST", "/menus", body=body, content_type="application/json")
        expect_status(ex, 400, _("the body is not valid JSON"))


@check("post-missing-fields", points=1, docs=f"{DOCS}#get-json",
       hint=N_("Valid JSON is not yet a menu: which Python type must the parsed body be, and which "
               "keys must it hold before you read them?"),
       code=N_("Test `isinstance(data, dict)` and that both `\"name\"` and `\"price\"` are in "
               "it; anything else (a list, a string, null, a missing key) is `abort(400, ...)`."))
def test_post_missing_fields(api):
    d = Draw(api, "post-missing-fields")
    gate_create(api, d, "Cappuccino Grande", 5100)
    name, price = d.name("Cappuccino"), d.price(4800)
    typo = "nmae" if not d.grading else d.rng.choice(["nmae", "Name", "title", "menu", "name "])
    for payload in d.order(({}, {"name": name}, {"price": price}, {typo: name, "price": price},
                            [], [{"name": name, "price": price}], name, None)):
        ex = api.request("POST", "/menus", json_body=payload)
        expect_status(ex, 400, _("a menu needs a JSON object with both name and price"))


@check("post-wrong-types", points=1, docs=f"{DOCS}#get-json",
       hint=N_("Check each field's type before using it. In Python, which built-in type is a "
               "subclass of `int`, so that an integer test alone lets it through?"),
       code=N_("Refuse unless `isinstance(name, str)` and `isinstance(price, int) and not "
               "isinstance(price, bool)`; `4800.5` and `\"4800\"` are not ints either."))
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
        expect_status(ex, 400, _("name must be a string and price an integer (not a bool)"))


@check("post-bad-values", points=1, docs=f"{DOCS}#get-json",
       hint=N_("Read the contract's limits for the length of the text field and for the number "
               "field, and include both ends of each range: the shortest and longest texts, and "
               "the smallest number, are valid."),
       code=N_("Accept `1 <= len(name) <= 100` and `0 <= price`; anything outside is `abort(400, "
               "...)`."))
def test_post_bad_values(api):
    d = Draw(api, "post-bad-values")
    longest = d.longest("Lungo")
    for payload in d.order(({"name": longest, "price": d.price(4000)},
                            {"name": d.name("Water"), "price": 0})):
        ex = api.request("POST", "/menus", json_body=payload)
        expect_status(ex, (200, 201), _("a name of exactly {length} characters and a price of "
                                        "{price} are allowed").format(length=100, price=0))
    too_long = "M" * 101 if not d.grading else d.longest("Doppio") + d.rng.choice(PAD)
    negative = -1 if not d.grading else -d.rng.randrange(1, 10**6)
    for payload in d.order(({"name": "", "price": d.price(4800)},
                            {"name": too_long, "price": d.price(4800)},
                            {"name": d.name("Doppio"), "price": negative})):
        ex = api.request("POST", "/menus", json_body=payload)
        expect_status(ex, 400, _("the name must have {low} to {high} characters and the price be "
                                 "{rule}").format(low=1, high=100, rule=">= 0"))


@check("post-not-json", points=1, docs=f"{DOCS}#status-codes",
       hint=N_("Before reading the body, look at what the request says its body is: a body that is "
               "not sent as JSON deserves the status *Unsupported Media Type*."),
       code=N_("First thing in `read_menu`: `if not request.is_json: abort(415, ...)`; a "
               "`text/plain` body or a form is not JSON."))
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
        expect_status(ex, 415, _("the body is not sent as JSON ({header})").format(
            header="Content-Type: application/json"))


@check("post-duplicate", points=1, docs=f"{DOCS}#status-codes",
       hint=N_("Let the database refuse two menus that are called the same (a table constraint), "
               "and turn the exception it raises into the status *Conflict*."),
       code=N_("Declare `name TEXT NOT NULL UNIQUE`, and wrap the `INSERT` in `try`/`except "
               "sqlite3.IntegrityError`: `abort(409, ...)`."))
def test_post_duplicate(api):
    d = Draw(api, "post-duplicate")
    menu = create(api, d.name("Vienna"), d.price(5200))
    ex = api.request("POST", "/menus", json_body={"name": menu["name"], "price": d.price(5300)})
    expect_status(ex, 409, _("a menu named {name} exists already").format(
        name=repr(menu["name"])))


# --- replacing ------------------------------------------------------------------------------

def put_ok(api: ApiServer, menu: dict, new: dict, what: str) -> Exchange:
    """PUT `new` over `menu`: the good input a check builds on (any 2xx)."""
    ex = api.request("PUT", f"/menus/{menu['id']}", json_body=new)
    accepts(api, ex, what)
    return ex


@check("put-replace", points=1, docs=f"{DOCS}#rest-methods",
       hint=N_("PUT sends the whole new menu, and the answer shows the menu as it is now. Is it a "
               "conflict when a menu keeps what it is called and only its cost changes?"),
       code=N_("`UPDATE menus SET name = ?, price = ? WHERE id = ?`, then `return "
               "jsonify(menu_json(find_menu(menu_id)))` (status 200)."))
def test_put_replace(api):
    d = Draw(api, "put-replace")
    menu = existing(api, d)[0]
    path = f"/menus/{menu['id']}"
    renamed = {"name": d.name("Flat White Large"), "price": d.price(5600)}
    repriced = {"name": renamed["name"], "price": 5900 if not d.grading else  # same name, new
                renamed["price"] + d.rng.randrange(1, 1000)}  # price: no conflict
    for new in (renamed, repriced):
        ex = api.request("PUT", path, json_body=new)
        expect_status(ex, 200, _("replacing an existing menu succeeds"))
        expected = {"id": menu["id"], **new}
        if as_menu(unwrap_one(ex.json(default=None))) != expected:
            raise CheckFailed(_("{request} must answer the updated menu; it answered "
                                "{response}").format(request=ex.request_text,
                                                     response=ex.response_text),
                              expected=expected, found=ex.json(default=None))
        stored = lookup(api, menu["id"])
        if stored != expected:
            raise CheckFailed(_("after {request}, the API shows the menu unchanged").format(
                                  request=ex.request_text),
                              expected=expected, found=stored)


@check("put-missing", points=1, docs=f"{DOCS}#status-codes",
       hint=N_("This API never creates a menu with PUT: what should replacing a resource that "
               "does not exist answer?"),
       code=N_("Call `find_menu(menu_id)` first in the PUT view: it aborts with 404 when there "
               "is no such row."))
def test_put_missing(api):
    d = Draw(api, "put-missing")
    menu = existing(api, d)[0]
    put_ok(api, menu, {"name": d.name("Ghost Latte"), "price": d.price(1100)},
           _("a valid PUT of an existing menu"))
    ex = api.request("PUT", f"/menus/{d.absent_id()}",
                     json_body={"name": d.name("Ghost"), "price": d.price(1000)})
    expect_status(ex, 404, _("there is no menu with that id"))


@check("put-validation", points=1, docs=f"{DOCS}#get-json",
       hint=N_("A replacement must pass the same rules as a new menu: validate it in one place "
               "that both views use, and change nothing when it is refused."),
       code=N_("Call `read_menu()` in the PUT view before the `UPDATE`: it aborts with 400 for a "
               "bad menu and 415 for a body that is not JSON."))
def test_put_validation(api):
    d = Draw(api, "put-validation")
    target = existing(api, d)[0]
    menu = {"id": target["id"], "name": d.name("Irish"), "price": d.price(6500)}
    put_ok(api, target, {"name": menu["name"], "price": menu["price"]},
           _("a valid PUT of an existing menu"))
    path = f"/menus/{menu['id']}"
    new = d.price(7000)
    for payload in d.order(({"name": menu["name"]}, {"name": menu["name"], "price": str(new)},
                            {"name": "", "price": new}, {"name": menu["name"], "price": -new})):
        ex = api.request("PUT", path, json_body=payload)
        expect_status(ex, 400, _("the new menu is not valid"))
    form = b"name=Irish&price=7000" if not d.grading else \
        f"name={quote(menu['name'])}&price={new}".encode()
    ex = api.request("PUT", path, body=form,
                     content_type="application/x-www-form-urlencoded")
    expect_status(ex, 415, _("the body is not sent as JSON"))
    stored = lookup(api, menu["id"])
    if stored != menu:
        raise CheckFailed(_("after {request} requests that were refused, the menu "
                            "changed").format(request=f"PUT {path}"),
                          expected=menu, found=stored)


@check("put-duplicate", points=1, docs=f"{DOCS}#status-codes",
       hint=N_("Renaming a menu after another menu breaks the same uniqueness rule as creating a "
               "duplicate: does your view handle the database's exception on an update too?"),
       code=N_("Wrap the `UPDATE` in `try`/`except sqlite3.IntegrityError` and `abort(409, "
               "...)`, as for the `INSERT`."))
def test_put_duplicate(api):
    d = Draw(api, "put-duplicate")
    pair = existing(api, d, 2)
    first, second = pair if len(pair) == 2 else \
        (create(api, d.name("Cafe Mocha"), d.price(5000)),
         create(api, d.name("Cafe Con Leche"), d.price(4700)))
    price = d.price(4700)
    put_ok(api, second, {"name": d.name("Cafe Con Leche"), "price": price},
           _("a PUT that renames a menu to a free name"))
    ex = api.request("PUT", f"/menus/{second['id']}",
                     json_body={"name": first["name"], "price": price})
    expect_status(ex, 409, _("another menu is named {name} already").format(
        name=repr(first["name"])))


# --- deleting -------------------------------------------------------------------------------

@check("delete-menu", points=1, docs=f"{DOCS}#status-codes",
       hint=N_("After a delete there is nothing left to show: which status code says that the "
               "request worked and the answer has no body at all?"),
       code=N_("`DELETE FROM menus WHERE id = ?`, then `return \"\", 204` (an empty body)."))
def test_delete_menu(api):
    d = Draw(api, "delete-menu")
    menu = existing(api, d)[0]
    ex = api.request("DELETE", f"/menus/{menu['id']}")
    expect_status(ex, 204, _("{status} is the answer to a delete that worked").format(
        status="204 No Content"))
    if ex.data:
        raise CheckFailed(_("{request} answered {response}; a {status} answer has an empty "
                            "body").format(request=ex.request_text, response=ex.response_text,
                                           status=204))
    if lookup(api, menu["id"]) is not None:
        raise CheckFailed(_("after {request} answered {status}, the API still shows menu "
                            "{menu_id}").format(request=ex.request_text, status=ex.status,
                                                menu_id=menu["id"]))


@check("delete-missing", points=1, docs=f"{DOCS}#idempotency",
       hint=N_("Deleting twice has the same effect as deleting once (idempotency), but what "
               "should the second answer say about a menu that is no longer there?"),
       code=N_("Call `find_menu(menu_id)` first in the DELETE view: it aborts with 404 for an id "
               "that does not (or no longer) exist."))
def test_delete_missing(api):
    d = Draw(api, "delete-missing")
    menu = existing(api, d)[0]
    absent = d.absent_id()
    first = api.request("DELETE", f"/menus/{menu['id']}")
    accepts(api, first, _("a DELETE of an existing menu"))
    again = api.request("DELETE", f"/menus/{menu['id']}")
    expect_status(again, 404, _("the menu was deleted by the request before"))
    ex = api.request("DELETE", f"/menus/{absent}")
    expect_status(ex, 404, _("there is no menu with that id"))


# --- the protocol ----------------------------------------------------------------------------

@check("method-not-allowed", points=1, docs=f"{DOCS}#routes",
       hint=N_("Declare which methods each URL supports; for any other method on a known URL, "
               "Flask itself then answers *Method Not Allowed*."),
       code=N_("Register each view with its method (`@bp.get`, `@bp.post`, `@bp.put`, "
               "`@bp.delete`, or `methods=[...]`); Flask answers 405 for the others."))
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
        expect_status(ex, 405, _("{method} is not one of the methods {path} supports").format(
            method=method, path=path))


def expect_json_error(ex: Exchange, must_fail: bool = False) -> None:
    """An error answer (status >= 400) must be JSON {"error": "<message>"}; `must_fail`: the
    request cannot succeed, so a status below 400 fails too."""
    if ex.status < 400 and must_fail:
        raise CheckFailed(_("{request} answered {response}; there is no such page or method, so "
                            "the answer must be an error ({statuses})").format(
                                request=ex.request_text, response=ex.response_text,
                                statuses=_("{first} or {second}").format(first=404,
                                                                         second=405)))
    if ex.status < 400:
        return  # not an error: another check judges the status
    data = ex.json(default=None)
    if ex.mimetype != "application/json" or not isinstance(data, dict) \
            or not isinstance(data.get("error"), str) or not data["error"].strip():
        raise CheckFailed(_("{request} answered {response}; every error must be JSON like "
                            "{shape} with {header} (found {found})").format(
                                request=ex.request_text, response=ex.response_text,
                                shape=json.dumps({"error": _("what went wrong")},
                                           ensure_ascii=False),
                                header="Content-Type: application/json",
                                found=repr(ex.headers.get("content-type"))))


@check("errors-json-routes", points=1, docs=f"{DOCS}#error-handlers",
       hint=N_("Flask's own answers to an unknown URL or a wrong method are HTML pages: which kind "
               "of handler, registered for which werkzeug exception class, turns all of them into "
               "JSON?"),
       code=N_("In `create_app`: `app.register_error_handler(HTTPException, json_error)`."))
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
       hint=N_("The failures your views report must reach the client as JSON too, each with a "
               "message that says what to fix: end a view with `abort` and a description, and let "
               "the handler of HTTP exceptions shape it."),
       code=N_("`abort(status, description=\"...\")` together with the `HTTPException` handler, "
               "or `return jsonify(error=\"...\"), status`."))
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
        raise NotTested(_("only {errors} of {count} requests that the contract answers with an "
                          "error got one (such as {example})").format(
                            errors=len(errors), count=len(answers), example=answers[0]),
                        _("only {errors} of {count} requests that the contract answers with an "
                          "error got one").format(errors=len(errors), count=len(answers)))
    for ex in answers:
        expect_json_error(ex)


# --- ids, concurrency, robustness --------------------------------------------------------------

@check("ids-unique-after-delete", points=1, docs=f"{DOCS}#mistakes",
       hint=N_("An id is never used twice, even after its menu is deleted: do not compute ids "
               "from what is left in the table. Which SQLite keyword makes the database remember "
               "every id it ever gave?"),
       code=N_("Declare `id INTEGER PRIMARY KEY AUTOINCREMENT` (without `AUTOINCREMENT`, SQLite "
               "gives a deleted last row's id again), never `len(menus) + 1` or `max(id) + 1`."))
def test_ids_unique_after_delete(api):
    d = Draw(api, "ids-unique-after-delete")
    first = create(api, d.name("Shakerato"), d.price(5000))
    last = create(api, d.name("Espresso Tonic"), d.price(5500))
    given = {first["id"]: first, last["id"]: last}
    for deleted, label in ((last, "Piccolo"), (first, "Gibraltar")):  # the last one, then not
        ex = api.request("DELETE", f"/menus/{deleted['id']}")
        if not 200 <= ex.status < 300:
            raise NotTested(_("{request}, which prepares it, answered {response}").format(
                                request=ex.request_text, response=ex.response_text),
                            _("a DELETE of an existing menu answered status {status}").format(
                                status=ex.status))
        taken = {m["id"]: m for m in current(api) or []}
        new = api.request("POST", "/menus", json_body={"name": d.name(label),
                                                      "price": d.price(4300)})
        data = as_menu(unwrap_one(new.json(default=None)))
        if not 200 <= new.status < 300 or data is None:
            raise NotTested(_("after deleting menu {menu_id}, {request} answered "
                              "{response}").format(menu_id=deleted["id"],
                                                   request=new.request_text,
                                                   response=new.response_text),
                            _("a POST of a valid menu answered status {status}").format(
                                status=new.status))
        if data["id"] in given or data["id"] in taken:
            was = given.get(data["id"]) or taken[data["id"]]
            which = _("the last of two new menus") if deleted is last else \
                _("the first of two new menus")
            raise CheckFailed(_("after deleting menu {menu_id} ({which}), {request} answered id "
                                "{new_id}, the id of menu {was}: an id is never used twice, "
                                "even after a delete").format(
                                    menu_id=deleted["id"], which=which,
                                    request=new.request_text, new_id=data["id"], was=was),
                              safe=_("after a delete, a new menu got an id that a menu has (or "
                                     "had): an id is never used twice"))
        given[data["id"]] = data


@check("concurrent-posts", points=1, docs=f"{DOCS}#statelessness",
       hint=N_("Requests that arrive at the same moment must not share state kept in Python: "
               "where should each request's connection live, and who should hand out ids?"),
       code=N_("Open the connection per request with `get_db()` (kept on `g`) and let `INSERT` "
               "plus `cursor.lastrowid` give the id; no module-level lists or counters."))
def test_concurrent_posts(api):
    d = Draw(api, "concurrent-posts")
    before = by_id(current(api) or [])
    names = [d.name("Batch Brew") for _n in range(PARALLEL_POSTS)]
    results = api.many([{"method": "POST", "path": "/menus",
                         "json_body": {"name": n, "price": d.price(3000 + i)}}
                        for i, n in enumerate(names)])
    ids = []
    for ex in results:
        data = as_menu(unwrap_one(ex.json(default=None)))
        if not 200 <= ex.status < 300 or data is None:
            raise CheckFailed(_("with {count} {requests} sent at once, {request} answered "
                                "{response}").format(count=PARALLEL_POSTS,
                                                     requests="POST /menus",
                                                     request=ex.request_text,
                                                     response=ex.response_text))
        ids.append(data["id"])
    if len(set(ids)) != len(ids) or set(ids) & set(before):
        raise CheckFailed(_("{count} {requests} sent at once must get {count} new, different "
                            "ids").format(count=PARALLEL_POSTS, requests="POST /menus"),
                          expected=_("{count} unused ids").format(count=PARALLEL_POSTS),
                          found=sorted(ids))
    stored = current(api)
    stored = by_id(stored) if stored is not None else {i: lookup(api, i) for i in ids}
    lost = [n for n, i in zip(names, ids, strict=True) if (stored.get(i) or {}).get("name") != n]
    if lost:
        raise CheckFailed(_("after {count} {requests} sent at once, the API lacks {lost} of "
                            "them").format(count=PARALLEL_POSTS, requests="POST /menus",
                                           lost=len(lost)),
                          expected=names, found=lost)


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
    for _n in range(FUZZ_COUNT):
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
       hint=N_("No client input may crash a view: validate types and ranges before using them. "
               "How large an integer can SQLite store, and which exception does Python's JSON "
               "parser raise on a body nested very deep?"),
       code=N_("Refuse prices, ids and `max_price` beyond `2**63 - 1` before they reach SQLite, "
               "and wrap `get_json(silent=True)` in `try`/`except RecursionError` (a body nested "
               "1,000 levels deep raises it)."))
def test_no_5xx_fuzz(api):
    d = Draw(api, "no-5xx-fuzz")
    try:
        target = create(api, d.name("Fuzz Target"), d.price(1000))["id"]
    except CheckFailed:
        target = existing(api, d)[0]["id"]
    if d.grading:
        requests = fuzz_requests(random.Random(d.rng.getrandbits(64)), target,
                                 tuple(d.name("Fuzz") for _n in range(8)))
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
            raise CheckFailed(_("bad request {number} of {count}: {request} answered "
                                "{response}; a body that is not a JSON object is a client "
                                "mistake, a {status}").format(
                                    number=number, count=len(requests), request=ex.request_text,
                                    response=ex.response_text, status=400))
        if not 100 <= ex.status < 500:
            deep = (spec.get("body") or b"").count(b"[") + (spec.get("body") or b"").count(b"{")
            raise CheckFailed(with_note(
                                  _("bad request {number} of {count}: {request} answered "
                                    "{response}; a client mistake must get a 4xx, never a "
                                    "server error").format(number=number, count=len(requests),
                                                           request=ex.request_text,
                                                           response=ex.response_text),
                                  _("a body nested this deep makes {loads} raise {error}, "
                                    "which {get_json} lets through").format(
                                        loads="json.loads", error="RecursionError",
                                        get_json="get_json(silent=True)")
                                  if deep >= DEEP else ""),
                              safe=_("a bad request got a 5xx answer; a client mistake must get "
                                     "a 4xx, never a server error") +
                                   (" " + _("(a JSON body nested {levels} levels deep raises "
                                            "{error} in {get_json})").format(
                                                levels=f"{DEEP:,}", error="RecursionError",
                                                get_json="get_json")
                                    if deep >= DEEP else ""))
    ex = api.request("GET", "/menus")
    expect_status(ex, 200, _("the server must still work after {count} bad requests").format(
        count=len(requests)))


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
            outcome["delete_failed"] = _("{request} answered {response}").format(
                request=ex.request_text, response=ex.response_text)
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
       hint=N_("A restarted server is a new process: whatever lived only in Python memory is gone. "
               "Where must the data live so that the new process finds it?"),
       code=N_("Keep every menu in the SQLite file named by `app.config[\"DATABASE\"]` (read and "
               "write it through `get_db()`), never in a Python list."))
def test_persist_restart(api):
    outcome = after_restart(api)
    kept = outcome.get("kept")  # when POST fails, the seed menus alone show what survived
    if kept is None and api.nb.inputs.grading:  # (not in grading mode: a replay knows them)
        raise outcome["create_failed"]
    if kept is not None and outcome["now"].get(kept["id"]) != outcome["watched"].get(kept["id"]):
        raise CheckFailed(_("menu {menu} was created, then the server was restarted (a new "
                            "process, same {database} file); now the API shows {now} for "
                            "it").format(menu=kept, database="DATABASE",
                                         now=outcome["now"].get(kept["id"])),
                          expected=outcome["watched"].get(kept["id"]),
                          found=outcome["now"].get(kept["id"]))
    lost = [m for i, m in outcome["watched"].items() if outcome["now"].get(i) != m]
    if lost:
        raise CheckFailed(_("after a restart on the same {database} file, {count} menus changed "
                            "or vanished, such as {example}").format(
                                database="DATABASE", count=len(lost), example=lost[0]),
                          expected=outcome["before"],
                          found=outcome["after"])


@check("persist-no-reseed", points=1, docs=f"{DOCS}#statelessness",
       hint=N_("Seeding belongs to creating a new database, not to starting a server: a restart "
               "must not bring back (or duplicate) what clients deleted. How can `init_db` tell "
               "the two apart?"),
       code=N_("In `init_db`, look the table up in `sqlite_master` (or use `CREATE TABLE IF NOT "
               "EXISTS` and seed only when it was just created) and insert the seed menus only "
               "then."))
def test_persist_no_reseed(api):
    outcome = after_restart(api)
    if "deleted" not in outcome:
        raise NotTested(_("the grader deletes a menu before the restart, but {why}").format(
                            why=outcome.get("delete_failed", _("there was no menu to delete"))),
                        _("the grader deletes a menu before the restart, and the {method} "
                          "failed").format(method="DELETE"))
    deleted, before, after = outcome["deleted"], outcome["before"], outcome["after"]
    back = outcome["now"].get(deleted["id"])
    names = [m["name"] for m in after or []]
    if back is not None or deleted["name"] in names:
        raise CheckFailed(_("menu {menu} was deleted, then the server was restarted; now the "
                            "API shows it again: insert the seed menus only once, into a new "
                            "database").format(menu=deleted), expected=before, found=after)
    old_names = [m["name"] for m in before or []]
    doubled = sorted({n for n in names if names.count(n) > old_names.count(n)})
    if doubled:
        raise CheckFailed(_("after a restart, {request} lists {names} more often than "
                            "before").format(request="GET /menus", names=doubled),
                          expected=before, found=after)
