# Generates dashboards/onsale.json (run from docker/grafana): python3 generate-dashboard.py
import json
panels = []
y = 0
pid = 1
def row(title):
    global y, pid
    panels.append({"type": "row", "title": title, "id": pid, "collapsed": False,
                   "gridPos": {"h": 1, "w": 24, "x": 0, "y": y}, "panels": []})
    pid += 1; y += 1
def ts(title, targets, x, w=8, h=8, unit="short", desc=None, kind="timeseries"):
    global pid
    p = {"type": kind, "title": title, "id": pid,
         "datasource": {"type": "prometheus", "uid": "onsale-prometheus"},
         "gridPos": {"h": h, "w": w, "x": x, "y": y},
         "fieldConfig": {"defaults": {"unit": unit}, "overrides": []},
         "options": {"legend": {"displayMode": "list", "placement": "bottom", "showLegend": True},
                     "tooltip": {"mode": "multi", "sort": "desc"}} if kind == "timeseries" else
                    {"reduceOptions": {"calcs": ["lastNotNull"], "fields": "", "values": False},
                     "colorMode": "background", "graphMode": "none", "textMode": "value_and_name"},
         "targets": [{"refId": chr(65 + i), "expr": e, "legendFormat": l,
                      "datasource": {"type": "prometheus", "uid": "onsale-prometheus"}}
                     for i, (e, l) in enumerate(targets)]}
    if desc: p["description"] = desc
    if kind == "stat":
        p["fieldConfig"]["defaults"]["thresholds"] = {"mode": "absolute", "steps": [
            {"color": "green", "value": None}, {"color": "red", "value": 1}]}
        p["fieldConfig"]["defaults"]["mappings"] = [{"type": "value", "options": {
            "0": {"text": "ok"}, "1": {"text": "ALERT"}}}]
    panels.append(p); pid += 1
    return p

row("Sale")
ts("Waiting in the queue", [("max by (event) (onsale_queue_waiting)", "event {{event}}")], 0,
   desc="Buyers who joined and are not admitted yet")
ts("Admitted per minute", [("sum by (event) (rate(onsale_queue_admitted_total[1m])) * 60", "admitted {{event}}"),
                           ("sum by (event) (rate(onsale_queue_joined_total[1m])) * 60", "joined {{event}}")], 8)
ts("Tickets left", [("max by (event, category) (onsale_tickets_available)", "event {{event}} / category {{category}}")], 16)
y += 8
ts("Reservations per second", [("sum by (event, outcome) (rate(onsale_reservations_total[1m]))", "{{event}} {{outcome}}")], 0, w=12, unit="reqps")
ts("Orders per second", [("sum by (event) (rate(onsale_orders_total[1m]))", "event {{event}}")], 12, w=12, unit="reqps")
y += 8
row("Job queues")
ts("Queue alerts (backlog or failing)", [("max by (queue) (onsale_alert_active)", "{{queue}}")], 0, w=12, h=4, kind="stat")
ts("Queues failing (3+ failed tries in a minute, none succeeded)", [("max by (queue) (onsale_jobs_failing)", "{{queue}}")], 12,
   w=12, h=4, kind="stat")
y += 4
ts("Jobs waiting (backlog) and thresholds", [("max by (queue) (onsale_jobs_backlog)", "{{queue}}"),
    ("max by (queue) (onsale_jobs_alert_threshold)", "{{queue}} threshold")], 0,
   desc="In progress, not picked up and waiting for a retry, per stream; the backlog alert fires above the threshold")
ts("Oldest unfinished job", [("max by (queue) (onsale_jobs_oldest_age_seconds)", "{{queue}}")], 8, unit="s")
ts("Stream length, in progress, dead letters", [("max by (queue) (onsale_jobs_stream_length)", "{{queue}} length"),
    ("max by (queue) (onsale_jobs_pending)", "{{queue}} in progress"),
    ("max by (queue) (onsale_jobs_dead_letters)", "{{queue}} dead letters")], 16)
y += 8
ts("Jobs processed per second", [("sum by (queue, outcome) (rate(onsale_jobs_processed_total[1m]))", "{{queue}} {{outcome}}")], 0, w=8, unit="ops")
ts("Waiting for a retry, and failed tries in the last minute", [("max by (queue) (onsale_jobs_retrying)", "{{queue}} retrying"),
    ("max by (queue) (onsale_jobs_failed_last_minute)", "{{queue}} failed / min")], 8,
   desc="A queue whose tries keep failing shows here long before its backlog passes the threshold")
ts("Average job duration", [("sum by (queue) (rate(onsale_jobs_duration_seconds_sum[5m])) / sum by (queue) (rate(onsale_jobs_duration_seconds_count[5m]))", "{{queue}}")], 16, w=8, unit="s")
y += 8
row("HTTP, PostgreSQL, Redis, JVM")
ts("HTTP requests per second by status", [("sum by (code) (rate(vertx_http_server_requests_total[1m]))", "{{code}}")], 0, unit="reqps")
ts("Average HTTP response time", [("sum by (instance) (rate(vertx_http_server_response_time_seconds_sum[1m])) / sum by (instance) (rate(vertx_http_server_response_time_seconds_count[1m]))", "{{instance}}")], 8, unit="s")
ts("Open HTTP connections", [("sum by (instance) (vertx_http_server_active_connections)", "{{instance}}")], 16)
y += 8
ts("PostgreSQL pool", [("sum by (instance) (vertx_pool_in_use{pool_type=\"sql\"})", "in use {{instance}}"),
    ("sum by (instance) (vertx_pool_queue_pending{pool_type=\"sql\"})", "waiting {{instance}}")], 0,
   desc="Connections in use and requests waiting for one")
ts("SQL and Redis latency", [("sum(rate(vertx_sql_processing_time_seconds_sum[1m])) / sum(rate(vertx_sql_processing_time_seconds_count[1m]))", "SQL"),
    ("sum(rate(vertx_redis_processing_time_seconds_sum[1m])) / sum(rate(vertx_redis_processing_time_seconds_count[1m]))", "Redis")], 8, unit="s")
ts("Redis commands per second", [("sum by (instance) (rate(vertx_redis_processing_time_seconds_count[1m]))", "{{instance}}")], 16, unit="ops")
y += 8
ts("JVM heap used", [("sum by (instance) (jvm_memory_used_bytes{area=\"heap\"})", "{{instance}}")], 0, unit="bytes")
ts("CPU", [("max by (instance) (process_cpu_usage)", "{{instance}}")], 8, unit="percentunit")
ts("Time spent in GC", [("max by (instance) (jvm_gc_overhead)", "{{instance}}")], 16, unit="percentunit")
y += 8

dash = {"uid": "onsale-overview", "title": "Onsale", "tags": ["onsale"], "timezone": "browser",
        "schemaVersion": 39, "version": 1, "editable": True, "refresh": "5s",
        "time": {"from": "now-30m", "to": "now"}, "panels": panels,
        "templating": {"list": []}, "annotations": {"list": []}}
json.dump(dash, open("dashboards/onsale.json", "w"), indent=2)
print(len(panels), "panels")
