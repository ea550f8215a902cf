"""Topic 02's checks run in this process against our own apps (the solution, the mutants, the
catalogue of realistic wrong apps) through Flask's test client: cheap enough to run every check
alone next to the full run (every pair of single-rule mutants: tests/test_mutant_pairs.py,
with this module's harness).

`InProcessApi` has ApiServer's interface (request with 307/308 redirects followed, many,
fresh, restart, memo, nb). `fresh` builds the app again in the same module (module-level
state stays, as in the sandbox child); `restart` runs the module again on the same file.
Only our own code runs here, never a submission.
"""

from __future__ import annotations

import json
import logging
import threading
import types
from pathlib import Path

import pytest

from autograder.checking import CheckFailed
from autograder.http_api import Exchange, follow_redirects
from autograder.keys import Inputs

TOPIC = "02-flask-rest"
_MISSING = object()


class InProcessApi:
    """ApiServer's interface over Flask's test client, for our own apps."""

    def __init__(self, source: str, folder: Path, inputs=None):
        self.source = "\n".join(line for line in source.splitlines()
                                if not line.startswith("%%writefile"))
        self.folder = Path(folder)
        self.folder.mkdir(parents=True, exist_ok=True)
        self.database = str(self.folder / "grader.sqlite")
        self.nb = types.SimpleNamespace(inputs=inputs or Inputs())
        self.memo: dict = {}
        self.broken = ""
        self.fresh_count = 0
        self.module = None
        self.app = None
        self.restart()

    def _build(self) -> None:
        try:
            self.app = self.module.create_app({"DATABASE": self.database, "TESTING": False})
        except Exception as exc:  # noqa: BLE001 (a wrong app's create_app may raise anything)
            self.broken = f"your app could not be served: {type(exc).__name__}: {exc}"

    def restart(self) -> None:
        self.module = types.ModuleType("app")
        self.module.__file__ = str(self.folder / "app.py")
        try:
            exec(compile(self.source, "app.py", "exec"), self.module.__dict__)  # noqa: S102
        except Exception as exc:  # noqa: BLE001
            self.broken = f"your app could not be served: {type(exc).__name__}: {exc}"
            return
        self._build()

    def fresh(self, label: str) -> None:
        self.fresh_count += 1
        self.database = str(self.folder / f"{self.fresh_count:02d}-{label}.sqlite")
        if not self.broken:
            self._build()

    def _send(self, method, path, body, content_type, headers) -> Exchange:
        sent = dict(headers or {})
        if content_type is not None:
            sent["Content-Type"] = content_type
        response = self.app.test_client().open(path, method=method, data=body, headers=sent)
        reason = response.status.split(" ", 1)[1] if " " in response.status else ""
        return Exchange(method, path, body, content_type, response.status_code, reason,
                        {k.lower(): v for k, v in response.headers.items()},
                        response.get_data())

    def request(self, method, path, *, json_body=_MISSING, body=None, content_type=None,
                headers=None) -> Exchange:
        if self.broken:
            raise CheckFailed(self.broken)
        if json_body is not _MISSING:
            body = json.dumps(json_body).encode("utf-8")
            content_type = content_type or "application/json"
        return follow_redirects(lambda p: self._send(method, p, body, content_type, headers),
                                path)

    def many(self, requests: list[dict]) -> list[Exchange]:
        results: list = [None] * len(requests)

        def worker(i, spec):
            results[i] = self.request(**spec)

        threads = [threading.Thread(target=worker, args=(i, spec))
                   for i, spec in enumerate(requests)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        return results


def check_functions():
    import autograder.checks.test_02_flask_rest as module
    funcs = [f for f in vars(module).values() if hasattr(f, "check_info")]
    return sorted(funcs, key=lambda f: f.__code__.co_firstlineno)


def run_checks(source: str, folder: Path, inputs=None, only: str | None = None) -> dict:
    """{check id: (passed, message)} of every check (or check `only`) on one in-process app."""
    api = InProcessApi(source, folder, inputs)
    verdicts = {}
    logging.disable(logging.ERROR)  # wrong apps' 500s log tracebacks
    try:
        for func in check_functions():
            if only is not None and func.check_info.id != only:
                continue
            try:
                func(api)
                verdicts[func.check_info.id] = (True, "")
            except CheckFailed as exc:
                verdicts[func.check_info.id] = (False, str(exc))
    finally:
        logging.disable(logging.NOTSET)
    return verdicts


def lost(verdicts: dict) -> set[str]:
    return {k for k, (ok, _) in verdicts.items() if not ok}


# --- a catalogue of realistic wrong apps, in the shapes real submissions take ----------------
# Each is the solution with the smallest change that gives it the shape; `points` is what it
# must score (of 31), the share an instructor applying the contract would give.

def _edit(source: str, *pairs: tuple[str, str]) -> str:
    for old, new in pairs:
        assert source.count(old) >= 1, old
        source = source.replace(old, new)
    return source


def catalogue() -> dict[str, tuple[str, set[str]]]:
    """{name: (app.py source, checks it loses)}."""
    from autograder.mutants.m02_flask_rest import solution_app

    app = solution_app()
    read_form = ('''def read_menu():
    """The (name, price) sent as a form (the shape of many tutorials)."""
    name, price = request.form.get("name"), request.form.get("price", "")
    if not name or not price.isdigit():
        abort(400, description="name and price are required")
    return name, int(price)


def read_menu_json():''')
    return {
        # Reads the body as a form: every JSON POST and PUT is a 400.
        "form-reading": (_edit(app, ("def read_menu():", read_form)),
                         {"post-created", "post-location", "post-server-id",
                          "post-invalid-json", "post-missing-fields", "post-wrong-types",
                          "post-bad-values", "post-not-json", "post-duplicate", "put-replace",
                          "put-missing", "put-validation", "put-duplicate",
                          "ids-unique-after-delete", "concurrent-posts"}),
        # The collection's route has a trailing slash: /menus answers 308 to /menus/.
        "trailing-slash": (_edit(app, ('@bp.get("/menus")', '@bp.get("/menus/")'),
                                 ('@bp.post("/menus")', '@bp.post("/menus/")')),
                           {"list-menus"}),
        # GET /menus answers {"menus": [...]}.
        "envelope": (_edit(app, ("    return jsonify([menu_json(row) for row in rows])",
                                 '    return jsonify({"menus": [menu_json(row) for row in rows]})')),
                     {"list-menus"}),
        # A REAL price column: every price comes back as 3800.0.
        "real-price": (_edit(app, ('" price INTEGER NOT NULL', '" price REAL NOT NULL')),
                       {"list-menus", "get-menu"}),
        # Ids sent as strings: {"id": "1", ...}.
        "string-ids": (_edit(app, ('return {"id": row["id"],', 'return {"id": str(row["id"]),')),
                       {"list-menus", "get-menu"}),
        # INTEGER PRIMARY KEY without AUTOINCREMENT (the Flask tutorial's table): deleting the
        # newest menu and creating another reuses its id.
        "id-reuse-after-last": (_edit(app, ('" id INTEGER PRIMARY KEY AUTOINCREMENT,"',
                                            '" id INTEGER PRIMARY KEY,"')),
                                {"ids-unique-after-delete"}),
        # Stores a price of "" (no type check on price) and lists it back: only the checks
        # about prices lose, the rest work on databases of their own.
        "no-price-check": (_edit(app, ("    if isinstance(price, bool) or not isinstance(price, int)"
                                       " or not 0 <= price <= MAX_SQLITE_INT:",
                                       "    if price is None:")),
                           {"post-wrong-types", "post-bad-values", "put-validation",
                            "no-5xx-fuzz"}),
        # No GET /menus/<id> route at all.
        "no-get-one": (_edit(app, ('@bp.get("/menus/<id:menu_id>")\ndef get_menu(menu_id):\n'
                                   '    return jsonify(menu_json(find_menu(menu_id)))\n', ''),
                             ('url_for("menus.get_menu", menu_id=menu["id"])',
                              'f"/menus/{menu[\'id\']}"')),
                       {"get-menu", "get-missing"}),
    }


POINTS = 31


def points_of(lost_ids: set[str]) -> float:
    from autograder.mutants.m02_flask_rest import all_checks
    return POINTS - sum(all_checks()[i] for i in lost_ids)


@pytest.fixture(scope="module")
def full_runs(tmp_path_factory) -> dict[str, dict]:
    """Every app of the solution, the mutants and the catalogue, all checks in one run each."""
    from autograder.mutants.m02_flask_rest import mutants, solution_app

    apps = {"solution": solution_app(), **{f"mutant:{k}": v[0] for k, v in mutants().items()},
            **{f"catalogue:{k}": v[0] for k, v in catalogue().items()}}
    return {name: (source, run_checks(source, tmp_path_factory.mktemp("full")))
            for name, source in apps.items()}


@pytest.mark.parametrize("name", list(catalogue()))
def test_catalogue_app_gets_exactly_its_points(full_runs, name):
    _, expected = catalogue()[name]
    _, verdicts = full_runs[f"catalogue:{name}"]
    assert lost(verdicts) == expected, {k: m[:300] for k, (ok, m) in verdicts.items()
                                        if not ok or k in expected}
    assert points_of(lost(verdicts)) == points_of(expected)


def test_catalogue_points_are_the_fair_share():
    """The points each catalogue app must get (of 31), written out."""
    expected = {"form-reading": 15, "trailing-slash": 30, "envelope": 30, "real-price": 29,
                "string-ids": 29, "id-reuse-after-last": 30, "no-price-check": 26,
                "no-get-one": 29}
    assert {k: points_of(v[1]) for k, v in catalogue().items()} == expected


def test_each_check_alone_gives_the_full_run_verdict(full_runs, tmp_path):
    """Every check run alone on a new app (no earlier check ran) passes or fails as in the
    full run, for the solution, every mutant and the catalogue."""
    differ = []
    for name, (source, verdicts) in full_runs.items():
        for check_id, (passed, _) in verdicts.items():
            alone = run_checks(source, tmp_path / name.replace(":", "-") / check_id,
                               only=check_id)
            if alone[check_id][0] != passed:
                differ.append((name, check_id, passed, alone[check_id][1][:200]))
    assert not differ
