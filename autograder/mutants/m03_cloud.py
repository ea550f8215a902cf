"""Topic 03: realistic wrong solutions (MUTANTS: {name: ({grade_id: source}, loses)}).

Used by tests/test_03_cloud.py and by the demo class (`make grade-demo`).
"""

# Realistic wrong solutions: each replaces solution cells and must lose exactly these checks.
GUNICORN_HEAD = '%%writefile gunicorn.conf.py\nimport multiprocessing\nimport os\n'
GUNICORN_REST = '''
timeout = 30
accesslog = "-"
errorlog = "-"
loglevel = "info"
'''
S3_DOWNLOAD_OK = '''
def download_model(bucket, key, dest):
    s3 = boto3.client("s3")
    obj = s3.get_object(Bucket=bucket, Key=key)
    data = obj["Body"].read()
    if hashlib.sha256(data).hexdigest() != obj["Metadata"].get("sha256"):
        raise ValueError("checksum mismatch")
    with open(dest, "wb") as fh:
        fh.write(data)
    return obj["Metadata"]["sha256"]
'''
S3_UPLOAD_OK = '''
def upload_model(path, bucket, key):
    digest = sha256_file(path)
    boto3.client("s3").upload_file(path, bucket, key, ExtraArgs={"Metadata": {"sha256": digest}})
    return digest
'''
EC2_LIST_OK = '''
def running_instances(tag_key, tag_value):
    ec2 = boto3.client("ec2")
    reply = ec2.describe_instances(Filters=[{"Name": f"tag:{tag_key}", "Values": [tag_value]},
                                            {"Name": "instance-state-name", "Values": ["running"]}])
    return sorted(i["InstanceId"] for r in reply["Reservations"] for i in r["Instances"])
'''
EC2_LAUNCH = '''
import base64
def launch_instance(image_id, instance_type, user_data, tags):
    reply = boto3.client("ec2").run_instances(
        ImageId=image_id, InstanceType=instance_type, MinCount=1, MaxCount=1,
        UserData={user_data},
        TagSpecifications=[{{"ResourceType": "instance",
                            "Tags": [{{"Key": k, "Value": v}} for k, v in tags.items()]}}])
    return reply["Instances"][0]["InstanceId"]
'''

MUTANTS = {
    "round() instead of a ceiling for instances": ({"instances_needed": '''
def instances_needed(load, capacity, min_instances, max_instances):
    return [min(max_instances, max(min_instances, round(rps / capacity))) for rps in load]
'''}, {"scaling-ceil"}),
    "the minimum instance count ignored": ({"instances_needed": '''
def instances_needed(load, capacity, min_instances, max_instances):
    return [min(max_instances, math.ceil(rps / capacity)) for rps in load]
'''}, {"scaling-minimum"}),
    "fixed provisioning priced at the average, not the peak": ({"scaling_costs": '''
def scaling_costs(instances, hourly_price):
    average = sum(instances) / len(instances)
    fixed = average * len(instances) * hourly_price
    autoscaling = sum(instances) * hourly_price
    return {"fixed": fixed, "autoscaling": autoscaling, "saving": fixed - autoscaling,
            "saving_percent": 100 * (fixed - autoscaling) / fixed}
'''}, {"cost-fixed"}),
    "a plot without title, labels or legend": ({"plot_scaling": '''
def plot_scaling(load, instances, capacity):
    fig = Figure()
    ax = fig.subplots()
    ax.plot(load)
    ax.step(range(len(instances)), [n * capacity for n in instances], where="post")
    return fig
'''}, {"plot-labels"}),
    "service model by counting the customer's layers": ({"service_model": '''
def service_model(responsibilities):
    mine = sum(1 for who in responsibilities.values() if who == "customer")
    return {9: "on-premises", 5: "IaaS", 2: "PaaS", 0: "SaaS"}[mine]
'''}, {"service-model-invalid"}),
    "deployment model decided by the location": ({"deployment_model": '''
def deployment_model(environments):
    kinds = {"private" if env["location"] == "own datacenter" else "public"
             for env in environments}
    return "hybrid" if len(kinds) == 2 else kinds.pop()
'''}, {"deployment-dedicated"}),
    "credentials pasted into the code": ({"s3_functions": '''
ACCESS_KEY = "AKIAIOSFODNN7EXAMPLE"  # from the console, "just to make it work"
SECRET_KEY = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"

def s3_client():
    return boto3.client("s3", aws_access_key_id=ACCESS_KEY, aws_secret_access_key=SECRET_KEY)
''' + S3_UPLOAD_OK.replace('boto3.client("s3")', "s3_client()")
        + S3_DOWNLOAD_OK.replace('boto3.client("s3")', "s3_client()")}, {"aws-config-from-env"}),
    "credentials kept in a dict the text scan cannot see": ({"s3_functions": '''
my_keys = {"id": "AKIA" + "IOSFODNN7EXAMPLE", "secret": "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"}

def s3_client():
    return boto3.client("s3", aws_access_key_id=my_keys["id"],
                        aws_secret_access_key=my_keys["secret"])
''' + S3_UPLOAD_OK.replace('boto3.client("s3")', "s3_client()")
        + S3_DOWNLOAD_OK.replace('boto3.client("s3")', "s3_client()")}, {"aws-config-from-env"}),
    "md5 instead of sha256": ({"sha256_file": '''
def sha256_file(path, chunk_size=1 << 20):
    with open(path, "rb") as fh:
        return hashlib.md5(fh.read()).hexdigest()
'''}, {"sha256-file", "s3-metadata"}),
    "download without verifying the checksum": ({"s3_functions": S3_UPLOAD_OK + '''
def download_model(bucket, key, dest):
    boto3.client("s3").download_file(bucket, key, dest)
    return sha256_file(dest)
'''}, {"s3-verify"}),
    "verified, but the corrupted file is left in place": ({"s3_functions": S3_UPLOAD_OK + '''
def download_model(bucket, key, dest):
    s3 = boto3.client("s3")
    s3.download_file(bucket, key, dest)
    expected = s3.head_object(Bucket=bucket, Key=key)["Metadata"]["sha256"]
    if sha256_file(dest) != expected:
        raise ValueError("checksum mismatch")
    return expected
'''}, {"s3-verify"}),
    "user data base64-encoded by hand (so twice)": ({"ec2_functions": EC2_LAUNCH.format(
        user_data="base64.b64encode(user_data.encode()).decode()") + EC2_LIST_OK},
        {"ec2-user-data"}),
    "stopped instances listed as running": ({"ec2_functions": EC2_LAUNCH.format(
        user_data="user_data") + '''
def running_instances(tag_key, tag_value):
    reply = boto3.client("ec2").describe_instances(
        Filters=[{"Name": f"tag:{tag_key}", "Values": [tag_value]}])
    return sorted(i["InstanceId"] for r in reply["Reservations"] for i in r["Instances"])
'''}, {"ec2-running-by-tag"}),
    "debug settings left in the deployment config": ({"gunicorn_conf": GUNICORN_HEAD + '''
bind = os.environ.get("BIND", "0.0.0.0:8000")
workers = 2 * multiprocessing.cpu_count() + 1
reload = True
timeout = 30
accesslog = "-"
loglevel = "debug"
'''}, {"gunicorn-production"}),
    "a 127.0.0.1-only bind": ({"gunicorn_conf": GUNICORN_HEAD + '''
bind = os.environ.get("BIND", "127.0.0.1:8000")
workers = 2 * multiprocessing.cpu_count() + 1
''' + GUNICORN_REST}, {"gunicorn-bind-default"}),
}


# Real-world shapes graded in process on the pure functions (tests/test_fair_checks.py):
# {name: ({grade_id: source}, the pure checks it must lose)}.
FAIR = {
    "service_model raises ValueError for every split": ({"service_model": '''
def service_model(responsibilities):
    raise ValueError("not a service model")
'''}, {"service-model", "service-model-invalid"}),
    "every pure function raises ValueError": ({
        "service_model": "def service_model(responsibilities):\n    raise ValueError('no')\n",
        "deployment_model": "def deployment_model(environments):\n    raise ValueError('no')\n",
        "instances_needed": "def instances_needed(load, capacity, min_instances, "
                            "max_instances):\n    raise ValueError('no')\n",
        "scaling_costs": "def scaling_costs(instances, hourly_price):\n"
                         "    raise ValueError('no')\n"},
        {"service-model", "service-model-invalid", "deployment-model", "deployment-hybrid",
         "deployment-dedicated", "scaling-ceil", "scaling-minimum", "scaling-maximum",
         "cost-fixed", "cost-autoscaling", "cost-saving"}),
}


# Charts of plot_scaling drawn the ways real submissions draw them, graded in process
# (tests/test_fair_checks.py): {name: ({"plot_scaling": source}, the plot checks it loses)}.
# What a person sees is what counts: an artist nobody sees is no artist, whatever its data.
PLOT_HEAD = '''
def plot_scaling(load, instances, capacity):
    hours = list(range(len(load)))
    provided = [n * capacity for n in instances]
    fig = Figure(figsize=(8, 4))
    ax = fig.subplots()
'''
PLOT_LABELS = '''
    ax.set_title("Auto-scaling")
    ax.set_xlabel("hour")
    ax.set_ylabel("requests per second")
'''
SEABORN_FRAME = '''
    import pandas as pd
    import seaborn as sns
    frame = pd.DataFrame({"hour": hours * 2, "rps": list(load) + provided,
                          "series": ["load"] * len(hours) + ["capacity"] * len(hours)})
'''


def plot_cell(body: str, labels: bool = True) -> dict[str, str]:
    return {"plot_scaling": PLOT_HEAD + body + (PLOT_LABELS if labels else "") + "    return fig\n"}


FAIR_PLOTS = {
    "seaborn lineplot with hue=series": (plot_cell(SEABORN_FRAME + '''
    sns.lineplot(data=frame, x="hour", y="rps", hue="series", drawstyle="steps-post", ax=ax)
'''), set()),
    "seaborn lineplot with hue and style (legend sub-titles)": (plot_cell(SEABORN_FRAME + '''
    sns.lineplot(data=frame.assign(kind="hourly"), x="hour", y="rps", hue="series",
                 style="kind", ax=ax)
'''), set()),
    "seaborn barplot with hue=series (dodged bars)": (plot_cell(SEABORN_FRAME + '''
    sns.barplot(data=frame, x="hour", y="rps", hue="series", ax=ax)
'''), set()),
    "capacity as ax.stairs, load as a scatter": (plot_cell('''
    ax.scatter(hours, load, label="load")
    ax.stairs(provided, hours + [len(hours)], label="capacity")
    ax.legend()
'''), set()),
    "returns the Axes instead of the Figure": ({"plot_scaling": PLOT_HEAD + '''
    ax.plot(hours, load, label="load")
    ax.step(hours, provided, where="post", label="capacity")
    ax.legend()
''' + PLOT_LABELS + "    return ax\n"}, {"plot-lines", "plot-labels"}),
    "capacity as ax.step with the closing point of the last hour": (plot_cell('''
    ax.plot(hours, load, label="load")
    ax.step(hours + [len(hours)], provided + provided[-1:], where="post", label="capacity")
    ax.legend()
'''), set()),
    "capacity with an extra point that is not the last hour's": (plot_cell('''
    ax.plot(hours, load, label="load")
    ax.step(hours + [len(hours)], provided + [0], where="post", label="capacity")
    ax.legend()
'''), {"plot-lines"}),
    "capacity as a line with drawstyle='steps-post'": (plot_cell('''
    ax.plot(hours, load, label="load")
    ax.plot(hours, provided, drawstyle="steps-post", label="capacity")
    ax.legend()
'''), set()),
    "capacity as bars behind the load": (plot_cell('''
    ax.bar(hours, provided, width=1.0, alpha=0.3, label="capacity")
    ax.plot(hours, load, color="black", label="load")
    ax.legend()
'''), set()),
    "capacity as a filled area (fill_between, step='post')": (plot_cell('''
    ax.fill_between(hours, provided, step="post", alpha=0.3, label="capacity")
    ax.plot(hours, load, label="load")
    ax.legend()
'''), set()),
    "pandas DataFrame.plot, a figure legend and a title on the left": ({"plot_scaling": '''
def plot_scaling(load, instances, capacity):
    import pandas as pd
    fig = Figure()
    ax = fig.subplots()
    frame = pd.DataFrame({"load": load, "capacity": [n * capacity for n in instances]})
    frame.plot(ax=ax, drawstyle="steps-post", legend=False)
    fig.legend()
    ax.set_title("Auto-scaling", loc="left")
    ax.set_xlabel("hour")
    ax.set_ylabel("requests per second")
    return fig
'''}, set()),
    "a legend with a heading whose handle is invisible": (plot_cell('''
    from matplotlib.lines import Line2D
    shown_load, = ax.plot(hours, load, label="load")
    shown_capacity, = ax.step(hours, provided, where="post", label="capacity")
    heading = Line2D([], [], linewidth=0, label="Seoul, one day")
    ax.legend(handles=[heading, shown_load, shown_capacity])
'''), set()),
    # wrong charts
    "the right capacity on a hidden line, instances shown instead": (plot_cell('''
    ax.plot(hours, load, label="load")
    ax.step(hours, instances, where="post", label="capacity")
    ax.plot(hours, provided, visible=False)
    ax.legend()
'''), {"plot-lines"}),
    "capacity drawn with alpha=0": (plot_cell('''
    ax.plot(hours, load, label="load")
    ax.step(hours, provided, where="post", alpha=0, label="capacity")
    ax.legend()
'''), {"plot-lines", "plot-labels"}),
    "capacity bars of the instance counts": (plot_cell('''
    ax.bar(hours, instances, label="capacity")
    ax.plot(hours, load, label="load")
    ax.legend()
'''), {"plot-lines"}),
    "a legend made and hidden": (plot_cell('''
    ax.plot(hours, load, label="load")
    ax.step(hours, provided, where="post", label="capacity")
    ax.legend().set_visible(False)
'''), {"plot-labels"}),
    "a legend of seaborn's sub-titles and one series": (plot_cell('''
    from matplotlib.lines import Line2D
    ax.plot(hours, load)
    ax.step(hours, provided, where="post")
    ax.legend(handles=[Line2D([], [], linewidth=0, label="series"),
                       Line2D([], [], color="C0", label="load")])
'''), {"plot-labels"}),
}
