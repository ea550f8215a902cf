"""The course's allow-list: types a model file may hold beyond those skops trusts by default.

skops refuses to build any type it does not know unless the caller names it as trusted.
These are the extra types that ordinary scikit-learn classifiers need (found with
`skops.io.get_untrusted_types`); each is a plain data holder inside scikit-learn or NumPy.
A file that needs anything else (a function such as `posix.system`, a class from another
package) is refused: trusting whatever a file asks for would make the check pointless.
"""

TRUSTED_TYPES = [
    "numpy.dtype",
    "sklearn.tree._tree.Tree",                                            # decision trees, forests, boosting
    "sklearn.ensemble._hist_gradient_boosting.predictor.TreePredictor",   # HistGradientBoosting
    "sklearn.utils._bunch.Bunch",                                         # voting and stacking
    "sklearn.neighbors._kd_tree.KDTree",                                  # k-nearest neighbours
    "sklearn.neighbors._ball_tree.BallTree",
    "sklearn.metrics._dist_metrics.EuclideanDistance64",
    "sklearn.neural_network._stochastic_optimizers.AdamOptimizer",        # MLPClassifier
    "sklearn.neural_network._stochastic_optimizers.SGDOptimizer",
    "sklearn.calibration._CalibratedClassifier",                          # CalibratedClassifierCV
    "sklearn.calibration._SigmoidCalibration",
]
