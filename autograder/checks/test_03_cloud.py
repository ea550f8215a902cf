"""Checks for topic 03: cloud concepts, auto-scaling costs, AWS with boto3, gunicorn.

Inputs marked hidden=True never appear in the notebook, so hard-coding the notebook's
examples does not pass. Each check isolates one rule, so one mistake costs only its points.

Practice mode (no key) uses the fixed inputs written below. Grading mode draws them from
`nb.inputs.rng(check id)` (see `draw`): the order of the layers and of the cases, which
splits are no model (a non-top slice of a real model's size is always among them), how many
environments of each kind and in which order, daily loads (peaks, bases, noise), capacities
(whole or half requests/s), minimum and maximum counts, the instance counts and hourly
prices of the cost cases, the plotted day, the size and bytes of every file and object,
image ids, instance types, tags, user data and instance counts, and the CPU counts.

Two servers run next to the sandbox, each a separate process that the grader starts and
always stops (autograder/cloud_servers.py): moto's server mode, a local AWS that the
student's boto3 code reaches through AWS_ENDPOINT_URL (the notebook never names it), and
gunicorn, started with the student's gunicorn.conf.py to serve topic 04's model API
(week4.serving.app) with a model the reference trainer made for it.
"""

from __future__ import annotations

import atexit
import base64
import hashlib
import json
import random
import re
import secrets
import shutil
import subprocess
import sys
import tempfile
import threading
from pathlib import Path

import pytest
from botocore.exceptions import ClientError

from autograder.checking import (
    N_,
    CheckFailed,
    check,
    expect_close,
    expect_equal,
    messages,
    short,
)
from autograder.cloud_servers import (
    MotoServer,
    Server,
    free_port,
    gunicorn_argv,
    marked_processes,
    wait_until_up,
)
from autograder.jail import COURSE_MOUNTS, SERVING_MOUNTS, Jail
from autograder.sandbox import child_env, listening_socket
from week4.i18n import current

TOPIC = "03-cloud"
_ = messages(TOPIC)  # translates into the grading process's language (WEEK4_LANG)
DOCS = "docs/topics/03-cloud.md"

# Honest answers take milliseconds; a boto3 call to the local moto server well under a second
# (the first one also builds the client: give AWS calls longer).
CALL_TIMEOUT = 3
AWS_TIMEOUT = 8
LOAD_TIMEOUT = 20   # the notebook imports boto3 and matplotlib and tries S3 and EC2 out
BUDGET = 75
# Once two functions of a notebook have hung, the others get this long: still ample for an
# honest answer, and a notebook that loops everywhere is graded in seconds, not minutes.
AFTER_HANGS_TIMEOUT = 2

HELPERS = "autograder.sandboxed.cloud"
# The app gunicorn serves: topic 04's prediction service. It reads its model folder from
# WEEK4_MODEL_DIR; the grader trains that model with the reference trainer.
APP = "week4.serving.app:create_app()"
BACKEND = "sklearn"  # loads with what the app imports anyway (no onnxruntime start-up)
TRAIN = [sys.executable, "-m", "week4.serving.train"]
TRAIN_TIMEOUT = 120  # about 2 s on a laptop; ample on a busy grading machine
# Importing Flask, scikit-learn and skops and loading the model take a few seconds per worker.
GUNICORN_START_TIMEOUT = 20
CONFIG = "gunicorn.conf.py"

LAYERS = ("application", "data", "runtime", "middleware", "os",
          "virtualization", "servers", "storage", "networking")
# How many layers, counted from the top, the customer manages in each service model.
CUSTOMER_TOP = {"on-premises": 9, "IaaS": 5, "PaaS": 2, "SaaS": 0}


# --- plumbing --------------------------------------------------------------------------------

@pytest.fixture(scope="module", autouse=True)
def moto(nb, tmp_path_factory):
    """A local AWS for this grading; the sandbox child gets its address and credentials."""
    server = MotoServer(tmp_path_factory.mktemp("moto"))
    try:
        server.start()
        env = {
            **server.attach(nb.sandbox),  # AWS_ENDPOINT_URL: a relay to the proxy, to moto
            "AWS_ACCESS_KEY_ID": server.access_key,
            "AWS_SECRET_ACCESS_KEY": secrets.token_hex(20),
            "AWS_DEFAULT_REGION": MotoServer.REGION,
            "AWS_REGION": MotoServer.REGION,
            # never the grading machine's own AWS files, and no waiting for an EC2 metadata service
            "AWS_CONFIG_FILE": str(server.scratch / "no-aws-config"),
            "AWS_SHARED_CREDENTIALS_FILE": str(server.scratch / "no-aws-credentials"),
            "AWS_EC2_METADATA_DISABLED": "true",
        }
        if nb.sandbox.proc is not None:
            nb.sandbox.kill()  # a child started without these variables: restart it
        nb.sandbox.extra_env = {**nb.sandbox.extra_env, **env}
        yield server
    finally:
        server.stop()
        shutil.rmtree(server.scratch, ignore_errors=True)  # the request log holds uploads


_cache: dict = {}


@pytest.fixture(scope="module", autouse=True)
def fresh_cache():
    """Results shared by the checks of one grading (several checks judge one call)."""
    _cache.clear()
    yield
    _cache.clear()


def once(key, compute):
    """compute() once per grading; a CheckFailed it raised is raised again for each check."""
    if key not in _cache:
        try:
            _cache[key] = ("ok", compute())
        except CheckFailed as exc:
            _cache[key] = ("failed", exc)
    status, value = _cache[key]
    if status == "failed":
        raise value
    return value


def hung_before(nb, name: str, shown: str) -> None:
    if name in nb.hung:
        raise CheckFailed(_("{call} did not finish when an earlier check called it (an "
                            "infinite loop?); fix that first").format(call=shown))


def limit(nb, timeout: float | None = None) -> float:
    seconds = timeout or CALL_TIMEOUT
    return min(seconds, AFTER_HANGS_TIMEOUT) if len(nb.hung) >= 2 else seconds


def run(nb, name: str, *args, shown: str, timeout: float | None = None):
    """nb.run, unless the function already hung once (then fail at once)."""
    hung_before(nb, name, shown)
    return nb.run(name, *args, timeout=limit(nb, timeout))


def call(nb, name: str, *args, shown: str = "", timeout: float | None = None):
    shown = shown or f"{name}(...)"
    reply = run(nb, name, *args, shown=shown, timeout=timeout)
    if not reply.ok:
        raise CheckFailed(nb.failure(name, reply, shown))
    return reply.value


# How autograder.sandbox.Reply.explain says that a call timed out (in the week4 catalog).
TIMED_OUT = "did not finish within {seconds} s (an infinite loop, or waiting for input?)"


def timed_out(message: str) -> bool:
    """Whether a failure message says that the call timed out, in the grading language."""
    said = current()(TIMED_OUT)  # the grader's shared catalog, in WEEK4_LANG
    return max(said.split("{seconds}"), key=len).strip() in message


def helper(nb, key: str, function: str, *args, shown: str, timeout: float | None = None, **kw):
    hung_before(nb, key, shown)
    try:
        return nb.helper(f"{HELPERS}:{function}", *args, shown=shown,
                         timeout=limit(nb, timeout), **kw)
    except CheckFailed as exc:
        if timed_out(str(exc)):
            nb.hung.add(key)
        raise


def expect_raises(nb, name: str, args: tuple, error: str, shown: str, hidden: bool = True,
                  timeout: float | None = None):
    reply = run(nb, name, *args, shown=shown, timeout=timeout)
    if reply.ok or reply.error.get("type") != error:
        found = _("it returned {value}").format(value=short(reply.value)) if reply.ok else \
            _("it {outcome}").format(outcome=reply.explain())
        raise CheckFailed(_("{call} should raise {error}").format(call=shown, error=error),
                          expected=error, found=found, hidden=hidden)


def relative_tol(expected: float) -> float:
    return 1e-6 * max(1.0, abs(expected))


def draw(nb, check_id: str) -> random.Random | None:
    """The generator of one check's inputs in grading mode; None in practice mode."""
    return nb.inputs.rng(check_id) if nb.inputs.grading else None


# --- service models -------------------------------------------------------------------------

def split(customer_layers, seed: int) -> dict:
    """A responsibilities dict with the layers in a shuffled order."""
    layers = list(LAYERS)
    random.Random(seed).shuffle(layers)
    return {layer: "customer" if layer in customer_layers else "provider" for layer in layers}


def invalid_models(rng: random.Random) -> list:
    """Splits that are no service model (grading mode): a non-top slice of a real model's size
    (so that counting layers does not pass), another non-top slice, a missing layer, and a
    value that is neither 'customer' nor 'provider'."""
    tops = [set(LAYERS[:n]) for n in CUSTOMER_TOP.values()]

    def slice_of(size):
        while True:
            mine = set(rng.sample(LAYERS, size))
            if mine not in tops:
                return mine

    gone, odd_layer = rng.choice(LAYERS), rng.choice(LAYERS)
    missing = {k: v for k, v in split(LAYERS[:rng.choice([0, 2, 5, 9])],
                                      rng.getrandbits(64)).items() if k != gone}
    odd = split(LAYERS[:rng.choice([0, 2, 5, 9])], rng.getrandbits(64))
    odd[odd_layer] = rng.choice(["both", "shared", "Customer", "PROVIDER", "", "nobody"])
    not_top = _("the customer's layers are not a top slice of the stack")
    cases = [(split(slice_of(rng.choice([2, 5])), rng.getrandbits(64)), not_top),
             (split(slice_of(rng.choice([1, 3, 4, 6, 7, 8])), rng.getrandbits(64)), not_top),
             (missing, _("a layer is missing")), (odd, _("a layer is managed by someone else"))]
    rng.shuffle(cases)
    return cases


@check("service-model", points=2, docs=f"{DOCS}#service-models",
       hint=N_("Read the chart from the top of the stack down: the customer always manages a top "
               "slice of the layers, so how many layers from the top does each of the four models "
               "leave to the customer? Look the layers up by name, since the dict may list them "
               "in any order."),
       code=N_("Collect the customer's layers in the order of LAYERS and compare that tuple with "
               "`LAYERS[:top]` for top = 9, 5, 2, 0 (on-premises, IaaS, PaaS, SaaS)."))
def test_service_model_classifies_the_four_models(nb):
    cases = [(model, top, variant) for seed, (model, top) in enumerate(CUSTOMER_TOP.items())
             for variant in (seed, seed + 10)]
    rng = draw(nb, "service-model")
    if rng is not None:
        cases = [(model, top, rng.getrandbits(64)) for model, top in CUSTOMER_TOP.items()
                 for _n in range(rng.randrange(1, 4))]
        rng.shuffle(cases)
    for model, top, variant in cases:
        got = call(nb, "service_model", split(LAYERS[:top], variant),
                   shown="service_model(responsibilities)")
        what = _("{call} when the customer manages {layers}").format(
            call="service_model(...)", layers=list(LAYERS[:top])) if top else \
            _("{call} when the customer manages nothing").format(call="service_model(...)")
        expect_equal(got, model, what, hidden=True)


@check("service-model-invalid", points=1, docs=f"{DOCS}#service-models",
       hint=N_("Which dicts describe no service model at all? Think of a missing or unknown "
               "layer, a manager who is neither the customer nor the provider, and a customer "
               "whose layers are not a top slice of the stack: each of them deserves a "
               "`ValueError`."),
       code=N_("First check `set(responsibilities) == set(LAYERS)` and that every value is "
               "'customer' or 'provider'; after the loop over the four top slices, `raise "
               "ValueError(...)`."))
def test_service_model_rejects_what_is_no_model(nb):
    upside_down = split(LAYERS[4:], 3)           # customer: os and everything below it
    gap = split(("application", "data", "runtime", "middleware", "virtualization"), 4)
    missing = {k: v for k, v in split(LAYERS[:5], 5).items() if k != "middleware"}
    unknown = dict(split(LAYERS[:2], 6), runtime="both")
    cases = [(upside_down, _("the customer manages {layer} and the layers below it only").format(
                 layer="os")),
             (gap, _("the provider manages {layer} but the customer the layers around it").format(
                 layer="os")),
             (missing, _("the {layer} layer is missing").format(layer="'middleware'")),
             (unknown, _("a layer is managed by {who}").format(who="'both'"))]
    controls = [(model, split(LAYERS[:top], 20 + n))
                for n, (model, top) in enumerate(CUSTOMER_TOP.items())]
    rng = draw(nb, "service-model-invalid")
    if rng is not None:
        cases = invalid_models(rng)
        controls = [(model, split(LAYERS[:top], rng.getrandbits(64)))
                    for model, top in CUSTOMER_TOP.items()]
        rng.shuffle(controls)
    # The control: rejecting what is no model builds on classifying the real ones, so raising
    # ValueError for everything is no rule. One real model classified right is enough here
    # (which ones are right is service-model's rule).
    for model, responsibilities in controls:
        reply = run(nb, "service_model", responsibilities,
                    shown="service_model(responsibilities)")
        if reply.ok and reply.value == model:
            break
        if not reply.ok and reply.error.get("type") != "ValueError":  # unwritten, missing, hung
            raise CheckFailed(nb.failure("service_model", reply,
                                         "service_model(responsibilities)"))
    else:
        raise CheckFailed(_("could not test this rule because {function} classifies none of "
                            "the four real models ({models}) correctly; see {check}").format(
                                function="service_model", models=", ".join(CUSTOMER_TOP),
                                check="service-model"), hidden=True)
    for case, what in cases:
        expect_raises(nb, "service_model", (case,), "ValueError",
                      _("{call} when {case}").format(call="service_model(...)", case=what))


# --- deployment models ----------------------------------------------------------------------

OWN = {"location": "own datacenter", "shared": False}
PUBLIC = {"location": "provider", "shared": True}
HOSTED_PRIVATE = {"location": "provider", "shared": False}


def expect_deployment(nb, environments, expected, what):
    got = call(nb, "deployment_model", environments, shown="deployment_model(environments)")
    expect_equal(got, expected, _("{call} for {what}").format(call="deployment_model(...)",
                                                              what=what), hidden=True)


def environments(rng: random.Random, **counts) -> list[dict]:
    """A shuffled list with counts[name] copies of each environment kind."""
    kinds = {"own": OWN, "public": PUBLIC, "hosted": HOSTED_PRIVATE}
    out = [dict(kinds[name]) for name, n in counts.items() for _i in range(n)]
    rng.shuffle(out)
    return out


@check("deployment-model", points=1, docs=f"{DOCS}#deployment-models",
       hint=N_("For one environment, ask who else uses its infrastructure: infrastructure shared "
               "with other customers at a provider makes one model, infrastructure reserved for "
               "one organisation the other."),
       code=N_("Per environment: `'public' if env['shared'] else 'private'`; when every "
               "environment is of one kind, return that kind."))
def test_deployment_model_single_environment(nb):
    rng = draw(nb, "deployment-model")
    if rng is not None:  # one kind, several environments of it (more than practice's two)
        cases = [(environments(rng, own=rng.randrange(3, 7)), "private", _("own datacenters")),
                 (environments(rng, public=rng.randrange(3, 7)), "public", _("public clouds"))]
        rng.shuffle(cases)
        for envs, expected, what in cases:
            expect_deployment(nb, envs, expected, what)
        return
    expect_deployment(nb, [dict(OWN)], "private",
                      _("one environment in the company's own datacenter"))
    expect_deployment(nb, [dict(PUBLIC)], "public", _("one environment shared at a provider"))


@check("deployment-hybrid", points=1, docs=f"{DOCS}#deployment-models",
       hint=N_("Hybrid means private and public environments working together. Is a company that "
               "uses two public clouds from two providers (multi-cloud) hybrid, or still public?"),
       code=N_("Collect the kinds in a set: both 'private' and 'public' give 'hybrid', a single "
               "kind gives that kind (two public clouds are still 'public')."))
def test_deployment_model_hybrid_is_private_plus_public(nb):
    rng = draw(nb, "deployment-hybrid")
    if rng is not None:
        n = rng.randrange
        both = _("private + public")
        cases = [(environments(rng, own=n(1, 4), public=n(1, 4)), "hybrid", both),
                 (environments(rng, own=n(1, 3), public=n(2, 5)), "hybrid", both),
                 (environments(rng, public=n(3, 7)), "public", _("public clouds (multi-cloud)")),
                 (environments(rng, own=n(3, 7)), "private", _("own datacenters"))]
        rng.shuffle(cases)
        for envs, expected, what in cases:
            expect_deployment(nb, envs, expected, what)
        return
    expect_deployment(nb, [dict(OWN), dict(PUBLIC)], "hybrid",
                      _("own datacenter + public cloud"))
    expect_deployment(nb, [dict(PUBLIC), dict(PUBLIC), dict(OWN)], "hybrid",
                      _("two public clouds + own datacenter"))
    expect_deployment(nb, [dict(PUBLIC), dict(PUBLIC)], "public",
                      _("two public clouds (multi-cloud)"))
    expect_deployment(nb, [dict(OWN), dict(OWN)], "private", _("two own datacenters"))


@check("deployment-dedicated", points=1, docs=f"{DOCS}#deployment-models",
       hint=N_("What makes a cloud private: where it stands, or that one organisation has it to "
               "itself? Think of dedicated infrastructure that a provider hosts for one customer."),
       code=N_("Decide by the `shared` flag alone, not by the location: `{'location': 'provider', "
               "'shared': False}` is 'private'."))
def test_deployment_model_hosted_private_cloud(nb):
    rng = draw(nb, "deployment-dedicated")
    if rng is not None:
        n = rng.randrange
        cases = [(environments(rng, hosted=n(1, 4), own=n(0, 3)), "private",
                  _("dedicated infrastructure hosted by a provider")),
                 (environments(rng, hosted=n(1, 3), public=n(1, 4)), "hybrid",
                  _("hosted private clouds + public clouds"))]
        rng.shuffle(cases)
        for envs, expected, what in cases:
            expect_deployment(nb, envs, expected, what)
        return
    expect_deployment(nb, [dict(HOSTED_PRIVATE)], "private",
                      _("dedicated (not shared) infrastructure hosted by a provider"))
    expect_deployment(nb, [dict(HOSTED_PRIVATE), dict(PUBLIC)], "hybrid",
                      _("a hosted private cloud + a public cloud"))


# --- auto-scaling ---------------------------------------------------------------------------

def daily_profile(peak: float, base: float, seed: int) -> list[int]:
    """24 hourly loads (requests/s): quiet at night, busy at noon and in the evening."""
    shape = [0.10, 0.07, 0.05, 0.05, 0.06, 0.10, 0.22, 0.41, 0.62, 0.71, 0.78, 0.86,
             1.00, 0.93, 0.80, 0.74, 0.77, 0.85, 0.96, 0.90, 0.66, 0.45, 0.28, 0.16]
    rng = random.Random(seed)
    return [int(base + (peak - base) * s * rng.uniform(0.93, 1.0)) for s in shape]


def expected_instances(load, capacity, low, high):
    out = []
    for rps in load:
        need = -(-rps // capacity)  # exact ceiling for the whole numbers used here
        out.append(int(min(high, max(low, need))))
    return out


def expect_instances(nb, load, capacity, low, high, what):
    got = call(nb, "instances_needed", load, capacity, low, high,
               shown="instances_needed(load, capacity, min_instances, max_instances)")
    expected = expected_instances(load, capacity, low, high)
    if not isinstance(got, list) or len(got) != len(load):
        raise CheckFailed(_("{function} must return a list with one count per hour").format(
            function="instances_needed"),
            expected=_("a list of {count} numbers").format(count=len(load)), found=got)
    expect_equal(got, expected, _("{call} for {what}").format(call="instances_needed(...)",
                                                              what=what), hidden=True)


def near_multiples(rng: random.Random, capacity: float, count: int) -> list[int]:
    """Whole loads just below, at and just above multiples of `capacity`."""
    out = []
    for _i in range(count):
        k = rng.randrange(1, 8)
        out.append(max(1, int(k * capacity) + rng.choice([-1, 0, 1])))
    return out


@check("scaling-ceil", points=2, docs=f"{DOCS}#autoscaling",
       hint=N_("An instance serves at most `capacity` requests a second: how many instances does "
               "traffic of just over one instance's worth need? Rounding to the nearest whole "
               "number is not enough."),
       code=N_("`math.ceil(rps / capacity)` for every hour (130 requests/s on 120-request "
               "instances need 2 instances), never `round()`."))
def test_instances_round_up(nb):
    rng = draw(nb, "scaling-ceil")
    if rng is not None:
        capacity = rng.randrange(40, 250)
        peak = rng.randrange(10, 35) * capacity
        expect_instances(nb, daily_profile(peak, rng.randrange(1, capacity), rng.getrandbits(64)),
                         capacity, 1, 40, _("a day of traffic"))
        half = rng.randrange(20, 120) + 0.5
        expect_instances(nb, near_multiples(rng, half, rng.randrange(6, 12)), half, 1, 10,
                         _("loads around multiples of the capacity"))
        return
    load = daily_profile(2300, 150, 1)
    expect_instances(nb, load, 120, 1, 40,
                     _("a day of traffic, {capacity} requests/s per instance").format(capacity=120))
    expect_instances(nb, [75, 76, 113, 150, 187, 188, 38, 262], 37.5, 1, 10,
                     _("loads around multiples of {capacity} requests/s").format(capacity=37.5))


@check("scaling-minimum", points=1, docs=f"{DOCS}#autoscaling",
       hint=N_("The minimum keeps the service up (and spread over zones) at night: how many "
               "instances should an hour with no traffic at all get?"),
       code=N_("Clamp from below: `max(min_instances, needed)`."))
def test_instances_respect_minimum(nb):
    rng = draw(nb, "scaling-minimum")
    if rng is not None:
        capacity, low = rng.randrange(50, 300), rng.randrange(2, 6)
        # whole multiples of the capacity, as in practice: rounding plays no part here
        load = [0, 0] + [capacity * rng.randrange(0, 13) for _i in range(rng.randrange(6, 20))]
        rng.shuffle(load)
        expect_instances(nb, load, capacity, low, 20, _("quiet hours with a minimum"))
        return
    load = [0, 0, 100, 200, 300, 600, 900, 1200, 600, 300, 100, 0]
    expect_instances(nb, load, 100, 3, 20,
                     _("quiet hours with a minimum of {count}").format(count=3))


@check("scaling-maximum", points=1, docs=f"{DOCS}#autoscaling",
       hint=N_("The maximum caps the bill (and the account's quota) when traffic explodes: the "
               "requests beyond it queue or fail instead of adding instances."),
       code=N_("Clamp from above, around the clamp from below: `min(max_instances, "
               "max(min_instances, needed))`."))
def test_instances_respect_maximum(nb):
    rng = draw(nb, "scaling-maximum")
    if rng is not None:
        capacity, high = rng.randrange(50, 300), rng.randrange(5, 16)
        load = [capacity * rng.randrange(1, high) for _i in range(rng.randrange(4, 12))]
        load += [capacity * high * rng.randrange(2, 6) for _i in range(rng.randrange(1, 4))]
        rng.shuffle(load)
        expect_instances(nb, load, capacity, 1, high, _("a traffic spike with a maximum"))
        return
    load = [200, 400, 800, 1600, 3200, 6400, 3200, 1600, 800, 400, 200, 100]
    expect_instances(nb, load, 200, 1, 12,
                     _("a traffic spike with a maximum of {count}").format(count=12))


# (instances per hour, hourly price): a day, and a week of five workdays and a weekend.
COST_CASES = {
    "day": ([2, 2, 2, 2, 2, 2, 3, 5, 7, 8, 9, 10, 12, 11, 9, 8, 9, 10, 11, 10, 7, 5, 3, 2],
            0.0832),
    "week": (([1] * 6 + [2] * 4 + [4] * 8 + [3] * 6) * 5 + ([1] * 12 + [2] * 12) * 2, 0.1664),
}


def cost_cases(nb) -> dict:
    """COST_CASES, or (grading mode) a drawn day and week of counts with drawn prices."""
    rng = draw(nb, "costs")
    if rng is None:
        return COST_CASES
    day = daily_profile(rng.randrange(6, 30), rng.randrange(1, 4), rng.getrandbits(64))
    week = [max(1, n) for _day in range(7)
            for n in daily_profile(rng.randrange(4, 20), 1, rng.getrandbits(64))]
    return {"day": ([max(1, n) for n in day], rng.randrange(50, 5000) / 10_000),
            "week": (week, rng.randrange(50, 5000) / 10_000)}


def costs(nb, case: str) -> dict:
    instances, price = cost_cases(nb)[case]

    def compute():
        got = call(nb, "scaling_costs", instances, price,
                   shown="scaling_costs(instances, hourly_price)")
        keys = {"fixed", "autoscaling", "saving", "saving_percent"}
        if not isinstance(got, dict) or not keys <= set(got):
            raise CheckFailed(_("{function} must return a dict with the keys {keys} and "
                                "{last}").format(function="scaling_costs",
                                                 keys="'fixed', 'autoscaling', 'saving'",
                                                 last="'saving_percent'"),
                              expected=sorted(keys), found=got)
        return got
    return once(("costs", case), compute)


def hidden_counts(key: str, case: str) -> str:
    """How a cost is named in a message: `key` for the hidden day or week of counts."""
    if case == "day":
        return _("{key} for a hidden day of instance counts").format(key=key)
    return _("{key} for a hidden week of instance counts").format(key=key)


@check("cost-fixed", points=1, docs=f"{DOCS}#autoscaling",
       hint=N_("Without auto-scaling the fleet must survive the busiest hour in every hour: how "
               "many instances run each hour, and for how many hours do you pay?"),
       code=N_("`max(instances) * len(instances) * hourly_price`."))
def test_fixed_cost_pays_for_the_peak(nb):
    for case, (instances, price) in cost_cases(nb).items():
        expected = max(instances) * len(instances) * price
        expect_close(costs(nb, case)["fixed"], expected, hidden_counts("'fixed'", case),
                     tol=relative_tol(expected), hidden=True)


@check("cost-autoscaling", points=1, docs=f"{DOCS}#autoscaling",
       hint=N_("With auto-scaling you pay for the instances each hour really runs: add up the "
               "instance-hours of the day or week."),
       code=N_("`sum(instances) * hourly_price`."))
def test_autoscaling_cost_pays_per_hour(nb):
    for case, (instances, price) in cost_cases(nb).items():
        expected = sum(instances) * price
        expect_close(costs(nb, case)["autoscaling"], expected,
                     hidden_counts("'autoscaling'", case), tol=relative_tol(expected), hidden=True)


@check("cost-saving", points=1, docs=f"{DOCS}#autoscaling",
       hint=N_("The saving is what auto-scaling spares against fixed provisioning, and its "
               "percentage is taken of the fixed cost. Your own two costs are used here, so this "
               "check is about these two formulas only."),
       code=N_("`saving = fixed - autoscaling` and `saving_percent = 100 * saving / fixed`."))
def test_saving_is_the_difference(nb):
    for case in cost_cases(nb):
        got = costs(nb, case)
        fixed, auto = got["fixed"], got["autoscaling"]
        if not all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in (fixed, auto)) \
                or not fixed:
            raise CheckFailed(_("{fixed} and {autoscaling} must be numbers (and {fixed} not "
                                "0)").format(fixed="'fixed'", autoscaling="'autoscaling'"),
                              expected=_("two numbers"), found=[fixed, auto])
        saving = fixed - auto
        expect_close(got["saving"], saving,
                     _("{key} (your fixed {fixed} - your autoscaling {autoscaling})").format(
                         key="'saving'", fixed=f"{fixed:g}", autoscaling=f"{auto:g}"),
                     tol=relative_tol(saving))
        expect_close(got["saving_percent"], 100 * saving / fixed,
                     _("{key} ({formula}, with your numbers)").format(
                         key="'saving_percent'", formula="100 * saving / fixed"),
                     tol=relative_tol(100 * saving / fixed))


PLOT_LOAD = [40, 30, 25, 25, 35, 80, 160, 310, 470, 530, 580, 640, 760, 700, 610,
             560, 590, 650, 730, 690, 500, 340, 210, 120]
PLOT_CAPACITY = 100
PLOT_INSTANCES = expected_instances(PLOT_LOAD, PLOT_CAPACITY, 2, 7)


def plot_case(nb) -> tuple[list, list, int]:
    """(load, instances, capacity) for the plot; drawn in grading mode."""
    rng = draw(nb, "plot")
    if rng is None:
        return PLOT_LOAD, PLOT_INSTANCES, PLOT_CAPACITY
    capacity = rng.randrange(50, 300)
    load = daily_profile(rng.randrange(5, 12) * capacity, rng.randrange(0, capacity),
                         rng.getrandbits(64))
    return load, expected_instances(load, capacity, rng.randrange(1, 4), rng.randrange(6, 12)), \
        capacity


def figure(nb) -> dict:
    load, instances, capacity = plot_case(nb)

    def read() -> dict:
        data = helper(nb, "plot_scaling", "figure_data", "plot_scaling", load, instances,
                      capacity, shown="plot_scaling(load, instances, capacity)")
        if isinstance(data, dict) and "not_a_figure" in data:
            raise CheckFailed(_("{name} returned a {kind}, not a matplotlib Figure (return the "
                                "`fig` you drew on: {call})").format(
                name="plot_scaling", kind=short(data["not_a_figure"]), call="fig = Figure()"))
        return data

    return once("figure", read)


def close_lists(found, expected) -> bool:
    return len(found) == len(expected) and all(
        f is not None and abs(f - e) <= 1e-9 * max(1, abs(e)) for f, e in zip(found, expected))


def shows(found, expected) -> bool:
    """A series a person reads as `expected`: the same values, or those plus the closing point
    a step line often gets at the end of the last hour (`ax.step(hours + [24], ...)`)."""
    return close_lists(found, expected) or (
        len(found) == len(expected) + 1 and close_lists(found[:-1], expected)
        and close_lists(found[-1:], expected[-1:]))


@check("plot-lines", points=1, docs=f"{DOCS}#autoscaling",
       hint=N_("Two series on one Axes: the load, one point per hour, and the capacity the "
               "instances give in each hour, drawn as a step line because the count changes at "
               "the start of an hour."),
       code=N_("`ax.plot(hours, load)` and `ax.step(hours, [n * capacity for n in instances], "
               "where='post')` (or `ax.stairs`)."))
def test_plot_shows_load_and_capacity(nb):
    data = figure(nb)
    load, instances, per_instance = plot_case(nb)
    capacity = [n * per_instance for n in instances]
    series = [line["y"] for ax in data["axes"] for line in ax["lines"]]
    steps = [s["values"] for ax in data["axes"] for s in ax["stairs"]]
    if not any(shows(y, load) for y in series):
        raise CheckFailed(_("no line of the figure shows the load (the y values of a line "
                            "should be the {name} list you were given)").format(name="load"),
                          found=_("{count} line(s) with y = {values}").format(
                              count=len(series), values=short(series, 300)))
    if not any(shows(y, capacity) for y in series + steps):
        raise CheckFailed(_("no line of the figure shows the capacity ({formula} per hour)").format(
            formula="instances * capacity"), expected=capacity,
            found=_("y values {values}").format(values=short(series + steps, 300)))


@check("plot-labels", points=1, docs=f"{DOCS}#autoscaling",
       hint=N_("Could someone else read the chart without you next to it? It needs a title, a "
               "name for each axis and a legend that names both lines."),
       code=N_("`ax.set_title(...)`, `ax.set_xlabel('hour')`, `ax.set_ylabel('requests per "
               "second')`, a `label=` on both lines and `ax.legend()`."))
def test_plot_is_labelled(nb):
    data = figure(nb)
    if not data["axes"]:
        raise CheckFailed(_("the figure has no Axes: draw on {ax} from {call}").format(
            ax="`ax`", call="`ax = fig.subplots()`"))
    ax = max(data["axes"], key=lambda a: len(a["lines"]) + len(a["stairs"]))
    problems = []
    if not (ax["title"].strip() or data["suptitle"].strip()):
        problems.append(_("a title"))
    if not ax["xlabel"].strip():
        problems.append(_("an x-axis label"))
    if not ax["ylabel"].strip():
        problems.append(_("a y-axis label"))
    if len([t for t in ax["legend"] if t.strip()]) < 2:
        problems.append(_("a legend that names the load and the capacity"))
    if problems:
        raise CheckFailed(_("the plot lacks {parts}").format(parts=", ".join(problems)),
                          found={k: ax[k] for k in ("title", "xlabel", "ylabel", "legend")})


# --- S3 ---------------------------------------------------------------------------------------

def new_bucket(moto) -> str:
    name = f"week4-models-{secrets.token_hex(6)}"
    moto.client("s3").create_bucket(
        Bucket=name, CreateBucketConfiguration={"LocationConstraint": MotoServer.REGION})
    return name


def artifact_bytes(seed: int, size: int = 200_000) -> bytes:
    """A model-like file: a JSON header, then bytes of every value (nulls, CR LF, ...)."""
    rng = random.Random(seed)
    header = json.dumps({"format": "week4-model", "seed": seed}).encode() + b"\r\n"
    return header + rng.randbytes(size)


def write_artifact(nb, seed: int, size: int = 200_000) -> tuple[str, bytes]:
    data = artifact_bytes(seed, size)
    name = f"model-{secrets.token_hex(4)}.bin"
    (nb.workdir / name).write_bytes(data)
    return name, data


@check("sha256-file", points=1, docs=f"{DOCS}#s3",
       hint=N_("A checksum is computed over bytes, not text: open the file in binary mode and "
               "feed the hash piece by piece, so that a large model need not fit in memory (the "
               "`hashlib` module)."),
       code=N_("`digest = hashlib.sha256()`; open the file with 'rb', call `digest.update(block)` "
               "for each chunk and return `digest.hexdigest()`."))
def test_sha256_of_a_file(nb):
    cases = [(11, 300_000), (12, 0), (13, 5)]
    rng = draw(nb, "sha256-file")
    if rng is not None:
        cases = [(rng.getrandbits(64), rng.randrange(100_000, 400_000)), (rng.getrandbits(64), 0),
                 (rng.getrandbits(64), rng.randrange(1, 100))]
        rng.shuffle(cases)
    for seed, size in cases:
        name, data = write_artifact(nb, seed, size)
        got = call(nb, "sha256_file", name, shown="sha256_file(path)")
        expect_equal(got, hashlib.sha256(data).hexdigest(),
                     _("{call} of a hidden {size}-byte file").format(call="sha256_file(...)",
                                                                     size=len(data)),
                     hidden=True)


def uploaded(nb, moto) -> dict:
    def compute():
        bucket = new_bucket(moto)
        rng = draw(nb, "s3-upload")
        name, data = write_artifact(nb, 21) if rng is None else \
            write_artifact(nb, rng.getrandbits(64), rng.randrange(50_000, 300_000))
        key = f"models/titanic/{secrets.token_hex(3)}/model.bin"
        shown = f"upload_model({name!r}, {bucket!r}, {key!r})"
        call(nb, "upload_model", name, bucket, key, shown=shown, timeout=AWS_TIMEOUT)
        try:
            obj = moto.client("s3").get_object(Bucket=bucket, Key=key)
        except ClientError as exc:  # the object is not there
            raise CheckFailed(_("after {call} there is no object {url} ({error})").format(
                call=shown, url=f"s3://{bucket}/{key}", error=type(exc).__name__)) from None
        return {"shown": shown, "data": data, "body": obj["Body"].read(),
                "metadata": {k.lower(): v for k, v in obj.get("Metadata", {}).items()}}
    return once("upload", compute)


@check("s3-upload", points=1, docs=f"{DOCS}#s3",
       hint=N_("boto3 makes one client per service, and the S3 client has a method that uploads a "
               "whole file to a bucket under a key (the boto3 guide on uploading files)."),
       code=N_("`s3 = boto3.client('s3')`, then `s3.upload_file(path, bucket, key, "
               "ExtraArgs=...)`."))
def test_upload_stores_the_file(nb, moto):
    up = uploaded(nb, moto)
    if up["body"] != up["data"]:
        raise CheckFailed(_("the object written by {call} does not hold the file's bytes").format(
            call=up["shown"]), expected=_("{count} bytes").format(count=len(up["data"])),
            found=_("{count} bytes").format(count=len(up["body"])))


@check("s3-metadata", points=1, docs=f"{DOCS}#s3",
       hint=N_("Whoever downloads the model must be able to verify its bytes: store the file's "
               "SHA-256 with the object, as user metadata under the name the challenge gives."),
       code=N_("`ExtraArgs={'Metadata': {'sha256': sha256_file(path)}}` in the `upload_file` "
               "call."))
def test_upload_stores_the_checksum(nb, moto):
    up = uploaded(nb, moto)
    expect_equal(up["metadata"].get("sha256"), hashlib.sha256(up["data"]).hexdigest(),
                 _("the object's {name} metadata after {call}").format(name="'sha256'",
                                                                        call=up["shown"]))


def put_model(moto, data: bytes, metadata: dict | None) -> tuple[str, str]:
    bucket = new_bucket(moto)
    key = f"models/{secrets.token_hex(3)}/model.bin"
    moto.client("s3").put_object(Bucket=bucket, Key=key, Body=data, Metadata=metadata or {})
    return bucket, key


def downloaded(nb, moto) -> dict:
    def compute():
        rng = draw(nb, "s3-download")
        data = artifact_bytes(31) if rng is None else \
            artifact_bytes(rng.getrandbits(64), rng.randrange(50_000, 300_000))
        bucket, key = put_model(moto, data, {"sha256": hashlib.sha256(data).hexdigest()})
        dest = f"downloaded-{secrets.token_hex(4)}.bin"
        shown = f"download_model({bucket!r}, {key!r}, {dest!r})"
        reply = run(nb, "download_model", bucket, key, dest, shown=shown, timeout=AWS_TIMEOUT)
        path = nb.workdir / dest
        return {"shown": shown, "reply": reply, "data": data,
                "file": nb.read_file(path)}  # never through a link the submission made
    return once("download", compute)


@check("s3-download", points=1, docs=f"{DOCS}#s3",
       hint=N_("Which S3 call returns the object's body and its metadata in one answer? Write the "
               "body to the file `dest`."),
       code=N_("`obj = s3.get_object(Bucket=bucket, Key=key)`: write `obj['Body']` (in chunks) to "
               "`dest`; the checksum is in `obj['Metadata']`."))
def test_download_writes_the_file(nb, moto):
    got = downloaded(nb, moto)
    if not got["reply"].ok:
        raise CheckFailed(_("{call} {outcome} for an intact object").format(
            call=got["shown"], outcome=got["reply"].explain()))
    if got["file"] != got["data"]:
        found = _("no file") if got["file"] is None else \
            _("{count} other bytes").format(count=len(got["file"]))
        raise CheckFailed(_("after {call} the file does not hold the object's bytes").format(
            call=got["shown"]), expected=_("{count} bytes").format(count=len(got["data"])),
            found=found)


@check("s3-verify", points=2, docs=f"{DOCS}#s3",
       hint=N_("Compare the checksum of the bytes you received with the one in the object's "
               "metadata. On a mismatch raise `ValueError`, and let no file stay under the real "
               "name: write to a temporary name and rename it only once it is verified."),
       code=N_("Hash while writing to `dest + '.part'`; on a match `os.replace(partial, dest)`, "
               "otherwise `os.remove(partial)` and `raise ValueError(...)`."))
def test_download_rejects_a_corrupted_model(nb, moto):
    good = downloaded(nb, moto)
    if not good["reply"].ok:
        raise CheckFailed(_("could not test this rule because {call} {outcome}, although the "
                            "object was intact: only a mismatch is an error").format(
                                call=good["shown"], outcome=good["reply"].explain()))
    rng = draw(nb, "s3-verify")
    original = artifact_bytes(41) if rng is None else \
        artifact_bytes(rng.getrandbits(64), rng.randrange(50_000, 300_000))
    corrupted = bytearray(original)
    # one flipped bit, as a bad disk or transfer would make
    where, bit = (len(corrupted) // 2, 0) if rng is None else \
        (rng.randrange(len(corrupted)), rng.randrange(8))
    corrupted[where] ^= 1 << bit
    bucket, key = put_model(moto, bytes(corrupted), {"sha256": hashlib.sha256(original).hexdigest()})
    dest = f"downloaded-{secrets.token_hex(4)}.bin"
    shown = _("{call} of an object whose bytes do not match its {name} metadata").format(
        call=f"download_model({bucket!r}, {key!r}, {dest!r})", name="sha256")
    expect_raises(nb, "download_model", (bucket, key, dest), "ValueError", shown, hidden=False,
                  timeout=AWS_TIMEOUT)
    if (nb.workdir / dest).exists():
        raise CheckFailed(_("{call} raised {error} but left the corrupted file at {path}: a "
                            "server that restarts would load it").format(
                                call=shown, error="ValueError", path=repr(dest)))


# --- EC2 --------------------------------------------------------------------------------------

def instance(moto, instance_id) -> dict:
    reply = moto.client("ec2").describe_instances(InstanceIds=[instance_id])
    return reply["Reservations"][0]["Instances"][0]


def launched(nb, moto) -> dict:
    def compute():
        rng = draw(nb, "ec2-launch")
        image = f"ami-{secrets.token_hex(8)}" if rng is None else f"ami-{rng.getrandbits(64):016x}"
        kind = (rng or random).choice(["t3.small", "t3.medium", "c5.large", "t3.large",
                                       "m5.large", "c6i.large"][:3 if rng is None else 6])
        marker = secrets.token_hex(4)
        user_data = ("#!/bin/bash\nset -euo pipefail\n"
                     f"aws s3 cp s3://week4-models-{marker}/model.json /srv/api/model.json\n"
                     "systemctl restart week4-api\n")
        tags = {"Name": f"week4-api-{marker}", "project": "week4", "owner": f"grader-{marker}"}
        shown = f"launch_instance({image!r}, {kind!r}, user_data, {tags!r})"
        got = call(nb, "launch_instance", image, kind, user_data, tags, shown=shown,
                   timeout=AWS_TIMEOUT)
        if not isinstance(got, str) or not got.startswith("i-"):
            raise CheckFailed(_("{call} must return the new instance's id ({pattern})").format(
                call=shown, pattern="'i-...'"), found=got)
        try:
            found = instance(moto, got)
        except ClientError:  # no such instance
            raise CheckFailed(_("{call} returned {value}, but no instance has that id").format(
                call=shown, value=short(got))) from None
        return {"shown": shown, "image": image, "kind": kind, "user_data": user_data,
                "tags": tags, "id": got, "instance": found}
    return once("launch", compute)


@check("ec2-launch", points=1, docs=f"{DOCS}#ec2",
       hint=N_("One EC2 call starts instances from an image and an instance type. How many should "
               "it start, and where in its reply is the new instance's id?"),
       code=N_("`boto3.client('ec2').run_instances(ImageId=..., InstanceType=..., MinCount=1, "
               "MaxCount=1, ...)`, then return `reply['Instances'][0]['InstanceId']`."))
def test_launch_starts_the_instance(nb, moto):
    got = launched(nb, moto)
    expect_equal(got["instance"]["ImageId"], got["image"],
                 _("the image of the instance {call} started").format(call=got["shown"]))
    expect_equal(got["instance"]["InstanceType"], got["kind"],
                 _("the type of the instance {call} started").format(call=got["shown"]))


@check("ec2-tags", points=1, docs=f"{DOCS}#ec2",
       hint=N_("Tag the instance when it is launched, not afterwards: the launch call takes tag "
               "specifications for a resource type, with each tag as a key and a value."),
       code=N_("`TagSpecifications=[{'ResourceType': 'instance', 'Tags': [{'Key': k, 'Value': v} "
               "for k, v in tags.items()]}]`."))
def test_launch_tags_the_instance(nb, moto):
    got = launched(nb, moto)
    found = {t["Key"]: t["Value"] for t in got["instance"].get("Tags", [])}
    missing = {k: v for k, v in got["tags"].items() if found.get(k) != v}
    if missing:
        raise CheckFailed(_("the instance started by {call} lacks tags").format(call=got["shown"]),
                          expected=got["tags"], found=found)


@check("ec2-user-data", points=1, docs=f"{DOCS}#ec2",
       hint=N_("Give the launch call the script as text: boto3 base64-encodes user data for you, "
               "so what does the instance get when you encode it yourself as well?"),
       code=N_("Pass `UserData=user_data` as it is, with no `base64.b64encode`."))
def test_launch_passes_user_data(nb, moto):
    got = launched(nb, moto)
    reply = moto.client("ec2").describe_instance_attribute(InstanceId=got["id"],
                                                          Attribute="userData")
    encoded = reply.get("UserData", {}).get("Value")
    try:
        script = base64.b64decode(encoded).decode() if encoded else None
    except ValueError:
        script = None
    if script is not None and script != got["user_data"]:
        try:
            if base64.b64decode(script, validate=True).decode() == got["user_data"]:
                raise CheckFailed(_("the instance got the user data base64-encoded twice: "
                                    "pass the script as plain text, boto3 encodes it"))
        except ValueError:
            pass
    expect_equal(script, got["user_data"],
                 _("the user data script of the instance {call} started").format(call=got["shown"]))


@check("ec2-running-by-tag", points=2, docs=f"{DOCS}#ec2",
       hint=N_("Let EC2 do the filtering, by the tag and by the instance state. The reply groups "
               "instances in reservations and can come in several pages: collect the ids from all "
               "of them, sorted."),
       code=N_("`describe_instances` with two Filters, `{'Name': f'tag:{key}', 'Values': "
               "[value]}` and `{'Name': 'instance-state-name', 'Values': ['running']}`, through "
               "`ec2.get_paginator('describe_instances')`; return `sorted(ids)`."))
def test_list_running_instances_by_tag(nb, moto):
    ec2 = moto.client("ec2")
    value = f"api-{secrets.token_hex(3)}"
    other = f"api-{secrets.token_hex(3)}"

    def launch(tags: dict, count: int = 1) -> list[str]:
        spec = [{"ResourceType": "instance",
                 "Tags": [{"Key": k, "Value": v} for k, v in tags.items()]}] if tags else []
        reply = ec2.run_instances(ImageId="ami-0c9c942bd7bf113a2", InstanceType="t3.micro",
                                  MinCount=count, MaxCount=count, TagSpecifications=spec)
        return [i["InstanceId"] for i in reply["Instances"]]

    rng = draw(nb, "ec2-running-by-tag")
    n = (lambda low, high: low) if rng is None else rng.randrange
    running = launch({"service": value}, 1 + n(1, 4)) + launch({"service": value, "env": "prod"},
                                                               n(1, 3))
    stopped = launch({"service": value}, n(1, 3))
    terminated = launch({"service": value}, n(1, 3))
    launch({"service": other})
    launch({"team": value})
    launch({})
    ec2.stop_instances(InstanceIds=stopped)
    ec2.terminate_instances(InstanceIds=terminated)
    shown = f"running_instances('service', {value!r})"
    got = call(nb, "running_instances", "service", value, shown=shown, timeout=AWS_TIMEOUT)
    if not isinstance(got, list):
        raise CheckFailed(_("{call} must return a list of instance ids").format(call=shown),
                          found=got)
    expect_equal(sorted(got) if all(isinstance(i, str) for i in got) else got, sorted(running),
                 _("{call} among running, stopped and terminated instances with other tags "
                   "too").format(call=shown), hidden=True)
    got = call(nb, "running_instances", "service", "no-such-service", shown=shown,
               timeout=AWS_TIMEOUT)
    expect_equal(got, [], _("{call} for a tag value no instance has").format(
        call="running_instances(...)"), hidden=True)


# --- credentials and endpoint from the environment --------------------------------------------

# (pattern, what it found: translated when the message is written)
SECRET_PATTERNS = [
    (re.compile(r"\b(?:AKIA|ASIA)[A-Z0-9]{16}\b"), N_("an AWS access key id")),
    (re.compile(r"aws_secret_access_key\W{0,4}[=:]\s*[\"'][^\"']+[\"']", re.IGNORECASE),
     N_("a secret access key")),
    (re.compile(r"aws_access_key_id\W{0,4}[=:]\s*[\"'][^\"']+[\"']", re.IGNORECASE),
     N_("an access key id")),
    (re.compile(r"aws_session_token\W{0,4}[=:]\s*[\"'][^\"']+[\"']", re.IGNORECASE),
     N_("a session token")),
    (re.compile(r"endpoint_url\W{0,4}[=:]\s*[\"'][^\"']+[\"']", re.IGNORECASE),
     N_("an endpoint URL")),
]


def hard_coded(nb) -> list[str]:
    """Where the notebook's code writes credentials or an endpoint as literal text."""
    found = []
    for cell in nb.sandbox.cells:
        for lineno, line in enumerate(cell.source.splitlines(), start=1):
            if line.lstrip().startswith("#"):
                continue
            for pattern, what in SECRET_PATTERNS:
                if pattern.search(line):
                    found.append(_("{what} in cell {cell}, line {line}").format(
                        what=_(what), cell=cell.index, line=lineno))
    return found


CREDENTIAL = re.compile(r"Credential=([^/,\s]+)/")


@check("aws-config-from-env", points=2, docs=f"{DOCS}#credentials",
       hint=N_("boto3 finds the credentials, the region and the endpoint in the environment (on "
               "EC2: an IAM role). Who could use a key written in a notebook, its git history or "
               "an image built from it?"),
       code=N_("Create clients as `boto3.client('s3')`, with no keys and no `endpoint_url`: boto3 "
               "reads AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_DEFAULT_REGION and "
               "AWS_ENDPOINT_URL from the environment."))
def test_credentials_come_from_the_environment(nb, moto):
    places = hard_coded(nb)
    if places:
        raise CheckFailed(_("credentials or endpoints are written in the code ({places}): "
                            "anyone who sees the notebook, its git history or an image built "
                            "from it can use them").format(places="; ".join(places)))
    bucket = new_bucket(moto)
    name, _data = write_artifact(nb, 51, 1000)
    start = moto.recording_size()
    call(nb, "upload_model", name, bucket, "models/check/model.bin",
         shown=f"upload_model({name!r}, {bucket!r}, 'models/check/model.bin')", timeout=AWS_TIMEOUT)
    keys = set()
    for request in moto.requests_since(start):
        headers = {k.lower(): v for k, v in request["headers"].items()}
        match = CREDENTIAL.search(headers.get("authorization", "")) or \
            CREDENTIAL.search(str(request.get("url", "")).replace("%2F", "/"))
        if match:
            keys.add(match.group(1))
    if not keys:
        raise CheckFailed(_("no signed request from {function} reached the endpoint given in "
                            "{variable}: do not set {parameter} or credentials in the code").format(
                                function="upload_model", variable="AWS_ENDPOINT_URL",
                                parameter="endpoint_url"))
    wrong = sorted(k for k in keys if k != moto.access_key)
    if wrong:
        shown = ", ".join(k[:4] + "..." for k in wrong)
        raise CheckFailed(_("the grader ran your code with its own credentials in the "
                            "environment, but requests were signed with other access keys "
                            "({keys}): the code brings its own credentials").format(keys=shown))


# --- gunicorn ---------------------------------------------------------------------------------

_model_lock = threading.Lock()
_model: dict = {}


def reference_model() -> Path:
    """The reference model folder, trained once per grader process (gradings share it)."""
    with _model_lock:
        if "dir" not in _model:
            folder = Path(tempfile.mkdtemp(prefix="week4-serving-model-"))
            atexit.register(shutil.rmtree, folder, ignore_errors=True)
            try:
                proc = subprocess.run([*TRAIN, str(folder / "model")], cwd=folder,
                                      env=child_env(), stdin=subprocess.DEVNULL,
                                      capture_output=True, text=True, timeout=TRAIN_TIMEOUT,
                                      check=False)
                why = _("it exited with {code}: {output}").format(
                    code=proc.returncode, output=proc.stderr[-500:]) if proc.returncode else ""
            except subprocess.TimeoutExpired:
                why = _("it did not finish within {seconds} s").format(seconds=TRAIN_TIMEOUT)
            if why:
                raise CheckFailed(_("the grader could not train the model that gunicorn serves "
                                    "({why}); please report it").format(why=why))
            _model["dir"] = folder / "model"
        return _model["dir"]


def model_copy(dest: Path) -> Path:
    """A copy of the reference model for one server: whatever it does to its copy, the next
    grading still gets the untouched model."""
    return Path(shutil.copytree(reference_model(), dest / "model"))


def settings(nb, env: dict | None = None, cpus: int | None = None) -> dict:
    key = ("gunicorn", json.dumps(env, sort_keys=True), cpus)
    return once(key, lambda: helper(
        nb, "gunicorn.conf.py", "gunicorn_settings", CONFIG, env or {}, cpus,
        shown=_("loading {file} with {env}").format(file=CONFIG, env=env) if env else
        _("loading {file}").format(file=CONFIG)))


ALL_INTERFACES = ("0.0.0.0", "[::]")


def binds(value) -> list:
    return value if isinstance(value, list) else [value]


@check("gunicorn-bind-default", points=1, docs=f"{DOCS}#gunicorn",
       hint=N_("Without a `BIND` variable, who must reach the server: nginx, a load balancer on "
               "another host, a published container port? The loopback address is reachable from "
               "the same machine (or container) only."),
       code=N_("`bind = os.environ.get('BIND', '0.0.0.0:8000')`: all interfaces by default; the "
               "security group and nginx decide who may connect."))
def test_bind_defaults_to_all_interfaces(nb):
    got = settings(nb).get("bind")
    ok = [b for b in binds(got) if isinstance(b, str) and b.rsplit(":", 1)[0] in ALL_INTERFACES
          and b.rsplit(":", 1)[-1] == "8000"]
    if not ok or len(binds(got)) != len(ok):
        raise CheckFailed(_("with no {variable} variable, {setting} in {file} should be "
                            "{value}").format(variable="BIND", setting="`bind`", file=CONFIG,
                                              value="'0.0.0.0:8000'"),
                          expected="0.0.0.0:8000", found=got)


@check("gunicorn-bind-env", points=1, docs=f"{DOCS}#gunicorn",
       hint=N_("Each deployment (a systemd unit, a container) chooses the address through the "
               "environment, without editing the file: read it from the `BIND` environment "
               "variable through `os.environ`."),
       code=N_("`bind = os.environ.get('BIND', '0.0.0.0:8000')`: the variable when it is set, the "
               "default otherwise."))
def test_bind_comes_from_the_environment(nb):
    bind = f"127.0.0.1:{random.randint(20000, 60000)}"
    got = settings(nb, {"BIND": bind}).get("bind")
    if binds(got) != [bind]:
        raise CheckFailed(_("with {assignment} in the environment, {setting} should be that "
                            "address").format(assignment=f"BIND={bind}", setting="`bind`"),
                          expected=bind, found=got)


@check("gunicorn-workers", points=1, docs=f"{DOCS}#gunicorn",
       hint=N_("Size the workers from the machine the server runs on, not with a number typed for "
               "your laptop: the usual start for sync workers grows with the number of CPU cores "
               "(gunicorn's docs on how many workers)."),
       code=N_("`workers = 2 * multiprocessing.cpu_count() + 1`."))
def test_workers_follow_the_cpu_count(nb):
    rng = draw(nb, "gunicorn-workers")
    for cpus in (1, 2, 4) if rng is None else rng.sample(range(1, 65), 3):
        got = settings(nb, cpus=cpus).get("workers")
        expect_equal(got, 2 * cpus + 1, _("{setting} on a machine with {count} CPU(s)").format(
            setting="`workers`", count=cpus), hidden=True)


@check("gunicorn-timeout", points=1, docs=f"{DOCS}#gunicorn",
       hint=N_("Write the worker timeout down: long enough for a slow prediction, short enough to "
               "recycle a stuck worker (somewhere between ten seconds and two minutes)."),
       code=N_("`timeout = 30` (seconds) is a sane start; the check accepts 10 to 120."))
def test_timeout_is_set(nb):
    got = settings(nb).get("timeout")
    if isinstance(got, bool) or not isinstance(got, (int, float)) or not 10 <= got <= 120:
        raise CheckFailed(_("{setting} in {file} should be a number of seconds between {low} "
                            "and {high}").format(setting="`timeout`", file=CONFIG, low=10,
                                                 high=120),
                          expected=_("e.g. {value}").format(value=30), found=got)


@check("gunicorn-logs", points=1, docs=f"{DOCS}#gunicorn",
       hint=N_("Under systemd or Docker, logs are collected from a process's standard output and "
               "error streams, not from files: where should gunicorn write its access log and its "
               "error log?"),
       code=N_("`accesslog = '-'` (stdout); `errorlog = '-'` (stderr) is the default."))
def test_logs_go_to_stdout(nb):
    got = settings(nb)
    expect_equal(got.get("accesslog"), "-",
                 _("{setting} in {file}").format(setting="`accesslog`", file=CONFIG))
    if got.get("errorlog", "-") != "-":
        raise CheckFailed(_("{setting} in {file} should be {value} (stderr) or left out").format(
            setting="`errorlog`", file=CONFIG, value="'-'"),
            expected="-", found=got.get("errorlog"))


PRODUCTION_LOGLEVELS = ("info", "warning", "error", "critical")


@check("gunicorn-production", points=1, docs=f"{DOCS}#gunicorn",
       hint=N_("A production server logs at an informative level and keeps nothing meant for "
               "development: no automatic reload, no debug logging or Flask debug mode, no daemon "
               "mode (systemd keeps gunicorn running)."),
       code=N_("`loglevel = 'info'` (or 'warning'); leave out `reload = True`, `loglevel = "
               "'debug'`, `daemon = True` and FLASK_DEBUG in `raw_env`."))
def test_production_settings(nb):
    got = settings(nb)
    problems = []
    level = got.get("loglevel")
    if str(level).lower() not in PRODUCTION_LOGLEVELS:
        problems.append(_("{setting} is {value}, not one of {choices}").format(
            setting="loglevel", value=repr(level), choices=", ".join(PRODUCTION_LOGLEVELS))
            if level is not None else _("{setting} is not set (write {line})").format(
                setting="loglevel", line="loglevel = 'info'"))
    if got.get("reload"):
        problems.append(_("{setting} is on (it watches files and restarts workers)").format(
            setting="reload"))
    if got.get("debug"):
        problems.append(_("{setting} is on").format(setting="debug"))
    if got.get("daemon"):
        problems.append(_("{setting} is on (systemd or the container runtime keeps gunicorn "
                          "running)").format(setting="daemon"))
    raw_env = got.get("raw_env") or []
    for item in raw_env if isinstance(raw_env, list) else [raw_env]:
        name, _sep, value = str(item).partition("=")
        if name.strip().upper() == "FLASK_DEBUG" and value.strip().lower() not in ("", "0", "false"):
            problems.append(_("{setting} sets {value}").format(setting="raw_env",
                                                               value=short(item, 80)))
        if name.strip().upper() == "FLASK_ENV" and value.strip().lower() == "development":
            problems.append(_("{setting} sets {value}").format(setting="raw_env",
                                                               value=short(item, 80)))
    if problems:
        raise CheckFailed(_("{file} is not set up for production: {problems}").format(
            file=CONFIG, problems="; ".join(problems)))


@check("gunicorn-serves", points=2, docs=f"{DOCS}#gunicorn",
       hint=N_("The grader trains topic 04's model and starts gunicorn with your file and the "
               "app, with its own address and number of workers, then asks the health endpoint. "
               "The file must load without errors and leave the app and its environment alone."),
       code=N_("The grader runs `gunicorn -c gunicorn.conf.py 'week4.serving.app:create_app()'` "
               "with WEEK4_MODEL_DIR set and sends `GET /health`: try the same commands from Part "
               "4 of the notebook."))
def test_gunicorn_serves_health(nb, tmp_path):
    got = settings(nb)  # a file that does not even load is reported from here
    if got.get("daemon"):
        raise CheckFailed(_("{file} sets {line}: the grader does not start a server that "
                            "detaches itself").format(file=CONFIG, line="daemon = True"))
    model_dir = model_copy(tmp_path)
    # gunicorn runs the student's config file: inside a sandbox, on a socket the grader bound.
    listener = listening_socket()
    port = listener.getsockname()[1]
    bind = f"127.0.0.1:{port}"
    env = child_env({"BIND": bind, "WEEK4_MODEL_DIR": str(model_dir), "WEEK4_BACKEND": BACKEND})
    jail = Jail(tmp_path, workdir=nb.workdir, read_only=[nb.workdir],
                course=COURSE_MOUNTS + SERVING_MOUNTS)
    server = Server("gunicorn", gunicorn_argv(CONFIG, f"fd://{listener.fileno()}", APP),
                    cwd=nb.workdir, env=env, log_path=tmp_path / "gunicorn.log", jail=jail,
                    pass_fds=(listener.fileno(),))
    server.start()
    try:
        reply = wait_until_up(server, port, "/health", GUNICORN_START_TIMEOUT)
        request = f"GET http://{bind}/health"
        # Detached: a process left carrying the token, or (in the sandbox, where a daemon's
        # children die with the namespace) gunicorn's first process exiting 0 before serving.
        if not server.running() and (marked_processes(server.token) or
                                     (reply is None and server.proc.returncode == 0)):
            raise CheckFailed(_("gunicorn with your {file} detached itself from the process "
                                "that started it (daemon mode): under systemd or in a container "
                                "it must stay in the foreground").format(file=CONFIG))
        if reply is None:
            why = _("it exited") if not server.running() else \
                _("no answer within {seconds} s").format(seconds=GUNICORN_START_TIMEOUT)
            raise CheckFailed(_("gunicorn with your {file} did not serve {request} ({why}); its "
                                "last output:\n{output}").format(
                                    file=CONFIG, request=request, why=why,
                                    output=server.output_tail()))
        status, _headers, body = reply
        try:
            payload = json.loads(body)
        except ValueError:
            payload = body[:200].decode(errors="replace")
        if status != 200 or not isinstance(payload, dict) or payload.get("status") != "ok":
            raise CheckFailed(_("{request} through gunicorn answered {status} {body}").format(
                request=request, status=status, body=short(payload)),
                expected=_("{status} with {body}").format(status=200,
                                                          body="{'status': 'ok', ...}"),
                found=f"{status} {short(payload)}")
    finally:
        stopped = server.stop()
        listener.close()
        shutil.rmtree(tmp_path, ignore_errors=True)
    if not stopped:
        raise CheckFailed(_("the grader could not stop gunicorn; please report it"))
