"""Topic 05: realistic wrong solutions and adversarial submissions.

Used by the tests (each mutant must lose exactly `loses`) and by `make grade-demo`, which
builds a synthetic class from them. MUTANTS: {name: ({solution grade_id: new source}, loses)}.
ADVERSARIES: {name: (notebook code, seconds the grader may take at most)}.
"""

# The graded functions of the topic (the adversaries define all of them).
FUNCTIONS = ["load_data", "missing_report", "survival_rate_by", "fill_missing_age", "one_hot",
             "survival_correlations", "compare_survival", "plot_survival_rate",
             "leakage_columns"]

# Realistic wrong solutions: each replaces one solution cell and must lose exactly these checks.
MUTANTS = {
    "'?' read as a category": ({"load_data": '''
def load_data(path):
    return pd.read_csv(path, dtype={"sex": "category", "embarked": "category"})
'''}, {"load-missing"}),
    "no category dtypes": ({"load_data": '''
def load_data(path):
    return pd.read_csv(path, na_values="?")
'''}, {"load-dtypes"}),
    "percent of all cells instead of per column": ({"missing_report": '''
def missing_report(df):
    counts = df.isna().sum()
    counts = counts[counts > 0].sort_values(ascending=False)
    return pd.DataFrame({"count": counts, "percent": 100 * counts / df.size})
'''}, {"missing-percent"}),
    "missing report typed in from the full data": ({"missing_report": '''
def missing_report(df):
    counts = pd.Series({"body": 1188, "cabin": 1014, "boat": 823, "home.dest": 564,
                        "age": 263, "embarked": 2, "fare": 1})
    return pd.DataFrame({"count": counts, "percent": 100 * counts / 1309})
'''}, {"missing-counts", "missing-percent"}),
    "survival rates hard-coded from the full data": ({"survival_rate_by": '''
KNOWN = {"sex": {"female": 0.727468, "male": 0.190985},
         "pclass": {1: 0.619195, 2: 0.429603, 3: 0.255289},
         "embarked": {"C": 0.555556, "Q": 0.357724, "S": 0.332604}}
def survival_rate_by(df, column):
    return pd.Series(KNOWN[column])
'''}, {"rate-by-group"}),
    "mean instead of median": ({"fill_missing_age": '''
def fill_missing_age(df):
    out = df.copy()
    means = out.groupby(["pclass", "sex"], observed=True)["age"].transform("mean")
    out["age"] = out["age"].fillna(means)
    return out
'''}, {"impute-group-median"}),
    "global median instead of the group's": ({"fill_missing_age": '''
def fill_missing_age(df):
    out = df.copy()
    out["age"] = out["age"].fillna(out["age"].median())
    return out
'''}, {"impute-group-median"}),
    "drops the rows instead of imputing": ({"fill_missing_age": '''
def fill_missing_age(df):
    return df.dropna(subset=["age"])
'''}, {"impute-keeps-rows", "impute-group-median"}),
    "fills the caller's table in place": ({"fill_missing_age": '''
def fill_missing_age(df):
    medians = df.groupby(["pclass", "sex"], observed=True)["age"].transform("median")
    df["age"] = df["age"].fillna(medians)
    return df
'''}, {"impute-copy"}),
    "get_dummies keeping the original columns": ({"one_hot": '''
def one_hot(df, columns):
    return pd.concat([df, pd.get_dummies(df[columns].astype("category"))], axis=1)
'''}, {"onehot-columns"}),
    "correlations sorted by signed value": ({"survival_correlations": '''
def survival_correlations(df):
    numeric = df.select_dtypes("number")
    return numeric.corr()["survived"].drop("survived").dropna().sort_values(ascending=False)
'''}, {"corr-order"}),
    "survived correlated with itself": ({"survival_correlations": '''
def survival_correlations(df):
    r = df.select_dtypes("number").corr()["survived"].dropna()
    return r.reindex(r.abs().sort_values(ascending=False).index)
'''}, {"corr-values"}),
    "p-value from a t-test": ({"compare_survival": '''
def compare_survival(df, column, a, b):
    ga = df.loc[df[column] == a, "survived"]
    gb = df.loc[df[column] == b, "survived"]
    return {"rate_a": ga.mean(), "rate_b": gb.mean(), "difference": ga.mean() - gb.mean(),
            "p_value": stats.ttest_ind(ga, gb).pvalue}
'''}, {"compare-pvalue"}),
    "plot without title or labels": ({"plot_survival_rate": '''
def plot_survival_rate(df, column):
    rates = df.groupby(column, observed=True)["survived"].mean()
    fig, ax = plt.subplots()
    ax.bar([str(v) for v in rates.index], rates.to_numpy())
    return fig
'''}, {"plot-labels"}),
    "plot of counts instead of rates": ({"plot_survival_rate": '''
def plot_survival_rate(df, column):
    counts = df[df["survived"] == 1][column].value_counts().sort_index()
    fig, ax = plt.subplots()
    counts.plot.bar(ax=ax, title=f"Survivors by {column}", xlabel=column, ylabel="survivors")
    return fig
'''}, {"plot-bars"}),
    "returns the Axes, not the Figure": ({"plot_survival_rate": '''
def plot_survival_rate(df, column):
    rates = df.groupby(column, observed=True)["survived"].mean()
    return rates.plot.bar(title="Survival rate", xlabel=column, ylabel="survival rate")
'''}, {"plot-labels", "plot-bars"}),
    "every column with gaps named as a leak": ({"leakage_columns": '''
def leakage_columns(df):
    return [c for c in df.columns if df[c].isna().any()]
'''}, {"leakage"}),
    "the two leaks typed in by name": ({"leakage_columns": '''
def leakage_columns(df):
    return ["boat", "body"]
'''}, {"leakage"}),
}


def every_function(body: str) -> str:
    return "\n".join(f"def {name}(*args, **kwargs):\n    {body}\n" for name in FUNCTIONS)


ADVERSARIES = {
    "infinite loop in every function": (every_function("while True: pass"), 45),
    "sys.exit(0) in every function": ("import sys\n" + every_function("sys.exit(0)"), 20),
    "os._exit(0) in every function": ("import os\n" + every_function("os._exit(0)"), 30),
    "objects that equal everything": ('''
import pandas as pd
class Anything(dict):
    def __eq__(self, other): return True
    def __ne__(self, other): return False
    def __hash__(self): return 0
    def __len__(self): return 0
class AnyFrame(pd.DataFrame):
    def __eq__(self, other): return True
''' + every_function("return Anything()").replace(
        "def missing_report(*args, **kwargs):\n    return Anything()",
        "def missing_report(*args, **kwargs):\n    return AnyFrame()"), 20),
    "a figure-like fake object": ('''
import matplotlib.figure
class FakeBar:
    def get_height(self): return 0.5
    def get_x(self): return 0
    def get_width(self): return 1
class FakeAxes:
    patches = [FakeBar(), FakeBar()]
    def get_title(self): return "Survival rate"
    def get_xlabel(self): return "sex"
    def get_ylabel(self): return "rate"
    def get_xticklabels(self): return []
class Figure:
    axes = [FakeAxes()]
    def get_axes(self): return self.axes
class LyingFigure(matplotlib.figure.Figure):
    axes = property(lambda self: [FakeAxes()])
    def get_axes(self): return [FakeAxes()]
''' + every_function("return Figure()").replace(
        "def plot_survival_rate(*args, **kwargs):\n    return Figure()",
        "def plot_survival_rate(*args, **kwargs):\n    return LyingFigure()"), 20),
}


# Real-world shapes graded in process (tests/test_fair_checks.py): {name: ({grade_id: source},
# the checks it must lose)}. The figures are what seaborn >= 0.13 and matplotlib draw.
FAIR = {
    # seaborn's FutureWarning asks for hue=: the bars then sit beside the tick (dodged), and
    # with a legend seaborn adds zero-size rectangles as its handles.
    "seaborn barplot with hue=column": ({"plot_survival_rate": '''
import seaborn as sns
def plot_survival_rate(df, column):
    fig, ax = plt.subplots()
    sns.barplot(data=df, x=column, y="survived", hue=column, errorbar=None, ax=ax)
    ax.set(title=f"Survival rate by {column}", xlabel=column, ylabel="survival rate")
    return fig
'''}, set()),
    "seaborn barplot of precomputed rates, hue and no legend": ({"plot_survival_rate": '''
import seaborn as sns
def plot_survival_rate(df, column):
    rates = df.groupby(column, observed=True)["survived"].mean()
    fig, ax = plt.subplots()
    sns.barplot(x=rates.index, y=rates.values, hue=rates.index, legend=False, ax=ax)
    ax.set_title("Survival rate")
    ax.set_xlabel(column)
    ax.set_ylabel("rate")
    return fig
'''}, set()),
    # The same shapes drawn with matplotlib: bars offset from the tick centres, and legend
    # handles that are rectangles in the axes nobody sees (no size, hidden, transparent).
    "matplotlib bars beside their ticks, invisible legend handles": ({"plot_survival_rate": '''
from matplotlib.patches import Rectangle
def plot_survival_rate(df, column):
    rates = df.groupby(column, observed=True)["survived"].mean()
    fig, ax = plt.subplots()
    ticks = np.arange(len(rates))
    ax.bar(ticks - 0.1, rates.to_numpy(), width=0.4, align="edge")
    for value in rates.index:
        ax.add_patch(Rectangle((0, 0), 0, 0, label=str(value)))
        hidden = Rectangle((0, 0), 0.5, 0.5)
        hidden.set_visible(False)
        ax.add_patch(hidden)
        ax.add_patch(Rectangle((0, 0), 0.5, 0.5, alpha=0))
    ax.set_xticks(ticks, [str(v) for v in rates.index])
    ax.set(title="Survival rate", xlabel=column, ylabel="rate")
    return fig
'''}, set()),
    # A chart of the wrong thing still loses plot-bars: two bars per group (hue=sex).
    "seaborn barplot split by sex as well": ({"plot_survival_rate": '''
import seaborn as sns
def plot_survival_rate(df, column):
    fig, ax = plt.subplots()
    other = "pclass" if column == "sex" else "sex"
    sns.barplot(data=df, x=column, y="survived", hue=other, errorbar=None, ax=ax)
    ax.set(title=f"Survival rate by {column}", xlabel=column, ylabel="survival rate")
    return fig
'''}, {"plot-bars"}),
    # The identity: leaves the input alone because it does nothing at all.
    "fill_missing_age returns df": ({"fill_missing_age": '''
def fill_missing_age(df):
    return df
'''}, {"impute-keeps-rows", "impute-copy", "impute-group-median"}),
    "fill_missing_age returns an untouched copy": ({"fill_missing_age": '''
def fill_missing_age(df):
    return df.copy()
'''}, {"impute-keeps-rows", "impute-copy", "impute-group-median"}),
    "every function raises ValueError": ({name: f"def {name}(*args, **kwargs):\n"
                                                "    raise ValueError('no')\n"
                                          for name in FUNCTIONS}, None),  # None: every check
}
