# The seed course's sample app: answers GET / with where it runs and how it is configured, and logs each request
# to stdout (so `kubectl logs` shows them). DATABASE_PASSWORD is reported only as set or not, never its value.
#
# Two things make a rolling update lose no request (the Deployment has no readiness probe, so a pod counts as ready
# as soon as its container started, and Services then send it traffic):
#  - the port is bound first, before the slow imports: a connection made while the app is still starting waits in
#    the listen backlog instead of being refused;
#  - on SIGTERM the app keeps serving for DRAIN_SECONDS before it exits (the role of a preStop sleep): the pod is
#    already out of the Service's endpoints (terminating), but connections routed just before may still arrive.
import os
import socket

listener = socket.create_server(("0.0.0.0", int(os.environ.get("PORT", "5000"))), backlog=128)

import logging  # noqa: E402
import signal  # noqa: E402
import sys  # noqa: E402
import threading  # noqa: E402

from flask import Flask, jsonify, request  # noqa: E402

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
    from werkzeug.serving import make_server

    server = make_server("0.0.0.0", listener.getsockname()[1], app, threaded=True, fd=listener.fileno())
    drain_seconds = float(os.environ.get("DRAIN_SECONDS", "3"))

    def drain(signum, frame):
        log.info("SIGTERM: serving %.0fs more, then exiting", drain_seconds)
        sys.stdout.flush()
        threading.Timer(drain_seconds, server.shutdown).start()

    signal.signal(signal.SIGTERM, drain)
    log.info("starting on 0.0.0.0:%d (APP_ENV=%s)", listener.getsockname()[1], os.environ.get("APP_ENV"))
    sys.stdout.flush()
    server.serve_forever()
