"""IDaaS in five minutes, in Python: two applications, one encrypted payment, both webhooks.

    python3 -m pip install -r requirements.txt
    python3 idaas_example.py [--api http://127.0.0.1:8080/api]

What it does, printing each step:
  1. registers two applications (encryption on, the default) with webhook URLs served below;
  2. gets a token for each, provisions wallets, creates a subject and a tag for each;
  3. sends a payment from the first to the second, encrypted (JWE, ECDH-ES+A256KW / A256GCM)
     to IDaaS's public key, with an Idempotency-Key;
  4. receives TRANSACTION_INITIATED as the second app: checks X-IDaaS-Signature (HMAC-SHA256,
     constant-time, 5-minute window) and decrypts the JWE body with its private key;
  5. accepts as the second app, receives TRANSACTION_COMPLETED as the first, prints both wallets.
Exits 0 only if every step held. See README.md.
"""

import argparse
import hashlib
import hmac
import json
import queue
import sys
import threading
import time
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import requests
from joserfc import jwe
from joserfc.jwk import ECKey

ALG = {"alg": "ECDH-ES+A256KW", "enc": "A256GCM", "cty": "application/json"}
FIVE_MINUTES = 300


def verify_signature(secret: str, timestamp: str, signature: str, raw_body: bytes) -> bool:
    """Section 15: v0=hex(HMAC-SHA256(secret, "v0:" + timestamp + ":" + raw body))."""
    try:
        if abs(time.time() - int(timestamp)) > FIVE_MINUTES:
            return False  # too old (or from the future): a replay
    except ValueError:
        return False
    message = b"v0:" + timestamp.encode() + b":" + raw_body
    expected = "v0=" + hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()
    return hmac.compare_digest(expected, signature)  # constant time


class App:
    """One integrating application: its credentials, key, token and webhook inbox."""

    def __init__(self, api: str, name: str, idaas_key: ECKey, hook_url: str):
        self.api, self.idaas_key = api, idaas_key
        self.handle = f"{name}{uuid.uuid4().hex[:6]}"
        self.inbox: "queue.Queue[dict]" = queue.Queue()
        reg = self.call("POST", "/v1/applications", plain={
            "name": f"Example {name}", "appHandle": self.handle,
            "transactionWebhookUrl": hook_url,
        }, expect=201)
        d = reg["data"]
        # Shown once: a real application stores these in its secret manager.
        self.client_id, self.client_secret = d["clientId"], d["clientSecret"]
        self.webhook_secret = d["webhookSecret"]
        self.private_key = ECKey.import_key(d["appPrivateJwk"])
        tok = self.call("POST", "/v1/auth/token", plain={
            "client_id": self.client_id, "client_secret": self.client_secret})
        self.token = tok["data"]["token"]

    def call(self, method, path, body=None, plain=None, expect=200, headers=None):
        """A JSON call; `body` goes encrypted to IDaaS's key, `plain` as is (public routes)."""
        h = dict(headers or {})
        if getattr(self, "token", None):
            h["Authorization"] = f"Bearer {self.token}"
        data = None
        if body is not None:
            data = jwe.encrypt_compact(ALG, json.dumps(body).encode(), self.idaas_key)
            h.update({"Content-Type": "application/json", "Content-Encryption": "JWE"})
        elif plain is not None:
            data = json.dumps(plain)
            h["Content-Type"] = "application/json"
        r = requests.request(method, self.api + path, data=data, headers=h, timeout=30)
        if r.status_code != expect:
            sys.exit(f"{method} {path}: {r.status_code} {r.text}")
        return r.json()

    def receive(self, raw: bytes, headers) -> int:
        """The webhook endpoint: verify, then decrypt, then hand the event over."""
        if not verify_signature(self.webhook_secret, headers.get("X-IDaaS-Timestamp", ""),
                                headers.get("X-IDaaS-Signature", ""), raw):
            print(f"  [{self.handle}] webhook REFUSED: bad or stale signature")
            return 401
        if headers.get("Content-Encryption") == "JWE":
            plain = jwe.decrypt_compact(raw.decode(), self.private_key).plaintext
        else:
            plain = raw
        self.inbox.put(json.loads(plain))
        return 200

    def wait_for(self, event: str, seconds: float = 30) -> dict:
        deadline = time.time() + seconds
        while time.time() < deadline:
            try:
                got = self.inbox.get(timeout=max(0.1, deadline - time.time()))
            except queue.Empty:
                break
            if got.get("event") == event:
                return got
        sys.exit(f"[{self.handle}] no {event} webhook within {seconds:.0f} s")


def serve_webhooks(apps: dict) -> ThreadingHTTPServer:
    class Hook(BaseHTTPRequestHandler):
        def do_POST(self):
            raw = self.rfile.read(int(self.headers.get("Content-Length", 0)))
            app = apps.get(self.path.strip("/"))
            self.send_response(app.receive(raw, self.headers) if app else 404)
            self.end_headers()

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Hook)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--api", default="http://127.0.0.1:8080/api")
    api = parser.parse_args().api.rstrip("/")

    key = requests.get(api + "/v1/keys/idaas", timeout=10).json()["data"]
    idaas_key = ECKey.import_key(key["jwk"])
    print(f"1. IDaaS public key: {key['algorithm']} / {key['encAlgorithm']} on {key['curve']}")

    apps: dict = {}
    server = serve_webhooks(apps)
    base = f"http://127.0.0.1:{server.server_address[1]}"
    sender = App(api, "pyshop", idaas_key, f"{base}/sender")
    receiver = App(api, "pywallet", idaas_key, f"{base}/receiver")
    apps.update({"sender": sender, "receiver": receiver})
    print(f"2. registered {sender.handle} and {receiver.handle}; tokens issued")

    tags = {}
    for who, app in (("alice", sender), ("bob", receiver)):
        app.call("POST", "/v1/wallet")
        subject = app.call("POST", "/v1/subjects", body={"externalId": f"user-{who}"},
                           expect=201)["data"]["id"]
        tag = app.call("POST", "/v1/tags", body={"tag": who, "subjectId": subject},
                       expect=201)["data"]["qualifiedAddress"]
        tags[who] = tag
        print(f"3. {app.handle}: wallet, subject {subject}, tag {tag} (requests sent as JWE)")

    idempotency_key = str(uuid.uuid4())
    payment = {"senderTag": tags["alice"], "receiverTag": tags["bob"], "amount": "25.50",
               "currency": "NGN", "narration": "Example order #1"}
    sent = sender.call("POST", "/v1/transactions", body=payment, expect=201,
                       headers={"Idempotency-Key": idempotency_key})["data"]
    again = sender.call("POST", "/v1/transactions", body=payment, expect=201,
                        headers={"Idempotency-Key": idempotency_key})["data"]
    assert again["reference"] == sent["reference"], "a retry with the same key paid twice"
    print(f"4. payment {sent['reference']} {sent['status']}; a retry with the same "
          f"Idempotency-Key answered the same payment")

    initiated = receiver.wait_for("TRANSACTION_INITIATED")
    assert initiated["transaction"]["reference"] == sent["reference"]
    print(f"5. {receiver.handle} got TRANSACTION_INITIATED: signature verified, JWE decrypted, "
          f"{initiated['transaction']['amount']} {initiated['transaction']['currency']} "
          f"from {initiated['transaction']['senderTag']}")

    accepted = receiver.call("POST", f"/v1/transactions/{sent['reference']}/accept")["data"]
    print(f"6. {receiver.handle} accepted: {accepted['status']}")

    completed = sender.wait_for("TRANSACTION_COMPLETED")
    assert completed["transaction"]["reference"] == sent["reference"]
    print(f"7. {sender.handle} got TRANSACTION_COMPLETED (verified, decrypted)")

    for app in (sender, receiver):
        w = app.call("GET", "/v1/wallet")["data"]
        print(f"8. {app.handle} wallet: balance {w['balance']} {w['currency']}")
    server.shutdown()
    print("OK: every step held")


if __name__ == "__main__":
    main()
