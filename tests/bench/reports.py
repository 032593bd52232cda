#!/usr/bin/env python3
"""The manager's reports on a long history: times each report request through a running
controller (loopback, the manager's credential), RUNS times, and prints `key: value` lines.
    tests/bench/reports.py URL FIRST_DAY END_DAY [RUNS]
URL is the controller's base (http://127.0.0.1:PORT), FIRST_DAY and END_DAY the history's
first and last days (YYYY-MM-DD). Uses the bench hall's demo manager m01 / 123456. Every answer is checked for
figures (a report that answers nothing useful is an error, not a fast result)."""
import datetime
import json
import statistics
import sys
import time
import urllib.request

url = sys.argv[1]
first, end = datetime.date.fromisoformat(sys.argv[2]), datetime.date.fromisoformat(sys.argv[3])
runs = int(sys.argv[4]) if len(sys.argv) > 4 else 3


def request(method, path, body=None, token=None):
    data = json.dumps(body).encode() if body is not None else None
    req = urllib.request.Request(url + path, data=data, method=method)
    req.add_header("Content-Type", "application/json")
    if token:
        req.add_header("Authorization", "Bearer " + token)
    t0 = time.perf_counter()
    with urllib.request.urlopen(req, timeout=600) as r:
        raw = r.read()
    return (time.perf_counter() - t0) * 1000, len(raw), json.loads(raw)


_, _, session = request("POST", "/api/v1/sessions", {"user": "m01", "password": "123456"})
token = session["token"]

# The last whole month of the history (else its last, partial month) and its last 365 days.
month_end = end.replace(day=1) - datetime.timedelta(days=1)
if month_end.replace(day=1) < first:
    month_end = end
month = month_end.strftime("%Y-%m")
month_first = month_end.replace(day=1)
year_from = max(first, end - datetime.timedelta(days=364))
print(f"history_end: {end}")
print(f"month: {month}")


def stats_check(body):
    assert body["totals"]["issued"] > 0, body["totals"]
    return f"issued {body['totals']['issued']}, rows {len(body['rows'])}"


def scores_check(body):
    assert len(body) > 0 and all("score" in e for e in body), body
    lines = sum(len(e["lines"]) for e in body)
    return f"clerks {len(body)}, lines {lines}, scores {sorted(e['score'] for e in body)}"


def summary_check(body):
    assert body["clerks"], body
    return f"clerks {len(body['clerks'])}, top {[c['clerk'] for c in body['top_clerks']]}"


cases = [
    ("stats_month_by_day_service", f"/api/v1/reports/stats?from={month_first}&to={month_end}&by=day&group=service",
     stats_check),
    ("stats_month_by_week_clerk", f"/api/v1/reports/stats?from={month_first}&to={month_end}&by=week&group=clerk",
     stats_check),
    ("stats_year_by_month_service", f"/api/v1/reports/stats?from={year_from}&to={end}&by=month&group=service",
     stats_check),
    ("stats_year_by_day_window", f"/api/v1/reports/stats?from={year_from}&to={end}&by=day&group=window",
     stats_check),
    ("scores_month", f"/api/v1/reports/scores?month={month}", scores_check),
    ("scores_summary_year", f"/api/v1/reports/scores/summary?year={end.year}", summary_check),
]
for name, path, check in cases:
    times = []
    for _ in range(runs):
        ms, size, body = request("GET", path, token=token)
        times.append(ms)
    print(f"{name}_ms_best: {min(times):.0f}")
    print(f"{name}_ms_median: {statistics.median(times):.0f}")
    print(f"{name}_bytes: {size}")
    print(f"{name}_what: {check(body)}")
