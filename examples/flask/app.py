# The seed course's sample app: answers GET / with where it runs and how it is configured, and logs each request
# to stdout (so `kubectl logs` shows them). DATABASE_PASSWORD is reported only as set or not, never its value.
import logging
import os
import socket
import sys

from flask import Flask, jsonify, request

logging.basicConfig(stream=sys.stdout, level=os.environ.get("LOG_LEVEL", "info").upper(),
                    format="%(asctime)s %(levelname)s %(message)s")
log = logging.getLogger("flask-app")
# Werkzeug's own access log goes to stderr; this app logs each request itself, to stdout.
logging.getLogger("werkzeug").setLevel(logging.WARNING)

app = Flask(__name__)


@app.after_request
def log_request(response):
    log.info("%s %s %s %s", request.remote_addr, request.method, request.full_path.rstrip("?"), response.status_code)
    sys.stdout.flush()
    return response


@app.route("/")
def index():
    return jsonify(
        hostname=socket.gethostname(),
        app_env=os.environ.get("APP_ENV"),
        log_level=os.environ.get("LOG_LEVEL"),
        database_host=os.environ.get("DATABASE_HOST"),
        database_user=os.environ.get("DATABASE_USER"),
        database_password_set=bool(os.environ.get("DATABASE_PASSWORD")),
    )


@app.route("/healthz")
def healthz():
    return "ok\n"


if __name__ == "__main__":
    log.info("starting on 0.0.0.0:5000 (APP_ENV=%s)", os.environ.get("APP_ENV"))
    app.run(host="0.0.0.0", port=5000)
