"""The lecture's model service: train a Titanic pipeline, save it safely, serve it over HTTP.

    python -m week4.serving.train artifacts/serving      # train, save model.skops + model.onnx
    WEEK4_MODEL_DIR=artifacts/serving gunicorn --bind 127.0.0.1:8000 --workers 2 \\
        'week4.serving.app:create_app()'

Modules: `schema` (what a request may contain), `train` (the pipeline), `artifacts` (files on
disk: skops, metadata, hash, ONNX), `backends` (scikit-learn or ONNX Runtime behind one
interface) and `app` (the Flask application factory).
"""
