"""Topic 02: realistic wrong solutions, as edits of the solution's app.py cell.

`mutants()` gives {name: (new source of the cell with grade_id "app", checks it loses)};
MUTANTS has the shape the demo class expects: {name: ({"app": source}, loses)}.
"""

from __future__ import annotations

import json
from pathlib import Path

from autograder.checking import checks_in
from autograder.notebook import cell_source

TOPIC = "02-flask-rest"
SOLUTION = Path(__file__).resolve().parents[2] / "solutions" / TOPIC / f"{TOPIC}.ipynb"


def load_solution(topic: str) -> dict:
    return json.loads(SOLUTION.read_text(encoding="utf-8"))


def all_checks() -> dict[str, float]:
    import autograder.checks.test_02_flask_rest as module
    return {c.id: c.points for c in checks_in(module)}


def solution_app() -> str:
    for cell in load_solution(TOPIC)["cells"]:
        if cell.get("metadata", {}).get("nbgrader", {}).get("grade_id") == "app":
            return cell_source(cell)
    raise AssertionError("the solution has no cell with grade_id 'app'")


def edit(source: str, *pairs: tuple[str, str]) -> str:
    """Apply exact replacements, each of which must match exactly once."""
    for old, new in pairs:
        assert source.count(old) == 1, f"mutant anchor not found exactly once: {old!r}"
        source = source.replace(old, new)
    return source


# --- realistic wrong solutions: (edits of the solution's app.py cell, checks they lose) ---------

GET_ONE = '@bp.get("/menus/<id:menu_id>")'
CREATE_RETURN = '    return jsonify(menu), 201, {"Location": location}'
INSERT = ('            cursor = db.execute("INSERT INTO menus (name, price) VALUES (?, ?)", '
          '(name, price))')

MODULE_LIST_APP = r'''%%writefile app.py
"""Coffee-menu API that keeps its menus in a Python list: fine until the server restarts."""

import json
import threading

from flask import Blueprint, Flask, abort, jsonify, request, url_for
from werkzeug.exceptions import HTTPException
from werkzeug.routing import BaseConverter

MENUS = [{"id": 1, "name": "Espresso", "price": 3800},
         {"id": 2, "name": "Americano", "price": 4100},
         {"id": 3, "name": "CafeLatte", "price": 4600}]
NEXT_ID = 4
LOCK = threading.Lock()
bp = Blueprint("menus", __name__)


class IdConverter(BaseConverter):
    regex = "[0-9]+"

    def to_python(self, value):
        return int(value.lstrip("0") or "0") if len(value.lstrip("0")) <= 19 else 2**63


@bp.record_once
def add_id_converter(state):
    state.app.url_map.converters["id"] = IdConverter


def find_menu(menu_id):
    for menu in MENUS:
        if menu["id"] == menu_id:
            return menu
    abort(404, description=f"there is no menu with id {menu_id}")


def read_menu():
    if not request.is_json:
        abort(415, description="send JSON")
    try:
        data = request.get_json(silent=True)
    except RecursionError:
        data = None
    if not isinstance(data, dict):
        abort(400, description="send a JSON object")
    name, price = data.get("name"), data.get("price")
    if not isinstance(name, str) or not 1 <= len(name) <= 100:
        abort(400, description="bad name")
    if isinstance(price, bool) or not isinstance(price, int) or price < 0:
        abort(400, description="bad price")
    return name, price


def taken(name, menu_id=None):
    return any(m["name"] == name and m["id"] != menu_id for m in MENUS)


@bp.get("/menus")
def list_menus():
    raw = request.args.get("max_price")
    if raw is None:
        return jsonify(MENUS)
    if not (raw.isascii() and raw.isdigit()):
        abort(400, description="max_price must be a whole number >= 0")
    limit = int(raw[-30:])
    return jsonify([m for m in MENUS if m["price"] <= limit])


@bp.get("/menus/<id:menu_id>")
def get_menu(menu_id):
    return jsonify(find_menu(menu_id))


@bp.post("/menus")
def create_menu():
    global NEXT_ID
    name, price = read_menu()
    with LOCK:
        if taken(name):
            abort(409, description="name taken")
        menu = {"id": NEXT_ID, "name": name, "price": price}
        NEXT_ID += 1
        MENUS.append(menu)
    return jsonify(menu), 201, {"Location": url_for("menus.get_menu", menu_id=menu["id"])}


@bp.put("/menus/<id:menu_id>")
def replace_menu(menu_id):
    menu = find_menu(menu_id)
    name, price = read_menu()
    with LOCK:
        if taken(name, menu_id):
            abort(409, description="name taken")
        menu.update(name=name, price=price)
    return jsonify(menu)


@bp.delete("/menus/<id:menu_id>")
def delete_menu(menu_id):
    menu = find_menu(menu_id)
    with LOCK:
        MENUS.remove(menu)
    return "", 204


def json_error(error):
    response = error.get_response()
    response.data = json.dumps({"error": error.description}) + "\n"
    response.content_type = "application/json"
    return response


def create_app(config=None):
    app = Flask(__name__)
    app.config.from_mapping(config or {})
    app.register_error_handler(HTTPException, json_error)
    app.register_blueprint(bp)
    return app
'''

LIST_TYPE_INT = '''@bp.get("/menus")
def list_menus():
    limit = request.args.get("max_price", type=int)  # a bad value silently becomes None
    if limit is None:
        rows = get_db().execute("SELECT id, name, price FROM menus ORDER BY id").fetchall()
    else:
        rows = get_db().execute("SELECT id, name, price FROM menus WHERE price <= ? ORDER BY id",
                                (limit,)).fetchall()
    return jsonify([menu_json(row) for row in rows])


@bp.get("/menus/<id:menu_id>")'''

RESEED_INIT = '''    db = get_db()
    with db:
        db.execute("CREATE TABLE IF NOT EXISTS menus (id INTEGER PRIMARY KEY AUTOINCREMENT,"
                   " name TEXT NOT NULL UNIQUE, price INTEGER NOT NULL CHECK (price >= 0))")
        db.executemany("INSERT OR IGNORE INTO menus (name, price) VALUES (?, ?)", SEED_MENUS)
    return'''


def split_edits() -> dict[str, tuple[list[tuple[str, str]], set[str]]]:
    """The single-rule mutants made by exact replacements: {name: ([(old, new), ...], loses)}."""
    app = solution_app()
    start, end = app.index("    ### BEGIN SOLUTION\n    db = get_db()"), app.index("def find_menu")
    init_db_body = app[start:end]
    return {
        # 200 instead of 201 for a creation.
        "created-200": ([(CREATE_RETURN, CREATE_RETURN.replace("201", "200"))],
                        {"post-created"}),
        # No Location header.
        "no-location": ([(CREATE_RETURN, "    return jsonify(menu), 201")],
                        {"post-location"}),
        # The id comes from the client when it sends one (the course's original bug).
        # (Only a usable id is taken, so that the bug costs exactly this check under every
        # fuzz corpus grading mode draws: an id such as {} would also crash it, a 500.)
        "client-id": ([(INSERT, '            wanted = request.get_json().get("id")\n'
                                         '            if type(wanted) is not int or not '
                                         '-2**63 <= wanted < 2**63:\n'
                                         '                wanted = None\n'
                                         '            cursor = db.execute("INSERT INTO menus '
                                         '(id, name, price) VALUES (?, ?, ?)", '
                                         '(wanted, name, price))')],
                      {"post-server-id"}),
        # Ids computed as COUNT(*) + 1: they repeat after a delete.
        "len-ids": ([(INSERT, '            count = db.execute("SELECT COUNT(*) FROM '
                                       'menus").fetchone()[0]\n'
                                       # a slow moment between reading and writing, as under
                                       # load: parallel POSTs then read the same count
                                       '            __import__("time").sleep(0.05)\n'
                                       '            cursor = db.execute("INSERT INTO menus '
                                       '(id, name, price) VALUES (?, ?, ?)", '
                                       '(count + 1, name, price))')],
                    {"ids-unique-after-delete", "concurrent-posts"}),
        # json.loads on the raw body: invalid JSON becomes a 500.
        "bad-json-500": ([("    data = request.get_json(silent=True)  # None when the "
                                    "body is not valid JSON",
                                    "    data = json.loads(request.get_data())")],
                         {"post-invalid-json", "no-5xx-fuzz"}),
        # DELETE answers 200 with a body instead of 204.
        "delete-200-body": ([('    return "", 204',
                                       '    return jsonify({"deleted": menu_id}), 200')],
                            {"delete-menu"}),
        # /menu and /menus mixed: reading and deleting one menu use /menu/<id>.
        "menu-singular": ([('@bp.get("/menus/<id:menu_id>")',
                                     '@bp.get("/menu/<id:menu_id>")'),
                               ('@bp.delete("/menus/<id:menu_id>")',
                                '@bp.delete("/menu/<id:menu_id>")')],
                          {"get-menu", "get-missing", "post-location", "delete-menu",
                           "delete-missing", "ids-unique-after-delete", "persist-no-reseed"}),
        # No UNIQUE on name: duplicates are accepted.
        "duplicates-accepted": ([('" name TEXT NOT NULL UNIQUE,"',
                                           '" name TEXT NOT NULL,"')],
                                {"post-duplicate", "put-duplicate"}),
        # isinstance(price, int) alone: True passes as a price.
        "bool-price": ([("if isinstance(price, bool) or not isinstance(price, int)",
                                  "if not isinstance(price, int)")],
                       {"post-wrong-types"}),
        # request.args.get(type=int): bad filters are ignored, huge ones crash SQLite.
        "filter-type-int": ([(app[app.index('@bp.get("/menus")'):
                                           app.index(GET_ONE) + len(GET_ONE)], LIST_TYPE_INT)],
                            {"list-filter-invalid", "no-5xx-fuzz"}),
        # No JSON error handler: Flask's errors are HTML.
        "html-errors": ([("    app.register_error_handler(HTTPException, json_error)\n",
                                   "")],
                        {"errors-json-routes", "errors-json-menus"}),
        # Seeds inserted at every start: a deleted seed comes back after a restart.
        "reseed-on-start": ([(init_db_body, RESEED_INIT + "\n\n\n")],
                            {"persist-no-reseed"}),
        # PUT looks for the name without excluding the menu itself.
        "put-self-conflict": ([('    find_menu(menu_id)\n    name, price = read_menu()\n'
                                         '    db = get_db()\n',
                                         '    find_menu(menu_id)\n    name, price = read_menu()\n'
                                         '    db = get_db()\n'
                                         '    if db.execute("SELECT 1 FROM menus WHERE name = ?", '
                                         '(name,)).fetchone():\n'
                                         '        abort(409, description="name taken")\n')],
                              {"put-replace"}),
        # No guard for ids beyond SQLite's 64 bits: /menus/99999999999999999999 is a 500.
        "huge-id-500": ([("    if menu_id <= MAX_SQLITE_INT:  # a bigger id cannot exist "
                                   "(and SQLite cannot compare it)\n", "    if True:\n")],
                        {"no-5xx-fuzz"}),
        # Flask's <int:...> converter: other scripts' digits ("٣") are read as ids.
        "int-converter": ([*[(f'@bp.{m}("/menus/<id:menu_id>")',
                                       f'@bp.{m}("/menus/<int:menu_id>")')
                                      for m in ("get", "put", "delete")]],
                          {"get-missing"}),
        # int() alone for max_price: "+4100", " 4100", "4_100" and "４１００" pass as numbers.
        "max-price-int": ([("        if not (raw.isascii() and raw.isdigit()):\n",
                            "        try:\n            int(raw)\n        except ValueError:\n"
                            "            raw = '-1'\n        if int(raw) < 0:\n"),
                           ('        digits = raw.lstrip("0") or "0"\n',
                            "        digits = str(int(raw))\n")],
                          {"list-filter-invalid"}),
        # get_json(silent=True) alone: a body nested 1,000 levels deep raises RecursionError.
        "deep-json-500": ([("    try:\n        data = request.get_json(silent=True)",
                                     "    if True:\n        data = request.get_json(silent=True)"),
                               ("    except RecursionError:  # valid JSON nested too deep for "
                                "Python's parser: still not a menu\n        data = None\n", "")],
                          {"no-5xx-fuzz"}),
        # INTEGER PRIMARY KEY without AUTOINCREMENT: the id of a deleted last menu comes back.
        "no-autoincrement": ([('" id INTEGER PRIMARY KEY AUTOINCREMENT,"',
                                        '" id INTEGER PRIMARY KEY,"')],
                             {"ids-unique-after-delete"}),
    }




def mutants() -> dict[str, tuple[str, set[str]]]:
    app = solution_app()
    out = {name: (edit(app, *pairs), loses) for name, (pairs, loses) in split_edits().items()}
    # The menus live in a module-level list: a restart loses them.
    out["module-list"] = (MODULE_LIST_APP, {"persist-restart", "persist-no-reseed"})
    # Two view functions with the same name: create_app fails, nothing is served.
    out["duplicate-view-name"] = (edit(app, ("def replace_menu(menu_id):",
                                             "def get_menu(menu_id):")), set(all_checks()))
    return out


def __getattr__(name):
    if name == "MUTANTS":  # computed on first use: it reads the solution notebook
        return {k: ({"app": source}, loses) for k, (source, loses) in mutants().items()}
    raise AttributeError(name)
