"""The files the topic 03 page shows do what the page says (week4/demos/cloud_*).

cloud_costs.py and cloud_boto3.py run here (boto3 against a local moto server); the deployment
files run as far as this machine allows: the user-data script with stand-ins for `aws` and
`systemctl`, the systemd unit through `systemd-analyze verify` and by running its ExecStart
command (topic 04's serving app, with a model the reference trainer made), the nginx site and
the IAM policy as parsed data.
"""

from __future__ import annotations

import configparser
import hashlib
import json
import os
import re
import shlex
import shutil
import subprocess
import sys
import tarfile
from pathlib import Path

import boto3
import pytest

from autograder.cloud_servers import (
    MotoServer,
    Server,
    free_port,
    gunicorn_argv,
    http_get,
    wait_until_up,
)
from autograder.sandbox import child_env
from week4.demos import cloud_boto3, cloud_costs

DEMOS = Path(__file__).resolve().parent.parent / "week4" / "demos"
UNIT = DEMOS / "cloud_week4-api.service"
NGINX = DEMOS / "cloud_nginx.conf"
USER_DATA = DEMOS / "cloud_user_data.sh"
POLICY = DEMOS / "cloud_iam_policy.json"


@pytest.fixture(scope="module")
def model_dir(tmp_path_factory) -> Path:
    """A model folder made by topic 04's reference trainer (about 2 s), as the unit serves it."""
    folder = tmp_path_factory.mktemp("serving") / "model"
    subprocess.run([sys.executable, "-m", "week4.serving.train", str(folder)], check=True,
                   capture_output=True, timeout=120)
    return folder


@pytest.fixture(scope="module")
def model_archive(model_dir) -> bytes:
    """The model folder packed as the S3 object: `tar -czf model.tar.gz -C model .`"""
    path = model_dir.parent / "model.tar.gz"
    with tarfile.open(path, "w:gz") as tar:
        tar.add(model_dir, arcname=".")
    return path.read_bytes()


# --- cloud_costs.py -----------------------------------------------------------------------------

def test_stopping_ends_only_the_instance_and_automatic_address_charges():
    running = cloud_costs.monthly_bill("running")
    stopped = cloud_costs.monthly_bill("stopped")
    assert set(running) == {"instance", "disk", "public_ip"}  # every public IPv4 bills (2024)
    assert set(stopped) == {"disk"}  # the automatic address is released on stop
    assert stopped["disk"] == running["disk"] > 0
    assert running["public_ip"] == round(cloud_costs.HOURS_PER_MONTH * 0.005, 2)


def test_an_elastic_ip_bills_in_every_state_until_released():
    for state in ("running", "stopped", "terminated"):
        assert "public_ip" in cloud_costs.monthly_bill(state, public_ip="elastic"), state
    assert "public_ip" not in cloud_costs.monthly_bill("running", public_ip=None)
    with pytest.raises(ValueError):
        cloud_costs.monthly_bill("running", public_ip="static")


def test_terminating_leaves_the_elastic_ip_snapshots_and_s3_billing():
    bill = cloud_costs.monthly_bill("terminated", public_ip="elastic", snapshot_gb=30, s3_gb=2)
    assert set(bill) == {"public_ip", "snapshots", "s3"}
    assert cloud_costs.monthly_bill("terminated") == {}


def test_bill_uses_the_prices_given():
    prices = dict(cloud_costs.PRICES, instance_hour=1.0)
    assert cloud_costs.monthly_bill("running", prices=prices)["instance"] == \
        cloud_costs.HOURS_PER_MONTH


def test_unknown_state_is_an_error():
    with pytest.raises(ValueError):
        cloud_costs.monthly_bill("hibernating")


def test_costs_script_runs():
    out = subprocess.run([sys.executable, str(DEMOS / "cloud_costs.py")], capture_output=True,
                         text=True, check=True, timeout=600).stdout
    assert [line.split(":")[0].strip() for line in out.splitlines()] == \
        ["running", "stopped", "terminated"] * 2
    assert out.count("(elastic IPv4)") == out.count("(automatic IPv4)") == 3


# --- cloud_boto3.py against a local AWS ---------------------------------------------------------

@pytest.fixture(scope="module")
def aws(tmp_path_factory):
    server = MotoServer(tmp_path_factory.mktemp("moto"))
    server.start()
    yield server
    server.stop()


@pytest.fixture
def aws_env(aws, monkeypatch):
    """The environment boto3 reads, pointed at moto, and a fresh default session."""
    for name in [n for n in os.environ if n.startswith("AWS_")]:
        monkeypatch.delenv(name)
    monkeypatch.setenv("AWS_ENDPOINT_URL", aws.endpoint)
    monkeypatch.setenv("AWS_DEFAULT_REGION", MotoServer.REGION)
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "demo-tests")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "demo-tests")
    monkeypatch.setenv("AWS_CONFIG_FILE", os.devnull)
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", os.devnull)
    monkeypatch.setattr(boto3, "DEFAULT_SESSION", None)
    return aws


def launch(ec2, tags: dict, count: int = 1) -> list[str]:
    reply = ec2.run_instances(
        ImageId="ami-0c9c942bd7bf113a2", InstanceType="t3.micro", MinCount=count, MaxCount=count,
        TagSpecifications=[{"ResourceType": "instance",
                            "Tags": [{"Key": k, "Value": v} for k, v in tags.items()]}])
    return [i["InstanceId"] for i in reply["Instances"]]


def test_client_takes_everything_from_the_environment(aws_env):
    s3 = cloud_boto3.client("s3")
    assert s3.meta.endpoint_url == aws_env.endpoint
    assert s3.meta.region_name == MotoServer.REGION


def test_stop_tagged_stops_only_running_instances_with_the_tag(aws_env):
    ec2 = aws_env.client("ec2")
    mine = launch(ec2, {"project": "demo-stop"}, 2)
    other = launch(ec2, {"project": "someone-else"})
    assert cloud_boto3.stop_tagged("project", "demo-stop") == sorted(mine)
    states = {i["InstanceId"]: i["State"]["Name"]
              for r in ec2.describe_instances(InstanceIds=mine + other)["Reservations"]
              for i in r["Instances"]}
    assert {states[i] for i in mine} == {"stopped"} and states[other[0]] == "running"
    assert cloud_boto3.stop_tagged("project", "demo-stop") == []


def test_leftovers_finds_what_keeps_billing(aws_env):
    ec2 = aws_env.client("ec2")
    stopped = launch(ec2, {"project": "demo-leftovers"})
    ec2.stop_instances(InstanceIds=stopped)
    volume = ec2.create_volume(AvailabilityZone=f"{MotoServer.REGION}a", Size=8)["VolumeId"]
    snapshot = ec2.create_snapshot(VolumeId=volume)["SnapshotId"]
    attached_ip = ec2.allocate_address(Domain="vpc")
    idle_ip = ec2.allocate_address(Domain="vpc")["PublicIp"]
    running = launch(ec2, {"project": "demo-leftovers"})[0]
    ec2.associate_address(AllocationId=attached_ip["AllocationId"], InstanceId=running)
    aws_env.client("s3").create_bucket(
        Bucket="demo-leftovers-models",
        CreateBucketConfiguration={"LocationConstraint": MotoServer.REGION})
    found = cloud_boto3.leftovers()
    assert stopped[0] in found["stopped instances (their disks bill)"]
    assert running not in found["stopped instances (their disks bill)"]
    assert volume in found["unattached volumes"]
    assert idle_ip in found["idle Elastic IPs"]
    assert attached_ip["PublicIp"] not in found["idle Elastic IPs"]
    assert snapshot in found["snapshots"]
    assert "demo-leftovers-models" in found["S3 buckets"]


# --- cloud_user_data.sh -------------------------------------------------------------------------

FAKE_AWS = """#!/bin/sh
# stand-in for `aws s3 cp s3://BUCKET/KEY DEST`: copies from $FAKE_S3/BUCKET/KEY
[ "$1 $2" = "s3 cp" ] || exit 2
src="${3#s3://}"
cp "$FAKE_S3/$src" "$4"
"""
FAKE_SYSTEMCTL = """#!/bin/sh
echo "$@" >> "$SYSTEMCTL_LOG"
"""


def run_user_data(tmp_path, model: bytes, checksum: str) -> tuple[subprocess.CompletedProcess, Path]:
    bin_dir, app_dir, s3 = tmp_path / "bin", tmp_path / "srv", tmp_path / "s3"
    for folder in (bin_dir, app_dir, s3 / "week4-models" / "titanic"):
        folder.mkdir(parents=True)
    (s3 / "week4-models" / "titanic" / "model.tar.gz").write_bytes(model)
    for name, text in (("aws", FAKE_AWS), ("systemctl", FAKE_SYSTEMCTL)):
        (bin_dir / name).write_text(text)
        (bin_dir / name).chmod(0o755)
    # What the launcher does: two exports in front of the script.
    script = (f"export MODEL_URI=s3://week4-models/titanic/model.tar.gz\n"
              f"export MODEL_SHA256={checksum}\n" + USER_DATA.read_text())
    env = {"PATH": f"{bin_dir}{os.pathsep}{os.environ['PATH']}", "APP_DIR": str(app_dir),
           "FAKE_S3": str(s3), "SYSTEMCTL_LOG": str(tmp_path / "systemctl.log")}
    proc = subprocess.run(["bash", "-c", script], env=env, capture_output=True, text=True,
                          timeout=600, check=False)
    return proc, app_dir


def test_user_data_installs_a_verified_model_and_starts_the_service(tmp_path, model_dir,
                                                                    model_archive):
    proc, app_dir = run_user_data(tmp_path, model_archive,
                                  hashlib.sha256(model_archive).hexdigest())
    assert proc.returncode == 0, proc.stderr
    unit_model_dir = Path(unit_environment()["WEEK4_MODEL_DIR"])
    assert unit_model_dir == Path("/srv/week4") / "model"  # where the script unpacks it
    installed = app_dir / unit_model_dir.name
    assert sorted(p.name for p in installed.iterdir()) == sorted(p.name for p in model_dir.iterdir())
    for path in model_dir.iterdir():
        assert (installed / path.name).read_bytes() == path.read_bytes()
    assert sorted(p.name for p in app_dir.iterdir()) == ["model"]  # no .part left behind
    assert (tmp_path / "systemctl.log").read_text().split() == ["enable", "--now", "week4-api"]


def test_user_data_refuses_a_model_with_the_wrong_checksum(tmp_path, model_archive):
    proc, app_dir = run_user_data(tmp_path, model_archive,
                                  hashlib.sha256(b"another model").hexdigest())
    assert proc.returncode != 0
    assert not (app_dir / "model").exists()
    assert not (tmp_path / "systemctl.log").exists()  # the service is never started


def test_user_data_needs_both_settings(tmp_path):
    env = {"PATH": os.environ["PATH"], "APP_DIR": str(tmp_path)}
    proc = subprocess.run(["bash", str(USER_DATA)], env=env, capture_output=True, text=True,
                          timeout=600, check=False)
    assert proc.returncode != 0 and "MODEL_URI" in proc.stderr


# --- cloud_week4-api.service and cloud_nginx.conf -----------------------------------------------

def unit() -> configparser.ConfigParser:
    parser = configparser.ConfigParser(strict=False, interpolation=None)
    parser.optionxform = str
    # systemd joins a line that ends with a backslash to the next one; configparser does not.
    parser.read_string(UNIT.read_text().replace("\\\n", " "))
    return parser


def unit_environment() -> dict[str, str]:
    values = re.findall(r"^Environment=(\w+)=(\S+)$", UNIT.read_text(), re.MULTILINE)
    return dict(values)


def test_unit_runs_gunicorn_as_a_user_with_restarts():
    service = unit()["Service"]
    assert service["User"] != "root" and service["Restart"] == "on-failure"
    assert shlex.split(service["ExecStart"])[0].endswith("/.venv/bin/gunicorn")
    assert unit_environment()["BIND"] == "127.0.0.1:8000"


@pytest.mark.skipif(not shutil.which("systemd-analyze"), reason="systemd-analyze is not installed")
def test_unit_passes_systemd_analyze_verify(tmp_path):
    # The unit names paths of the server; point them at this machine to let systemd check it.
    text = UNIT.read_text().replace("/srv/week4/.venv/bin/gunicorn",
                                    str(Path(sys.executable).parent / "gunicorn"))
    text = text.replace("User=week4", "User=root").replace("Group=week4", "Group=root")
    path = tmp_path / "week4-api.service"
    path.write_text(text)
    proc = subprocess.run(["systemd-analyze", "verify", str(path)], capture_output=True,
                          text=True, timeout=600, check=False)
    assert proc.returncode == 0 and "week4-api.service" not in proc.stderr, proc.stderr


def test_unit_exec_start_serves_the_api(tmp_path, model_dir):
    """Run the unit's ExecStart (with this machine's paths) and ask /health and /model."""
    argv = shlex.split(unit()["Service"]["ExecStart"])
    config, app = argv[argv.index("-c") + 1], argv[-1]
    assert Path(config).name == "gunicorn.conf.py"
    assert app == "week4.serving.app:create_app()"
    (tmp_path / "gunicorn.conf.py").write_text("workers = 1\naccesslog = '-'\n")
    port = free_port()
    env = child_env({**unit_environment(), "WEEK4_MODEL_DIR": str(model_dir)})
    server = Server("gunicorn", gunicorn_argv("gunicorn.conf.py", f"127.0.0.1:{port}", app),
                    cwd=tmp_path, env=env, log_path=tmp_path / "gunicorn.log")
    server.start()
    try:
        reply = wait_until_up(server, port, "/health", 30)
        model = http_get(port, "/model") if reply is not None else None
    finally:
        assert server.stop()
    assert reply is not None, (tmp_path / "gunicorn.log").read_text()
    assert reply[0] == 200 and json.loads(reply[2]) == {"status": "ok"}
    status, _, body = model
    assert status == 200
    saved = json.loads((model_dir / "metadata.json").read_text())
    assert json.loads(body)["sha256"] == saved["sha256"]  # the very model the folder holds


def test_nginx_proxies_to_the_address_the_unit_binds():
    text = NGINX.read_text()
    upstream = re.search(r"upstream (\w+) \{\s*server ([\d.:]+);", text)
    assert upstream and upstream[2] == unit_environment()["BIND"]
    assert f"proxy_pass http://{upstream[1]};" in text
    assert re.search(r"^\s*listen 80;", text, re.MULTILINE)


def test_nginx_waits_a_little_longer_than_gunicorn():
    timeout = int(re.search(r"proxy_read_timeout (\d+)s;", NGINX.read_text())[1])
    assert 30 < timeout <= 60  # gunicorn's worker timeout in the solution is 30 s


# --- cloud_iam_policy.json ----------------------------------------------------------------------

def test_policy_only_reads_the_models():
    policy = json.loads(POLICY.read_text())
    assert policy["Version"] == "2012-10-17"
    for statement in policy["Statement"]:
        actions = statement["Action"] if isinstance(statement["Action"], list) \
            else [statement["Action"]]
        assert statement["Effect"] == "Allow"
        assert actions == ["s3:GetObject"]
        assert statement["Resource"].startswith("arn:aws:s3:::week4-models/")
        assert "*" not in statement["Resource"].removesuffix("/*")

