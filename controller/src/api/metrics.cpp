#include <boost/json.hpp>

#include <cstdio>
#include <map>

#include "reports_api.hpp"
#include "server.hpp"

namespace hallq::api {

std::string render_metrics(Hall& hall) {
  const Metrics& m = hall.metrics();
  std::string o;
  auto line = [&](const std::string& s) { o += s; o += '\n'; };
  // A metric family's HELP and TYPE lines.
  auto family = [&](const char* name, const char* type, const char* help) {
    line(std::string("# HELP ") + name + " " + help);
    line(std::string("# TYPE ") + name + " " + type);
  };
  family("hallq_tickets_issued_total", "counter", "Tickets issued since start.");
  line("hallq_tickets_issued_total " + std::to_string(m.tickets_issued));
  family("hallq_tickets_called_total", "counter", "Tickets called since start.");
  line("hallq_tickets_called_total " + std::to_string(m.tickets_called));
  family("hallq_events_total", "counter", "Events committed and published since start.");
  line("hallq_events_total " + std::to_string(m.events));
  family("hallq_commit_transactions_total", "counter", "SQLite transactions (group commits).");
  line("hallq_commit_transactions_total " + std::to_string(m.commits));
  family("hallq_commit_failures_total", "counter", "Commands refused because their commit failed.");
  line("hallq_commit_failures_total " + std::to_string(m.commit_failures));
  family("hallq_rate_limited_total", "counter", "Requests answered 429.");
  line("hallq_rate_limited_total " + std::to_string(m.rejected_429));
  family("hallq_waiting_tickets", "gauge", "Tickets waiting, per service.");
  for (const auto& s : hall.config().services)
    line("hallq_waiting_tickets{service=\"" + s.id + "\"} " + std::to_string(hall.engine().waiting_count(s.id)));
  family("hallq_window_pause_overrun", "gauge", "Windows paused past policy.pause_alert_minutes (R-AB-3), 1 each.");
  for (const auto& w : hall.engine().windows())
    line("hallq_window_pause_overrun{window=\"" + std::to_string(w.number) + "\"} " +
         (w.paused && w.pause_alerted ? "1" : "0"));
  family("hallq_alerts", "gauge", "What needs the manager now, per kind (docs/pages.md, \"Manager's page\"; GET /api/v1/alerts lists them).");
  {
    std::map<std::string, int> counts;
    for (const char* k : {"pause_overrun", "window_unstaffed", "printer_out", "printer_near_end", "device_offline",
                          "case_overdue", "case_due_today", "complaint_overdue", "complaint_due_today", "follow_up",
                          "help_waiting", "appointment_unanswered", "appointment_due_today", "sign_in_guessing"})
      counts[k] = 0;
    for (const auto& a : hall_alerts(hall)) counts[std::string(a.as_object().at("kind").as_string())]++;
    for (const auto& [k, n] : counts) line("hallq_alerts{kind=\"" + k + "\"} " + std::to_string(n));
  }
  const ConnectionGate& gate = hall.gate();
  family("hallq_connections", "gauge", "Connections being served (pages, devices, event streams).");
  line("hallq_connections " + std::to_string(gate.total()));
  family("hallq_connections_without_credential", "gauge", "Connections that have not presented a credential (yet).");
  line("hallq_connections_without_credential " + std::to_string(gate.unproven()));
  family("hallq_anonymous_streams", "gauge", "Event streams without a credential (wall boards).");
  line("hallq_anonymous_streams " + std::to_string(gate.anonymous_streams()));
  family("hallq_connections_refused_total", "counter", "Connections answered 503: over max_connections, over one address's share, or in the reserve without a credential.");
  line("hallq_connections_refused_total{reason=\"total\"} " + std::to_string(m.connections_refused));
  line("hallq_connections_refused_total{reason=\"address\"} " + std::to_string(m.connections_refused_address));
  line("hallq_connections_refused_total{reason=\"reserved\"} " + std::to_string(m.connections_refused_reserved));
  family("hallq_idle_connections_cut_total", "counter", "Connections closed before their first request was complete ([server] first_request_timeout_s).");
  line("hallq_idle_connections_cut_total " + std::to_string(m.idle_connections_cut));
  family("hallq_slow_requests_cut_total", "counter", "Requests not complete within [server] request_timeout_s, cut off.");
  line("hallq_slow_requests_cut_total " + std::to_string(m.slow_requests_cut));
  family("hallq_tls_handshake_failures_total", "counter", "Connections to server.tls_listen that did not complete a TLS handshake (plain HTTP included).");
  line("hallq_tls_handshake_failures_total " + std::to_string(m.tls_handshakes_failed));
  family("hallq_websocket_clients", "gauge", "Event stream subscribers.");
  line("hallq_websocket_clients " + std::to_string(hall.subscriber_count()));
  family("hallq_tickets_voided_total", "counter", "Tickets voided by their kiosk because they did not print.");
  line("hallq_tickets_voided_total " + std::to_string(m.tickets_voided));
  family("hallq_complaints_total", "counter", "Complaints recorded (R-COMP-1), from kiosks, counters and managers.");
  line("hallq_complaints_total " + std::to_string(hall.engine().complaints_filed()));
  family("hallq_appointments_unanswered", "gauge", "Appointment requests not answered within one working day (R-APPT-1).");
  line("hallq_appointments_unanswered " + std::to_string(hall.engine().unanswered_appointments(hall.now())));
  family("hallq_help_requests_open", "gauge", "Help requests (帮办代办) from kiosks that no staff member answered yet.");
  line("hallq_help_requests_open " + std::to_string(hall.engine().open_help().size()));
  family("hallq_device_up", "gauge", "Whether the device was heard from within policy.device_offline_after_s.");
  for (const auto& d : hall.config().devices)
    line("hallq_device_up{device=\"" + d.id + "\"} " + (hall.device_online(d.id) ? "1" : "0"));
  family("hallq_device_accepting", "gauge", "Whether the kiosk offers tickets (0 while its printer cannot print).");
  family("hallq_device_printer_status", "gauge", "The printer state a device last reported (1 for the current state).");
  std::string printer_lines;
  for (const auto& d : hall.config().devices) {
    auto it = hall.engine().devices().find(d.id);
    if (it == hall.engine().devices().end()) continue;
    line("hallq_device_accepting{device=\"" + d.id + "\"} " + (it->second.accepting ? "1" : "0"));
    for (const char* st : {"ok", "near_end", "paper_out", "cover_open", "offline", "error", "unknown", "none"})
      printer_lines += "hallq_device_printer_status{device=\"" + d.id + "\",state=\"" + st + "\"} " +
                       (it->second.printer == st ? "1" : "0") + "\n";
  }
  o += printer_lines;
  family("hallq_request_duration_seconds", "histogram", "HTTP request handling time.");
  for (std::size_t i = 0; i < Metrics::kBuckets.size(); ++i) {
    char le[32];
    std::snprintf(le, sizeof le, "%g", Metrics::kBuckets[i]);
    line(std::string("hallq_request_duration_seconds_bucket{le=\"") + le + "\"} " + std::to_string(m.latency_counts[i]));
  }
  line("hallq_request_duration_seconds_bucket{le=\"+Inf\"} " + std::to_string(m.latency_count));
  line("hallq_request_duration_seconds_sum " + std::to_string(m.latency_sum));
  line("hallq_request_duration_seconds_count " + std::to_string(m.latency_count));
  return o;
}

}  // namespace hallq::api
