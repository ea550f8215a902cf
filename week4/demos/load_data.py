"""Load the Titanic passenger table (titanic3) and take a first look."""

from week4.data import load_titanic

titanic = load_titanic()
print("shape:", titanic.shape)  # (rows, columns)
print(titanic.dtypes.to_string())

missing = titanic.isna().sum()
print("missing values:")
print(missing[missing > 0].to_string())

# `boat` and `body` were written down after the sinking. See how much they give away:
print("survival rate by 'has a lifeboat':")
print(titanic.groupby(titanic["boat"].notna())["survived"].mean().round(3).to_string())
