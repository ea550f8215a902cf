#!/usr/bin/env bash
# Train the lecture's model, then serve it with gunicorn on 127.0.0.1 (Ctrl+C stops it).
# Run from the repository with .venv active. Settings: MODEL_DIR, PORT, BACKEND (sklearn|onnx).
set -euo pipefail
MODEL_DIR="${MODEL_DIR:-artifacts/serving}"
PORT="${PORT:-8000}"
# --8<-- [start:run]
python -m week4.serving.train "$MODEL_DIR"
WEEK4_MODEL_DIR="$MODEL_DIR" WEEK4_BACKEND="${BACKEND:-onnx}" exec gunicorn \
    --bind "127.0.0.1:$PORT" --workers 2 --worker-class gthread --threads 4 \
    'week4.serving.app:create_app()'
# --8<-- [end:run]
