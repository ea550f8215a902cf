"""What one API server on EC2 costs in a month: running, stopped, or terminated.

Since February 2024 AWS bills every public IPv4 address, not only idle Elastic IPs: the
address assigned automatically at launch costs money while the instance runs (it is released
when the instance stops), and an Elastic IP costs money for as long as it is allocated,
attached or not. Stopping ends the instance-hour charge and the automatic address only; the
disk (EBS volume), an Elastic IP, snapshots and the model in S3 keep billing. Terminating
deletes the root volume (the default DeleteOnTermination), but an Elastic IP, snapshots and
S3 objects still bill until you release or delete them yourself.

    python week4/demos/cloud_costs.py
"""

from __future__ import annotations

# --8<-- [start:prices]
# Illustrative on-demand prices in USD (Seoul, ap-northeast-2).
# Prices change: check https://aws.amazon.com/pricing/ first.
PRICES = {
    "instance_hour": 0.052,     # t3.medium, Linux
    "ebs_gb_month": 0.0912,     # gp3 volume
    "public_ipv4_hour": 0.005,  # ANY public IPv4 address (2024)
    "snapshot_gb_month": 0.05,  # EBS snapshots
    "s3_gb_month": 0.025,       # S3 Standard
}
HOURS_PER_MONTH = 730
# --8<-- [end:prices]


# --8<-- [start:bill]
def monthly_bill(state, *, disk_gb=30, public_ip="automatic",
                 snapshot_gb=0, s3_gb=0, prices=PRICES):
    """The month's charges, line by line, for one server.

    state: "running", "stopped" or "terminated" (all month).
    public_ip: "automatic" (assigned at launch, released on
    stop), "elastic" (an Elastic IP, yours until released)
    or None (no public address: reached through a load
    balancer, or not at all).
    """
    if state not in ("running", "stopped", "terminated"):
        raise ValueError(f"unknown state {state!r}")
    if public_ip not in ("automatic", "elastic", None):
        raise ValueError(f"unknown public_ip {public_ip!r}")
    hours = HOURS_PER_MONTH
    bill = {}
    if state == "running":
        bill["instance"] = hours * prices["instance_hour"]
    if state != "terminated":  # the root volume goes with the instance
        bill["disk"] = disk_gb * prices["ebs_gb_month"]
    if public_ip == "elastic" or (public_ip and state == "running"):
        bill["public_ip"] = hours * prices["public_ipv4_hour"]
    if snapshot_gb:
        bill["snapshots"] = snapshot_gb * prices["snapshot_gb_month"]
    if s3_gb:
        bill["s3"] = s3_gb * prices["s3_gb_month"]
    return {item: round(cost, 2) for item, cost in bill.items()}
# --8<-- [end:bill]


if __name__ == "__main__":
    for address in ("automatic", "elastic"):
        for state in ("running", "stopped", "terminated"):
            bill = monthly_bill(state, public_ip=address, snapshot_gb=30,
                                s3_gb=2)
            total = sum(bill.values())
            print(f"{state:>10}: {total:6.2f} USD  ({address} IPv4)  {bill}")
