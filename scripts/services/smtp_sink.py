#!/usr/bin/python3
"""SMTP sink for hxstakepool's tests (Debian's python3-aiosmtpd, run with /usr/bin/python3).

Listeners on 127.0.0.1, each on a free port:
  plain     no TLS, no AUTH
  starttls  STARTTLS offered and required before MAIL
  auth      STARTTLS required, then AUTH PLAIN/LOGIN required (test user)
  implicit  TLS from the first byte (SMTPS); AUTH offered, not required
  plainauth no TLS at all (no STARTTLS), AUTH offered in clear text: what a client that requires STARTTLS
            must refuse to talk to (a server without TLS, or one whose STARTTLS an attacker stripped)
  flaky     like plain, but the control port can take it down and up again (same port)
  control   line commands: "down" / "up" (flaky listener), answers "ok"

Fault modes by recipient local part (prefix):
  temp-fail...   451 at RCPT the first time for that exact address, accepted afterwards
  perm-fail...   550 at RCPT, always
  stall-once...  the first time, the reply to the end of DATA is held for 20 s and then 451 (never saved):
                 a client killed in that window has not delivered; accepted afterwards. While the reply is
                 held, <maildir>/stalled-<recipient> exists.

Every MAIL FROM and AUTH attempt, on every listener and whether accepted or not, is appended to
<maildir>/events.jsonl as {"listener", "event": "mail"|"auth", "value": sender or login}: tests prove with it
that nothing was said in clear text.

Every accepted message is written as <maildir>/<n>.eml (the raw bytes received after dot-unstuffing) plus
<n>.json (listener, envelope sender, recipients, TLS, AUTH user). When all listeners are up, a JSON object
with their ports is written to the --ready file.
"""
import argparse
import asyncio
import json
import os
import ssl
import sys

from aiosmtpd.smtp import SMTP, AuthResult, LoginPassword


class Sink:
    def __init__(self, maildir):
        self.maildir = maildir
        self.counter = 0
        self.seen_temp = set()
        self.seen_stall = set()


    def record(self, listener, event, value):
        line = json.dumps({"listener": listener, "event": event, "value": value}) + "\n"
        with open(os.path.join(self.maildir, "events.jsonl"), "a") as f:
            f.write(line)


class Handler:
    def __init__(self, sink, listener):
        self.sink = sink
        self.listener = listener

    async def handle_MAIL(self, server, session, envelope, address, mail_options):
        self.sink.record(self.listener, "mail", address)
        envelope.mail_from = address
        envelope.mail_options.extend(mail_options)
        return "250 OK"

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        local = address.split("@", 1)[0].lower()
        if local.startswith("perm-fail"):
            return "550 5.1.1 mailbox unavailable (perm-fail test address)"
        if local.startswith("temp-fail") and address not in self.sink.seen_temp:
            self.sink.seen_temp.add(address)
            return "451 4.3.0 try again later (temp-fail test address)"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        for rcpt in envelope.rcpt_tos:
            if rcpt.split("@", 1)[0].lower().startswith("stall-once") and rcpt not in self.sink.seen_stall:
                self.sink.seen_stall.add(rcpt)
                # Tell the test the message is in and the reply is being held.
                open(os.path.join(self.sink.maildir, "stalled-" + rcpt), "w").close()
                await asyncio.sleep(20)
                return "451 4.3.0 stalled (stall-once test address)"
        self.sink.counter += 1
        base = os.path.join(self.sink.maildir, "%06d" % self.sink.counter)
        tls = session.ssl is not None or self.listener == "implicit"
        meta = {
            "listener": self.listener,
            "mail_from": envelope.mail_from,
            "rcpt_tos": envelope.rcpt_tos,
            "tls": tls,
            "auth_user": (session.login_data or b"").decode("utf-8", "replace") if session.authenticated else None,
        }
        with open(base + ".eml.tmp", "wb") as f:
            f.write(envelope.original_content)
        with open(base + ".json.tmp", "w") as f:
            json.dump(meta, f)
        # The .json appears last, so a reader that sees it also sees the whole .eml.
        os.rename(base + ".eml.tmp", base + ".eml")
        os.rename(base + ".json.tmp", base + ".json")
        return "250 2.0.0 OK queued as %06d" % self.sink.counter


def make_authenticator(user, password, sink, listener):
    def authenticate(server, session, envelope, mechanism, auth_data):
        login = auth_data.login.decode("utf-8", "replace") if isinstance(auth_data, LoginPassword) else None
        sink.record(listener, "auth", login)
        ok = (isinstance(auth_data, LoginPassword)
              and auth_data.login == user.encode() and auth_data.password == password.encode())
        return AuthResult(success=ok, handled=False, auth_data=auth_data if ok else None)
    return authenticate


async def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--maildir", required=True)
    parser.add_argument("--cert", required=True)
    parser.add_argument("--key", required=True)
    parser.add_argument("--user", required=True)
    parser.add_argument("--password-file", required=True)
    parser.add_argument("--ready", required=True)
    args = parser.parse_args()
    with open(args.password_file) as f:
        password = f.read().strip()

    os.makedirs(args.maildir, exist_ok=True)
    sink = Sink(args.maildir)
    tls = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    tls.load_cert_chain(args.cert, args.key)
    def authenticator(listener):
        return make_authenticator(args.user, password, sink, listener)
    loop = asyncio.get_running_loop()

    def factory(listener, **options):
        return lambda: SMTP(Handler(sink, listener), hostname="sink.test", ident="hxstakepool test sink",
                            timeout=60, **options)

    listeners = {
        "plain": (factory("plain"), None),
        "starttls": (factory("starttls", tls_context=tls, require_starttls=True), None),
        "auth": (factory("auth", tls_context=tls, require_starttls=True, auth_required=True,
                         auth_require_tls=True, authenticator=authenticator("auth")), None),
        "implicit": (factory("implicit", authenticator=authenticator("implicit"), auth_require_tls=False), tls),
        "plainauth": (factory("plainauth", authenticator=authenticator("plainauth"), auth_require_tls=False), None),
    }
    ports = {}
    servers = []
    for name, (make, server_tls) in listeners.items():
        server = await loop.create_server(make, "127.0.0.1", 0, ssl=server_tls)
        servers.append(server)
        ports[name] = server.sockets[0].getsockname()[1]

    flaky = {"server": await loop.create_server(factory("flaky"), "127.0.0.1", 0)}
    ports["flaky"] = flaky["server"].sockets[0].getsockname()[1]

    async def control(reader, writer):
        line = (await reader.readline()).decode().strip()
        if line == "down" and flaky["server"] is not None:
            flaky["server"].close()
            await flaky["server"].wait_closed()
            flaky["server"] = None
        elif line == "up" and flaky["server"] is None:
            flaky["server"] = await loop.create_server(factory("flaky"), "127.0.0.1", ports["flaky"],
                                                       reuse_address=True)
        writer.write(b"ok\n")
        await writer.drain()
        writer.close()

    control_server = await asyncio.start_server(control, "127.0.0.1", 0)
    ports["control"] = control_server.sockets[0].getsockname()[1]

    with open(args.ready + ".tmp", "w") as f:
        json.dump(ports, f)
    os.rename(args.ready + ".tmp", args.ready)
    await asyncio.Event().wait()


if __name__ == "__main__":
    try:
        asyncio.run(main())
    except KeyboardInterrupt:
        sys.exit(0)
