"""What one API server on EC2 costs in a month: running, stopped, or terminated.

Stopping ends the instance-hour charge only. Its disk (EBS volume), its Elastic IP (an
automatically assigned public IPv4 address is released on stop), its snapshots and the model
in S3 keep billing. Terminating deletes the root volume (the
default DeleteOnTermination), but an Elastic IP, snapshots and S3 objects still bill until
you release or delete them yourself.

    python week4/demos/cloud_costs.py
"""

from __future__ import annotations

# --8<-- [start:prices]
# Illustrative on-demand prices in USD (Seoul region, ap-northeast-2); prices change, so
# check https://aws.amazon.com/pricing/ before you rely on them.
PRICES = {
    "instance_hour": 0.052,       # t3.medium, Linux
    "ebs_gb_month": 0.0912,       # gp3 volume
    "public_ipv4_hour": 0.005,    # an Elastic IP, attached or not
    "snapshot_gb_month": 0.05,    # EBS snapshots
    "s3_gb_month": 0.025,         # S3 Standard
}
HOURS_PER_MONTH = 730
# --8<-- [end:prices]


# --8<-- [start:bill]
def monthly_bill(state: str, *, disk_gb: int = 30, elastic_ip: bool = True,
                 snapshot_gb: int = 0, s3_gb: float = 0, prices: dict = PRICES) -> dict:
    """The month's charges, line by line, for one server left in `state`.

    state: "running", "stopped" or "terminated" (for the whole month).
    """
    if state not in ("running", "stopped", "terminated"):
        raise ValueError(f"unknown state {state!r}")
    hours = HOURS_PER_MONTH
    bill = {}
    if state == "running":
        bill["instance"] = hours * prices["instance_hour"]
    if state != "terminated":  # the root volume goes away with the instance, not before
        bill["disk"] = disk_gb * prices["ebs_gb_month"]
    if elastic_ip:  # an Elastic IP belongs to the account until you release it
        bill["public_ip"] = hours * prices["public_ipv4_hour"]
    if snapshot_gb:
        bill["snapshots"] = snapshot_gb * prices["snapshot_gb_month"]
    if s3_gb:
        bill["s3"] = s3_gb * prices["s3_gb_month"]
    return {item: round(cost, 2) for item, cost in bill.items()}
# --8<-- [end:bill]


if __name__ == "__main__":
    for state in ("running", "stopped", "terminated"):
        bill = monthly_bill(state, snapshot_gb=30, s3_gb=2)
        print(f"{state:>10}: {sum(bill.values()):6.2f} USD  {bill}")
