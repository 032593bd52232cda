"""The catalogue of malformed requests (issue 9): bad JSON, wrong types, huge numbers, unicode
tricks, broken HTTP, credential tricks, oversized parts and slow senders. Each entry is what a
careless or hostile client could send to the controller; every one must be answered 4xx or
closed, and change nothing (test_malformed.py sends them to the real daemon).

An entry: (category, name, raw request bytes). Tokens in the bytes: {clerk} is replaced by a
clerk's session at window 1, {ticket} by a waiting ticket's id. The slow senders are in
test_malformed.py, since they are about time, not bytes."""
import json

KIOSK = "demo-kiosk-1"
DISPLAY = "demo-display-1"


def http_request(method, path, body=b"", token=None, headers=(), ctype="application/json", length=None):
    if isinstance(body, str):
        body = body.encode("utf-8")
    lines = ["%s %s HTTP/1.1" % (method, path), "Host: 127.0.0.1", "Connection: close"]
    if token:
        lines.append("Authorization: Bearer " + token)
    if body or length is not None:
        lines.append("Content-Type: " + ctype)
        lines.append("Content-Length: %s" % (len(body) if length is None else length))
    lines.extend(headers)
    head = ("\r\n".join(lines) + "\r\n\r\n").encode("utf-8", "surrogateescape")
    return head + body


def dumps(obj):
    return json.dumps(obj, ensure_ascii=False).encode("utf-8")


# Routes whose valid request would change the hall (the test makes sure of that afterwards),
# with a valid body to spoil: (method, path, token, body, {field: kind}).
ROUTES = [
    ("POST", "/api/v1/tickets", KIOSK, {"service": "minzheng", "priority": "normal", "channel": "kiosk",
                                        "request_id": "bad-1"},
     {"service": "str", "priority": "str", "channel": "str", "request_id": "str"}),
    ("POST", "/api/v1/windows/1/rate", DISPLAY, {"level": 5}, {"level": "level"}),
    ("POST", "/api/v1/complaints", KIOSK, {"categories": ["waiting"], "content": "等候太久", "window": 1,
                                           "name": "张三", "phone": "13812345678"},
     {"categories": "list", "content": "str", "window": "int", "name": "str", "phone": "str"}),
    ("POST", "/api/v1/devices/kiosk-1/status", KIOSK, {"printer": "near_end", "accepting": True, "detail": "纸将尽"},
     {"printer": "str", "accepting": "bool", "detail": "str"}),
    ("POST", "/api/v1/appointments/requests", KIOSK, {"service": "minzheng", "item": "dibao", "name": "李四",
                                                      "phone": "13900001111", "note": "上午"},
     {"service": "str", "item": "str", "name": "str", "phone": "str", "note": "str"}),
    ("POST", "/api/v1/windows/1/pause", "{clerk}", {"reason": "会议"}, {"reason": "str"}),
    ("POST", "/api/v1/enquiries", "{clerk}", {"channel": "phone", "subject": "低保政策", "phone": "13812345678"},
     {"subject": "str", "phone": "str", "caller": "str"}),
]

BAD_VALUES = {
    # Wrong types, then values of the right type that are too long or not clean text.
    "str": [7, 1.5, True, [], {"a": 1}, ["minzheng"], "x" * 3000, "\u001b@", "A\u202eB", "\u0085x", "a\u0000b",
            "\u2066x\u2069"],
    "int": ["1", 1.5, True, [], {}, 10 ** 20, -(10 ** 20)],
    "level": ["5", 5.5, True, [5], {}, 0, 6, -1, 2 ** 31, 2 ** 63 - 1, 10 ** 20, None],
    "bool": [1, "true", [], {}, "yes"],
    "list": ["waiting", 7, {}, [7], ["waiting"] * 8, [["waiting"]]],
}

BAD_JSON = [
    b"not json", b"{", b"}", b"[]", b"\"minzheng\"", b"123", b"null", b"true",
    b'{"service":}', b'{"service":"minzheng",}', b'{"service":"minzheng"} trailing',
    b"{'service':'minzheng'}", b'{"service":"minzheng" /* c */}', b'\xef\xbb\xbf{"service":"minzheng"}',
    b'{"service":"min\xffzheng"}', b'{"service":"\xc0\xafx"}', b'{"level":NaN}', b'{"level":Infinity}',
    b'{"level":1e400}', b'{"a":' + b"[" * 5000 + b"]" * 5000 + b"}", b'{"service":"\\ud800"}',
    b'{"service":"minzheng"' + b',"x":1' * 20000 + b"}",
]
BAD_JSON_ROUTES = [("POST", "/api/v1/tickets", KIOSK), ("POST", "/api/v1/windows/1/rate", DISPLAY),
                   ("POST", "/api/v1/complaints", KIOSK), ("POST", "/api/v1/windows/1/sign-in", None),
                   ("POST", "/api/v1/sessions", None)]


def catalogue():
    out = []

    def add(category, name, raw):
        out.append((category, name, raw))

    # Bad JSON on routes of every kind of caller.
    for method, path, token in BAD_JSON_ROUTES:
        for i, body in enumerate(BAD_JSON):
            add("bad_json", "%s %s #%d" % (method, path, i), http_request(method, path, body, token))

    # Each field of a valid request spoiled in turn.
    for method, path, token, good, fields in ROUTES:
        for field, kind in fields.items():
            for j, bad in enumerate(BAD_VALUES[kind]):
                body = dict(good)
                body[field] = bad
                add("wrong_type", "%s %s %s=#%d" % (method, path, field, j), http_request(method, path, dumps(body), token))
        missing = [f for f, k in fields.items() if f in ("service", "level", "printer", "accepting", "subject")]
        for field in missing:
            body = {k: v for k, v in good.items() if k != field}
            add("wrong_type", "%s %s without %s" % (method, path, field), http_request(method, path, dumps(body), token))

    # Unicode tricks in ids that look right on a screen.
    for svc in ["ｍｉｎｚｈｅｎｇ", "minzheng\u200b", "m\u0456nzheng", "MINZHENG", " minzheng", "minzheng ",
                "min\u202ezheng", "minzheng\ufeff", "民政救助"]:
        add("unicode", "service %r" % svc, http_request("POST", "/api/v1/tickets", dumps({"service": svc}), KIOSK))
    for clerk in ["c01\u0000", "C01", "c\uff101", "c01 ", "\u202ec01", "c01' OR '1'='1", "c01\"--"]:
        add("unicode", "sign-in clerk %r" % clerk,
            http_request("POST", "/api/v1/windows/1/sign-in", dumps({"clerk": clerk, "pin": "123456"})))
    for path in ["/api/v1/windows/\uff11/call-next", "/api/v1/tickets/%31", "/api/v1/ticket%73",
                 "/api/v1/windows/1/call%2Dnext", "/api/v1/windows/1/call-next%00", "/api/v1/windows/-1/call-next",
                 "/api/v1/windows/1.0/call-next", "/api/v1/windows/0x1/call-next"]:
        add("unicode", "path %r" % path, http_request("POST", path, b"{}", "{clerk}"))

    # Huge and out-of-range numbers in paths and queries.
    for path in ["/api/v1/tickets/99999999999999999999", "/api/v1/tickets/-9223372036854775809",
                 "/api/v1/windows/99999999999999999999/call-next", "/api/v1/windows/1000/call-next",
                 "/api/v1/cases/99999999999999999999/complete", "/api/v1/help-requests/99999999999999999999/answer",
                 "/api/v1/appointments/99999999999999999999/cancel", "/api/v1/tickets/{ticket}0000000000/cancel"]:
        add("huge", "POST " + path, http_request("POST", path, b"{}", "{clerk}"))
    for path in ["/api/v1/calendar/deadline?received=2026-03-02&days=99999999999999999999",
                 "/api/v1/calendar/deadline?received=2026-03-02&days=-1",
                 "/api/v1/calendar/deadline?received=99999-03-02&days=1",
                 "/api/v1/calendar/deadline?received=2026-02-30&days=1",
                 "/api/v1/tickets?number=" + "A" * 5000, "/api/v1/tickets?number=%3Cscript%3E",
                 "/api/v1/cases?from=0001-01-01&to=9999-12-31", "/api/v1/appointments/slots?service=minzheng&day=2026-13-01"]:
        add("huge", "GET " + path[:60], http_request("GET", path, token="{clerk}"))

    # Broken HTTP.
    raw = [
        b"GARBAGE\r\n\r\n", b"GET\r\n\r\n", b"GET / HTTP/9.9\r\nHost: x\r\n\r\n", b"\r\n\r\n\r\n",
        b"GET / HTTP/1.1\r\nFoo bar\r\n\r\n", b"GET / HTTP/1.1\r\nFoo: a\x00b\r\n\r\n",
        b"GET / HTTP/1.1\r\nX: " + b"a" * 20000 + b"\r\n\r\n",
        b"GET / HTTP/1.1\r\n" + b"".join(b"X-%d: y\r\n" % i for i in range(2000)) + b"\r\n",
        b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n",
        b"GET /" + b"a" * 20000 + b" HTTP/1.1\r\nHost: x\r\n\r\n",
        b"POST /api/v1/tickets HTTP/1.1\r\nContent-Length: -5\r\n\r\n",
        b"POST /api/v1/tickets HTTP/1.1\r\nContent-Length: 99999999999999999999\r\n\r\n",
        b"POST /api/v1/tickets HTTP/1.1\r\nContent-Length: 5\r\nContent-Length: 7\r\n\r\n{}{}{}{",
        b"POST /api/v1/tickets HTTP/1.1\r\nContent-Length: 2\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n",
        b"POST /api/v1/tickets HTTP/1.1\r\nTransfer-Encoding: gzip\r\n\r\n",
        b"POST /api/v1/tickets HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n{}\r\n0\r\n\r\n",
        b"POST /api/v1/tickets HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\nffffffffffffffffff\r\n{}\r\n0\r\n\r\n",
        b"POST /api/v1/tickets HTTP/1.1\r\nContent-Length: 2\r\n Folded: header\r\n\r\n{}",
        b"POST /api/v1/tickets HTTP/1.1\nContent-Length: 2\n\n{}",
        b"GET / HTTP/1.1\r\nHost: x\r\nContent-Length: 1 1\r\n\r\n",
    ]
    for i, r in enumerate(raw):
        add("http", "raw #%d" % i, r)
    add("http", "body over 64 KiB", http_request("POST", "/api/v1/tickets", b'{"service":"' + b"x" * 70000 + b'"}', KIOSK))
    add("http", "chunked body over 64 KiB",
        b"POST /api/v1/tickets HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " + KIOSK.encode() +
        b"\r\nTransfer-Encoding: chunked\r\n\r\n" + b"".join(b"4000\r\n" + b" " * 0x4000 + b"\r\n" for _ in range(5)) +
        b"0\r\n\r\n")
    add("http", "form body to a JSON route", http_request("POST", "/api/v1/tickets", b"service=minzheng", KIOSK,
                                                          ctype="application/x-www-form-urlencoded"))
    # Issue 26: bodies any web page may send without asking (a "simple" request) are refused,
    # however valid their JSON; and a Transfer-Encoding other than chunked, whose body would
    # otherwise be read as a second request (request smuggling).
    for ctype in ("text/plain", "text/plain;charset=UTF-8", "multipart/form-data; boundary=x", "application/jsonx"):
        add("http", "valid ticket as %s" % ctype, http_request("POST", "/api/v1/tickets", dumps({"service": "minzheng"}),
                                                               KIOSK, ctype=ctype))
        add("http", "right PIN as %s" % ctype, http_request("POST", "/api/v1/windows/1/sign-in",
                                                            dumps({"clerk": "c01", "pin": "123456"}), ctype=ctype))
    smuggled = http_request("POST", "/api/v1/tickets", dumps({"service": "minzheng"}), KIOSK)
    for te in (b"identity", b"gzip", b"chunked, identity", b"identity, chunked", b"Chunked\r\nTransfer-Encoding: identity"):
        add("http", "Transfer-Encoding %r smuggling a ticket" % te,
            b"POST /api/v1/help-requests HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: " + te + b"\r\n\r\n" + smuggled)
    for method in ["PUT", "PATCH", "TRACE", "CONNECT", "FOO", "OPTIONS"]:
        add("http", method + " on tickets", http_request(method, "/api/v1/tickets", dumps({"service": "minzheng"}), KIOSK))
    for path in ["/web/../hall.toml", "/web/..%2fhall.toml", "/web/%2e%2e%2f%2e%2e%2fetc%2fpasswd", "/web/board.js%00.html",
                 "/web/.hidden", "/web//etc/passwd", "/web/board.js/..", "/../../etc/passwd",
                 "http://evil.example/api/v1/health", "*"]:
        add("http", "traversal %s" % path, http_request("GET", path))
    add("http", "page form without key", http_request("POST", "/t/{ticket}", b"level=5", ctype="application/x-www-form-urlencoded"))
    add("http", "page form with a long key",
        http_request("POST", "/t/{ticket}", b"level=5&k=" + b"f" * 5000, ctype="application/x-www-form-urlencoded"))
    add("http", "page form level 9", http_request("POST", "/t/{ticket}", b"level=9&k=0000000000000000",
                                                  ctype="application/x-www-form-urlencoded"))

    # Credential tricks.
    body = dumps({"service": "minzheng", "request_id": "cred"})
    for name, headers in [
            ("empty bearer", ["Authorization: Bearer"]), ("lower-case scheme", ["Authorization: bearer " + KIOSK]),
            ("two spaces", ["Authorization: Bearer  " + KIOSK]), ("basic", ["Authorization: Basic ZGVtbzprMQ=="]),
            ("the stored digest", ["Authorization: Bearer blake2b:37e67200d2001aea26ff5bd6d017ba16d09705b59c35c561e77eb3bf26f9c23b"]),
            ("10 KB token", ["Authorization: Bearer " + "k" * 10000]),
            ("token with a tab", ["Authorization: Bearer demo-kiosk-1\tx"]),
            ("bad then good", ["Authorization: Bearer nope", "Authorization: Bearer " + KIOSK]),
            ("good then bad", ["Authorization: Bearer " + KIOSK, "Authorization: Bearer nope"]),
            ("display token", ["Authorization: Bearer " + DISPLAY]),
            ("token in the query", []),
    ]:
        path = "/api/v1/tickets" + ("?token=" + KIOSK if name == "token in the query" else "")
        add("credential", name, http_request("POST", path, body, None, headers))
    for pin in ["", " 123456", "123456 ", "１２３４５６", "1" * 129]:
        add("credential", "pin %r" % pin[:12],
            http_request("POST", "/api/v1/windows/1/sign-in", dumps({"clerk": "c02", "pin": pin})))
    return out


if __name__ == "__main__":
    cats = {}
    for c, _, _ in catalogue():
        cats[c] = cats.get(c, 0) + 1
    print(sum(cats.values()), cats)
