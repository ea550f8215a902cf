"""boto3 without a key in the code: find what keeps billing after a practice session.

boto3 reads the credentials, the region and (for a local imitation such as moto) the
endpoint from the environment, or from an IAM role when the code runs on EC2:

    export AWS_DEFAULT_REGION=ap-northeast-2
    python week4/demos/cloud_boto3.py            # uses your AWS profile or role
"""

from __future__ import annotations

import boto3


# --8<-- [start:client]
def client(service: str):
    """A client set up by the environment: no keys, region or endpoint."""
    return boto3.client(service)
# --8<-- [end:client]


# --8<-- [start:stop]
def instances(ec2, *filters: dict) -> list[str]:
    """The ids of the instances that match every filter (all pages)."""
    pages = ec2.get_paginator("describe_instances").paginate(
        Filters=list(filters))
    return [i["InstanceId"] for page in pages
            for r in page["Reservations"] for i in r["Instances"]]


def stop_tagged(key: str, value: str) -> list[str]:
    """Stop the running instances tagged key=value (disks are kept)."""
    ec2 = client("ec2")
    ids = instances(ec2, {"Name": f"tag:{key}", "Values": [value]},
                    {"Name": "instance-state-name", "Values": ["running"]})
    if ids:
        ec2.stop_instances(InstanceIds=ids)
    return sorted(ids)
# --8<-- [end:stop]


# --8<-- [start:leftovers]
def leftovers() -> dict[str, list[str]]:
    """Resources that bill although no instance is running."""
    ec2 = client("ec2")
    stopped = instances(
        ec2, {"Name": "instance-state-name", "Values": ["stopped"]})
    # "available": attached to nothing, e.g. left by a terminated instance
    volumes = [v["VolumeId"] for v in ec2.describe_volumes(
        Filters=[{"Name": "status", "Values": ["available"]}])["Volumes"]]
    idle_ips = [a["PublicIp"] for a in ec2.describe_addresses()["Addresses"]
                if "AssociationId" not in a]
    snapshots = [s["SnapshotId"] for s in ec2.describe_snapshots(
        OwnerIds=["self"])["Snapshots"]]
    buckets = [b["Name"] for b in client("s3").list_buckets()["Buckets"]]
    return {"stopped instances (their disks bill)": stopped,
            "unattached volumes": volumes, "idle Elastic IPs": idle_ips,
            "snapshots": snapshots, "S3 buckets": buckets}
# --8<-- [end:leftovers]


if __name__ == "__main__":
    for kind, items in leftovers().items():
        print(f"{kind}: {', '.join(items) or '-'}")
